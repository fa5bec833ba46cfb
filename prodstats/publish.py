"""Writing the published data package: deterministic CSVs, neutralised text, atomic swaps.

CSV injection (OWASP): a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a line break as a formula. The ledger rejects such text (see
:func:`prodstats.validate.is_formula`); as a second guard, in every published CSV such a text
cell gets a leading apostrophe (``'=1+1``), which spreadsheets show as text and a reader can
strip. ``-`` alone and signed numbers written as text (``-5``) are left as they are, and number
columns are never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from prodstats import schemas
from prodstats.validate import is_formula


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula, and write line
    breaks inside cells as LF (a bare CR is not quoted by CSV writers and would split a row)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
        text = out[col].astype(object)
        try:  # only cells with a CR or a formula-like first character need a closer look
            odd = (text.str.contains("\r", regex=False, na=False)
                   | text.str.match(r"[=+\-@\t\r\n]", na=False)).to_numpy(dtype=bool)
        except AttributeError:  # not a text column
            continue
        if not odd.any():
            continue
        fixed = text[odd].map(lambda v: v.replace("\r\n", "\n").replace("\r", "\n")
                              if isinstance(v, str) else v)
        fixed = fixed.map(lambda v: "'" + v if is_formula(v) else v)
        text = text.copy()
        text[odd] = fixed
        out[col] = text
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a tidy CSV: UTF-8, LF line ends, neutralised text, numbers to 12 significant digits."""
    frame = neutralise(frame)
    frame = frame.replace([np.inf, -np.inf], np.nan)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.12g")


def publish(outputs: dict[Path, Callable[[Path], None]]) -> None:
    """Write each output completely in a temporary sibling folder, then swap them into place.

    Args:
        outputs: for each destination (a folder, or a file when it has a suffix such as
            ``.md``), a function that fills a given empty folder. For a file, the function
            writes a file of the same name into that folder.

    If any writer fails, every temporary folder is removed and the destinations are untouched.
    The swap itself is a rename per folder, so a reader never sees a half-written folder.
    """
    staged: dict[Path, Path] = {}
    try:
        for dest, fill in outputs.items():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
            staged[dest] = tmp
            fill(tmp)
    except BaseException:
        for tmp in staged.values():
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    for dest, tmp in staged.items():
        if dest.suffix:  # a single file: an atomic rename
            os.replace(tmp / dest.name, dest)
            shutil.rmtree(tmp, ignore_errors=True)
            continue
        old = dest.parent / f".{dest.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            os.replace(dest, old)
        os.replace(tmp, dest)
        os.chmod(dest, 0o755)
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# datapackage.json and the data dictionary, both generated from the pandera schemas
# ---------------------------------------------------------------------------------------------

def _tables() -> dict:
    from prodstats.forecast import FeasibilitySchema, ProjectionSchema

    return {
        "sources": (schemas.SOURCES, "One row per source text: outlet, authors, date and how it "
                                  "was established, and the hash of the archived text."),
        "claims": (schemas.PROCESSED_CLAIMS, "One row per validated claim, with bounds from the "
                                         "qualifier rules and values in canonical units."),
        "series": (schemas.SERIES, "Claims resolved into series points, per scenario and reading."),
        "conflicts": (schemas.CONFLICTS, "Pairs of claims whose bounds do not overlap under a "
                                      "reading."),
        "target_history": (schemas.TARGET_HISTORY, "Every target, pledge or proposal with its "
                           "revisions, oldest first: how often a goal slipped and how its "
                           "figure moved."),
        "projections": (ProjectionSchema.to_schema(), "Projections with 80 % and 95 % prediction intervals."),
        "feasibility": (FeasibilitySchema.to_schema(), "For each target claim: the chance of reaching it and "
                                           "the growth it requires."),
    }


def _field(name: str, column) -> dict:
    dtype = str(column.dtype)
    meta = column.metadata or {}
    kind = ("number" if "float" in dtype else "integer" if "int" in dtype
            else "boolean" if "bool" in dtype else "string")
    if meta.get("format") == "date":
        kind = "date"
    field = {"name": name, "type": kind, "description": column.description or ""}
    constraints: dict = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    for check in column.checks:
        stats = check.statistics or {}
        if "allowed_values" in stats:
            constraints["enum"] = list(stats["allowed_values"])
        if "pattern" in stats:
            constraints["pattern"] = str(getattr(stats["pattern"], "pattern", stats["pattern"]))
        if "min_value" in stats and check.name == "greater_than_or_equal_to":
            constraints["minimum"] = stats["min_value"]
        if "max_value" in stats and check.name == "less_than_or_equal_to":
            constraints["maximum"] = stats["max_value"]
    if constraints:
        field["constraints"] = constraints
    if "unit" in meta:
        field["unit"] = meta["unit"]
    if "unit_column" in meta:
        field["unit"] = f"given per row in column '{meta['unit_column']}' (pint unit string)"
    return field


def datapackage(sources: pd.DataFrame, version: str) -> dict:
    """The Frictionless Data Package descriptor of the published CSVs."""
    resources = []
    for name, (schema, description) in _tables().items():
        columns = schema.columns
        table_schema: dict = {"fields": [_field(n, c) for n, c in columns.items()],
                              "missingValues": [""]}
        if name == "sources":
            table_schema["primaryKey"] = ["source_id"]
        if name == "claims":
            table_schema["primaryKey"] = ["claim_id"]
            table_schema["foreignKeys"] = [{"fields": ["source_id"], "reference": {
                "resource": "sources", "fields": ["source_id"]}}]
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "description": description, "schema": table_schema})
    return {
        "profile": "tabular-data-package",
        "name": "prodstats",
        "title": "Arms-production claims from news text, coded, resolved and projected",
        "description": "Quantitative claims about arms production and military aid, coded by "
                       "hand from news texts with their sources and confidence, resolved into "
                       "series and projected with prediction intervals. Text cells that begin "
                       "with =, +, -, @, a tab or a carriage return carry a leading apostrophe "
                       "(CSV-injection guard).",
        "version": version,
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": [{"title": f"{s.outlet}: {s.title} ({s.published})",
                     **({"path": s.url} if isinstance(s.url, str) and s.url else {})}
                    for s in sources.itertuples(index=False)],
        "resources": resources,
    }


def write_datapackage(folder: Path, sources: pd.DataFrame, version: str) -> None:
    """Write ``datapackage.json`` (sorted keys, two-space indent, trailing newline)."""
    import json

    text = json.dumps(datapackage(sources, version), indent=2, ensure_ascii=False)
    (folder / "datapackage.json").write_text(text + "\n", encoding="utf-8")


def data_dictionary() -> str:
    """Markdown: every published table and column, from the same schemas."""
    lines = ["# Data dictionary", "",
             "Generated from the pandera schemas by `make` (`prodstats/publish.py`); do not edit.",
             "Every table is a UTF-8 CSV in `data/processed/`, described for machines in "
             "`datapackage.json`.", ""]
    for name, (schema, description) in _tables().items():
        lines += [f"## `{name}.csv`", "", description, "",
                  "| column | type | required | unit | description |",
                  "| --- | --- | --- | --- | --- |"]
        for col, column in schema.columns.items():
            f = _field(col, column)
            req = "yes" if f.get("constraints", {}).get("required") else ""
            desc = f["description"]
            enum = f.get("constraints", {}).get("enum")
            if enum:
                desc += " One of: " + ", ".join(f"`{v}`" for v in enum) + "."
            lines.append(f"| `{col}` | {f['type']} | {req} | {f.get('unit', '')} | "
                         f"{desc.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)
