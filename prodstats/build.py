"""The whole pipeline: validate → series → projections → CSVs → charts, published atomically."""

from __future__ import annotations

import gc
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from prodstats import config
from prodstats.config import PROJECT_ROOT
from prodstats.errors import BugError, BuildError, ProdstatsError, checkpoint, polled_interrupts
from prodstats.forecast import forecasts
from prodstats.ledger import Ledger, load
from prodstats.promises import outcomes
from prodstats.publish import (
    PUBLISHED,
    Output,
    _tables,
    clean_stale,
    data_dictionary,
    locked,
    publish,
    write_csv,
    write_datapackage,
)
from prodstats.series import resolve_with_conflicts, target_history
from prodstats.site import site_files
from prodstats.workers import beside


@dataclass
class Build:
    """Everything one build computes, before it is written."""

    ledger: Ledger
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)
    #: where this build has written its CSVs (staged, before they are published), if it has
    data_folder: Path | None = None
    #: the published data folder relative to the published charts folder (the charts page's
    #: links), when this build writes both
    data_link: str | None = None


@contextmanager
def stage(name: str):
    """Turn an unexpected failure inside a stage into a BuildError that names the stage.

    Set PRODSTATS_DEBUG=1 to get the original traceback instead.
    """
    checkpoint()
    try:
        yield
    except ProdstatsError:
        raise
    except Exception as exc:
        if os.environ.get("PRODSTATS_DEBUG"):
            raise
        if isinstance(exc, OSError):  # the disk or the folders, not a bug
            raise BuildError(f"build stage '{name}' failed: {type(exc).__name__}: {exc}. Nothing "
                             "was published; the output folders are as they were. Check the "
                             "space and permissions of the output folders") from exc
        raise BugError(f"build stage '{name}' failed: {type(exc).__name__}: {exc}. Nothing was "
                         "published; the output folders are as they were. Run with "
                         "PRODSTATS_DEBUG=1 for the traceback, and please report it.") from exc


#: The garbage collector's thresholds during a build (Python's are 700, 10, 10): a large
#: ledger makes millions of small objects that live to the end, and at the default every
#: collection of the oldest generation walks them all again; about 2 of 12 s of CPU at
#: 10^5 claims (docs/performance.md). Cycles are still collected, later.
BUILD_GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def collecting_less():
    """Run the garbage collector less often inside the block (:data:`BUILD_GC_THRESHOLDS`);
    the caller's thresholds come back after it.
    """
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def compute(raw: Path | None = None) -> Build:
    """Run every stage in memory; raise on the first stage that fails."""
    with collecting_less():
        return _compute(raw)


def _compute(raw: Path | None) -> Build:
    # Load
    with stage("validate"):
        ledger = load(raw)
    result = Build(ledger)
    # Process
    with stage("series"):
        capacities = ledger.capacity_bounds()
        series, found = resolve_with_conflicts(ledger.claims, capacities)
        result.tables["sources"] = ledger.sources
        result.tables["claims"] = ledger.claims
        result.tables["series"] = series
        result.tables["conflicts"] = found
    # the projections need the series only, the promise tracker the series and the claims:
    # a large build projects on a second core meanwhile (prodstats.workers)
    with stage("projections"):
        projecting = beside(len(series), forecasts, series, bounds=capacities)
    try:
        with stage("series"):
            result.tables["outcomes"] = outcomes(ledger.claims, ledger.sources, series,
                                                 capacities)
            result.tables["target_history"] = target_history(ledger.claims, ledger.sources)
        with stage("projections"):
            result.tables["projections"], result.tables["feasibility"] = projecting.result()
    finally:
        projecting.cancel()  # (nothing left to do when its result was taken)
    return result


def write_data(result: Build, folder: Path) -> None:
    """Check every table against its schema, then write the CSVs and ``datapackage.json``.

    A large build writes about half of its cells on the second core meanwhile
    (:func:`prodstats.workers.beside`); each file is written whole by one process.
    """
    from prodstats import __version__

    with collecting_less():
        _write_data(result, folder)
    write_datapackage(folder, result.ledger.sources, __version__)
    result.data_folder = folder


def _write_data(result: Build, folder: Path) -> None:
    there = _other_half(result.tables)
    writing = beside(sum(map(len, result.tables.values())), _write_tables, result.tables,
                     there, folder)
    try:
        _write_tables(result.tables, [n for n in result.tables if n not in there], folder)
        writing.result()
    finally:
        writing.cancel()


def _other_half(tables: dict[str, pd.DataFrame]) -> list[str]:
    """About half the cells: the tables, largest first, each to the half that has fewer."""
    halves: tuple[list[str], list[str]] = ([], [])
    cells = [0, 0]
    for name in sorted(tables, key=lambda n: (-tables[n].size, n)):
        k = int(cells[1] < cells[0])
        halves[k].append(name)
        cells[k] += tables[name].size
    return halves[1]


def _write_tables(tables: dict[str, pd.DataFrame], names: list[str], folder: Path) -> None:
    """Check each named table against its schema, then write it as CSV."""
    schemas = _tables()
    for name in names:
        table = tables[name]
        schema = schemas[name][0]
        try:
            schema.validate(table.reindex(columns=list(schema.columns)), lazy=True)
        except pa.errors.SchemaErrors as exc:
            raise BugError(f"build stage 'write {name}.csv': output breaks its own schema "
                             "(a prodstats bug, please report it):\n"
                             f"{exc.failure_cases.head(10)}") from None
        write_csv(table, folder / f"{name}.csv")


def build(raw: Path | None = None, out: Path | None = None, charts: Path | None = None,
          data: bool = True, draw: bool = True, site: Path | None = None) -> Build:
    """Compute everything, then publish the data folder, the charts folder and (given
    ``site``) the static site folder atomically.

    The output paths are checked first (:func:`check_outputs`): nothing is read or written
    when one would overwrite the ledger, another output, or something that is not an output.
    """
    PUBLISHED.clear()  # (a signal's message says whether this build was published)
    outputs = []
    out_dir = Path(out or PROJECT_ROOT / "data" / "processed").resolve()
    if data:
        outputs.append(Output(out_dir, lambda d: write_data(result, d), name="--out",
                              ours=_data_files))
    if draw:
        charts_dir = Path(charts or PROJECT_ROOT / "docs" / "charts").resolve()
        outputs.append(Output(charts_dir,
                              lambda d: write_charts(result, d), name="--charts",
                              ours=_chart_files))
    if site is not None:
        outputs.append(Output(Path(site).resolve(), lambda d: write_site(result, d, raw),
                              name="--site", ours=site_files))
    if data and out_dir == (PROJECT_ROOT / "data" / "processed").resolve():
        # the project's own docs; a build into another folder gets the datapackage only
        outputs.append(Output((PROJECT_ROOT / "docs" / "data-dictionary.md").resolve(),
                              _write_dictionary, file=True, name="docs/data-dictionary.md"))
    check_outputs(Path(config.RAW if raw is None else raw), outputs)
    # One build at a time per output; a signal is a flag the stages poll (errors.checkpoint)
    with polled_interrupts(), locked(outputs):
        for output in outputs:
            clean_stale(output.dest)
        result = compute(raw)
        if data and draw:
            result.data_link = Path(os.path.relpath(out_dir, charts_dir)).as_posix()
        # Save
        with stage("write and publish"):
            publish(outputs)
    return result


def check_outputs(raw: Path, outputs: list[Output]) -> None:
    """Refuse, in one line each, output paths that would overwrite the ledger, each other, or
    something that is not an output of a build. Paths are compared with links resolved.

    Raises:
        BuildError: naming the first path refused; nothing has been touched.
    """
    ledger = raw.resolve()
    for number, output in enumerate(outputs):
        dest, what = output.dest, output.name
        problems = [_path_problem(output, ledger)]
        for other in outputs[:number]:
            name = other.name
            if dest == other.dest:
                problems.append(f"{name} and {what} are the same folder; one would replace the "
                                "other. Pass two different folders, such as data/processed and "
                                "docs/charts")
            elif other.dest in dest.parents or dest in other.dest.parents:
                how = "lies inside" if other.dest in dest.parents else "holds"
                problems.append(f"{what} {how} {name} ({other.dest}); publishing one would "
                                "replace the other. Pass folders side by side, such as "
                                "data/processed and docs/charts")
        problems = [p for p in problems if p]
        if problems:
            raise BuildError(f"{dest}: {problems[0]}")
    for output in outputs:  # then what each folder holds
        foreign = _foreign(output)
        if foreign:
            raise BuildError(f"{output.dest}: {foreign}")


def _path_problem(output: Output, ledger: Path) -> str | None:
    dest, what, file = output.dest, output.name, output.file
    if dest == ledger:
        return (f"{what} is the ledger folder (--raw); a build would replace the ledger with "
                "its outputs. Pass another folder, such as data/processed or docs/charts")
    if ledger in dest.parents:
        return (f"{what} lies inside the ledger folder {ledger} (--raw), which holds only what "
                "people edit. Pass a folder outside it")
    if dest in ledger.parents:
        return (f"{what} holds the ledger folder {ledger} (--raw); publishing it would replace "
                "the ledger. Pass a folder that does not hold the ledger")
    if file:
        if dest.exists() and not dest.is_file():
            return f"{what} exists and is not a file; move it away"
        return None
    if dest.exists() and not dest.is_dir():
        return (f"{what} exists and is not a folder; pass a folder, or move the "
                f"{'file' if dest.is_file() else 'thing'} away")
    return None


def _foreign(output: Output) -> str | None:
    """Why a folder holds something a build would lose (it replaces the whole folder)."""
    if output.file or not output.dest.is_dir():
        return None
    ours = OS_FILES | output.ours(output.dest) if output.ours else None
    inner = sorted(p.name for p in output.dest.iterdir()
                   if p.is_symlink() or p.is_dir() and not (ours and p.name in ours)
                   or ours is not None and p.name not in ours)
    if inner:
        return (f"{output.name} holds '{inner[0]}', which no build writes, and a build replaces "
                "the whole folder. Pass a new or empty folder, or one an earlier build wrote")
    return None


#: Files an operating system leaves in any folder; a build may replace them.
OS_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def _data_files(folder: Path) -> set[str]:
    """The files of --out that an earlier build wrote: its datapackage.json (named
    'prodstats') and the tables that lists.
    """
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        if package["name"] != "prodstats":
            return set()
        return {"datapackage.json"} | {r["path"] for r in package["resources"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _chart_files(folder: Path) -> set[str]:
    """The files of --charts that an earlier build wrote: its page (README.md, generated)
    and the charts the page shows.
    """
    try:
        page = (folder / "README.md").read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, ValueError):
        return set()
    if not page.startswith("# Charts\n\nGenerated by"):
        return set()
    shown = re.findall(r"\]\(([^()/]+)\.svg\)", page)
    return {"README.md"} | {f"{stem}{suffix}" for stem in shown for suffix in (".svg", ".png")}


def _write_dictionary(folder: Path) -> None:
    (folder / "data-dictionary.md").write_text(data_dictionary() + "\n", encoding="utf-8")


def write_site(result: Build, folder: Path, raw: Path | None = None) -> None:
    """Write the static site (:mod:`prodstats.site`) from the build's tables, with the
    figures the ledger's ``skipped.csv`` marks as no claims.
    """
    from prodstats import __version__, site
    from prodstats.uncoded import SKIP_FILE, read_skipped

    ledger = result.ledger
    languages = {sid: lang if isinstance(lang, str) else None for sid, lang
                 in zip(ledger.sources["source_id"], ledger.sources["language"], strict=True)}
    try:
        skipped, why = read_skipped(Path(config.RAW if raw is None else raw) / SKIP_FILE,
                                    ledger.texts, languages), ""
    except ProdstatsError as exc:  # the skip table is the coder's to-do list, not the build's
        skipped, why = [], f"{SKIP_FILE} has problems ({str(exc).splitlines()[0]})"
    site.write_site(result.tables, ledger, folder, skipped, why, __version__,
                    published=result.data_folder)


def write_charts(result: Build, folder: Path) -> None:
    """Draw every chart into ``folder`` (matplotlib loads here, not at import)."""
    from prodstats.charts import draw_all

    result.charts = draw_all(result.tables["series"], result.tables["projections"],
                             result.ledger, folder, result.tables.get("outcomes"),
                             data=result.data_link)
