"""Command line: ``python -m prodstats validate|build|backtest``.

Every failure the user can fix is printed as lines ``file:line: column 'x' = '…': message`` on
stderr, with exit status 1; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prodstats.errors import ProdstatsError, SeriesError


def _validate(args: argparse.Namespace) -> int:
    from prodstats.ledger import load

    ledger = load(args.raw)
    print(f"{args.raw or 'data/raw'}: {len(ledger.claims)} claims from {len(ledger.sources)} "
          f"sources, {len(ledger.indicators)} indicators: all checks passed")
    return 0


def _build(args: argparse.Namespace) -> int:
    from prodstats.build import build

    result = build(args.raw, args.out, args.charts, data=not args.no_data, draw=not args.no_charts)
    names = ", ".join(f"{name} ({len(t)} rows)" for name, t in result.tables.items())
    print(f"built {names}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from prodstats.forecast import backtest, format_backtest, to_json

    if not args.data.is_file():
        raise SeriesError(f"{args.data}: no such file; pass a long CSV with the columns "
                          "series_id, category, year, value, split")
    result = backtest(args.data, args.window, args.horizon, compare=args.compare)
    print(format_backtest(result))
    if args.json:
        print(to_json(result))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from prodstats.forecast import calibrate

    print("CALIBRATION = {")
    for k in range(2, 7):
        print(f"    {k}: {calibrate(args.data, k, args.horizon, args.fit)},")
    print("}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m prodstats", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate a ledger folder (default data/raw)")
    validate.add_argument("raw", nargs="?", type=Path, default=None)
    validate.set_defaults(func=_validate)
    build = commands.add_parser("build", help="validate, resolve, project, write CSVs and charts")
    build.add_argument("--raw", type=Path, default=None, help="ledger folder (default data/raw)")
    build.add_argument("--out", type=Path, default=None, help="CSV folder (default data/processed)")
    build.add_argument("--charts", type=Path, default=None, help="chart folder (default docs/charts)")
    build.add_argument("--no-data", action="store_true", help="do not write the CSVs")
    build.add_argument("--no-charts", action="store_true", help="do not draw the charts")
    build.set_defaults(func=_build)
    bt = commands.add_parser("backtest", help="score the projection method on a benchmark CSV")
    bt.add_argument("--data", type=Path, required=True, help="long CSV: series_id, category, "
                    "year, value, split (train/test)")
    bt.add_argument("--window", type=int, default=5, help="last K training points used")
    bt.add_argument("--horizon", type=int, default=6, help="steps projected")
    bt.add_argument("--compare", action="store_true",
                    help="also score statsmodels' damped ETS and Theta (slower)")
    bt.add_argument("--json", action="store_true", help="end with one JSON line")
    bt.set_defaults(func=_backtest)
    cal = commands.add_parser("calibrate", help="refit the interval constants (see methodology)")
    cal.add_argument("--data", type=Path, required=True)
    cal.add_argument("--horizon", type=int, default=6)
    cal.add_argument("--fit", choices=["odd", "even", "all"], default="odd")
    cal.set_defaults(func=_calibrate)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ProdstatsError as exc:
        print(str(exc), file=sys.stderr)
        count = len(getattr(exc, "problems", [])) or 1
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
