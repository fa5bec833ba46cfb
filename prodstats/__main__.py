"""Command line: ``python -m prodstats validate|build|backtest|uncoded|add-source``.

Every failure the user can fix is printed as lines ``file:line: column 'x' = '…': message`` on
stderr, with exit status 1; no traceback.
"""

from __future__ import annotations

import signal
import sys

from prodstats.errors import on_signal, record_signal

if __name__ == "__main__":  # before any slow import: a Ctrl-C during them ends in one line
    for _s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_s, record_signal)

import argparse  # noqa: E402 (after the handlers)
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from prodstats.errors import (  # noqa: E402
    BugError,
    Interrupted,
    ProdstatsError,
    SeriesError,
    clear_pending,
    pending,
)

#: Exit status after a signal: 128 + its number, as a shell reports it.
SIGNAL_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _validate(args: argparse.Namespace) -> int:
    from prodstats.ledger import load

    ledger = load(args.raw)
    print(f"{args.raw or 'data/raw'}: {len(ledger.claims)} claims from {len(ledger.sources)} "
          f"sources, {len(ledger.indicators)} indicators: all checks passed")
    return 0


def _build(args: argparse.Namespace) -> int:
    from prodstats.build import build

    result = build(args.raw, args.out, args.charts, data=not args.no_data, draw=not args.no_charts,
                   site=args.site)
    names = ", ".join(f"{name} ({len(t)} rows)" for name, t in result.tables.items())
    print(f"built {names}")
    return 0


def _horizons(args: argparse.Namespace) -> list[int]:
    if len(args.horizon) not in (1, len(args.data)):
        raise SeriesError(f"give --horizon once, or once per --data ({len(args.data)}); got "
                          f"{len(args.horizon)}")
    return args.horizon * len(args.data) if len(args.horizon) == 1 else args.horizon


def _backtest(args: argparse.Namespace) -> int:
    from prodstats.backtest import backtest, format_backtest, format_goals, to_json

    windows = list(dict.fromkeys(args.window or [5]))
    results = [backtest(args.data, _horizons(args), k, compare=args.compare) for k in windows]
    print("\n\n".join(map(format_backtest, results)))
    if len(results) > 1:
        print("\n" + format_goals(results))
    if args.json:
        print(to_json(results[0]) if len(results) == 1 else to_json({"windows": results}))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from prodstats.backtest import calibrate, write_calibration

    calibration = calibrate(args.data, _horizons(args))
    if args.write:
        print(f"wrote {write_calibration(calibration)}")
    else:
        print(json.dumps(calibration, indent=1))
    return 0


def _uncoded(args: argparse.Namespace) -> int:
    from prodstats.uncoded import to_json, uncoded

    found = uncoded(args.raw)
    for item in found:
        print(item)
    if args.json:
        print(to_json(found))
    texts = len({item.source_id for item in found})
    print(f"{len(found)} uncoded figure{'s' if len(found) != 1 else ''} in {texts} "
          f"text{'s' if texts != 1 else ''}: code each as a claim or list it in skipped.csv"
          if found else "nothing uncoded: every figure is coded or skipped with a reason",
          file=sys.stderr)
    return 0


def _add_source(args: argparse.Namespace) -> int:
    from prodstats.addsource import add_source
    from prodstats.errors import LedgerError
    from prodstats.uncoded import uncoded

    added = add_source(args.text, args.id, args.outlet, args.published, args.title,
                       raw=args.raw, title_origin=args.title_origin, authors=args.authors,
                       editors=args.editors, wire_agency=args.wire_agency,
                       language=args.language, published_basis=args.published_basis,
                       published_note=args.published_note, url=args.url,
                       accessed=args.accessed)
    guessed = (" (told from the text; pass --language otherwise)" if added.language_guessed
               else "")
    print(f"added {added.source_id}: {added.text_file}, sha256 {added.sha256}, sources.csv "
          f"line {added.line}, language {added.language}{guessed}")
    try:
        found = uncoded(args.raw, only=[added.source_id])
    except LedgerError as exc:
        print(str(exc), file=sys.stderr)
        print(f"the source was added, but the ledger does not validate; fix the lines above, "
              f"then run: python -m prodstats uncoded {args.raw or ''}".rstrip(), file=sys.stderr)
        return 1
    print(f"to code ({len(found)} figure{'s' if len(found) != 1 else ''}; each becomes a claim "
          "or a row of skipped.csv):")
    for item in found:
        print(item)
    return 0


def _interrupted(command: str, signum: int) -> str:
    """The one line printed when a signal stopped ``command``: what it did and did not change."""
    name = signal.Signals(signum).name
    if command == "build":
        publish = sys.modules.get("prodstats.publish")  # (never imported after a signal)
        PUBLISHED = publish.PUBLISHED if publish is not None else []  # noqa: N806
        if PUBLISHED:
            return (f"{name} came after the build was published: "
                    f"{', '.join(map(str, PUBLISHED))} are complete; exit status 0")
        return (f"interrupted by {name}: the build stopped before publishing; the output folders "
                "are as they were and no temporary folder is left")
    if command == "add-source":
        return (f"interrupted by {name}: check sources.csv and texts/ with: python -m prodstats "
                "validate")
    return f"interrupted by {name}; nothing was written"


def main(argv: list[str] | None = None, *, restore: bool = True) -> int:
    """Run the command line; return the exit status.

    SIGINT and SIGTERM are handled by :func:`prodstats.errors.on_signal`; with
    ``restore=False`` (the ``prodstats`` command) the handlers stay until the process ends, so
    that a signal after the work is done cannot turn a success into a kill.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():  # signals go to the main one
        return _main(argv)
    # a signal only recorded until the command runs (inside _main's try), and after it ends
    previous = {s: signal.signal(s, record_signal) for s in SIGNAL_EXIT}
    try:
        return _main(argv)
    finally:
        if restore:
            for s, handler in previous.items():
                signal.signal(s, handler)


def cli() -> int:
    """The ``prodstats`` command."""
    return main(restore=False)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prodstats", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate a ledger folder (default data/raw)")
    validate.add_argument("raw", nargs="?", type=Path, default=None)
    validate.set_defaults(func=_validate)
    build = commands.add_parser("build", help="validate, resolve, project, write CSVs and charts")
    build.add_argument("--raw", type=Path, default=None, help="ledger folder (default data/raw)")
    build.add_argument("--out", type=Path, default=None, help="CSV folder (default data/processed)")
    build.add_argument("--charts", type=Path, default=None,
                       help="chart folder (default docs/charts)")
    build.add_argument("--site", type=Path, default=None,
                       help="also write the static site (the page to browse it all) here, "
                            "such as docs/site")
    build.add_argument("--no-data", action="store_true", help="do not write the CSVs")
    build.add_argument("--no-charts", action="store_true", help="do not draw the charts")
    build.set_defaults(func=_build)
    bt = commands.add_parser("backtest", help="score the projection method on benchmark CSVs; "
                             "with several, each is scored with constants fitted on the "
                             "others")
    bt.add_argument("--data", type=Path, required=True, action="append", help="long CSV: "
                    "series_id, year, value, split (train/test), optionally category; one row per "
                    "series and year; repeat for more (format: docs/methodology.md)")
    bt.add_argument("--window", type=int, action="append", help="last K training points "
                    "used; repeat for several windows (default 5)")
    bt.add_argument("--horizon", type=int, action="append", help="steps projected: once, or "
                    "once per --data in the same order (default 6)")
    bt.add_argument("--compare", action="store_true",
                    help="also score statsmodels' damped ETS, Theta and ARIMA (slower)")
    bt.add_argument("--json", action="store_true", help="end with one JSON line")
    bt.set_defaults(func=_backtest)
    cal = commands.add_parser("calibrate", help="refit the shipped constants on benchmark CSVs "
                              "(see docs/methodology.md)")
    cal.add_argument("--data", type=Path, required=True, action="append")
    cal.add_argument("--horizon", type=int, action="append")
    cal.add_argument("--write", action="store_true", help="write prodstats/calibration.json "
                     "(default: print it)")
    cal.set_defaults(func=_calibrate)
    unc = commands.add_parser("uncoded", help="list the figures of the texts that no claim "
                              "covers and skipped.csv does not explain")
    unc.add_argument("raw", nargs="?", type=Path, default=None, metavar="RAW_DIR",
                     help="ledger folder (default data/raw)")
    unc.add_argument("--json", action="store_true", help="end with one JSON line")
    unc.set_defaults(func=_uncoded)
    add = commands.add_parser("add-source", help="archive a text, record it in sources.csv "
                              "and list its figures to code")
    add.add_argument("text", type=Path, metavar="TEXT_FILE", help="the text, UTF-8")
    add.add_argument("--id", required=True, help="new source_id, e.g. reuters-2024-03-us-shells")
    add.add_argument("--outlet", required=True, help="who published it")
    add.add_argument("--published", required=True, help="2025-01-17, 2024-01 or 2024")
    add.add_argument("--title", required=True, help="the text's title (or one you write)")
    add.add_argument("--title-origin", default="original", choices=["original", "descriptive"])
    add.add_argument("--authors", default="", help="as credited, separated by '; '")
    add.add_argument("--editors", default="", help="as credited, separated by '; '")
    add.add_argument("--wire-agency", default="", help="the agency behind it, if any")
    add.add_argument("--language", default=None, help="ISO 639-1 (default: told from the text)")
    add.add_argument("--published-basis", default="stated", choices=["stated", "inferred"])
    add.add_argument("--published-note", default="", help="how the date was established")
    add.add_argument("--url", default="", help="address of the original")
    add.add_argument("--accessed", default="", help="date archived")
    add.add_argument("--raw", type=Path, default=None, help="ledger folder (default data/raw)")
    add.set_defaults(func=_add_source)
    args = parser.parse_args(argv)
    if getattr(args, "horizon", 0) is None:
        args.horizon = [6]
    try:
        try:
            if __name__ != "__main__":  # run as python -m, a signal during the imports counts
                clear_pending()
            _preload(args.command)  # a signal meanwhile is recorded: a module is never half made
            _handle(on_signal)
            early = pending()
            if early is not None:
                raise Interrupted(early)
            status = args.func(args)
        finally:
            _handle(record_signal)  # from here on, a signal cannot interrupt the reporting
    except ProdstatsError as exc:
        print(str(exc), file=sys.stderr)
        count = len(getattr(exc, "problems", [])) or 1
        print(exc.outcome[0].upper() + exc.outcome[1:] if isinstance(exc, BugError) else
              f"{count:,} problem{'s' if count != 1 else ''} found; {exc.outcome}", file=sys.stderr)
        return 1
    except Interrupted as exc:
        print(_interrupted(args.command, exc.signum), file=sys.stderr)
        return 0 if args.command == "build" and _published() else SIGNAL_EXIT[exc.signum]
    signum = pending()
    if signum is None:
        return status
    # the signal came while the work was finishing (or was raised where Python only printed
    # it): the command did its work completely, so it says so and keeps its status
    name = signal.Signals(signum).name
    print(_interrupted(args.command, signum) if args.command == "build" else
          f"{name} came after {args.command} had finished; what it did is complete",
          file=sys.stderr)
    return status


#: The modules each command needs, imported before a signal may raise.
PRELOAD = {"validate": ["prodstats.ledger"], "uncoded": ["prodstats.uncoded", "prodstats.ledger"],
           "add-source": ["prodstats.addsource", "prodstats.ledger"],
           "build": ["prodstats.build"], "backtest": ["prodstats.backtest"],
           "calibrate": ["prodstats.backtest"]}


def _preload(command: str) -> None:
    import importlib

    for name in PRELOAD.get(command, []):
        importlib.import_module(name)


def _handle(handler) -> None:
    """Make ``handler`` the handler of SIGINT and SIGTERM (in the main thread; elsewhere
    Python delivers no signals).
    """
    import threading

    if threading.current_thread() is threading.main_thread():
        for s in SIGNAL_EXIT:
            signal.signal(s, handler)


def _published() -> bool:
    publish = sys.modules.get("prodstats.publish")  # not imported: nothing was published
    return bool(publish is not None and publish.PUBLISHED)


if __name__ == "__main__":
    sys.exit(main(restore=False))
