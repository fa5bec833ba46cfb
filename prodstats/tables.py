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
               label: str | None = None, categorical: Iterable[str] = ()
               ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV whose cells are all text; empty cells become NA.

    Args:
        path: the CSV file.
        columns: every column the table may have, in order.
        required: the columns that must be present (default: all of ``columns``).
        label: how the file is named in messages (default: ``str(path)``).
        categorical: columns whose values repeat (vocabularies, ids of other tables); read
            dictionary-encoded into pandas Categoricals of text, so each distinct value is
            stored, and checked, once.

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
    categorical = [c for c in categorical if c in columns]
    try:
        frame = _read(path, columns, categorical)
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
            frame[col] = pd.Series(pd.NA, index=frame.index,
                                   dtype="category" if col in categorical else "str")
    frame = frame[columns].reset_index(drop=True)
    # Line breaks inside cells: CRLF and CR become LF (a CR outside quotes ends a line and is
    # not in any cell).
    # Spreadsheets pad cells with spaces; a cell of only spaces is empty. Test first and copy
    # only the columns that need it.
    for col in columns:
        text = frame[col]
        if isinstance(text.dtype, pd.CategoricalDtype):
            frame[col] = _tidy_categories(text)
            continue
        if _has(text, "\r"):
            text = frame[col] = text.str.replace("\r\n", "\n").str.replace("\r", "\n")
        padded = _padded(text)
        if not padded.any():
            continue
        stripped = text[padded].str.strip()
        frame[col] = text.mask(padded, stripped.where(stripped != "", None))
    return frame, []


def _tidy_categories(column: pd.Series) -> pd.Series:
    """Line breaks and padding of a categorical column, fixed in its categories (each distinct
    value once); values that become equal are merged, values that become empty are NA."""
    values = pd.Series(column.cat.categories, dtype="str")
    tidy = values.str.replace("\r\n", "\n").str.replace("\r", "\n").str.strip()
    if tidy.equals(values):
        return column
    tidy = tidy.where(tidy != "")
    codes, uniques = pd.factorize(tidy, use_na_sentinel=True)
    remap = np.append(codes, -1)  # a row's NA (code -1) stays NA
    return pd.Series(pd.Categorical.from_codes(remap[column.cat.codes.to_numpy()],
                                               categories=pd.Index(uniques, dtype="str")),
                     index=column.index, name=column.name)


def _read(path: Path, columns: list[str], categorical: list[str]) -> pd.DataFrame:
    """Read every cell as text. The fast pyarrow reader first; where it refuses a file, the C
    reader, whose errors name the line."""
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        # Plain UTF-8: with 'utf-8-sig' pyarrow transcodes the whole file in Python (3× slower);
        # a BOM left in the first header name is removed below.
        frame = _read_arrow(path, columns, categorical)
        if frame is None:  # a repeated or unknown header name: pandas reads it, and numbers twins
            frame = pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # pyarrow's errors do not say where; re-read to report precisely
        frame = pd.read_csv(path, skip_blank_lines=True, encoding="utf-8-sig", **options)
        return _as_categorical(frame, categorical)
    if frame.columns.size and str(frame.columns[0]).startswith("\ufeff"):  # a BOM kept as text
        frame = frame.rename(columns={frame.columns[0]: str(frame.columns[0])[1:]})
    frame = _as_categorical(frame, categorical)
    return frame.dropna(how="all") if len(frame) else frame


def _read_arrow(path: Path, columns: list[str], categorical: list[str]) -> pd.DataFrame | None:
    """pyarrow's CSV reader, every cell as text, ``categorical`` columns dictionary-encoded as
    they are parsed (never materialised as one string per row). None if a header name repeats
    or a column is not one of ``columns`` (the pandas reader then reads it, as text)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = pa.large_string()  # what pandas' text columns hold: no conversion afterwards
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {}
    for col in columns:
        types[col] = types["\ufeff" + col] = dictionary if col in categorical else text
    table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True,
        null_values=[""], auto_dict_encode=False))
    names = table.column_names
    if len(set(names)) != len(names) or not set(names) <= set(types):
        return None
    data = {}
    for name, column in zip(names, table.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            data[name] = _categorical(column)
        else:
            data[name] = pd.array(column, dtype="str")
    table = column = None  # drop the Arrow table before handing its memory back
    release_arrow_memory()  # the parser's buffers: about 100 MB for a million claims
    return pd.DataFrame(data, copy=False)


def release_arrow_memory() -> None:
    """Hand memory that Arrow has freed back to the system. Arrow's allocator keeps freed pages
    for reuse; after a large temporary (parsing a file, hashing a column) that is memory the
    rest of a load cannot use."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _categorical(column) -> pd.Categorical:
    """A dictionary-encoded Arrow column as a pandas Categorical with text categories."""
    import pyarrow as pa

    if column.num_chunks == 0:
        return pd.Categorical.from_codes([], categories=pd.Index([], dtype="str"))
    column = column.unify_dictionaries().combine_chunks()
    codes = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    values = column.dictionary.cast(pa.large_string())
    return pd.Categorical.from_codes(codes, categories=pd.Index(pd.array(values, dtype="str")),
                                     validate=False)


def _as_categorical(frame: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """Columns in ``categorical`` as Categoricals of text (where pandas read them as text)."""
    for col in categorical:
        if col in frame.columns and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(pd.CategoricalDtype(
                pd.Index(frame[col].dropna().unique(), dtype="str")))
    return frame


def _buffers(text: pd.Series) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Each Arrow chunk of a text column as ``(starts, ends, data)``: where each cell's UTF-8
    bytes begin and end in ``data``, a uint8 view of the chunk's buffer (no copy). None for a
    column without Arrow string buffers (then callers use plain Python)."""
    try:
        chunks = text.array.__arrow_array__().chunks
    except AttributeError:
        return None
    if any(c.type.id not in (13, 34) for c in chunks):  # not string / large_string
        return None
    out = []
    for chunk in chunks:
        _, offsets, data = chunk.buffers()
        width = np.int64 if chunk.type.id == 34 else np.int32
        cuts = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        data = (np.frombuffer(data, np.uint8) if data is not None and len(data)
                else np.zeros(1, np.uint8))  # no bytes at all: one to index safely
        out.append((cuts[:-1], cuts[1:], data))
    return out


def byte_at(text: pd.Series, position: int) -> np.ndarray | None:
    """The byte at ``position`` of each cell's UTF-8 form (negative: from the end), 0 where a
    cell is shorter or NA; None for a column without Arrow buffers."""
    chunks = _buffers(text)
    if chunks is None:
        return None
    parts = []
    for starts, ends, data in chunks:
        at = (ends if position < 0 else starts) + position
        inside = (at >= starts) & (at < ends)
        out = np.zeros(len(starts), dtype=np.uint8)
        out[inside] = data[at[inside]]
        parts.append(out)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)


def _has(text: pd.Series, needle: str) -> bool:
    """Whether any cell contains ``needle``, a single ASCII character."""
    chunks = _buffers(text)
    if chunks is None:
        return bool(text.str.contains(needle, regex=False).any())
    code = ord(needle)
    return any(len(starts) and (data[starts[0]:ends[-1]] == code).any()
               for starts, ends, data in chunks)


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

    Looks up the first and last byte of every cell (no copy of the strings); the few cells
    whose edge byte could belong to a space are then checked in Python.
    """
    chunks = _buffers(text)
    if chunks is None:
        values = text.to_numpy(dtype=object)
        return np.fromiter((isinstance(v, str) and v != v.strip() for v in values), bool,
                           count=len(values))
    parts = []
    for starts, ends, data in chunks:
        # Empty and null cells have no bytes: read any byte in range, then mask them out.
        hit = _FIRST[data[np.minimum(starts, len(data) - 1)]]
        hit |= _LAST[data[np.maximum(ends - 1, 0)]]
        parts.append(hit & (ends > starts))
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
    if isinstance(text.dtype, pd.CategoricalDtype):  # decide each distinct value once
        verdict = formula_like(pd.Series(text.cat.categories, dtype="str"))
        return np.append(verdict, False)[text.cat.codes.to_numpy()]  # NA (-1) takes False
    first = byte_at(text, 0)  # every formula start is one ASCII character
    if first is not None:
        candidates = np.isin(first, np.frombuffer("".join(FORMULA_STARTS).encode(), np.uint8))
    else:
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
                    lines: LineMap, unique: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate ``frame`` against a pandera model lazily; return the coerced frame and Problems.

    Categorical columns are validated through their distinct values (one row per category, and
    one for NA where the column has empty cells); a failure is reported on every row that holds
    the failing value. Their checks look at one cell at a time, so this is the same verdict as
    validating every row, at the cost of the distinct values.

    Columns that must be unique are checked by :func:`unique_problems` (unless ``unique`` is
    False, for a caller that runs it on its own), so a repeat names the line of the first use.
    """
    full = schema.to_schema()
    fields = full.columns
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)
            and c in fields]
    problems = unique_problems(schema, frame, lines) if unique else []
    frame = frame.assign(**parse_numbers(frame, schema))
    # Columns with nothing left to check: floats already (Arrow parsed them), nullable, and no
    # checks. Leaving them out spares pandera a copy of a million-row float block.
    done = [c for c, f in fields.items() if c in frame.columns and str(f.dtype) == "float64"
            and f.nullable and not f.checks and frame[c].dtype == np.float64]
    rows = pa.DataFrameSchema({c: _copy(f, unique=False) for c, f in fields.items()
                               if c not in cats and c not in done},
                              strict=full.strict, coerce=full.coerce)
    checked, failures = _validate(rows, frame.drop(columns=cats + done))
    for column, index, found, check in failures:
        problems.append(Problem(lines.label, lines(int(index)), column, found,
                                _describe_check(check, fields.get(column))))
    for column in cats:  # each column's distinct values, as a table of their own
        categories = list(frame[column].cat.categories)
        codes = frame[column].cat.codes.to_numpy()
        values = categories + ([None] if (codes < 0).any() else [])
        one = pa.DataFrameSchema({column: fields[column]}, coerce=full.coerce)
        _, failures = _validate(one, pd.DataFrame({column: pd.array(values, dtype="str")}))
        for _, index, found, check in failures:
            code = -1 if index == len(categories) else index
            message = _describe_check(check, fields[column])
            problems += [Problem(lines.label, lines(int(row)), column, found, message)
                         for row in np.flatnonzero(codes == code)]
    if cats or done:
        checked = pd.concat([checked, frame[cats + done]], axis=1)[list(frame.columns)]
    return checked, problems


def parse_numbers(frame: pd.DataFrame, schema: type[pa.DataFrameModel]) -> dict[str, pd.Series]:
    """Text columns that the schema wants as floats, parsed by Arrow's number parser (in C++,
    ten times faster than pandas' conversion). Arrow is the stricter of the two: a column it
    refuses is left out, for pandera to coerce and to report cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parsed = {}
    for column, field in schema.to_schema().columns.items():
        if (column not in frame.columns or str(field.dtype) != "float64"
                or not pd.api.types.is_string_dtype(frame[column].dtype)):
            continue
        try:
            numbers = pc.cast(frame[column].array.__arrow_array__(), pa.float64())
        except (pa.ArrowInvalid, AttributeError, TypeError):
            continue
        parsed[column] = pd.Series(numbers.to_numpy(), index=frame.index, dtype=float, copy=False)
    return parsed


def _copy(field: pa.Column, **changes: object) -> pa.Column:
    import copy

    field = copy.copy(field)
    for name, value in changes.items():
        setattr(field, name, value)
    return field


def unique_problems(schema: type[pa.DataFrameModel], frame: pd.DataFrame,
                    lines: LineMap) -> list[Problem]:
    """Repeated values in the columns the schema marks unique."""
    return [problem for column, field in schema.to_schema().columns.items()
            if field.unique and column in frame.columns
            for problem in _duplicates(frame[column], lines)]


def _duplicates(column: pd.Series, lines: LineMap) -> list[Problem]:
    """One problem for each repeated value of a column that must be unique, naming the line
    where it was first used."""
    unique = column.dropna().is_unique  # the common case, and cheaper than duplicated()
    release_arrow_memory()  # the hash table of a million ids
    if unique:
        return []
    repeated = column.duplicated(keep="first").to_numpy() & column.notna().to_numpy()
    codes, _ = pd.factorize(column, use_na_sentinel=True)
    values, where = np.unique(codes, return_index=True)
    first = np.zeros(codes.max() + 1, dtype=np.int64)
    first[values[values >= 0]] = where[values >= 0]  # the row where each value first appears
    noun = str(column.name).removesuffix("_id")
    return [Problem(lines.label, lines(int(i)), str(column.name), str(column.iat[i]),
                    f"duplicate id, first used on line {lines(int(first[codes[i]]))}; give each "
                    f"{noun} its own id") for i in np.flatnonzero(repeated)]


def _validate(schema: pa.DataFrameSchema, frame: pd.DataFrame
              ) -> tuple[pd.DataFrame, list[tuple[str | None, int, str | None, str]]]:
    """Run pandera lazily; the (coerced) frame and ``(column, index, found, check)`` for each
    cell that failed."""
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    failures = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        if check == "field_uniqueness":
            continue  # reported by _duplicates, naming the line of the first use
        index = case.index
        if index is None or pd.isna(index):
            # A check that failed as a whole (e.g. it raised on a wrong type): the dtype
            # failure on the same column already names the rows.
            continue
        column = case.column if isinstance(case.column, str) else None
        found = None if pd.isna(case.failure_case) else str(case.failure_case)
        failures.append((column, int(index), found, check))
    return frame, failures


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
