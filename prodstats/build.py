"""The whole pipeline: validate → series → projections → CSVs → charts, published atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from prodstats.claims import PROJECT_RAW, Ledger, load
from prodstats.forecast import feasibility, project
from prodstats.publish import publish, write_csv
from prodstats.series import conflicts, resolve

PROJECT_ROOT = PROJECT_RAW.parent.parent


@dataclass
class Build:
    """Everything one build computes, before it is written."""

    ledger: Ledger
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)


def compute(raw: Path | None = None) -> Build:
    """Run every stage in memory; raise on the first stage that fails."""
    # Load
    ledger = load(raw)
    result = Build(ledger)
    # Process
    series = resolve(ledger.claims)
    result.tables["sources"] = ledger.sources
    result.tables["claims"] = ledger.claims
    result.tables["series"] = series
    result.tables["conflicts"] = conflicts(series)
    result.tables["projections"] = project(series)
    result.tables["feasibility"] = feasibility(series)
    return result


def write_data(result: Build, folder: Path) -> None:
    """Write the data package's CSVs into ``folder``."""
    for name, table in result.tables.items():
        write_csv(table, folder / f"{name}.csv")


def build(raw: Path | None = None, out: Path | None = None, charts: Path | None = None,
          data: bool = True, draw: bool = True) -> Build:
    """Compute everything, then publish the data folder and the charts folder atomically."""
    result = compute(raw)
    outputs = {}
    if data:
        outputs[Path(out or PROJECT_ROOT / "data" / "processed")] = lambda d: write_data(result, d)
    if draw:
        outputs[Path(charts or PROJECT_ROOT / "docs" / "charts")] = lambda d: write_charts(result, d)
    publish(outputs)
    return result


def write_charts(result: Build, folder: Path) -> None:
    """Draw every chart into ``folder`` (matplotlib loads here, not at import)."""
    from prodstats.charts import draw_all

    result.charts = draw_all(result.tables["series"], result.tables["projections"],
                             result.ledger, folder)
