"""Writing the published data package: deterministic CSVs, neutralised text, atomic swaps.

CSV injection (OWASP): a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a line break as a formula. The ledger rejects such text (see
:func:`prodstats.validate.is_formula`); as a second guard, in every published CSV such a text
cell gets a leading apostrophe (``'=1+1``), which spreadsheets show as text and a reader can
strip. ``-`` alone and signed numbers written as text (``-5``) are left as they are, and number
columns are never touched.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodstats import schemas
from prodstats.errors import BuildError, PublishError, checkpoint
from prodstats.validate import is_formula

#: First characters that may make a spreadsheet read a cell as a formula (:func:`is_formula`).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula, and write line
    breaks inside cells as LF (a bare CR is not quoted by CSV writers and would split a row).
    """
    out = frame.copy(deep=False)
    for number in range(len(frame.columns)):
        column = frame.iloc[:, number]
        safe = _neutral(column)
        if safe is not column:
            out.isetitem(number, safe)
    return out


def _neutral(column: pd.Series) -> pd.Series:
    """A column with its text cells neutralised (:func:`neutralise`); the column itself when
    no cell needs it (numbers and flags never do).
    """
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column
    if isinstance(column.dtype, pd.StringDtype) and not _maybe_odd(_arrow_text(column)):
        return column
    cells = column.astype(object).tolist()
    if not any(isinstance(v, str) and (v.startswith(_FORMULA_START) or "\r" in v)
               for v in cells):
        return column
    return pd.Series([_safe(v) if isinstance(v, str) else v for v in cells],
                     index=column.index, name=column.name, dtype=object)


def _arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """A text column's cells as Arrow text (nulls where missing), without copying them."""
    text = pa.array(column, pa.large_string())
    return text if isinstance(text, pa.ChunkedArray) else pa.chunked_array([text])


def _maybe_odd(text: pa.ChunkedArray) -> bool:
    """Whether some cell may begin like a formula or hold a CR: a scan of the first byte of
    each cell and of the column's bytes in numpy, much faster than a string search per cell
    (a True is checked cell by cell).
    """
    first = np.frombuffer(_FORMULA_START_BYTES, np.uint8)
    for chunk in text.chunks:
        offsets_buffer, data_buffer = chunk.buffers()[1:3]
        if data_buffer is None or len(chunk) == 0:
            continue
        offsets = np.frombuffer(offsets_buffer, np.int64)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data_buffer, np.uint8)
        starts = offsets[:-1][offsets[1:] > offsets[:-1]]  # the non-empty cells
        if np.isin(data[starts], first).any() or (data[offsets[0]:offsets[-1]] == 13).any():
            return True
    return False


#: The first bytes of :data:`_FORMULA_START`, for :func:`_maybe_odd`.
_FORMULA_START_BYTES = "".join(_FORMULA_START).encode()


def _safe(cell: str) -> str:
    cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + cell if is_formula(cell) else cell


#: Characters that Markdown (CommonMark, GFM) may read as syntax: links, images, emphasis, code,
#: tables, strike-through, raw HTML and entities. Backslash-escaped, each shows as itself.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>!|~&#"})


def markdown_text(text: str, keep: str = "") -> str:
    r"""Text from the ledger for a generated Markdown page: one line, every character that
    Markdown could read as a link, an image, HTML or formatting escaped, so it is shown as typed
    (but those in ``keep``).

    >>> print(markdown_text("see [x](http://e/a.png) <img src=x>"))
    see \[x\](http://e/a.png) \<img src=x\>
    """
    table = {k: v for k, v in _MARKDOWN.items() if chr(k) not in keep} if keep else _MARKDOWN
    return " ".join(str(text).split()).translate(table)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    r"""Write a tidy CSV: UTF-8, LF line ends, neutralised text, numbers to 12 significant
    digits (``%.12g``; infinite and missing numbers as empty cells), quotes only where needed.

    The bytes are those of Python's ``csv.writer`` (``lineterminator="\n"``), made column by
    column in Arrow: each column's cells as text, quoted where needed, then joined.
    """
    width = len(frame.columns)
    header = ",".join(_quoted_text(str(name), width) for name in frame.columns)
    columns = [_quoted(_cells(_neutral(frame.iloc[:, number])), width) for number in range(width)]
    with path.open("wb") as handle:
        handle.write(header.encode() + b"\n")
        if not columns:
            handle.write(b"\n" * len(frame))
            return
        # each row's text ends in LF: the rows' bytes in Arrow are the file's bytes, in order
        columns[-1] = pc.binary_join_element_wise(columns[-1], _text("\n"), _text(""))
        rows = pc.binary_join_element_wise(*columns, _text(","))
        for chunk in rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]:
            handle.write(_bytes_of(chunk))


def _bytes_of(text: pa.Array) -> memoryview:
    """The bytes of an Arrow text array's cells, one after the other (without copying them)."""
    if len(text) == 0:
        return memoryview(b"")
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(text.buffers()[1], width)
    start, end = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
    return memoryview(text.buffers()[2])[start:end]


def _quoted(cells: pa.Array, width: int) -> pa.Array:
    """Cells as ``csv.writer`` writes them: in double quotes (doubled inside) when they hold a
    comma, a double quote or a line break, or when a row's only cell is empty.
    """
    if width > 1 and not any(char.encode() in data for data in _text_buffers(cells)
                             for char in _NEEDS_QUOTES):
        return cells  # (a scan of the column's text is much faster than a search per cell)
    needs = pc.match_substring_regex(cells, f"[{''.join(_NEEDS_QUOTES)}]")
    if width == 1:
        needs = pc.or_(needs, pc.equal(pc.binary_length(cells), 0))
    if not pc.any(needs).as_py():
        return cells
    inside = pc.replace_substring(cells, '"', '""')
    return pc.if_else(needs, pc.binary_join_element_wise(_text('"'), inside, _text('"'),
                                                         _text("")), cells)


def _text(text: str) -> pa.Scalar:
    """A text scalar of the type the cells have (Arrow joins only text of one type)."""
    return pa.scalar(text, pa.large_string())


def _quoted_text(text: str, width: int) -> str:
    return _quoted(pa.array([text], pa.large_string()), width)[0].as_py()


#: What makes ``csv.writer`` (QUOTE_MINIMAL, line terminator LF) quote a cell.
_NEEDS_QUOTES = (",", '"', "\n")


def _text_buffers(cells: pa.Array | pa.ChunkedArray) -> Iterator[bytes]:
    """The bytes of every cell of a text column, together (and perhaps a few more)."""
    for chunk in cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]:
        data = chunk.buffers()[2]
        if data is not None:
            yield data.to_pybytes()


def _cells(column: pd.Series) -> pa.Array:
    """A column's cells as written, as Arrow text: floats as ``%.12g``, missing as empty,
    flags as ``True``/``False``, the rest as ``csv.writer`` writes them (``str``, ``repr`` for
    a float in a mixed column). Dates and times are left to pandas' own formatting.
    """
    if pd.api.types.is_float_dtype(column):
        return _float_cells(column.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_bool_dtype(column) and not column.hasnans:
        return pc.if_else(pa.array(column.to_numpy(dtype=bool)), "True", "False").cast(
            pa.large_string())
    if pd.api.types.is_integer_dtype(column) and not column.hasnans:
        return pc.cast(pa.array(column.to_numpy(dtype=np.int64)), pa.large_string())
    if isinstance(column.dtype, pd.StringDtype):
        return pc.fill_null(_arrow_text(column), "")
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_timedelta64_dtype(column):
        text = column.to_frame().to_csv(index=False, header=False, lineterminator="\n")
        cells = [row[0] if row else "" for row in csv.reader(io.StringIO(text))]
    else:
        cells = ["" if _missing(v) else repr(v) if isinstance(v, float) else str(v)
                 for v in column.astype(object).tolist()]
    return pa.array(cells, pa.large_string())


def _float_cells(values: np.ndarray) -> pa.Array:
    """``%.12g`` of each float, empty for NaN and infinities (:func:`_distinct_float_cells`).
    Each distinct value is written once and its text repeated (a table repeats its figures);
    values are told apart by their bits, so ``-0.0`` (written ``-0``) is not ``0.0``.
    """
    bits, where = np.unique(np.ascontiguousarray(values, dtype=float).view(np.int64),
                            return_inverse=True)
    return _distinct_float_cells(bits.view(np.float64)).take(pa.array(where.ravel()))


def _distinct_float_cells(values: np.ndarray) -> pa.Array:
    """``%.12g`` of each float, empty for NaN and infinities. Whole numbers under 10^12 (whose
    ``%.12g`` is their integer's digits) and short decimals (:func:`_decimals`) are written by
    Arrow; only the others by Python.
    """
    finite = np.isfinite(values)
    whole = (finite & (np.abs(values) < 1e12) & (values == np.trunc(values))
             & ~((values == 0) & np.signbit(values)))  # (-0.0 is written "-0")
    integers = pa.array(np.where(whole, values, 0).astype(np.int64))
    text = pc.if_else(pa.array(whole), pc.cast(integers, pa.large_string()), _text(""))
    micros = np.round(values * 1e6)
    short = ~whole & (micros / 1e6 == values) & (np.abs(micros) < 1e12) & (np.abs(values) >= 1e-4)
    if short.any():
        text = pc.replace_with_mask(text, pa.array(short), _decimals(micros[short]))
    rest = finite & ~(whole | short)
    if not rest.any():
        return text
    cells = [f"{v:.12g}" for v in values[rest].tolist()]
    return pc.replace_with_mask(text, pa.array(rest), pa.array(cells, pa.large_string()))


def _decimals(micros: np.ndarray) -> pa.Array:
    """``%.12g`` of the floats nearest to ``micros`` millionths (whole numbers, fewer than 12
    digits, not multiples of a million, at least 100 millionths in size): the decimal itself.

    Why it is exact: such a float is the double nearest to a decimal of at most 12
    significant digits, so rounding it to 12 digits gives that decimal back, and ``%g``
    writes it in fixed notation (10^-4 <= size < 10^12) without trailing zeros.
    """
    size = np.abs(micros).astype(np.int64)
    whole = pc.cast(pa.array(size // 10**6), pa.large_string())
    fraction = pc.utf8_rtrim(pc.utf8_lpad(pc.cast(pa.array(size % 10**6), pa.large_string()),
                                          width=6, padding="0"), characters="0")
    sign = pa.array(np.where(micros < 0, "-", ""), pa.large_string())
    return pc.binary_join_element_wise(sign, whole, _text("."), fraction, _text(""))


def _missing(v: object) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or an array in a cell
        return False


@dataclass(frozen=True)
class Output:
    """One destination of a build.

    Attributes:
        dest: the folder (or, with ``file=True``, the single file) to publish.
        fill: a function that fills a given empty folder: with the whole output for a folder,
            with one file named ``dest.name`` for a file.
        file: whether ``dest`` is a single file (explicit: a folder may well be named
            ``out.v2``).
        name: how messages name the output (``--out``); its path by default.
        ours: the names of the files in the folder that an earlier build wrote (a build
            replaces the whole folder, so any other file would be lost); None: every file is.
    """

    dest: Path
    fill: Callable[[Path], None]
    file: bool = False
    name: str = ""  # how messages name it, e.g. '--out'
    ours: Callable[[Path], set[str]] | None = None


#: The outputs the last :func:`publish` put in place (empty until all are): a signal that
#: arrives as the swap ends can say truthfully that the build was published.
PUBLISHED: list[Path] = []
#: The signals held back while outputs are swapped, so that a swap is never left half done.
SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back for the block; a signal that came meanwhile is delivered
    when it ends (in the main thread only: elsewhere signals are not delivered anyway).
    """
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        if main:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def _temp_prefix(dest: Path) -> str:
    return f".{dest.name}.tmp-"


def _old_prefix(dest: Path) -> str:
    return f".{dest.name}.old"


def _lock_path(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _remove(path: Path) -> None:
    """Remove a file, a link (not what it points to) or a folder tree."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def _notice(message: str) -> None:
    """One line on stderr (through logging: a notebook shows it, a test can catch it)."""
    import logging

    logging.getLogger("prodstats").warning(message)


@contextmanager
def locked(outputs: list[Output]):
    """Hold an exclusive lock on each output for the block: ``fcntl.flock`` on ``.NAME.lock``
    beside it (made when missing, and left in place: removing a lock file lets two builds each
    lock a file of their own). A second build of the same output does not wait: it stops at
    once, before reading anything.

    Raises:
        BuildError: another build holds the lock of an output; names it and that build's
            process.
    """
    import fcntl

    handles: list[int] = []
    try:
        for out in sorted(outputs, key=lambda o: str(o.dest)):  # one order: no deadlock
            path = _lock_path(out.dest)
            if not out.dest.parent.is_dir():
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
            except OSError as exc:
                raise BuildError(f"{path}: the lock file of {out.name or out.dest} cannot be "
                                 f"opened ({exc.strerror or exc}); check the permissions of "
                                 f"{out.dest.parent}") from None
            handles.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 24, 0).decode("ascii", "replace").strip()
                who = f" (process {holder})" if holder.isdigit() else ""
                raise BuildError(f"{out.dest}: another build{who} is writing "
                                 f"{out.name or 'this output'} right now; wait until it ends, "
                                 "then run this build again") from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        for fd in handles:
            os.close(fd)  # closing releases the lock


def _stale(dest: Path) -> tuple[list[Path], list[Path]]:
    """What earlier builds of ``dest`` left beside it: previous outputs ``.NAME.old`` or
    ``.NAME.old-PID[-N]``, and temporary folders ``.NAME.tmp-PID-*``, both of processes that
    no longer run.
    """
    olds, temps = [], []
    old, tmp = _old_prefix(dest), _temp_prefix(dest)
    for entry in dest.parent.iterdir():
        name = entry.name
        if name == old or name.startswith(old + "-"):
            pid = name[len(old) + 1:].split("-", 1)[0]
            kind = olds
        elif name.startswith(tmp):
            pid = name[len(tmp):].split("-", 1)[0]
            kind = temps
        else:
            continue
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # a build that runs right now (one of an older prodstats: no lock)
        kind.append(entry)
    return sorted(olds), sorted(temps)


def clean_stale(dest: Path) -> list[str]:
    """Remove what an interrupted or failed earlier build of ``dest`` left beside it (see
    :func:`_stale`). A previous output without ``NAME`` is one whose swap was cut short: it is
    put back. What cannot be removed is reported in one line each and left; the build goes on.
    Returns what was done, one phrase each.
    """
    done: list[str] = []
    if not dest.parent.is_dir():
        return done
    olds, temps = _stale(dest)
    if olds and not (dest.exists() or dest.is_symlink()):
        newest = max(olds, key=lambda p: p.lstat().st_mtime_ns)
        try:
            newest.replace(dest)
            olds.remove(newest)
            done.append(f"restored {dest.name} from {newest.name}")
        except OSError as exc:
            _notice(f"{newest}: the previous {dest.name} could not be put back "
                    f"({exc.strerror or exc}); move it to {dest} by hand if you need it")
    for entry in olds + temps:
        try:
            _remove(entry)
            done.append(f"removed {entry.name}")
        except OSError as exc:
            _notice(f"{entry}: left by an earlier build, cannot be removed "
                    f"({exc.strerror or exc}); skipped it; remove it by hand")
    return done


def publish(outputs: list[Output]) -> None:
    """Write each output completely in a temporary sibling, then swap them all into place.

    Args:
        outputs: the destinations and how to fill them (see :class:`Output`); no two the same.

    If a writer fails (or the build is interrupted) while writing, every temporary folder is
    removed and the destinations are untouched. The swap is a rename per output, done with
    SIGINT and SIGTERM held back; if a rename fails, the outputs already swapped are put back,
    and a :class:`~prodstats.errors.PublishError` says what was and was not changed. Hold
    :func:`locked` around the whole build, so that no other build swaps the same outputs.
    """
    if len({o.dest for o in outputs}) != len(outputs):
        raise ValueError(f"two outputs share a destination: {[str(o.dest) for o in outputs]}")
    PUBLISHED.clear()
    staged: list[tuple[Output, Path]] = []
    try:
        for out in outputs:
            out.dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f"{_temp_prefix(out.dest)}{os.getpid()}-",
                                        dir=out.dest.parent))
            staged.append((out, tmp))
            out.fill(tmp)
            if out.file and not (tmp / out.dest.name).is_file():
                raise FileNotFoundError(f"the writer of {out.dest} wrote no {out.dest.name}")
        checkpoint()  # the last moment an interrupt leaves every output as it was
    except BaseException:
        with _signals_held():
            for _, tmp in staged:
                shutil.rmtree(tmp, ignore_errors=True)
        raise
    with _signals_held():
        _swap(staged)
        PUBLISHED.extend(o.dest for o in outputs)


def _fresh_old(dest: Path) -> Path:
    """A name, not taken, to keep the previous output under while the new one moves in."""
    base = dest.parent / f"{_old_prefix(dest)}-{os.getpid()}"
    old, n = base, 0
    while old.exists() or old.is_symlink():
        n += 1
        old = base.with_name(f"{base.name}-{n}")
    return old


def _swap(staged: list[tuple[Output, Path]]) -> None:
    """Rename each staged output into place, keeping the previous one as ``.NAME.old-PID``
    until all are in place; on a failure, put back what was swapped.
    """
    done: list[tuple[Output, Path, Path | None]] = []
    try:
        for out, tmp in staged:
            done.append((out, tmp, _swap_one(out, tmp)))
    except OSError as exc:
        replaced = _undo(done)
        for _, tmp in staged:
            shutil.rmtree(tmp, ignore_errors=True)
        raise PublishError(exc, [o.name or str(o.dest) for o, _ in staged], replaced) from exc
    for out, tmp, old in done:
        if out.file:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            with suppress(OSError):  # else the next build removes it (clean_stale)
                _remove(old)


def _swap_one(out: Output, tmp: Path) -> Path | None:
    """Move the staged output to its place; return where the previous one now is (or None)."""
    dest = out.dest
    new = tmp / dest.name if out.file else tmp
    if not out.file:
        tmp.chmod(0o755)  # mkdtemp makes it private
    old = None
    if dest.exists() or dest.is_symlink():
        old = _fresh_old(dest)
        dest.replace(old)
    try:
        new.replace(dest)
    except OSError:
        if old is not None:
            old.replace(dest)
        raise
    return old


def _undo(done: list[tuple[Output, Path, Path | None]]) -> list[str]:
    """Put back the previous version of each swapped output; return those left replaced."""
    replaced = []
    for out, tmp, old in reversed(done):
        dest = out.dest
        try:
            dest.replace(tmp / dest.name if out.file else tmp)
            if old is not None:
                old.replace(dest)
        except OSError:
            replaced.append(out.name or str(dest))
    return replaced


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
        "series": (schemas.SERIES, "Observations resolved into series points, per scenario "
                                   "and reading, with the forward statements beside them."),
        "conflicts": (schemas.CONFLICTS, "Pairs of observations that cannot both be true under "
                                      "a reading."),
        "outcomes": (schemas.OUTCOMES, "The promise tracker: every forecast, target, pledge, "
                     "proposal or aspiration, who said it and when, against what was observed "
                     "for its period: met, missed, pending, superseded or no_data."),
        "target_history": (schemas.TARGET_HISTORY, "Every target, pledge or proposal with its "
                           "revisions, oldest first: how often a goal slipped and how its "
                           "figure moved."),
        "projections": (ProjectionSchema.to_schema(), "Projections with 80 % and 95 % "
                        "prediction intervals."),
        "feasibility": (FeasibilitySchema.to_schema(), "For each target claim: the chance of "
                        "reaching it and the growth it requires."),
    }


def _field(name: str, column) -> dict:  # noqa: C901 (one flat mapping per check)
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
            desc = markdown_text(f["description"], keep="_|")  # snake_case stays readable
            enum = f.get("constraints", {}).get("enum")
            if enum:
                desc += " One of: " + ", ".join(f"`{v}`" for v in enum) + "."
            desc = desc.replace("|", "\\|")  # a pipe escaped, so it stays in its cell
            lines.append(f"| `{col}` | {f['type']} | {req} | {f.get('unit', '')} | {desc} |")
        lines.append("")
    return "\n".join(lines)
