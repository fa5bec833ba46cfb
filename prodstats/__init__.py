"""prodstats: arms-production claims from news text, coded by hand, validated, resolved into
series, projected with honest uncertainty, and charted.

Typical use in a notebook::

    import prodstats
    ledger = prodstats.load()                 # the project's data/raw, validated
    series = prodstats.resolve(ledger.claims)  # observations → series, one per reading
    promises = prodstats.outcomes(ledger.claims, ledger.sources, series)  # promise tracker
    proj = prodstats.project(series)           # projections with 80 % and 95 % intervals
    fig = prodstats.plot(series.query("indicator == 'defence_production'"), proj)

Heavy libraries (statsmodels, scipy, matplotlib) load only inside the functions that need them;
pandas, pandera and pint load on the first use of a name that needs them (so that the command
line can take a Ctrl-C while they load).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from prodstats.errors import BuildError, FrameError, LedgerError, ProdstatsError, SeriesError

if sys.argv[:1] == ["-m"]:  # `python -m prodstats` is starting: a Ctrl-C now ends in one line
    import signal

    from prodstats.errors import record_signal

    for _signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_signum, record_signal)

#: Public names loaded on first use: name → its module.
_LAZY = {"feasibility": "forecast", "project": "forecast", "Ledger": "ledger", "load": "ledger",
         "outcomes": "promises", "conflicts": "series", "resolve": "series", "ureg": "units",
         "QUALIFIERS": "vocab"}

__version__ = "0.1.0"

__all__ = ["QUALIFIERS", "BuildError", "FrameError", "Ledger", "LedgerError", "ProdstatsError",
           "SeriesError", "build", "conflicts", "feasibility", "load", "outcomes", "plot",
           "project", "resolve", "ureg", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure
    import pandas as pd

    from prodstats.forecast import feasibility, project
    from prodstats.ledger import Ledger, load
    from prodstats.promises import outcomes
    from prodstats.series import conflicts, resolve
    from prodstats.units import ureg
    from prodstats.vocab import QUALIFIERS


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f"prodstats.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'prodstats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def plot(series: pd.DataFrame, projections: pd.DataFrame | None = None, ax: Any = None,
         **kwargs: Any) -> matplotlib.figure.Figure:
    """Chart one series (see :func:`prodstats.charts.plot`); matplotlib loads on first use."""
    from prodstats.charts import plot as _plot

    return _plot(series, projections, ax=ax, **kwargs)


def build(*args: Any, **kwargs: Any) -> Any:
    """Run the whole pipeline (see :func:`prodstats.build.build`)."""
    from prodstats.build import build as _build

    return _build(*args, **kwargs)
