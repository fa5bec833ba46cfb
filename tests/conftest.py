"""Shared fixtures: a private copy of the seed ledger, and helpers to break it on purpose."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import prodstats
from prodstats.errors import LedgerError

ROOT = Path(__file__).resolve().parent.parent
SEED_RAW = ROOT / "data" / "raw"


@pytest.fixture(autouse=True)
def _outputs_in_tmp(tmp_path, monkeypatch):
    """No test may write into the project's own data/processed or docs/charts."""
    import prodstats.build

    monkeypatch.setattr(prodstats.build, "PROJECT_ROOT", tmp_path / "project")


@pytest.fixture(scope="session")
def seed_ledger():
    """The project's own ledger, loaded once."""
    return prodstats.load(SEED_RAW)


@pytest.fixture
def raw(tmp_path) -> Path:
    """A private, editable copy of the seed ledger."""
    dest = tmp_path / "raw"
    shutil.copytree(SEED_RAW, dest)
    return dest


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows back in the ledger's own CSV style."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(raw: Path, table: str, key: str, column: str, value: str) -> int:
    """Set one cell of the row whose first column is ``key``; return the row's file line."""
    path = raw / table
    header, rows = read_rows(path)
    for number, row in enumerate(rows):
        if row[header[0]] == key:
            row[column] = value
            write_rows(path, header, rows)
            return number + 2
    raise KeyError(key)


def problems(raw: Path) -> list[str]:
    """Every problem line that loading ``raw`` reports (empty when it is valid)."""
    try:
        prodstats.load(raw)
    except LedgerError as exc:
        return [str(p) for p in exc.problems]
    return []
