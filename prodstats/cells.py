"""Reading a table's columns once for many rows: the helpers the load's rules share.

A ledger repeats its periods, units, sources and indicators: a rule judges each distinct cell
(or combination of cells) once and spreads its verdicts to the rows by their codes, instead
of judging every row in Python. And a text column's bytes, read straight from its Arrow
buffers, tell in one byte search whether any cell may hold a character at all.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd


def may_hold(text: pd.Series, characters: bytes) -> bool:
    """Whether any cell of a text column may hold one of the bytes ``characters``: a byte
    search of the column's Arrow buffers (UTF-8), at a fraction of the cost of a per-cell
    test. A 'yes' may be wrong (a buffer may hold bytes of no cell), a 'no' never is; a
    column not held by Arrow is always a 'yes', to be tested cell by cell.
    """
    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        return True
    others = _all_bytes_but(characters)
    return any(chunk.buffers()[2].to_pybytes().translate(None, others)
               for chunk in text.array.__arrow_array__().chunks  # (no copy of the column)
               if chunk.null_count < len(chunk) and chunk.buffers()[2] is not None)


@lru_cache(maxsize=32)
def _all_bytes_but(characters: bytes) -> bytes:
    return bytes(sorted(set(range(256)) - set(characters)))


def per_row(column: pd.Series, values: dict, dtype: object = object) -> np.ndarray:
    """Each row's entry of ``values`` by its cell (None, or NaN for a float ``dtype``, where
    the cell is empty or no key), each distinct cell looked up once.
    """
    codes, cells = pd.factorize(column)  # code -1: an empty cell, given the last entry
    return np.array([values.get(c) for c in cells.tolist()] + [None], dtype=dtype)[codes]


def text_per_row(column: pd.Series, values: dict) -> pd.api.extensions.ExtensionArray:
    """:func:`per_row` as a text column (``str``), made by taking from the few distinct
    results rather than converting one Python string per row.
    """
    codes, cells = pd.factorize(column)
    return pd.array([values.get(c) for c in cells.tolist()], dtype="str").take(
        codes, allow_fill=True)


def distinct(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[tuple]]:
    """The distinct combinations of ``columns`` (empty cells as None) in order of first use,
    and each row's number among them.
    """
    code = np.zeros(len(frame), dtype=np.int64)
    read = []
    for column in columns:
        codes, cells = pd.factorize(frame[column])
        read.append((codes, [*cells.tolist(), None]))  # code -1: None
        code, _ = pd.factorize(code * (len(cells) + 1) + codes + 1)
    first = np.unique(code, return_index=True)[1]  # each combination's first row, in order
    combos = list(zip(*([cells[c] for c in codes[first].tolist()] for codes, cells in read),
                      strict=True))
    return code, combos
