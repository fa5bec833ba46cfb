"""The coder's to-do list: figures of the archived texts that no claim covers and no row of the
skip table explains (``python -m prodstats uncoded``).

A figure is covered when it lies inside a place where the quote of a claim of its source occurs
in the text, or inside a place where a ``span`` of ``data/raw/skipped.csv`` occurs (columns
``source_id``, ``span``, ``reason``). Dates are figure-like but never listed: the reader marks
them as dates (see :mod:`prodstats.figures`). Everything else the reader finds is listed: digits,
number words, scale words alone ("Dutzende"), multiples, fractions, per cent, non-ASCII digits.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prodstats.errors import LedgerError, Problem
from prodstats.figures import Figure, read_figures
from prodstats.quotecheck import fragments

#: A cell a spreadsheet would run as a formula (OWASP's CSV-injection rule, as in the codebook).
FORMULA_LIKE = re.compile(r"[=@\t\r\n]|[+-](?![0-9.]|$)")
#: The columns of the skip table, in order.
SKIP_COLUMNS = ["source_id", "span", "reason"]
SKIP_FILE = "skipped.csv"
#: The project's own ledger folder, the default.
PROJECT_RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


@dataclass(frozen=True)
class Skip:
    """A row of the skip table: a verbatim span of a source's text whose figures are no claims.

    Attributes:
        source_id: the source whose text holds the span.
        span: the verbatim text; every figure inside any place it occurs is skipped.
        reason: why the figures are not coded ("a calibre", "a date", "not a quantity").
        line: the row's line in the file (the header is line 1).
    """

    source_id: str
    span: str
    reason: str
    line: int


@dataclass(frozen=True)
class Uncoded:
    """A figure no claim covers and no skip explains.

    Attributes:
        source_id: the source.
        text_file: the text's path relative to the ledger folder (``texts/<id>.txt``).
        start: character offset of the figure in the text.
        end: character offset after the figure.
        line: 1-based line of ``start`` in the text.
        column: 1-based column (in characters) of ``start`` in its line.
        text: the verbatim figure.
    """

    source_id: str
    text_file: str
    start: int
    end: int
    line: int
    column: int
    text: str

    def __str__(self) -> str:
        return f"{self.text_file}:{self.line}:{self.column}: '{self.text}'"

    def to_dict(self) -> dict[str, object]:
        """The JSON object: ``source_id``, ``start``, ``end``, ``text``."""
        return {"source_id": self.source_id, "start": self.start, "end": self.end,
                "text": self.text}


def uncoded(raw: str | Path | None = None, only: Iterable[str] | None = None) -> list[Uncoded]:
    """Load a ledger and list its uncoded figures.

    Args:
        raw: the ledger folder (default: the project's ``data/raw``).
        only: source ids to list (default: every source).

    Returns:
        The uncoded figures, source by source in the order of ``sources.csv``, in text order.

    Raises:
        LedgerError: when the ledger or its skip table does not validate.
    """
    import prodstats

    folder = PROJECT_RAW if raw is None else Path(raw)
    ledger = prodstats.load(folder)  # the one dependency on the load: sources, claims, texts
    sources = _rows(ledger.sources, ["source_id", "text_file", "language"])
    claims = _rows(ledger.claims, ["source_id", "quote"])
    skips = read_skipped(folder / SKIP_FILE, ledger.texts, _languages(sources))
    if only is not None:
        wanted = set(only)
        sources = [s for s in sources if s["source_id"] in wanted]
    return find_uncoded(sources, claims, ledger.texts, skips)


def find_uncoded(sources: list[dict], claims: list[dict], texts: dict[str, str],
                 skips: list[Skip]) -> list[Uncoded]:
    """The figures of each text that no claim's quote and no skip span covers.

    Args:
        sources: rows with ``source_id``, ``text_file`` and ``language``.
        claims: rows with ``source_id`` and ``quote``.
        texts: the text of each source, by source_id.
        skips: the rows of the skip table.

    Returns:
        The uncoded figures (dates are never listed).
    """
    covering: dict[str, list[str]] = {}
    for claim in claims:
        if isinstance(claim["quote"], str) and claim["quote"]:  # each fragment of " … "
            covering.setdefault(str(claim["source_id"]), []).extend(fragments(claim["quote"]))
    for skip in skips:
        covering.setdefault(skip.source_id, []).append(skip.span)
    out: list[Uncoded] = []
    for source in sources:
        sid = str(source["source_id"])
        text = texts.get(sid)
        if text is None:
            continue
        cover = _Cover(text, covering.get(sid, []))
        newlines = _newlines(text)
        for figure in _figures(text, source.get("language")):
            if not cover.covers(figure.start, figure.end):
                line, column = _line_column(newlines, figure.start)
                out.append(Uncoded(sid, str(source["text_file"]), figure.start, figure.end,
                                   line, column, figure.text))
    return out


def read_skipped(path: Path, texts: dict[str, str],
                 languages: dict[str, str | None] | None = None) -> list[Skip]:
    """Read and check the skip table. A missing file is an empty table.

    Args:
        path: the ``skipped.csv`` file.
        texts: the text of each source, by source_id.
        languages: each source's language, to read its figures (default: both languages).

    Returns:
        The rows.

    Raises:
        LedgerError: one line per problem (unknown source, span not in the text or covering no
            figure, empty reason, duplicate row, wrong header).
    """
    from prodstats.errors import _show
    from prodstats.read import _outside

    if not (path.exists() or path.is_symlink()):
        return []
    label = _label(path)
    # the same rules as the other tables: no link out of the ledger, a regular file
    odd = _outside(path.parent, path) or (None if path.is_file() else (
        "not a regular file (a folder, pipe, device or broken link); save the skip table "
        "there as a CSV file"))
    if odd:
        raise LedgerError([Problem(label, None, None, None, odd)])
    header, rows = _read_csv(path, label)
    if header != SKIP_COLUMNS:
        raise LedgerError([Problem(label, 1, None, None,
                                   f"the header is {_show(','.join(header or []))}; it must be "
                                   f"exactly {','.join(SKIP_COLUMNS)}")])
    languages = languages or {}
    problems: list[Problem] = []
    skips: list[Skip] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(SKIP_COLUMNS):
            problems.append(Problem(label, line, None, None,
                                    f"{len(row)} cells, expected {len(SKIP_COLUMNS)} "
                                    f"({', '.join(SKIP_COLUMNS)}); put a cell with commas in "
                                    "double quotes"))
            continue
        sid, span, reason = row
        found = _row_problems(sid, span, reason, texts, languages.get(sid))
        if (sid, span) in seen:
            found.append(("span", span, f"the same span of {sid} as line {seen[(sid, span)]}; "
                                        "delete one of the two rows"))
        seen.setdefault((sid, span), line)
        problems += [Problem(label, line, column, value, message)
                     for column, value, message in found]
        if not found:
            skips.append(Skip(sid, span, reason, line))
    if problems:
        raise LedgerError(problems)
    return skips


def _read_csv(path: Path, label: str) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """The header and the rows of a CSV, each row with the line it starts on."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows, line = [], 2
            for row in reader:
                rows.append((line, row))
                line = reader.line_num + 1
    except UnicodeDecodeError:
        raise LedgerError([Problem(label, None, None, None,
                                   "not valid UTF-8; save the file as UTF-8")]) from None
    except csv.Error as exc:
        raise LedgerError([Problem(label, None, None, None,
                                   f"not a readable CSV ({exc}); compare it with "
                                   "the skip table in docs/codebook.md")]) from None
    return header, rows


def _row_problems(sid: str, span: str, reason: str, texts: dict[str, str],
                  language: str | None) -> list[tuple[str, str, str]]:
    """``(column, found, message)`` for what is wrong with one row of the skip table."""
    if sid not in texts:
        close = difflib.get_close_matches(sid, sorted(texts), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [("source_id", sid, f"no such source{hint}; use a source_id of sources.csv")]
    out = []
    text = texts[sid]
    if not span.strip():
        out.append(("span", span, "empty; copy the text around the figure from the text file"))
    elif span not in text:
        out.append(("span", span, f"not found in the text of {sid}; copy the span verbatim "
                                  "from the text file (same quotation marks, dashes, spaces)"))
    else:
        cover = _Cover(text, [span])
        if not any(cover.covers(f.start, f.end) for f in _figures(text, language)):
            out.append(("span", span, "covers no figure the reader finds; delete the row "
                                      "(see python -m prodstats uncoded)"))
    if not reason.strip():
        out.append(("reason", reason, "empty; say why the figure is not a claim (e.g. 'a "
                                      "calibre', 'a page number', 'not a quantity')"))
    for column, cell in (("span", span), ("reason", reason)):
        if FORMULA_LIKE.match(cell):
            out.append((column, cell, "begins like a spreadsheet formula; start it with a word "
                                      "(for a span: one word earlier in the text)"))
    return out


class _Cover:
    """The places where some spans occur in a text, to ask whether they cover a figure."""

    def __init__(self, text: str, spans: Iterable[str]):
        places = []
        for span in set(spans):
            at = text.find(span)
            while at >= 0 and span:
                places.append((at, at + len(span)))
                at = text.find(span, at + 1)
        places.sort()
        self.starts = [a for a, _ in places]
        self.reach = []  # the furthest end among places starting at or before each start
        furthest = -1
        for _, b in places:
            furthest = max(furthest, b)
            self.reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        """Whether one place holds the whole of ``start:end``.

        The furthest-reaching place that starts at or before ``start`` decides: if it does not
        reach ``end``, no earlier one does.
        """
        k = bisect_right(self.starts, start)
        return k > 0 and self.reach[k - 1] >= end


def _figures(text: str, language: object) -> list[Figure]:
    lang = language if isinstance(language, str) and language else None
    return [f for f in read_figures(text, lang) if f.kind != "date"]


def _newlines(text: str) -> list[int]:
    """The offset of every line break of a text (one pass)."""
    return [m.start() for m in re.finditer("\n", text)]


def _line_column(newlines: list[int], offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset``, from the text's :func:`_newlines` (a binary
    search: a text with many figures costs one pass, not one pass per figure).
    """
    before = bisect_left(newlines, offset)  # line breaks before the offset
    return before + 1, offset - (newlines[before - 1] if before else -1)


def _rows(frame, columns: list[str]) -> list[dict]:
    """Rows of a frame as dicts of plain values (missing columns give None)."""
    values = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _languages(sources: list[dict]) -> dict[str, str | None]:
    return {str(s["source_id"]): s.get("language") for s in sources}


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def to_json(items: list[Uncoded]) -> str:
    """The uncoded figures as one JSON line (an array of objects)."""
    return json.dumps([u.to_dict() for u in items], ensure_ascii=False)
