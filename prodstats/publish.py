"""Writing the published data package: deterministic CSVs, neutralised text, atomic swaps.

CSV injection (OWASP): a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula. In every published CSV, such a text cell gets a
leading apostrophe (``'=1+1``), which spreadsheets show as text and which a reader can strip.
Number columns are never touched, so negative numbers stay numbers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        text = out[col]
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if risky.any():
            out[col] = text.where(~risky, "'" + text.astype(object).where(risky, ""))
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a tidy CSV: UTF-8, LF line ends, neutralised text, numbers to 12 significant digits."""
    frame = neutralise(frame)
    frame = frame.replace([np.inf, -np.inf], np.nan)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.12g")


def publish(outputs: dict[Path, Callable[[Path], None]]) -> None:
    """Write each output folder completely in a temporary sibling, then swap them into place.

    Args:
        outputs: for each destination folder, a function that fills a given empty folder.

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
        old = dest.parent / f".{dest.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            os.replace(dest, old)
        os.replace(tmp, dest)
        os.chmod(dest, 0o755)
        shutil.rmtree(old, ignore_errors=True)
