"""The byte-level helpers behind the fast reader, checked against plain Python."""

import sys

import numpy as np
import pandas as pd
import pytest

import prodstats
from prodstats import tables
from tests.conftest import read_rows, set_cell, write_rows

CELLS = ["a", " b", "c ", None, "", "café", "x\u00a0", "\u3000y", "é", "ü\n", "\tz", "q\u2029",
         "=1", "-", "-5", "ok\r\nok", "3.000", "12.5"]


def test_space_byte_tables_match_str_isspace():
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert set(tables.SPACE_FIRST_BYTES) == {c.encode()[0] for c in spaces}
    assert set(tables.SPACE_LAST_BYTES) == {c.encode()[-1] for c in spaces}


@pytest.mark.parametrize("dtype", ["str", object])
@pytest.mark.parametrize("start", [0, 3])  # a slice: Arrow arrays with an offset
def test_padded_agrees_with_strip(dtype, start):
    cells = pd.Series(CELLS, dtype=dtype).iloc[start:].reset_index(drop=True)
    expected = [isinstance(c, str) and c != c.strip() for c in cells]
    assert tables._padded(cells).tolist() == expected


@pytest.mark.parametrize("start", [0, 3])
def test_byte_at_and_has(start):
    cells = pd.Series(CELLS, dtype="str").iloc[start:].reset_index(drop=True)
    for position in (0, 1, -1, -4):
        expected = []
        for c in cells:
            data = c.encode() if isinstance(c, str) else b""
            inside = -len(data) <= position < len(data)
            expected.append(data[position] if inside else 0)
        assert tables.byte_at(cells, position).tolist() == expected, position
    assert tables._has(cells, "\r") == any(isinstance(c, str) and "\r" in c for c in cells)
    assert not tables._has(cells.iloc[-2:], "\r")


def test_formula_like_same_for_text_and_categorical():
    cells = pd.Series(CELLS, dtype="str")
    expected = [tables._is_formula(c) for c in CELLS]
    assert tables.formula_like(cells).tolist() == expected
    assert tables.formula_like(cells.astype("category")).tolist() == expected


def test_padded_and_split_cells_are_cleaned_in_categorical_and_text_columns(raw):
    """A spreadsheet's padding and CRLF inside cells give the same ledger as the clean file, in
    dictionary-encoded (vocabulary) columns and in plain text columns alike."""
    clean = prodstats.load(raw).claims
    path = raw / "claims.csv"
    header, rows = read_rows(path)
    for row in rows:
        row["kind"] = f"  {row['kind']} "
        row["unit"] = f"{row['unit']}\u00a0"
        row["quote_en"] = f" {row['quote_en']}"
        if row["channel"]:
            row["channel"] = row["channel"].replace(" ", "\r\n", 1)
    write_rows(path, header, rows)
    messy = prodstats.load(raw).claims
    assert messy["kind"].astype(str).tolist() == clean["kind"].astype(str).tolist()
    assert messy["unit"].astype(str).tolist() == clean["unit"].astype(str).tolist()
    assert messy["quote_en"].tolist() == clean["quote_en"].tolist()
    assert np.array_equal(messy["value_canonical"], clean["value_canonical"], equal_nan=True)
    changed = [c for c in clean["channel"].dropna().astype(str) if " " in c]
    assert changed and all("\r" not in c for c in messy["channel"].dropna().astype(str))


def test_a_value_padded_to_empty_is_missing(raw):
    line = set_cell(raw, "claims.csv", "dpa25-03", "modality", "   ")
    with pytest.raises(prodstats.LedgerError) as caught:
        prodstats.load(raw)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (line, "modality")
    assert "required but empty" in problem.message
