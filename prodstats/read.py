"""Reading a ledger folder: its CSV tables, strictly, and the archived source texts.

A spreadsheet's output is accepted as it is (UTF-8 BOM, CRLF, quoted line breaks, padded cells,
trailing blank lines). Anything else wrong with a file becomes one
:class:`~prodstats.errors.Problem`; nothing here judges the cells (that is :mod:`validate`).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from prodstats.cells import may_hold
from prodstats.errors import Problem
from prodstats.schemas import (
    ACTOR_COLUMNS,
    CLAIM_COLUMNS,
    INDICATOR_COLUMNS,
    OPTIONAL,
    SOURCE_COLUMNS,
)

#: The tables of a ledger folder: file name → its columns.
TABLES = {"sources": SOURCE_COLUMNS, "indicators": INDICATOR_COLUMNS, "actors": ACTOR_COLUMNS,
          "claims": CLAIM_COLUMNS}
#: Tables that may hold no rows: a source archived before any claim is coded.
MAY_BE_EMPTY = {"claims"}
#: Unknown columns given a suggestion (the lines past :data:`prodstats.errors.SHOWN` of one
#: message are counted in one line).
SHOWN = 10
#: The largest source text read (bytes); a news text is a few kB.
TEXT_LIMIT = 5_000_000


@dataclass
class Table:
    """One CSV table as read: every cell text (NA where empty), and where its rows are."""

    name: str
    path: Path
    label: str  # how the file is named in messages
    frame: pd.DataFrame | None = None
    _lines: list[int] | None = field(default=None, repr=False)

    def line(self, row: int) -> int:
        """The file line on which row ``row`` (0-based) begins; quoted cells may span lines."""
        if self._lines is None:
            self._lines = record_lines(self.path)
        return self._lines[row] if 0 <= row < len(self._lines) else row + 2

    def problem(self, row: int | None, column: str | None, found: object, message: str
                ) -> Problem:
        """A problem with one cell (or row, or the whole file when ``row`` is None)."""
        line = None if row is None else self.line(row)
        shown = None if found is None or (not isinstance(found, str) and pd.isna(found)) \
            else str(found)
        return Problem(self.label, line, column, shown, message)


def label(path: Path) -> str:
    """How a path is shown in messages: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_table(raw: Path, name: str) -> tuple[Table, list[Problem]]:
    """Read ``raw/NAME.csv``; every cell as text, padding stripped, line breaks as LF."""
    columns = TABLES[name]
    path = raw / f"{name}.csv"
    table = Table(name, path, label(path))
    expected = ", ".join(columns)
    odd = _outside(raw, path)
    if odd:
        return table, [table.problem(None, None, None, odd)]
    if not path.is_file():
        return table, [table.problem(None, None, None, "file not found; expected a CSV with the "
                                     f"columns: {expected}")]
    frame, problems = _read_or_why(table, expected)
    if frame is None:
        return table, problems
    if _odd_cells(frame):  # a quote left open reads what follows into one cell: say so
        unclosed = _unclosed_quote(table)
        if unclosed:
            return table, [unclosed]
    problems = _header_problems(table, [str(c) for c in frame.columns], columns,
                                [c for c in columns if c not in OPTIONAL.get(name, ())])
    if problems:
        return table, problems
    if frame.empty and name not in MAY_BE_EMPTY:
        return table, [table.problem(None, None, None, "the file has a header but no rows; add "
                                                       "at least one row")]
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    table.frame = _tidy(frame[columns].reset_index(drop=True))
    return table, []


def _read_or_why(table: Table, expected: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table's cells, or (None, why the file cannot be read as a CSV)."""
    path = table.path
    try:
        return _read(path), []
    except UnicodeDecodeError as exc:
        with path.open("rb") as handle:
            line = handle.read(exc.start).count(b"\n") + 1
        return None, [Problem(table.label, line, None, None,
                               f"not valid UTF-8 (byte {exc.object[exc.start:exc.start + 1]!r} "
                               f"at offset {exc.start}); save the file as UTF-8 (in a "
                               "spreadsheet: 'CSV UTF-8')")]
    except OSError as exc:
        return None, [table.problem(None, None, None, f"cannot be read ({exc.strerror}); "
                                     "check the file's permissions")]
    except pd.errors.EmptyDataError:
        return None, [table.problem(None, None, None, "file is empty; expected a header line "
                                                       f"with the columns: {expected}")]
    except pd.errors.ParserError as exc:
        unclosed = _unclosed_quote(table)
        if unclosed:
            return None, [unclosed]
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not match:
            return None, [table.problem(None, None, None, f"not a readable CSV: {exc}")]
        want, line, saw = match.groups()
        return None, [Problem(table.label, int(line), None, None,
                               f"this row has {saw} cells but the header has {want}; quote "
                               "cells that contain commas with double quotes")]


def _odd_cells(frame: pd.DataFrame) -> bool:
    """Whether any cell holds a line break, or half as many commas as the table has columns
    (what a quote left open reads into one cell). A column none of whose bytes is a line
    break or a comma (:func:`~prodstats.cells.may_hold`) is not searched cell by cell.
    """
    many = max(len(frame.columns) // 2, 2)
    for column in frame.columns:
        text = frame[column]
        if not text.notna().any():
            continue
        if not may_hold(text, b"\n,"):
            continue
        if (text.str.contains("\n", regex=False).fillna(False)
                | (text.str.count(",").fillna(0) >= many)).any():
            return True
    return False


def _unclosed_quote(table: Table) -> Problem | None:
    """A double quote that opens a cell and is not closed at the end of its line, so that the
    lines after it were read into that cell: the cause of a row with too many or too few cells,
    or of a cell holding whole rows (a line of it with half the header's commas).
    """
    try:
        with table.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None) or []
            start = reader.line_num + 1
            for row in reader:
                end = reader.line_num
                commas = max((line.count(",") for cell in row for line in cell.splitlines()),
                              default=0)
                # cells too few or too many, with a cell that holds (part of) a row; or a cell
                # over several lines that holds whole rows
                if len(row) != len(header) and (end > start or commas >= len(header) // 2) or (
                        end > start and commas >= len(header) - 2):
                    read = (f"so lines {start}-{end} were read as one row" if end > start else
                            "so the rest of the line was read as one cell")
                    return Problem(table.label, start, None, None, (
                        f"a double quote opens a cell on this line and is not closed, {read}; "
                        'close the quote (a quote inside a cell is written twice: "")'))
                start = end + 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _outside(raw: Path, path: Path) -> str | None:
    """Why a table file that exists may not be read: a link out of the ledger, or not a file."""
    if not (path.exists() or path.is_symlink()):
        return None
    resolved = path.resolve()
    if not resolved.is_relative_to(raw.resolve()):
        return (f"a link that leads out of {label(raw)}/; copy the file into the ledger folder "
                "itself")
    if path.exists() and not stat.S_ISREG(resolved.stat().st_mode):
        return "not a regular file (a folder, pipe or device); save the table there as a CSV file"
    return None


def _read(path: Path) -> pd.DataFrame:
    """Every cell as text, empty cells NA. pandas' pyarrow engine reads fast; where it refuses
    a file, the C engine reads it again and its error names the line.
    """
    options = {"dtype": "str", "keep_default_na": False, "na_values": [""]}
    if path.stat().st_size == 0:
        raise pd.errors.EmptyDataError("empty")
    try:
        frame = pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # noqa: BLE001 (pyarrow's errors do not say where; the C engine does)
        return _strip_header(pd.read_csv(path, encoding="utf-8-sig", skip_blank_lines=True,
                                         **options)).dropna(how="all")
    return _strip_header(frame).dropna(how="all")


def _strip_header(frame: pd.DataFrame) -> pd.DataFrame:
    """Header names as cells are read: a spreadsheet's BOM dropped, padding stripped. A name
    that appears twice once stripped gets a '.1' (reported as a column given twice).
    """
    names, seen = [], set()
    for number, name in enumerate(str(c) for c in frame.columns):
        name = (name[1:] if number == 0 and name.startswith("\ufeff") else name).strip()
        twin, k = name, 0
        while twin in seen:
            k += 1
            twin = f"{name}.{k}"
        seen.add(twin)
        names.append(twin)
    frame.columns = names
    return frame


def _header_problems(table: Table, header: list[str], columns: list[str],
                     required: list[str]) -> list[Problem]:
    if len(header) == 1 and ";" in header[0]:
        return [Problem(table.label, 1, None, None, "columns are separated by ';' but prodstats "
                        "expects ','; export the sheet as 'CSV UTF-8 (comma delimited)'")]
    problems = []
    unknown = 0
    for name in header:
        twin = re.match(r"^(.*)\.\d+$", name)
        if twin and twin.group(1) in columns:
            problems.append(Problem(table.label, 1, twin.group(1), None,
                                    "column appears twice in the header; delete one of them"))
        elif name not in columns:
            unknown += 1  # past the first few, no suggestion: the lines are counted as one
            hint = suggest(name, columns) if unknown <= SHOWN else ""
            problems.append(Problem(table.label, 1, name, None, f"unknown column{hint}; remove "
                                    f"it or rename it (allowed: {', '.join(columns)})"))
    problems += [Problem(table.label, 1, name, None,
                         "required column is missing; add it to the header line")
                 for name in required if name not in header]
    return problems


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Line breaks in cells as LF; spreadsheet padding stripped; a cell of only spaces empty.
    Only a column with a carriage return in its bytes (:func:`~prodstats.cells.may_hold`) is
    searched for one, and a column with no space and no non-ASCII byte and no empty cell
    (ids, codes, figures) is left as it is.
    """
    for column in frame.columns:
        text = frame[column]
        if not text.notna().any():
            continue
        if not may_hold(text, _MAY_BE_SPACE) and not text.eq("").any():
            continue
        if may_hold(text, b"\r"):
            text = text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n",
                                                                           regex=False)
        tidy = text.str.strip()
        frame[column] = tidy.where(tidy != "")
    return frame


#: The bytes of a space of any kind (what ``str.strip`` removes): its ASCII ones, and every
#: byte of a non-ASCII character.
_MAY_BE_SPACE = bytes(b for b in range(256) if b >= 0x80 or chr(b).isspace())


def suggest(name: object, options) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or nothing; a match that
    differs only in case or in leading zeros (``KNDS`` for ``knds``, ``bw25-5`` for
    ``bw25-05``) comes first.
    """
    options = sorted(o for o in options if isinstance(o, str))
    folded = {_fold(o): o for o in options}
    close = ([folded[_fold(name)]] if _fold(name) in folded else
             difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
             or [folded[c] for c in difflib.get_close_matches(_fold(name), folded, n=1,
                                                               cutoff=0.6)])
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fold(name: object) -> str:
    """A name without case and without leading zeros in its numbers."""
    return re.sub(r"[0-9]+", lambda m: m.group().lstrip("0") or "0", str(name).casefold())


def record_lines(path: Path) -> list[int]:
    """The line on which each data record starts (index 0: the first row after the header).

    Quoted cells may hold line breaks, so a record's line is not always its index + 2. Called
    only when there is a problem to report, so a clean ledger never pays for it.
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


# ---------------------------------------------------------------------------------------------
# Source texts: confined to the ledger's texts/ folder
# ---------------------------------------------------------------------------------------------

def read_texts(raw: Path, sources: Table) -> tuple[dict[str, str], list[Problem]]:
    """Read and hash each source's archived text.

    A ``text_file`` must be a relative path inside ``texts/`` naming a regular file (no link
    out of the folder, no pipe or device) of at most :data:`TEXT_LIMIT` bytes, in UTF-8. Only
    texts that match their sha256 are returned, so no quote is checked against an edited text.
    """
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    if sources.frame is None:
        return texts, problems
    # The ledger's own texts/ folder: a texts/ that is a link elsewhere leads out of the ledger.
    folder = raw.resolve() / "texts"
    rows = sources.frame[["source_id", "text_file", "sha256"]].itertuples(index=False)
    for row, (sid, name, sha) in enumerate(rows):
        if not isinstance(name, str) or any(ord(c) < 32 or c == "\x7f" for c in name):
            continue  # empty or with control characters: the schema checks say so
        data, message = _read_text(raw, folder, name)
        if message:
            problems.append(sources.problem(row, "text_file", name, message))
            continue
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) \
                and hashlib.sha256(data).hexdigest() != sha:
            problems.append(sources.problem(row, "sha256", sha, (
                f"{name} now hashes to {hashlib.sha256(data).hexdigest()}: the text was changed "
                "since it was coded; restore the original, or if the change is a deliberate "
                "correction, re-check every quote of this source and record the new hash")))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(sources.problem(row, "text_file", name,
                                            "the text is not valid UTF-8; save it as UTF-8"))
            continue
        if "\x00" in text:
            problems.append(sources.problem(row, "text_file", name, "the text holds a NUL byte, "
                                            "so it is not a plain text; archive the article's "
                                            "text as UTF-8 plain text"))
            continue
        if isinstance(sid, str):
            texts[sid] = text
    return texts, problems


def _read_text(raw: Path, folder: Path, name: str) -> tuple[bytes, str | None]:
    """The bytes of one text file, or why it cannot be used."""
    inside = ("write a path inside texts/ such as 'texts/NAME.txt'; archive the source text "
              "there, verbatim, as UTF-8")
    if Path(name).is_absolute() or ".." in Path(name).parts or not name.startswith("texts/"):
        return b"", f"not a file inside {label(raw)}/texts/; {inside}"
    path = raw / name
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        return b"", f"no such file under {label(raw)}/; archive the source text there, " \
                    "verbatim, as UTF-8"
    if not resolved.is_relative_to(folder):
        return b"", f"a link that leads out of {label(raw)}/texts/; {inside}"
    try:  # not following links, not waiting on a pipe; the checks are on what was opened
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        return b"", f"cannot be read ({exc.strerror}); check the file's permissions"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return b"", f"not a regular file (a folder, pipe or device); {inside}"
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > TEXT_LIMIT:
            return b"", (f"{info.st_size:,} bytes, more than the {TEXT_LIMIT:,} a source text "
                         "may have; archive only the article's text")
        try:
            data = handle.read(TEXT_LIMIT + 1)
        except OSError as exc:
            return b"", f"cannot be read ({exc.strerror}); check the file's permissions"
    if len(data) > TEXT_LIMIT:  # grew since it was measured
        return b"", (f"more than the {TEXT_LIMIT:,} bytes a source text may have; archive only "
                     "the article's text")
    return data, None
