"""Command line: ``python -m prodstats validate|build|backtest``.

Every failure the user can fix is printed as lines ``file:line: column 'x' = '…': message`` on
stderr, with exit status 1; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prodstats.errors import ProdstatsError


def _validate(args: argparse.Namespace) -> int:
    from prodstats.claims import load

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
