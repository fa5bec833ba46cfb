"""Adding a source in one command (``python -m prodstats add-source``).

The text is copied byte for byte to ``<raw>/texts/<id>.txt``, its sha256 computed, and a row
appended to ``<raw>/sources.csv`` (in the file's own column order and line endings). Every check
runs before anything is written: an id, a text file name or a text that is already archived,
a date that is not one, a missing value, a text that is no regular file or is too large, and
a row that the ledger's own validation would refuse are refused with one line each and nothing
changes. The text is read with a bounded size, never from a pipe or a device.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from prodstats.errors import LedgerError, Problem, _show, polled_interrupts
from prodstats.languages import guess
from prodstats.uncoded import FORMULA_LIKE, PROJECT_RAW

#: A source id: lower-case ASCII letters, digits and hyphens (as sources.csv requires).
SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
#: The longest source id (it names the archived file, texts/<id>.txt).
ID_LIMIT = 100
#: The largest sources.csv read (bytes).
TABLE_LIMIT = 200_000_000
#: A date written to its precision: 2025-01-17 (day), 2024-01 (month), 2024 (year).
DATE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")
TITLE_ORIGINS = ("original", "descriptive")
DATE_BASES = ("stated", "inferred")
#: Columns add-source fills; sources.csv must have them.
NEEDED = ("source_id", "outlet", "title", "title_origin", "language", "published",
          "published_precision", "published_basis", "text_file", "sha256")
#: Frequent short words, to tell German from English when --language is not given.
DE_WORDS = frozenset(["der", "die", "das", "und", "nicht", "ist", "mit", "von", "zu", "den",
                       "sich", "auf", "für", "des", "dem", "ein", "eine", "im", "wurde", "hat",
                       "sei", "auch"])
EN_WORDS = frozenset(["the", "and", "of", "to", "is", "with", "that", "for", "on", "was", "has",
                       "by", "from", "it", "are", "were", "this", "have", "said"])


@dataclass(frozen=True)
class Added:
    """What add-source wrote.

    Attributes:
        source_id: the new source's id.
        text_file: the archived text, relative to the ledger folder (``texts/<id>.txt``).
        sha256: the text's hash.
        line: the new row's line in sources.csv.
        language: the language recorded.
        language_guessed: True when the language was told from the text, not given.
    """

    source_id: str
    text_file: str
    sha256: str
    line: int
    language: str
    language_guessed: bool


def _check_formulas(refuse, options: dict[str, str]) -> None:
    """No free-text option may begin like a spreadsheet formula."""
    for option, value in options.items():
        if FORMULA_LIKE.match(value):
            refuse(option, f"{value!r} begins like a spreadsheet formula; start it with a word")


def add_source(text_path: str | Path, source_id: str, outlet: str, published: str, title: str,
               *, raw: str | Path | None = None, title_origin: str = "original",
               authors: str = "", editors: str = "", wire_agency: str = "",
               language: str | None = None, published_basis: str = "stated",
               published_note: str = "", url: str = "", accessed: str = "") -> Added:
    """Archive a text and append its row to ``sources.csv``.

    Args:
        text_path: the text to archive, UTF-8; it is copied byte for byte.
        source_id: the new id (lower-case letters, digits, hyphens).
        outlet: who published it.
        published: the publication date to its precision: ``2025-01-17``, ``2024-01``, ``2024``.
        title: the text's title (or one you write: ``title_origin='descriptive'``).
        raw: the ledger folder (default: the project's ``data/raw``).
        title_origin: ``original`` or ``descriptive``.
        authors: as credited, separated by ``; ``.
        editors: as credited, separated by ``; ``.
        wire_agency: the agency behind the text, if any.
        language: ISO 639-1; told from the text (German or English) when None.
        published_basis: ``stated`` or ``inferred`` (then ``published_note`` says how).
        published_note: how the date was established.
        url: the address of the original.
        accessed: the date it was archived.

    Returns:
        What was written.

    Raises:
        LedgerError: one line per problem; nothing was written.
    """
    folder = PROJECT_RAW if raw is None else Path(raw)
    sources_path = folder / "sources.csv"
    text_path = Path(text_path)
    problems: list[Problem] = []

    def refuse(where: str, message: str) -> None:
        problems.append(Problem(where, None, None, None, message))

    # Load: the text, and the sources table as it is
    data, text = _read_text(text_path, refuse)
    header, rows, newline = _read_sources(sources_path, refuse)
    if problems:
        raise LedgerError(problems)
    # Process: check every value, then build the row
    name = f"texts/{source_id}.txt"
    digest = hashlib.sha256(data).hexdigest()
    _check_values(refuse, source_id, outlet, published, title, title_origin, published_basis,
                  published_note, accessed, language)
    _check_new(refuse, folder, sources_path, rows, source_id, name, digest, text_path)
    _check_formulas(refuse, {"--outlet": outlet, "--title": title, "--authors": authors,
                             "--editors": editors, "--wire-agency": wire_agency,
                             "--published-note": published_note, "--url": url})
    guessed = language is None
    if guessed:
        language = _guess_language(text)
        if language is None:
            refuse(str(text_path), "cannot tell whether the text is German, English, French "
                                   "or Spanish; pass --language (an ISO 639-1 code such as "
                                   "'de', 'en', 'fr', 'es', 'uk')")
    missing = [c for c in NEEDED if c not in header]
    if missing:
        refuse(str(sources_path), f"the header lacks {', '.join(missing)}; restore the "
                                  "columns of docs/codebook.md §1")
    if problems:
        raise LedgerError(problems)
    values = {"source_id": source_id, "outlet": outlet, "wire_agency": wire_agency,
              "title": title, "title_origin": title_origin, "authors": authors,
              "editors": editors, "language": language, "published": published,
              "published_precision": _precision(published), "published_basis": published_basis,
              "published_note": published_note, "url": url, "accessed": accessed,
              "text_file": name, "sha256": digest}
    # the row as the ledger's validation will read it: refused now, not after it is written
    problems += _row_problems(values, sources_path, _next_line(sources_path))
    if problems:
        raise LedgerError(problems)
    # Save: the text first (never over an existing file), then the row; undo the text if the
    # row cannot be written
    target = folder / name
    with polled_interrupts():  # a Ctrl-C now is a flag: the text and its row are both written
        return _save(target, data, sources_path, header, values, newline, source_id, name,
                     digest, str(language), guessed)


def _save(target: Path, data: bytes, sources_path: Path, header: list[str], values: dict,
          newline: str, source_id: str, name: str, digest: str, language: str,
          guessed: bool) -> Added:
    """Write the text (never over an existing file), then the row; undo the text if the row
    cannot be written.
    """
    try:
        target.parent.mkdir(exist_ok=True)
        with target.open("xb") as handle:
            handle.write(data)
    except OSError as exc:
        raise LedgerError([Problem(str(target), None, None, None, f"cannot be written "
                                   f"({exc.strerror}); check the folder")]) from None
    try:
        line = _append_row(sources_path, [values.get(c, "") for c in header], newline)
    except OSError as exc:
        target.unlink()
        raise LedgerError([Problem(str(sources_path), None, None, None, f"cannot be written "
                                   f"({exc.strerror}); nothing was added")]) from None
    return Added(source_id, name, digest, line, language, guessed)


def _read_bounded(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most ``limit`` bytes, or (None, why not). Never waits
    on a pipe, never reads a device.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, "no such file"
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file (a folder, pipe or device)"
        if info.st_size > limit:
            return None, f"{info.st_size:,} bytes, more than the {limit:,} allowed"
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, f"more than the {limit:,} bytes allowed (it grew while read)"
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror})"
    finally:
        os.close(fd)


def _read_text(path: Path, refuse) -> tuple[bytes, str]:
    from prodstats.read import TEXT_LIMIT

    data, why = _read_bounded(path, TEXT_LIMIT)
    if data is None:
        if why == "no such file":
            refuse(str(path), "no such file; pass the text file to archive")
        elif why.startswith(("not a regular", "cannot")):
            refuse(str(path), f"{why}; pass a readable text file")
        else:
            refuse(str(path), f"{why} for a source text; archive only the article's text")
        return b"", ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        refuse(str(path), f"not valid UTF-8 (byte {exc.start}); save the text as UTF-8 first")
        return data, ""
    if "\x00" in text:
        refuse(str(path), "holds a NUL byte, so it is not a plain text; archive the article's "
                          "text as UTF-8 plain text")
    elif not text.strip():
        refuse(str(path), "the file is empty; archive the source's full text")
    return data, text


def _read_sources(path: Path, refuse) -> tuple[list[str], list[dict[str, str]], str]:
    """The header, rows and line ending of sources.csv."""
    raw, why = _read_bounded(path, TABLE_LIMIT)
    if raw is None:
        refuse(str(path), f"{why}; pass --raw, the ledger folder that holds sources.csv as a "
                          "CSV file")
        return [], [], "\n"
    newline = "\r\n" if raw.split(b"\n", 1)[0].endswith(b"\r") else "\n"
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        rows = list(reader)
        return list(reader.fieldnames or []), rows, newline
    except (UnicodeDecodeError, csv.Error) as exc:
        refuse(str(path), f"cannot be read ({exc}); run python -m prodstats validate first")
        return [], [], newline


def _check_values(refuse, source_id: str, outlet: str, published: str, title: str,
                  title_origin: str, basis: str, note: str, accessed: str,
                  language: str | None) -> None:
    _check_id(refuse, source_id)
    for option, value in (("--outlet", outlet), ("--title", title)):
        if not value.strip():
            refuse(option, "empty; sources.csv needs it")
    for option, value in (("--published", published), ("--accessed", accessed)):
        if value and _precision(value) is None:
            refuse(option, f"{value!r} is not a date; write 2025-01-17, 2024-01 or 2024 "
                           "(ASCII digits)")
    if title_origin not in TITLE_ORIGINS:
        refuse("--title-origin", f"{title_origin!r}: use one of {', '.join(TITLE_ORIGINS)}")
    if basis not in DATE_BASES:
        refuse("--published-basis", f"{basis!r}: use one of {', '.join(DATE_BASES)}")
    elif basis == "inferred" and not note.strip():
        refuse("--published-note", "empty, but the date is inferred; say how you worked it "
                                   "out (e.g. \"the treaty signed 'heute' was signed on 17 "
                                   "January 2025\")")
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        refuse("--language", f"{language!r}: use a two-letter ISO 639-1 code such as 'de'")


def _check_id(refuse, source_id: str) -> None:
    if not SOURCE_ID.fullmatch(source_id):
        shown = source_id if len(source_id) <= 60 else source_id[:56] + "…"
        refuse("--id", f"{shown!r}: use lower-case ASCII letters, digits and hyphens, "
                       "e.g. 'reuters-2024-03-us-shells'")
    elif len(source_id) > ID_LIMIT:
        refuse("--id", f"{len(source_id)} characters, more than {ID_LIMIT}; a source id names "
                       "its text file, so keep it short, e.g. 'reuters-2024-03-us-shells'")


def _check_new(refuse, folder: Path, sources_path: Path, rows: list[dict[str, str]],
               source_id: str, name: str, digest: str, text_path: Path) -> None:
    """Refuse an id, a text file name or a text that the ledger has already."""
    if not SOURCE_ID.fullmatch(source_id) or len(source_id) > ID_LIMIT:
        return  # refused already; it names no file
    for line, row in enumerate(rows, start=2):
        if row.get("source_id") == source_id:
            refuse(f"{sources_path}:{line}", f"source_id {source_id!r} exists already; choose "
                                             "another --id")
        elif row.get("text_file") == name:
            refuse(f"{sources_path}:{line}", f"text_file {name!r} is taken by "
                                             f"{row.get('source_id')!r}; choose another --id")
        if row.get("sha256") == digest:
            refuse(str(text_path), f"the same text is archived already as "
                                   f"{row.get('text_file')} (source {row.get('source_id')!r}, "
                                   f"{sources_path}:{line}); code it there")
    target = folder / name
    if target.exists() and not any(r.get("text_file") == name for r in rows):
        refuse(str(target), "exists already, though no source names it; move it away or "
                            "choose another --id")
    known = {r.get("sha256") for r in rows}
    texts = folder / "texts"
    if texts.is_dir():
        for other in sorted(texts.iterdir()):
            if other.is_file() and hashlib.sha256(other.read_bytes()).hexdigest() == digest \
                    and digest not in known:
                refuse(str(text_path), f"the same text is archived already as "
                                       f"texts/{other.name}; code it there")


def _next_line(path: Path) -> int:
    """The line the appended row will start on."""
    data, _ = _read_bounded(path, TABLE_LIMIT)
    if not data:
        return 2
    return data.count(b"\n") + (1 if data.endswith(b"\n") else 2)


def _row_problems(values: dict[str, object], sources_path: Path, line: int) -> list[Problem]:
    """What the ledger's validation (schema, control characters, dates) says of the new row,
    as it will stand on ``line`` of sources.csv.
    """
    import pandas as pd

    from prodstats.read import SOURCE_COLUMNS, Table, _tidy, label
    from prodstats.schemas import SOURCES
    from prodstats.validate import check_schema, check_sources

    cells = {c: [None if values.get(c) in (None, "") else str(values[c])]
             for c in SOURCE_COLUMNS}
    frame = _tidy(pd.DataFrame(cells, dtype="str"))
    table = Table("sources", sources_path, label(sources_path), frame, _lines=[line])
    problems = check_schema(table, SOURCES)
    if table.frame is not None and not problems:
        problems += check_sources(table)
    options = {"outlet", "wire_agency", "title", "title_origin", "authors", "editors",
               "language", "published", "published_basis", "published_note", "url", "accessed"}
    return [Problem(f"--{p.column.replace('_', '-')}", None, None, None,
                    f"{_show(p.found)}: {p.message}" if p.found is not None else p.message)
            if p.column in options else p for p in problems]


def _precision(date: str) -> str | None:
    """``day``, ``month`` or ``year`` for a valid date written to its precision, else None."""
    m = DATE.fullmatch(date)
    if m is None:
        return None
    try:
        dt.date(int(m["year"]), int(m["month"] or 1), int(m["day"] or 1))
    except ValueError:
        return None
    return "day" if m["day"] else "month" if m["month"] else "year"


def _guess_language(text: str) -> str | None:
    """'de', 'en', 'fr' or 'es' when the text's frequent short words say so clearly, else
    None.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    de = sum(w in DE_WORDS for w in words)
    en = sum(w in EN_WORDS for w in words)
    if de >= 5 and de >= 2 * en:
        return "de"
    if en >= 5 and en >= 2 * de:
        return "en"
    return guess(words)  # French, Spanish (prodstats.languages)


def _append_row(path: Path, cells: list[str], newline: str) -> int:
    """Append one CSV row; return its line number."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow(cells)
    existing = path.read_bytes()
    ended = not existing or existing.endswith(b"\n")
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(("" if ended else newline) + buffer.getvalue())
    return existing.count(b"\n") + (1 if ended else 2)
