"""The claim ledger: indicators and claims tables, their schemas, the qualifier rules, and
:func:`load`, which validates a raw folder and converts values to canonical units.

Every check runs and every failure is reported (lazy validation); a ledger with any problem
raises :class:`~prodstats.errors.LedgerError` carrying one line per problem.
"""

from __future__ import annotations

import difflib
import gc
import math
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from prodstats.errors import LedgerError, Problem
from prodstats.parallel import Forked
from prodstats.periods import PeriodError, parse_period, split_candidates
from prodstats.sources import _label, load_sources
from prodstats.tables import (LineMap, byte_at, formula_like, parse_numbers, read_table,
                              schema_problems, unique_problems)
from prodstats.units import UnitParseError, factor, is_rate_of, parse_unit

PROJECT_RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

KINDS = ["level", "ratio", "share"]
MODALITIES = ["actual", "estimate", "expected", "target", "pledge", "proposal"]
CONFIDENCES = ["verified", "official", "unverified", "disputed"]


@dataclass(frozen=True)
class Qualifier:
    """How a vague word maps to bounds.

    Relative qualifiers scale the stated value: ``low = value × low_factor``. Scale words
    ("dozens") give absolute bounds and need no value; their value defaults to the geometric
    midpoint of the bounds, rounded to two significant digits.
    """

    name: str
    low_factor: float | None
    high_factor: float | None
    low_abs: float | None = None
    high_abs: float | None = None
    cues: str = ""

    @property
    def is_scale(self) -> bool:
        """True for scale words such as 'dozens', which need no stated value."""
        return self.low_abs is not None


#: The rule table. docs/codebook.md shows it; a test keeps the two equal.
QUALIFIERS = {q.name: q for q in (
    Qualifier("exact", 1.0, 1.0, cues="a figure stated without hedging"),
    Qualifier("about", 0.9, 1.1, cues="etwa, rund, ungefähr, circa; about, around, some"),
    Qualifier("nearly", 0.9, 1.0, cues="fast, knapp, beinahe; nearly, almost, just under"),
    Qualifier("more_than", 1.0, 1.25, cues="mehr als, über; more than, over"),
    Qualifier("at_least", 1.0, 1.25, cues="mindestens; at least"),
    Qualifier("less_than", 0.75, 1.0, cues="weniger als, unter; less than, under"),
    Qualifier("up_to", 0.5, 1.0, cues="bis zu; up to, as many as"),
    Qualifier("dozens", None, None, 24, 99, cues="Dutzende; dozens"),
    Qualifier("hundreds", None, None, 200, 999, cues="Hunderte; hundreds"),
    Qualifier("thousands", None, None, 2_000, 9_999, cues="Tausende; thousands"),
    Qualifier("millions", None, None, 2e6, 9.99e6, cues="Millionen; millions"),
    Qualifier("billions", None, None, 2e9, 9.99e9, cues="Milliarden, in Milliardenhöhe; billions"),
)}


class IndicatorSchema(pa.DataFrameModel):
    """The vocabulary of what is measured."""

    indicator_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z][a-z0-9_]*$", description="Stable id of the indicator.",
        metadata={"hint": "use lower-case letters, digits and underscores"})
    description: Series[str] = pa.Field(description="What is measured, and of what.")
    canonical_unit: Series[str] = pa.Field(
        description="pint unit every level of this indicator is converted to, e.g. rounds/year.")

    class Config:
        """Columns are exactly these."""

        strict = True
        coerce = True


class ClaimSchema(pa.DataFrameModel):
    """One row per quantitative claim, coded by hand from a source text."""

    claim_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Stable id of the claim; never reused.",
        metadata={"hint": "use letters, digits, '-', '_' and '.', e.g. 'dpa250117-03'"})
    source_id: Series[str] = pa.Field(description="The source the claim is coded from.")
    quote: Series[str] = pa.Field(
        description="Verbatim substring of the source text, in its original language.")
    quote_en: Series[str] = pa.Field(description="English translation of the quote.")
    speaker: Series[str] = pa.Field(nullable=True,
                                    description="Who made the claim; empty when it is the outlet's own.")
    speaker_role: Series[str] = pa.Field(nullable=True, description="The speaker's role.")
    channel: Series[str] = pa.Field(
        description="How the claim was made: Facebook post, Telegram, video address, ….")
    actor: Series[str] = pa.Field(
        str_matches=r"^([A-Z]{3}|[a-z][a-z0-9_]*)$",
        description="Who the figure is about: ISO 3166 alpha-3 code, or an organisation slug.",
        metadata={"hint": "use an ISO3 country code such as 'UKR' or a lower-case slug such "
                          "as 'european_states'"})
    indicator: Series[str] = pa.Field(description="What is measured; an id from indicators.csv.")
    kind: Series[str] = pa.Field(isin=KINDS, description="level, ratio (to base_period) or share.",
                                 metadata={"allowed": KINDS})
    modality: Series[str] = pa.Field(isin=MODALITIES, description="What sort of figure it is.",
                                     metadata={"allowed": MODALITIES})
    period: Series[str] = pa.Field(
        description="When the figure holds: 2024, 2024-01, 2025-01-17, or 2023-09/2024-01.")
    value: Series[float] = pa.Field(nullable=True, description="The stated figure.",
                                    metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="pint unit of value and its bounds.")
    qualifier: Series[str] = pa.Field(
        isin=list(QUALIFIERS), description="How the figure is hedged; sets the bounds by rule.",
        metadata={"allowed": list(QUALIFIERS)})
    value_low: Series[float] = pa.Field(nullable=True,
                                        description="Lower bound; empty to take it from the qualifier rule.",
                                        metadata={"unit_column": "unit"})
    value_high: Series[float] = pa.Field(nullable=True,
                                         description="Upper bound; empty to take it from the qualifier rule.",
                                         metadata={"unit_column": "unit"})
    base_period: Series[str] = pa.Field(
        nullable=True, description="For ratios: the period compared with; alternatives as 2022|2023.")
    confidence: Series[str] = pa.Field(isin=CONFIDENCES, description="How far the figure can be trusted.",
                                       metadata={"allowed": CONFIDENCES})
    confidence_reason: Series[str] = pa.Field(description="Why that confidence level.")
    notes: Series[str] = pa.Field(nullable=True, description="Anything else a reader should know.")

    class Config:
        """Columns are exactly these."""

        strict = True
        coerce = True


CLAIM_COLUMNS = list(ClaimSchema.to_schema().columns)
CLAIM_REQUIRED = [c for c in CLAIM_COLUMNS
                  if c not in ("speaker", "speaker_role", "value_low", "value_high", "base_period",
                               "notes")]
INDICATOR_COLUMNS = list(IndicatorSchema.to_schema().columns)

#: Columns of prose, checked for formula-like starts (the others have strict vocabularies).
FREE_TEXT = ["quote", "quote_en", "speaker", "speaker_role", "channel", "confidence_reason",
             "notes"]

#: Columns whose values repeat from claim to claim: kept as Categoricals (each distinct value
#: stored and checked once).
CLAIM_CATEGORICAL = ["source_id", "speaker", "speaker_role", "channel", "actor", "indicator",
                     "kind", "modality", "period", "unit", "qualifier", "base_period",
                     "confidence", "confidence_reason"]

#: From this many claims on, :func:`load` searches the quotes in a second process; below it,
#: starting one costs more than it saves.
FORK_MIN_ROWS = 20_000

#: Columns :func:`load` adds to the claims.
DERIVED_COLUMNS = ["bounds_from", "period_start", "period_end", "period_years", "canonical_unit",
                   "value_canonical", "low_canonical", "high_canonical"]


@dataclass
class Ledger:
    """A validated ledger: the tables as DataFrames, and the source texts."""

    sources: pd.DataFrame
    indicators: pd.DataFrame
    claims: pd.DataFrame
    texts: dict[str, str]


def load(path: str | Path | None = None) -> Ledger:
    """Load and validate a ledger folder; convert every value to its canonical unit.

    Args:
        path: a folder with ``sources.csv``, ``indicators.csv``, ``claims.csv`` and ``texts/``.
            Defaults to the project's own ``data/raw``.

    Returns:
        A :class:`Ledger`. ``ledger.claims`` has the raw columns (bounds filled in by the
        qualifier rule where empty) and ``value_canonical``, ``low_canonical``,
        ``high_canonical`` in the indicator's ``canonical_unit``. Columns whose values repeat
        (:data:`CLAIM_CATEGORICAL` and the derived period and unit columns) are Categoricals.

    Raises:
        LedgerError: listing every problem, one line each.
    """
    # A load allocates millions of short-lived objects and no reference cycles: the cyclic
    # collector would walk the heap again and again for nothing. Paused here, restored after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(Path(PROJECT_RAW if path is None else path))
    finally:
        if collecting:
            gc.enable()


def _load(raw: Path) -> Ledger:
    root = Path.cwd()
    if not raw.is_dir():
        raise LedgerError([Problem(str(raw), None, None, None,
                                   "not a folder; pass the folder that holds sources.csv, "
                                   "indicators.csv, claims.csv and texts/")])
    path_claims = raw / "claims.csv"
    label = _label(path_claims, root)
    # The small tables and the source texts are read (and the texts hashed) in a second thread
    # while this one reads the claims (file reads, hashing and the CSV parser release the GIL).
    with ThreadPoolExecutor(1, thread_name_prefix="prodstats-sources") as pool:
        pending_indicators = pool.submit(_load_indicators, raw, root)
        pending_sources = pool.submit(load_sources, raw, root)
        claims, found_claims = read_table(path_claims, CLAIM_COLUMNS, CLAIM_REQUIRED, label,
                                          categorical=CLAIM_CATEGORICAL)
        indicators, found_indicators = pending_indicators.result()
        sources, texts, problems = pending_sources.result()
    problems += found_indicators + found_claims
    if claims is not None:
        lines = LineMap(path_claims, label)
        # Three lines of work at once: the quote search (a loop of Python string searches) in a
        # forked process (parallel.py); the raw figures and the unique ids (Arrow, which
        # releases the GIL) in a second thread; the schema and the row checks here.
        source = Distinct(claims["source_id"])
        figures = parse_numbers(claims, ClaimSchema)  # once, for the raw-figure and row checks
        with (Forked(_quotes_missing, claims["quote"], source, texts,
                     enabled=len(claims) >= FORK_MIN_ROWS) as quotes,
              ThreadPoolExecutor(1, thread_name_prefix="prodstats-columns") as pool):
            columns = pool.submit(_column_problems, claims, figures, lines)
            checked, found = _check_rows(claims.assign(**figures), sources, indicators, lines)
            problems += columns.result() + found  # raw-text problems first: they are the most
            # specific, and LedgerError keeps the first problem of each cell
            problems += check_quotes(claims, texts, lines, quotes.result())
        claims = checked
        if not problems:  # safety net: no claim leaves without figures unless a problem says why
            missing = claims[["value_canonical", "low_canonical", "high_canonical"]].isna().any(axis=1)
            problems += [Problem(label, lines(i), "value", None, "no figure could be derived from "
                                 "value, bounds and unit; check all three against docs/codebook.md")
                         for i in np.flatnonzero(missing.to_numpy())]
    if problems:
        raise LedgerError(problems)
    return Ledger(sources=sources, indicators=indicators, claims=claims, texts=texts)


def _check_rows(claims: pd.DataFrame, sources: pd.DataFrame | None,
                indicators: pd.DataFrame | None, lines: LineMap
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """The schema, then the cross-column checks: the claims with derived columns, problems."""
    claims, problems = schema_problems(ClaimSchema, claims, lines, unique=False)
    claims, found = check_claims(claims, sources, indicators, lines)
    return claims, problems + found


def _column_problems(claims: pd.DataFrame, figures: dict[str, pd.Series], lines: LineMap
                     ) -> list[Problem]:
    """Figures a float parser would misread (from the raw text and, where Arrow parsed them,
    the figures), and repeated ids."""
    return (_nonfinite_text(claims, ["value", "value_low", "value_high"], lines, figures)
            + unique_problems(ClaimSchema, claims, lines))


def check_quotes(claims: pd.DataFrame, texts: dict[str, str], lines: LineMap,
                 missing: np.ndarray | None = None) -> list[Problem]:
    """Each quote must be verbatim in the (hash-checked) text of its source. ``missing`` is
    the rows whose quote was not found, if the search already ran."""
    quotes, source = claims["quote"], claims["source_id"]
    if missing is None:
        missing = _quotes_missing(quotes, Distinct(source), texts)
    return [Problem(lines.label, lines(int(i)), "quote", quotes.iat[i],
                    _quote_message(quotes.iat[i], texts[source.iat[i]], source.iat[i]))
            for i in missing]


def _load_indicators(raw: Path, root: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    path = raw / "indicators.csv"
    label = _label(path, root)
    frame, problems = read_table(path, INDICATOR_COLUMNS, label=label)
    if frame is None:
        return None, problems
    lines = LineMap(path, label)
    frame, found = schema_problems(IndicatorSchema, frame, lines)
    problems += found
    for index, row in enumerate(frame.itertuples(index=False)):
        if isinstance(row.canonical_unit, str):
            try:
                parse_unit(row.canonical_unit)
            except UnitParseError as exc:
                problems.append(Problem(label, lines(index), "canonical_unit",
                                        row.canonical_unit, str(exc)))
    return frame, problems


# ---------------------------------------------------------------------------------------------
# Claim checks. Each works on whole columns, or on the distinct values of a column, so a ledger
# of a million claims costs a few passes, not a million Python calls per rule.
# ---------------------------------------------------------------------------------------------

def check_claims(claims: pd.DataFrame, sources: pd.DataFrame | None,
                 indicators: pd.DataFrame | None, lines: LineMap
                 ) -> tuple[pd.DataFrame, list[Problem]]:
    """Run the cross-column and cross-table checks (all but the quotes: :func:`check_quotes`);
    return claims with derived columns."""
    problems: list[Problem] = []
    label = lines.label
    # A cell that failed coercion was reported by the schema; treat it as empty from here on.
    # Non-finite and huge figures were reported from the raw text; they too count as empty.
    value_given = claims["value"].notna()
    figures = {}
    for col in ("value", "value_low", "value_high"):
        number = pd.to_numeric(claims[col], errors="coerce").astype(float)
        figures[col] = number.where(np.isfinite(number) & (number.abs() <= 1e15))
    claims = claims.assign(**figures)
    distinct: dict[str, Distinct] = {}

    def codes(column: str) -> Distinct:
        """The column's distinct values, factorized once (the raw columns do not change)."""
        if column not in distinct:
            distinct[column] = Distinct(claims[column])
        return distinct[column]

    def report(mask: pd.Series | np.ndarray, column: str, message) -> None:
        """Add one Problem per row in ``mask``; ``message`` is text or a function of the row."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in rows:
            found = claims[column].iat[i] if column in claims.columns else None
            text = message(i) if callable(message) else message
            problems.append(Problem(label, lines(int(i)), column,
                                    None if _isna(found) else _fmt(found), text))

    # References that exist (ids are unique by the schema).
    known_sources = set(sources["source_id"].dropna()) if sources is not None else None
    if known_sources is not None:
        bad = claims["source_id"].notna() & ~claims["source_id"].isin(known_sources)
        report(bad, "source_id", lambda i: "no such source in sources.csv"
               + _suggest(claims["source_id"].iat[i], known_sources)
               + "; add the source first or fix the id")
    canonical = {}
    if indicators is not None:
        known = indicators.dropna(subset=["indicator_id"])
        canonical = dict(zip(known["indicator_id"], known["canonical_unit"], strict=True))
        bad = claims["indicator"].notna() & ~claims["indicator"].isin(set(canonical))
        report(bad, "indicator", lambda i: "no such indicator in indicators.csv"
               + _suggest(claims["indicator"].iat[i], set(canonical))
               + "; add it there (id, description, canonical unit) or fix the id")

    # Free text that a spreadsheet would run as a formula.
    for col in FREE_TEXT:
        report(formula_like(claims[col]), col,
               "begins like a spreadsheet formula (=, +, -, @, tab or line break), which a "
               "spreadsheet would run; rephrase it so it starts with a letter or a digit")

    def parse_distinct(column: str, parse, error: type[Exception]) -> dict[str, object]:
        """Parse each distinct value of a column once; report the rows whose value fails."""
        parsed: dict[str, object] = {}
        for text in codes(column).values:
            try:
                parsed[text] = parse(text)
            except error as exc:
                parsed[text] = exc
        bad = codes(column).lookup({k: isinstance(v, error) for k, v in parsed.items()}, False,
                                   bool)
        report(bad, column, lambda i: str(parsed[claims[column].iat[i]]))
        return parsed

    periods = parse_distinct("period", parse_period, PeriodError)

    # Base periods: required for ratios, absent otherwise, each candidate before the period.
    is_ratio = claims["kind"].eq("ratio").fillna(False).to_numpy(dtype=bool)
    has_base = claims["base_period"].notna().to_numpy()
    report(is_ratio & ~has_base, "base_period",
           "a ratio needs the period it is compared with; write it (e.g. 2022), or several "
           "candidates as 2022|2023 when the text is ambiguous")
    report(~is_ratio & has_base & claims["kind"].notna().to_numpy(), "base_period",
           "only ratios have a base period; empty this cell or set kind to 'ratio'")
    pairs = claims.loc[is_ratio & has_base, ["base_period", "period"]]
    verdicts = {pair: _base_messages(*pair, periods) for pair in
                pairs.drop_duplicates().itertuples(index=False, name=None)}
    if any(verdicts.values()):
        for i in np.flatnonzero(is_ratio & has_base):
            for message in verdicts[(claims["base_period"].iat[i], claims["period"].iat[i])]:
                report(_many(len(claims), [i]), "base_period", message)

    # Units: parse each distinct unit once; dimension must fit the kind and the indicator.
    # Each (kind, indicator, unit) group gets its target unit and conversion factor.
    units = parse_distinct("unit", parse_unit, UnitParseError)
    group = Combination(codes("kind"), codes("indicator"), codes("unit"))
    conversion = _Conversion(len(group.values))
    for g, (kind, indicator, unit) in enumerate(group.values):
        if isinstance(units.get(unit), UnitParseError):
            continue
        how, message = _unit_fit(kind, unit, canonical.get(indicator))
        if message:
            report(group.codes == g, "unit", message)
        elif how:
            target = "dimensionless" if kind in ("ratio", "share") else canonical[indicator]
            conversion.add(g, how, unit, target)
    conversion = conversion.per_row(group.codes)

    # Values and bounds (numpy arrays: NaN where empty).
    kind = codes("kind")
    qualifier = codes("qualifier")
    scale = qualifier.lookup({q: r.is_scale for q, r in QUALIFIERS.items()}, False, bool)
    report(~value_given.to_numpy() & ~scale & (qualifier.codes >= 0), "value",
           "required unless the qualifier is a scale word (dozens, hundreds, …); write the figure")
    low, high, value, bounds_from = _fill_bounds(
        qualifier, claims["value"].to_numpy(), claims["value_low"].to_numpy(),
        claims["value_high"].to_numpy(), scale)
    claims = claims.assign(value=value, value_low=low, value_high=high, bounds_from=bounds_from)
    with np.errstate(invalid="ignore"):  # comparisons with NaN are False, as wanted
        below = value < 0, low < 0, high < 0
        negative = kind.lookup({"level": True}, False, bool) & (below[0] | below[1] | below[2])
        crossed = (low > high) & ~negative
        order_bad = ((low > value) | (value > high)) & ~negative & ~crossed
        ratio_bad = kind.lookup({"ratio": True}, False, bool) & (low <= 0)
    report(negative & below[0], "value", "a level cannot be negative (counts and amounts are "
                                          "≥ 0); write the figure without a sign")
    report(negative & ~below[0] & below[1], "value_low", "a level cannot be negative "
           "(counts and amounts are ≥ 0); fix the lower bound")
    report(negative & ~below[0] & ~below[1], "value_high", "a level cannot be negative "
           "(counts and amounts are ≥ 0); fix the upper bound")
    report(crossed, "value_high", lambda i: f"below value_low ({_fmt(low[i])}); the upper "
           "bound must be at least the lower one — fix the bounds or leave them to the qualifier")
    report(order_bad, "value",
           lambda i: f"outside its bounds [{_fmt(low[i])}, {_fmt(high[i])}]; "
                     "value_low ≤ value ≤ value_high must hold — fix the bounds or the qualifier")
    report(ratio_bad, "value", "a ratio must be > 0 (3 for 'tripled', 0.5 for 'halved')")

    # Canonical values (one conversion factor per unit group).
    claims = _to_canonical(claims, conversion, codes("period"), periods)
    low_c, high_c = claims["low_canonical"].to_numpy(), claims["high_canonical"].to_numpy()
    with np.errstate(invalid="ignore"):
        share_bad = kind.lookup({"share": True}, False, bool) & ((low_c < 0) | (high_c > 1))
    report(share_bad, "value",
           lambda i: f"a share must lie in 0–1, or 0–100 with unit 'percent'; with its bounds "
                     f"it reaches {_fmt(claims['low_canonical'].iat[i])}–"
                     f"{_fmt(claims['high_canonical'].iat[i])} (as a fraction)")
    return claims, problems


def _nonfinite_text(frame: pd.DataFrame, columns: list[str], lines: LineMap,
                    figures: dict[str, pd.Series] | None = None) -> list[Problem]:
    """Number cells a float parser would accept silently but wrongly.

    'nan' and 'inf' parse as floats; '3.000' parses as 3, though a German text means 3,000.
    """
    problems = []
    for col in columns:
        text = frame[col]
        # A superset of the cells to look at closely; usually a handful.
        text = text[_suspect_numbers(text, (figures or {}).get(col))].dropna()
        numbers = pd.to_numeric(text, errors="coerce")
        huge = numbers.notna() & ~np.isfinite(numbers.astype(float)) | (numbers.abs() > 1e15)
        huge &= ~text.str.fullmatch(r"[+-]?(nan|inf|infinity)", case=False)
        for i, found in text[huge].items():
            problems.append(Problem(lines.label, lines(frame.index.get_loc(i)), col, found,
                                    "not a finite figure below 1e15; write the number as "
                                    "stated in the text"))
        for pattern, message in (
            (r"[+-]?(nan|inf|infinity)", "not a finite number; write the figure, or leave the "
                                         "cell empty"),
            (r"[1-9]\d{0,2}(\.\d{3})+", "looks like a figure with '.' as thousands separator; write "
                                  "it without separators (3000), or as 3.0 if a decimal is meant"),
        ):
            bad = text[text.str.fullmatch(pattern, case=False)]
            for i, found in bad.items():
                problems.append(Problem(lines.label, lines(frame.index.get_loc(i)), col, found,
                                        message))
    return problems


def _suspect_numbers(text: pd.Series, numbers: pd.Series | None) -> np.ndarray:
    """Cells that may be nan, inf, beyond 1e15, or written as 3.000: those that ``numbers``
    (the column as Arrow parsed it) does not hold as a finite figure of at most 1e15, and those
    with a '.' before their last three characters. One pass over the column's buffers instead of
    a regex per cell."""
    dot = byte_at(text, -4)
    if dot is None or numbers is None:  # not Arrow text, or not all numbers: a regex per cell
        return _matches(text, r"[A-Za-z]|[0-9]{16}|^[1-9][0-9]{0,2}(?:[.][0-9]{3})+$")
    with np.errstate(invalid="ignore"):
        return ~(np.abs(numbers.to_numpy()) <= 1e15) | (dot == ord("."))  # NaN (NA too) is suspect


def _matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Cells that contain a match of ``pattern`` (Arrow's regex engine where the column is
    Arrow-backed); NA cells do not match."""
    try:
        import pyarrow.compute as pc

        hit = pc.match_substring_regex(text.array.__arrow_array__(), pattern)
        return hit.to_numpy(zero_copy_only=False) == True  # noqa: E712 (nulls are None)
    except (AttributeError, TypeError, ImportError):
        return text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


class Distinct:
    """A column as codes into its distinct values (-1 for NA), computed once.

    Every per-row rule that depends on one column's value (is this qualifier a scale word, how
    long is this period, …) is decided once per distinct value and spread to the rows with a
    ``take``: a million claims cost a few array operations, not a million Python calls.
    """

    def __init__(self, column: pd.Series):
        if isinstance(column.dtype, pd.CategoricalDtype):  # coded already
            self.codes = column.cat.codes.to_numpy()
            self.values: list = list(column.cat.categories)
        else:
            self.codes, uniques = pd.factorize(column, use_na_sentinel=True)
            self.values = list(uniques)

    def lookup(self, table: dict, default: object, dtype: object = None) -> np.ndarray:
        """Each row's value in ``table``; missing keys and NA give ``default``."""
        values = [table.get(u, default) for u in self.values] + [default]
        return np.asarray(values, dtype=dtype)[self.codes]  # code -1 (NA) takes the last

    def text(self, table: dict) -> pd.Categorical:
        """Like :meth:`lookup` for text results, as a Categorical: no string per row (missing
        keys and NA give NA)."""
        results = [table.get(u) for u in self.values]
        categories = list(dict.fromkeys(r for r in results if r is not None))
        position = {c: i for i, c in enumerate(categories)}
        remap = np.array([position.get(r, -1) for r in results] + [-1], dtype=np.int64)
        return _categorical(remap[self.codes], categories)  # code -1 (NA) takes the last: NA


def _quotes_missing(quotes: pd.Series, source: Distinct, texts: dict[str, str],
                    batch: int = 50_000) -> np.ndarray:
    """The rows whose quote is not in its source's text (sources without a usable text are
    reported elsewhere and count as found).

    Claims are walked in runs of the same source; each search starts where the previous quote
    of the run was found and falls back to the whole text, so claims coded in reading order are
    checked in time proportional to the gaps between quotes, not to the text's length. Rows are
    read in batches to bound memory.
    """
    names = list(texts)
    bodies = [*texts.values(), None]
    code = source.lookup({n: i for i, n in enumerate(names)}, len(names), int)
    missing = np.zeros(len(quotes), dtype=bool)
    quotes = quotes.fillna("")  # an empty quote is reported as missing elsewhere; "" is found
    for first in range(0, len(quotes), batch):
        block = quotes.iloc[first:first + batch].tolist()
        codes = code[first:first + batch]
        cuts = np.flatnonzero(np.diff(codes)) + 1
        for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(codes)].tolist(), strict=True):
            text = bodies[codes[lo]]
            if text is None:
                continue
            find = text.find
            pos = 0
            for i in range(lo, hi):
                found = find(block[i], pos)
                if found < 0:
                    found = find(block[i])
                    if found < 0:
                        missing[first + i] = True
                        continue
                pos = found
    return np.flatnonzero(missing)


def _many(n: int, positions: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return mask


def _base_messages(base_text: str, period_text: str, periods: dict) -> list[str]:
    """Problems with one distinct (base_period, period) pair."""
    period = periods.get(period_text)
    out = []
    for cand in split_candidates(base_text):
        try:
            base = parse_period(cand)
        except PeriodError as exc:
            out.append(str(exc))
            continue
        if period is not None and not isinstance(period, PeriodError) and base.end >= period.start:
            out.append(f"base {cand} does not come before the period {period.text}; a ratio "
                       "compares a later period with an earlier base")
    return out


def _isna(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating):
        if np.isfinite(value) and float(value).is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:g}"
    return str(value)


def _suggest(name: object, options: set[str]) -> str:
    options = sorted(o for o in options if isinstance(o, str))
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
               "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-",
               "\u00a0": " ", "\u202f": " ", "\u2009": " "}
_CYRILLIC = dict(zip("аеорсхуіАВЕКМНОРСТХ", "aeopcxyiABEKMHOPCTX", strict=True))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(_LOOKALIKES.get(c, _CYRILLIC.get(c, c)) for c in text)


def _quote_message(quote: str, text: str, sid: str) -> str:
    """Why a quote is not in its text: look-alike characters, spacing, or simply absent."""
    if _fold(quote) in _fold(text):
        odd = [c for c in quote if _fold(c) != c or c in _LOOKALIKES]
        shown = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in dict.fromkeys(odd))
        return (f"not verbatim in the text of {sid}: it matches only after replacing look-alike "
                f"characters [{shown}]; copy the quote from the text file itself")
    if " ".join(quote.split()) in " ".join(text.split()):
        return (f"not verbatim in the text of {sid}: the spacing or line breaks differ; copy the "
                "quote from the text file itself")
    return (f"not found in the text of {sid}; the quote must be copied verbatim from the text "
            "file (same language, quotation marks, dashes and spaces)")


def _unit_fit(kind: str, unit: str, canonical: str | None) -> tuple[str, str | None]:
    """How a claim's unit converts to its indicator's canonical unit, or why it cannot.

    Returns ``(mode, message)``: mode is 'direct' (same dimension), 'per_period' (an amount over
    the claim's period, divided by its length to give a rate), or 'ratio'; message is None when
    the unit fits.
    """
    parsed = parse_unit(unit)
    if kind == "ratio":
        if not parsed.dimensionless:
            return "", f"a ratio has no unit; write 'dimensionless' (found {parsed.dimensionality})"
        return "ratio", None
    if kind == "share":
        if not parsed.dimensionless:
            return "", "a share is written as 'dimensionless' (0–1) or 'percent' (0–100)"
        return "direct", None
    if canonical is None or not isinstance(canonical, str):
        return "", None  # unknown indicator, reported on its own
    try:
        target = parse_unit(canonical)
    except UnitParseError:
        return "", None  # bad canonical unit, reported in indicators.csv
    if parsed.dimensionality == target.dimensionality:
        return "direct", None
    if is_rate_of(canonical, unit):
        return "per_period", None
    return "", (f"has dimension {parsed.dimensionality} but the indicator is measured in "
                f"'{canonical}' ({target.dimensionality}); use a unit of that kind, or the "
                f"amount over the period (e.g. '{_amount_of(canonical)}')")


def _amount_of(canonical: str) -> str:
    text = canonical.replace(" ", "")
    return text.split("/")[0] if "/" in text else text


def _fill_bounds(qual: Distinct, value: np.ndarray, given_low: np.ndarray,
                 given_high: np.ndarray, scale: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Categorical]:
    """Fill value, value_low and value_high from the qualifier rule where the coder left them.

    Returns low, high, value and where the bounds came from ('given' or 'qualifier')."""
    def rule(attr: str) -> np.ndarray:
        table = {q: np.nan if getattr(r, attr) is None else float(getattr(r, attr))
                 for q, r in QUALIFIERS.items()}
        return qual.lookup(table, np.nan, float)

    rule_low = np.where(scale, rule("low_abs"), value * rule("low_factor"))
    rule_high = np.where(scale, rule("high_abs"), value * rule("high_factor"))
    low = np.where(np.isnan(given_low), rule_low, given_low)
    high = np.where(np.isnan(given_high), rule_high, given_high)
    derive = np.flatnonzero(scale & np.isnan(value))
    if len(derive):  # scale words without a value: a few rows
        # Geometric midpoint of the bounds; arithmetic where the lower bound is 0 (negative
        # bounds are reported by the caller).
        value = value.copy()
        for i in derive:
            lo, hi = low[i], high[i]
            mid = (math.sqrt(lo * hi) if lo > 0 and hi > 0 else
                   (lo + hi) / 2 if lo >= 0 and hi >= 0 else np.nan)
            value[i] = _round2(mid)
    given = ~np.isnan(given_low) | ~np.isnan(given_high)
    bounds_from = _categorical(given.astype(np.int8), ["qualifier", "given"])
    return low, high, value, bounds_from


def _round2(x: float) -> float:
    if not np.isfinite(x) or x <= 0:
        return x
    digits = 1 - int(math.floor(math.log10(x)))
    return float(round(x, digits))


class _Conversion:
    """The canonical unit and the factor that converts a claim's unit into it: decided once
    per (kind, indicator, unit) combination, then spread to the rows. Rows whose unit does not
    fit keep no factor, so their canonical values stay empty."""

    def __init__(self, n: int):
        self.factor = np.full(n + 1, np.nan)  # the last entry: rows without a combination
        self.per_period = np.zeros(n + 1, dtype=bool)
        self.target = np.full(n + 1, -1, dtype=np.int64)  # code into self.targets
        self.targets: list[str] = []

    def add(self, g: int, how: str, unit: str, target: str) -> None:
        if target not in self.targets:
            self.targets.append(target)
        self.target[g] = self.targets.index(target)
        if how == "per_period":  # an amount over the period: divided by its length later
            self.factor[g] = factor(f"({unit}) / year", target)
            self.per_period[g] = True
        else:
            self.factor[g] = factor(unit, target)

    def per_row(self, codes: np.ndarray) -> _Conversion:
        rows = _Conversion.__new__(_Conversion)
        rows.factor, rows.per_period, rows.target = (self.factor[codes],
                                                     self.per_period[codes], self.target[codes])
        rows.targets = self.targets
        return rows


class Combination(Distinct):
    """Rows coded by the combination of several columns' values (-1 where any is NA); the
    combinations that occur are the ``values``, as tuples."""

    def __init__(self, *columns: Distinct):
        n = len(columns[0].codes)
        key = np.zeros(n, dtype=np.int64)
        valid = np.ones(n, dtype=bool)
        size = 1
        for column in columns:
            valid &= column.codes >= 0
            key = key * (len(column.values) + 1) + column.codes
            size *= len(column.values) + 1
        if size <= 4 * n + 1024:  # a table with one slot per possible key: no sort
            present = np.flatnonzero(np.bincount(key[valid], minlength=size))
            slot = np.full(size, -1, dtype=np.int64)
            slot[present] = np.arange(len(present))
            self.codes = np.where(valid, slot[np.where(valid, key, 0)], -1)
        else:
            present, inverse = np.unique(key[valid], return_inverse=True)
            self.codes = np.full(n, -1, dtype=np.int64)
            self.codes[valid] = inverse
        self.values = []
        for k in present.tolist():  # the key's digits, last column first
            combination = []
            for column in reversed(columns):
                k, digit = divmod(k, len(column.values) + 1)
                combination.append(column.values[digit])
            self.values.append(tuple(reversed(combination)))


def _categorical(codes: np.ndarray, values: list[str]) -> pd.Categorical:
    """Text as codes into ``values`` (-1 for NA)."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype="str"),
                                     validate=False)


def _to_canonical(claims: pd.DataFrame, conversion: _Conversion, period: Distinct,
                  periods: dict[str, object]) -> pd.DataFrame:
    """Add the period columns and the values in each indicator's canonical unit."""
    good = {k: v for k, v in periods.items() if not isinstance(v, PeriodError)}
    years = period.lookup({k: v.years for k, v in good.items()}, np.nan, float)
    mult = np.where(conversion.per_period, conversion.factor / years, conversion.factor)
    return claims.assign(
        period_start=period.text({k: v.start.isoformat() for k, v in good.items()}),
        period_end=period.text({k: v.end.isoformat() for k, v in good.items()}),
        period_years=years,
        canonical_unit=_categorical(conversion.target, conversion.targets),
        value_canonical=claims["value"] * mult,
        low_canonical=claims["value_low"] * mult,
        high_canonical=claims["value_high"] * mult,
    )


class ProcessedClaimSchema(ClaimSchema):
    """A validated claim as published: the raw columns, bounds filled in, canonical values."""

    value: Series[float] = pa.Field(description="The stated figure (for scale words, the "
                                                "geometric midpoint of the bounds).",
                                    metadata={"unit_column": "unit"})
    value_low: Series[float] = pa.Field(description="Lower bound, as coded or from the qualifier rule.",
                                        metadata={"unit_column": "unit"})
    value_high: Series[float] = pa.Field(description="Upper bound, as coded or from the qualifier rule.",
                                         metadata={"unit_column": "unit"})
    bounds_from: Series[str] = pa.Field(isin=["given", "qualifier"],
                                        description="Whether the bounds were coded or come from the rule table.",
                                        metadata={"allowed": ["given", "qualifier"]})
    period_start: Series[str] = pa.Field(description="First day of the period (ISO date).",
                                         metadata={"format": "date"})
    period_end: Series[str] = pa.Field(description="Last day of the period (ISO date).",
                                       metadata={"format": "date"})
    period_years: Series[float] = pa.Field(gt=0, description="Length of the period in years.",
                                           metadata={"unit": "year"})
    canonical_unit: Series[str] = pa.Field(description="The indicator's canonical unit "
                                                       "(dimensionless for ratios and shares).")
    value_canonical: Series[float] = pa.Field(description="value in canonical_unit.",
                                              metadata={"unit_column": "canonical_unit"})
    low_canonical: Series[float] = pa.Field(description="value_low in canonical_unit.",
                                            metadata={"unit_column": "canonical_unit"})
    high_canonical: Series[float] = pa.Field(description="value_high in canonical_unit.",
                                             metadata={"unit_column": "canonical_unit"})

    class Config:
        """Columns are exactly these."""

        strict = True
        coerce = True
