"""The sources table (``data/raw/sources.csv``), its schema, and the archived source texts.

Each source text is kept verbatim under ``data/raw/texts/``; its sha256 in the table catches an
edited text.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from prodstats.errors import Problem
from prodstats.periods import PeriodError, parse_period
from prodstats.tables import LineMap, read_table, schema_problems

PRECISIONS = ["day", "month", "year"]
DATE_BASES = ["stated", "inferred"]
TITLE_ORIGINS = ["original", "descriptive"]


class SourceSchema(pa.DataFrameModel):
    """One row per source: an article, a post or a statement that claims are coded from."""

    source_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9][a-z0-9-]*$",
        description="Stable id of the source: lower-case letters, digits and hyphens.",
        metadata={"hint": "use lower-case letters, digits and hyphens, e.g. 'reuters-2024-01-ua'"})
    outlet: Series[str] = pa.Field(description="The outlet that published the text.")
    wire_agency: Series[str] = pa.Field(nullable=True,
                                        description="The wire agency behind the text, if any.")
    title: Series[str] = pa.Field(description="The title, or a descriptive one if it has none.")
    title_origin: Series[str] = pa.Field(
        isin=TITLE_ORIGINS, description="original: the text's own title; descriptive: written by the coder.",
        metadata={"allowed": TITLE_ORIGINS})
    authors: Series[str] = pa.Field(nullable=True,
                                    description="Authors as credited, separated by '; '.")
    editors: Series[str] = pa.Field(nullable=True,
                                    description="Editors as credited, separated by '; '.")
    language: Series[str] = pa.Field(
        str_matches=r"^[a-z]{2}$", description="ISO 639-1 code of the text's language.",
        metadata={"hint": "use a two-letter ISO 639-1 code such as 'de' or 'en'"})
    published: Series[str] = pa.Field(
        description="Publication date, written to its precision: 2025-01-17, 2024-01 or 2024.")
    published_precision: Series[str] = pa.Field(
        isin=PRECISIONS, description="Precision of the publication date.",
        metadata={"allowed": PRECISIONS})
    published_basis: Series[str] = pa.Field(
        isin=DATE_BASES, description="stated: the text or outlet gives the date; inferred: "
        "established from events in the text.", metadata={"allowed": DATE_BASES})
    published_note: Series[str] = pa.Field(nullable=True,
                                           description="How the date was established.")
    url: Series[str] = pa.Field(nullable=True, description="Address of the original; empty if unknown.")
    accessed: Series[str] = pa.Field(nullable=True, description="Date the text was archived.")
    text_file: Series[str] = pa.Field(
        description="Path of the archived text, relative to the raw folder.")
    sha256: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="sha256 of the archived text file's bytes.",
        metadata={"hint": "64 lower-case hex digits; compute with: sha256sum FILE"})

    class Config:
        """Columns are exactly these; cells are text."""

        strict = True
        coerce = True


COLUMNS = list(SourceSchema.to_schema().columns)
REQUIRED = [c for c in COLUMNS if c not in ("wire_agency", "editors", "published_note", "url",
                                            "accessed")]


def load_sources(raw: Path, label_root: Path | None = None
                 ) -> tuple[pd.DataFrame | None, dict[str, str], list[Problem]]:
    """Read and check ``sources.csv`` and the texts it names.

    Returns:
        The sources frame, the texts by source_id (only those that exist and match their hash,
        so quotes are not checked against an edited text), and the problems found.
    """
    path = raw / "sources.csv"
    label = _label(path, label_root)
    frame, problems = read_table(path, COLUMNS, REQUIRED, label)
    if frame is None:
        return None, {}, problems
    lines = LineMap(path, label)
    frame, found = schema_problems(SourceSchema, frame, lines)
    problems += found
    texts: dict[str, str] = {}
    dates = {pair: _check_date(*pair) for pair in
             set(zip(frame["published"].tolist(), frame["published_precision"].tolist()))}
    names = frame["text_file"].tolist()
    contents = _read_all(raw, names)
    rows = zip(frame["source_id"].tolist(), frame["published"].tolist(),
               frame["published_precision"].tolist(), names, frame["sha256"].tolist(), contents)
    for index, (sid, published, precision, name, sha, (data, digest)) in enumerate(rows):
        for column, found, message in dates[(published, precision)]:
            problems.append(Problem(label, lines(index), column, found, message))
        if not isinstance(name, str):
            continue
        if data is None:
            problems.append(Problem(label, lines(index), "text_file", name,
                                    f"no such file under {_label(raw, label_root)}/; archive "
                                    "the source text there, verbatim, as UTF-8"))
        elif isinstance(sha, str) and digest != sha:
            problems.append(Problem(
                label, lines(index), "sha256", sha,
                f"{name} now hashes to {digest}: the text was changed since it was "
                "coded; restore the original, or if the change is a deliberate correction, "
                "re-check every quote of this source and record the new hash"))
        elif data is False:
            problems.append(Problem(label, lines(index), "text_file", name,
                                    "the text is not valid UTF-8; save it as UTF-8"))
        else:
            texts[sid] = data
    return frame, texts, problems


def _read_all(raw: Path, names: list[object]) -> list[tuple[object, str | None]]:
    """Text and sha256 of each text file. The text is None where the file is missing, and False
    where it is not UTF-8.

    One file after another: reading, hashing and decoding 10,000 texts (100 MB) takes about
    0.3 s this way, and longer with a thread pool (the threads contend for the GIL).
    :func:`prodstats.claims.load` overlaps it with reading the claims instead.
    """
    folder = str(raw)

    def one(name: object) -> tuple[object, str | None]:
        if not isinstance(name, str):
            return None, None
        try:
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None, None
        digest = hashlib.sha256(data).hexdigest()
        try:
            return data.decode("utf-8"), digest
        except UnicodeDecodeError:
            return False, digest

    return [one(n) for n in names]


def _check_date(published: object, precision: object) -> list[tuple[str, str, str]]:
    """``(column, found, message)`` for what is wrong with a publication date."""
    if not isinstance(published, str) or precision not in PRECISIONS:
        return []
    try:
        period = parse_period(published)
    except PeriodError as exc:
        return [("published", published, str(exc))]
    if period.precision != precision:
        return [("published", published,
                 f"written to {period.precision} precision but published_precision says "
                 f"'{precision}'; make the two agree")]
    return []


def _label(path: Path, root: Path | None) -> str:
    """How a path is shown in messages: relative to ``root`` when possible."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
