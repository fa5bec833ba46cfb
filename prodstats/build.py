"""The whole pipeline: validate → series → projections → CSVs → charts, published atomically."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from prodstats.config import PROJECT_ROOT
from prodstats.ledger import Ledger, load
from prodstats.forecast import feasibility, project
from prodstats.errors import BuildError, ProdstatsError
from prodstats.publish import _tables, data_dictionary, publish, write_csv, write_datapackage
from prodstats.series import conflicts, resolve, target_history


@dataclass
class Build:
    """Everything one build computes, before it is written."""

    ledger: Ledger
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)


@contextmanager
def stage(name: str):
    """Turn an unexpected failure inside a stage into a BuildError that names the stage.

    Set PRODSTATS_DEBUG=1 to get the original traceback instead.
    """
    try:
        yield
    except ProdstatsError:
        raise
    except Exception as exc:
        if os.environ.get("PRODSTATS_DEBUG"):
            raise
        raise BuildError(f"build stage '{name}' failed: {type(exc).__name__}: {exc}. Nothing was "
                         "published; the output folders are as they were. Run with "
                         "PRODSTATS_DEBUG=1 for the traceback, and please report it.") from exc


def compute(raw: Path | None = None) -> Build:
    """Run every stage in memory; raise on the first stage that fails."""
    # Load
    with stage("validate"):
        ledger = load(raw)
    result = Build(ledger)
    # Process
    with stage("series"):
        series = resolve(ledger.claims)
        result.tables["sources"] = ledger.sources
        result.tables["claims"] = ledger.claims
        result.tables["series"] = series
        result.tables["conflicts"] = conflicts(series)
        result.tables["target_history"] = target_history(ledger.claims, ledger.sources)
    with stage("projections"):
        result.tables["projections"] = project(series)
        result.tables["feasibility"] = feasibility(series, bounds=capacity_bounds(ledger))
    return result


def capacity_bounds(ledger: Ledger) -> dict[str, str]:
    """Capacity indicator → the output indicator it bounds (``indicators.csv``)."""
    ind = ledger.indicators
    if "bounds" not in ind.columns:
        return {}
    ind = ind[ind["measures"].eq("capacity") & ind["bounds"].notna()]
    return dict(zip(ind["indicator_id"], ind["bounds"], strict=True))


def write_data(result: Build, folder: Path) -> None:
    """Check every table against its schema, then write the CSVs and ``datapackage.json``."""
    from prodstats import __version__

    schemas = _tables()
    for name, table in result.tables.items():
        schema = schemas[name][0]
        try:
            schema.validate(table.reindex(columns=list(schema.columns)), lazy=True)
        except pa.errors.SchemaErrors as exc:
            raise BuildError(f"build stage 'write {name}.csv': output breaks its own schema "
                             f"(a prodstats bug, please report it):\n{exc.failure_cases.head(10)}") from None
        write_csv(table, folder / f"{name}.csv")
    write_datapackage(folder, result.ledger.sources, __version__)


def build(raw: Path | None = None, out: Path | None = None, charts: Path | None = None,
          data: bool = True, draw: bool = True) -> Build:
    """Compute everything, then publish the data folder and the charts folder atomically."""
    result = compute(raw)
    outputs = {}
    out_dir = Path(out or PROJECT_ROOT / "data" / "processed")
    if data:
        outputs[out_dir] = lambda d: write_data(result, d)
    if draw:
        outputs[Path(charts or PROJECT_ROOT / "docs" / "charts")] = lambda d: write_charts(result, d)
    if data and out_dir.resolve() == (PROJECT_ROOT / "data" / "processed").resolve():
        # the project's own docs; a build into another folder gets the datapackage only
        outputs[PROJECT_ROOT / "docs" / "data-dictionary.md"] = _write_dictionary
    # Save
    with stage("write and publish"):
        publish(outputs)
    return result


def _write_dictionary(folder: Path) -> None:
    (folder / "data-dictionary.md").write_text(data_dictionary() + "\n", encoding="utf-8")


def write_charts(result: Build, folder: Path) -> None:
    """Draw every chart into ``folder`` (matplotlib loads here, not at import)."""
    from prodstats.charts import draw_all

    result.charts = draw_all(result.tables["series"], result.tables["projections"],
                             result.ledger, folder)
