"""The column helpers the load's rules share (prodstats.cells): each distinct cell judged once."""

import math

import numpy as np
import pandas as pd

from prodstats.cells import distinct, may_hold, per_row, text_per_row


def _text(*cells):
    return pd.Series(list(cells), dtype="str")


def test_may_hold_says_no_only_where_no_cell_holds_the_bytes():
    cells = _text("a,b", None, "über")
    assert may_hold(cells, b",") and may_hold(cells, b"xyz,") and may_hold(cells, "ü".encode())
    assert not may_hold(cells, b"\r") and not may_hold(cells, b"\n\t")
    assert not may_hold(_text(None, None), b"a") and not may_hold(_text(), b"a")
    assert may_hold(_text("x"), b"x") and not may_hold(_text("x"), b"y")
    # a slice may keep the bytes of cells it left out: a 'yes' may be wrong, a 'no' never is
    assert not may_hold(_text("x", "y").iloc[1:], b"z")
    # not held by Arrow: always a 'yes', so the caller tests cell by cell
    assert may_hold(pd.Series(["x"], dtype=object), b"y")


def test_per_row_looks_up_each_row_by_its_cell():
    cells = _text("2024", None, "2025", "2024", "bad")
    found = per_row(cells, {"2024": 1.0, "2025": 2.5}, dtype=float)
    assert found.dtype == float
    assert found[[0, 2, 3]].tolist() == [1.0, 2.5, 1.0]
    assert math.isnan(found[1]) and math.isnan(found[4])  # empty cell, and no key
    assert per_row(cells, {"2024": "a"}).tolist() == ["a", None, None, "a", None]
    assert per_row(_text(), {"x": 1}).tolist() == []
    assert per_row(_text("x"), {"x": True}, dtype=bool).tolist() == [True]
    assert per_row(_text(None), {"x": True}, dtype=bool).tolist() == [False]


def test_text_per_row_is_a_text_column_with_empty_cells_missing():
    found = text_per_row(_text("de", None, "en", "de"), {"de": "Deutsch", "en": float("nan")})
    assert str(found.dtype) == "str"
    assert found.tolist()[0] == "Deutsch" and found.tolist()[3] == "Deutsch"
    assert pd.isna(found[1]) and pd.isna(found[2])
    assert len(text_per_row(_text(), {})) == 0
    assert text_per_row(_text("x"), {"x": "y"}).tolist() == ["y"]


def test_distinct_numbers_combinations_in_order_of_first_use():
    frame = pd.DataFrame({"kind": _text("level", "ratio", None, "level", "ratio"),
                          "unit": _text("t", "t", "t", "t", None)})
    code, combos = distinct(frame, ["kind", "unit"])
    assert combos == [("level", "t"), ("ratio", "t"), (None, "t"), ("ratio", None)]
    assert code.tolist() == [0, 1, 2, 0, 3]
    assert [combos[c] for c in code] == [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame.astype(object).itertuples(index=False, name=None)]


def test_distinct_of_no_rows_and_of_one_row():
    empty = pd.DataFrame({"a": _text(), "b": _text()})
    code, combos = distinct(empty, ["a", "b"])
    assert code.tolist() == [] and combos == []
    code, combos = distinct(pd.DataFrame({"a": _text("x"), "b": pd.Series([True])}), ["a", "b"])
    assert code.tolist() == [0] and combos == [("x", True)]


def test_distinct_does_not_confuse_combinations_that_share_cells():
    # (a, bc) and (ab, c) must stay apart, as must many columns of many values
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({c: pd.Series(rng.integers(0, 50, 2000).astype(str), dtype="str")
                          for c in "abcd"})
    code, combos = distinct(frame, list("abcd"))
    rows = list(frame.itertuples(index=False, name=None))
    assert len(combos) == len(set(rows))
    assert [combos[c] for c in code] == rows
