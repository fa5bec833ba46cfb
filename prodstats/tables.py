"""Reading hand-edited CSV tables strictly, and turning pandera failures into Problems.

A spreadsheet's output is accepted as it is (UTF-8 BOM, CRLF, quoted line breaks, trailing blank
lines). Anything else that is wrong with a file becomes one :class:`~prodstats.errors.Problem`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from prodstats.errors import Problem


def read_table(path: Path, columns: Iterable[str], required: Iterable[str] | None = None,
               label: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV whose cells are all text; empty cells become NA.

    Args:
        path: the CSV file.
        columns: every column the table may have, in order.
        required: the columns that must be present (default: all of ``columns``).
        label: how the file is named in messages (default: ``str(path)``).

    Returns:
        The frame (or None when the file cannot be used at all) and the file-level problems.
    """
    name = label or str(path)
    columns = list(columns)
    required = list(columns if required is None else required)
    expected = ", ".join(columns)
    if not path.is_file():
        return None, [Problem(name, None, None, None,
                              f"file not found; expected a CSV with the columns: {expected}")]
    if path.stat().st_size == 0:
        return None, [Problem(name, None, None, None,
                              f"file is empty; expected a header line with the columns: {expected}")]
    try:
        frame = _read(path)
    except UnicodeDecodeError as exc:
        line = _line_of_byte(path, exc.start)
        return None, [Problem(name, line, None, None,
                              f"not valid UTF-8 (byte {exc.object[exc.start:exc.start + 1]!r} at "
                              f"offset {exc.start}); save the file as UTF-8 "
                              "(in a spreadsheet: 'CSV UTF-8')")]
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, saw = match.groups()
            msg = (f"this row has {saw} cells but the header has {want}; "
                   "quote cells that contain commas with double quotes")
            return None, [Problem(name, int(line), None, None, msg)]
        return None, [Problem(name, None, None, None, f"not a readable CSV: {exc}")]
    except pd.errors.EmptyDataError:
        return None, [Problem(name, None, None, None,
                              f"file is empty; expected a header line with the columns: {expected}")]
    header = [str(c) for c in frame.columns]
    if len(header) == 1 and ";" in header[0]:
        return None, [Problem(name, 1, None, None,
                              "columns are separated by ';' but prodstats expects ','; "
                              "export the sheet as 'CSV UTF-8 (comma delimited)'")]
    problems = []
    for col in header:
        twin = re.match(r"^(.*)\.\d+$", col)
        if twin and twin.group(1) in columns:
            problems.append(Problem(name, 1, twin.group(1), None,
                                    "column appears twice in the header; delete one of them"))
        elif col not in columns:
            hint = _close(col, columns)
            problems.append(Problem(name, 1, col, None,
                                    f"unknown column{hint}; remove it or rename it "
                                    f"(allowed: {expected})"))
    for col in required:
        if col not in header:
            problems.append(Problem(name, 1, col, None,
                                    "required column is missing; add it to the header line"))
    if problems:
        return None, problems
    if frame.empty:
        return None, [Problem(name, None, None, None,
                              "the file has a header but no rows; add at least one row")]
    for col in columns:
        if col not in frame.columns:
            frame[col] = pd.NA
    frame = frame[columns].reset_index(drop=True)
    # Line breaks inside cells: CRLF and CR become LF. One scan of the file's bytes first, so a
    # file without any CR (most) costs no test per column.
    has_cr = _file_has(path, b"\r")
    # Spreadsheets pad cells with spaces; a cell of only spaces is empty. Test first and copy
    # only the columns that need it.
    for col in columns:
        text = frame[col]
        if has_cr and _has(text, "\r"):
            text = frame[col] = text.str.replace("\r\n", "\n").str.replace("\r", "\n")
        padded = _padded(text)
        if not padded.any():
            continue
        stripped = text[padded].str.strip()
        frame[col] = text.mask(padded, stripped.where(stripped != "", None))
    return frame, []


def _read(path: Path) -> pd.DataFrame:
    """Read every cell as text. The fast pyarrow reader first; where it refuses a file, the C
    reader, whose errors name the line."""
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        # Plain UTF-8: with 'utf-8-sig' pyarrow transcodes the whole file in Python (3× slower);
        # a BOM left in the first header name is removed below.
        frame = pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # pyarrow's errors do not say where; re-read to report precisely
        return pd.read_csv(path, skip_blank_lines=True, encoding="utf-8-sig", **options)
    if frame.columns.size and str(frame.columns[0]).startswith("\ufeff"):  # a BOM kept as text
        frame = frame.rename(columns={frame.columns[0]: str(frame.columns[0])[1:]})
    return frame.dropna(how="all") if len(frame) else frame


def _has(text: pd.Series, needle: str) -> bool:
    """Whether any cell contains ``needle`` (pyarrow compute where possible)."""
    try:
        import pyarrow.compute as pc

        return bool(pc.any(pc.match_substring(text.array.__arrow_array__(), needle)).as_py())
    except (AttributeError, TypeError, ImportError):
        return bool(text.str.contains(needle, regex=False).any())


def _file_has(path: Path, needle: bytes, block: int = 1 << 24) -> bool:
    """Whether a file's bytes contain ``needle`` (a single byte), read in blocks."""
    with path.open("rb") as handle:
        while chunk := handle.read(block):
            if needle in chunk:
                return True
    return False


#: The bytes that can begin, and that can end, the UTF-8 form of a character ``str.strip``
#: removes (every ``c`` with ``c.isspace()``; a test derives them afresh).
SPACE_FIRST_BYTES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 194, 225, 226, 227)
SPACE_LAST_BYTES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 128, 129, 130, 131, 132, 133, 134,
                    135, 136, 137, 138, 159, 160, 168, 169, 175)
_FIRST = np.zeros(256, dtype=bool)
_FIRST[list(SPACE_FIRST_BYTES)] = True
_LAST = np.zeros(256, dtype=bool)
_LAST[list(SPACE_LAST_BYTES)] = True


def _padded(text: pd.Series) -> np.ndarray:
    """Which cells start or end with white space (as ``str.strip`` sees it).

    Reads the first and last byte of every cell straight from the Arrow buffers (a table lookup
    per cell, no copy of the strings); the few cells whose edge byte could belong to a space are
    then checked in Python.
    """
    try:
        chunks = text.array.__arrow_array__().chunks
    except AttributeError:
        chunks = None
    if chunks is None or any(c.type.id not in (13, 34) for c in chunks):  # not (large_)string
        values = text.to_numpy(dtype=object)
        return np.fromiter((isinstance(v, str) and v != v.strip() for v in values), bool,
                           count=len(values))
    parts = []
    for chunk in chunks:
        _, offsets, data = chunk.buffers()
        width = np.int64 if chunk.type.id == 34 else np.int32
        cuts = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        if data is None or len(cuts) < 2:
            parts.append(np.zeros(len(chunk), dtype=bool))
            continue
        data = np.frombuffer(data, dtype=np.uint8)
        if not len(data):
            parts.append(np.zeros(len(chunk), dtype=bool))
            continue
        starts, ends = cuts[:-1], cuts[1:]
        # Empty and null cells have no bytes: read any byte in range, then mask them out.
        hit = _FIRST[data[np.minimum(starts, len(data) - 1)]]
        hit |= _LAST[data[np.maximum(ends - 1, 0)]]
        hit &= ends > starts
        parts.append(hit)
    candidates = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    for i in np.flatnonzero(candidates):  # few: confirm each (a final 'é' shares a byte)
        cell = text.iat[i]
        candidates[i] = cell != cell.strip()
    return candidates


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_SIGNED = re.compile(r"[+-][\d.,]*")


def _is_formula(cell: object) -> bool:
    """'=…', '@…', a tab or line break first; or '+'/'-' followed by more than a number
    ('-' alone, a placeholder, and '-5' are fine; '-2+3' and '-cmd|…' are not)."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return False
    return cell[0] not in "+-" or not _SIGNED.fullmatch(cell)


def formula_like(text: pd.Series) -> np.ndarray:
    """Cells that a spreadsheet would read as the start of a formula (OWASP CSV injection)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = text.array.__arrow_array__()
        first = pc.utf8_slice_codeunits(arr, 0, 1)
        hit = pc.is_in(first, value_set=pa.array(FORMULA_STARTS))
        candidates = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
    except (AttributeError, TypeError, ImportError):
        candidates = np.ones(len(text), dtype=bool)
    out = np.zeros(len(text), dtype=bool)
    for i in np.flatnonzero(candidates):  # few rows: decide each in Python
        out[i] = _is_formula(text.iat[i])
    return out


def _close(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _line_of_byte(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def record_lines(path: Path) -> list[int]:
    """Line number on which each data record starts (index 0 → first row after the header).

    Quoted cells may hold line breaks, so a record's line is not always its index + 2. Called only
    when there are problems to report, so a clean ledger never pays for it.
    """
    starts = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        for number, row in enumerate(reader):
            if number > 0 and any(cell.strip() for cell in row):
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts


class LineMap:
    """Maps a frame index to the file line of its record, computing the map only when asked."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label
        self._lines: list[int] | None = None

    def __call__(self, index: int) -> int:
        if self._lines is None:
            self._lines = record_lines(self.path)
        return self._lines[index] if 0 <= index < len(self._lines) else index + 2


def schema_problems(schema: type[pa.DataFrameModel], frame: pd.DataFrame,
                    lines: LineMap) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate ``frame`` against a pandera model lazily; return the coerced frame and Problems."""
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    fields = schema.to_schema().columns
    problems = []
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else None
        field = fields.get(column) if column else None
        message = _describe_check(str(case.check), field)
        index = case.index
        if str(case.check) == "field_uniqueness":
            continue  # each table reports duplicates itself, naming the line of the first use
        if index is None or pd.isna(index):
            # A check that failed as a whole (e.g. it raised on a wrong type): the dtype
            # failure on the same column already names the rows.
            continue
        found = None if pd.isna(case.failure_case) else str(case.failure_case)
        problems.append(Problem(lines.label, lines(int(index)), column, found, message))
    return frame, problems


def _describe_check(check: str, field: pa.Column | None) -> str:
    """Turn a pandera check name into what was expected and how to fix it."""
    meta = (field.metadata or {}) if field is not None else {}
    hint = meta.get("hint")
    if check == "not_nullable":
        return "required but empty" + (f"; {hint}" if hint else "")
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        if "float" in check or "int" in check:
            return "expected a number such as 2500000 or 2.5e6 (no thousands separators or units)"
        return "has the wrong type" + (f"; {hint}" if hint else "")
    if check.startswith("isin"):
        allowed = ", ".join(str(v) for v in meta.get("allowed", [])) or check[5:-1]
        return f"not an allowed value; use one of: {allowed}"
    if check.startswith("str_matches"):
        return hint or f"does not match the expected pattern {check[12:-1]}"
    if check == "field_uniqueness":
        return "duplicate; each value in this column must be unique"
    if check.startswith("greater_than_or_equal_to"):
        return f"must be >= {check[25:-1]}" + (f"; {hint}" if hint else "")
    if check.startswith("less_than_or_equal_to"):
        return f"must be <= {check[22:-1]}" + (f"; {hint}" if hint else "")
    return f"failed check {check}" + (f"; {hint}" if hint else "")
