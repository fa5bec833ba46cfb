"""Shared fixtures: a private copy of the frozen seed ledger, and helpers to break it on purpose.

Tests never pin the live ledger in data/raw (it grows with every source a user codes): tests
that need exact contents use the frozen copy in tests/fixtures/seed or a generated ledger;
tests of data/raw check only what holds for any valid ledger.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

import prodstats
from prodstats.errors import LedgerError

# Every test renders its charts afresh; the chart cache is tested on its own.
os.environ["PRODSTATS_CACHE"] = "off"

ROOT = Path(__file__).resolve().parent.parent
#: A frozen copy of the two seed sources as first coded; never edited with the live ledger.
SEED_RAW = ROOT / "tests" / "fixtures" / "seed"
#: The live ledger.
LIVE_RAW = ROOT / "data" / "raw"


@pytest.fixture(autouse=True)
def _outputs_in_tmp(tmp_path, monkeypatch):
    """No test may write into the project's own data/processed or docs/charts."""
    import prodstats.build

    monkeypatch.setattr(prodstats.build, "PROJECT_ROOT", tmp_path / "project")


@pytest.fixture(scope="session")
def seed_ledger():
    """The frozen seed ledger, loaded once."""
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


CLAIM_DEFAULTS = {
    "source_id": "test-src", "quote_en": "-", "speaker": "", "speaker_role": "",
    "channel": "test", "actor": "UKR", "indicator": "shells_produced", "kind": "level",
    "modality": "actual", "value": "", "unit": "rounds", "qualifier": "exact",
    "value_low": "", "value_high": "", "base_period": "", "confidence": "official",
    "confidence_reason": "test", "derived": "true",
    "notes": "test claim: its figure is set by the test, not read from the quote",
}


def mini_ledger(folder: Path, claims: list[dict[str, str]]) -> Path:
    """Write a complete small ledger: one source whose text holds every quote, the seed
    indicators, and ``claims`` (each a dict of the cells that differ from CLAIM_DEFAULTS;
    the quote defaults to the claim id).
    """
    import hashlib

    from prodstats.schemas import CLAIM_COLUMNS, SOURCE_COLUMNS

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "texts").mkdir(exist_ok=True)
    rows = []
    for number, cells in enumerate(claims):
        row = {**CLAIM_DEFAULTS, "claim_id": f"c{number + 1:02d}", **cells}
        row.setdefault("quote", f"quote of {row['claim_id']}")
        rows.append({c: row.get(c, "") for c in CLAIM_COLUMNS})
    text = "\n".join(r["quote"] for r in rows) + "\n"
    (folder / "texts" / "test-src.txt").write_text(text, encoding="utf-8")
    source = {c: "" for c in SOURCE_COLUMNS}
    source.update(source_id="test-src", outlet="Test", title="Test", title_origin="descriptive",
                  language="en", published="2025", published_precision="year",
                  published_basis="stated", text_file="texts/test-src.txt",
                  sha256=hashlib.sha256(text.encode()).hexdigest())
    write_rows(folder / "sources.csv", SOURCE_COLUMNS, [source])
    shutil.copy(SEED_RAW / "indicators.csv", folder / "indicators.csv")
    shutil.copy(SEED_RAW / "actors.csv", folder / "actors.csv")
    write_rows(folder / "claims.csv", CLAIM_COLUMNS, rows)
    return folder
