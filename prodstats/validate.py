"""Checking a ledger's tables: the schemas, then one named rule per thing a coder can get wrong.

Every rule sees the whole table and returns :class:`~prodstats.errors.Problem` lines; all rules
run and every failure is reported. The rules on claims come in two groups: :data:`CELL_RULES`
look at the cells as coded, :data:`FIGURE_RULES` at the figures :mod:`prodstats.ledger` derived
from them (bounds from the qualifier, canonical units).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pandera.pandas as pa

from prodstats.cells import distinct, may_hold, per_row
from prodstats.errors import Problem
from prodstats.periods import Period, PeriodError, parse_period, split_candidates
from prodstats.read import Table, suggest
from prodstats.units import UnitParseError, factor, is_rate_of, parse_unit
from prodstats.vocab import OBSERVED, PAST_ONLY, QUALIFIERS, qualifier_for

#: Columns of prose, checked for formula-like starts (the others have strict vocabularies).
FREE_TEXT = ["quote", "quote_en", "speaker", "speaker_role", "channel", "confidence_reason",
             "notes"]
#: Columns holding figures: read from text by :func:`figures`, never by a lenient parser.
NUMBERS = ["value", "value_low", "value_high"]
#: A target may lie at most this many years after the last observation of its series.
TARGET_REACH_YEARS = 25


@dataclass
class Context:
    """What the rules on claims may look up: the other tables, parsed once."""

    claims: Table
    sources: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    actors: pd.DataFrame | None = None
    texts: dict[str, str] = field(default_factory=dict)
    periods: dict[str, Period | PeriodError] = field(default_factory=dict)
    units: dict[str, object] = field(default_factory=dict)
    quoted: np.ndarray | None = None  # the rows whose quote is in their text (by quotes())

    @property
    def frame(self) -> pd.DataFrame:
        """The claims."""
        return self.claims.frame

    @cached_property
    def ids(self) -> list:
        """Each row's claim_id (read once for the rules that name other claims)."""
        return self.frame["claim_id"].tolist()

    @cached_property
    def row_of(self) -> dict[str, int]:
        """The row of each claim_id (of its last use where it is repeated)."""
        return {cid: row for row, cid in enumerate(self.ids) if isinstance(cid, str)}

    def given(self, column: str) -> list[tuple[int, str]]:
        """``(row, cell)`` for each row where ``column`` is filled in: a rule on an optional
        column (supersedes, same_as) reads those rows only.
        """
        cells = self.frame[column]
        rows = np.flatnonzero(cells.notna().to_numpy())
        return list(zip(rows.tolist(), cells.iloc[rows].tolist(), strict=True))

    def report(self, rows, column: str, message: str | Callable[[int], str]) -> list[Problem]:
        """One problem per row in ``rows`` (a mask or positions); ``message`` may depend on it."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        values = self.frame[column]
        return [self.claims.problem(int(i), column, _fmt(values.iat[i]),
                                    message(int(i)) if callable(message) else message)
                for i in rows]


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------

def check_schema(table: Table, schema: pa.DataFrameSchema) -> list[Problem]:
    """Validate a table against its schema; coerce its columns in place (figures first, from
    their text). Repeated ids are reported naming the line of the first use.
    """
    problems = control_characters(table)
    figures = [c for c in NUMBERS if c in schema.columns]
    for column in figures:
        numbers, found = read_figures(table, column)
        table.frame[column] = numbers
        problems += found
    problems += duplicates(table, schema)
    try:
        table.frame = schema.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _failures(table, schema, exc.failure_cases)
    return problems


def _failures(table: Table, schema: pa.DataFrameSchema, cases: pd.DataFrame) -> list[Problem]:
    problems = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        if check == "field_uniqueness" or case.index is None or pd.isna(case.index):
            continue  # repeats are reported by duplicates(); whole-column failures by the cells
        column = case.column if isinstance(case.column, str) else None
        found = None if pd.isna(case.failure_case) else str(case.failure_case)
        meta = (schema.columns[column].metadata or {}) if column in schema.columns else {}
        problems.append(table.problem(int(case.index), column, found,
                                      _describe(check, meta, found, column)))
    return problems


def _describe(check: str, meta: dict, found: str | None = None,
              column: str | None = None) -> str:
    """What a pandera check expected, and how to fix it."""
    hint = meta.get("hint")
    if check == "not_nullable":
        return "required but empty" + (f"; {hint}" if hint else "")
    if check.startswith("isin"):
        allowed = [str(a) for a in meta.get("allowed", [])]
        cue = qualifier_for(found) if column == "qualifier" and found else None
        close = difflib.get_close_matches(found, allowed, n=1, cutoff=0.75) if found else []
        suggestion = (f" ('{found}' is a cue for '{cue}')" if cue
                      else f" (did you mean '{close[0]}'?)" if close else "")
        return f"not an allowed value{suggestion}; use one of: {', '.join(allowed)}"
    if check.startswith("str_matches"):
        return hint or f"does not match the expected pattern {check[12:-1]}"
    if check.startswith("greater_than_or_equal_to"):
        return f"must be >= {check[25:-1]}"
    return f"failed check {check}" + (f"; {hint}" if hint else "")


def duplicates(table: Table, schema: pa.DataFrameSchema) -> list[Problem]:
    """Each repeat of a value in a column that must be unique, naming the line of its first use."""
    problems = []
    for column, spec in schema.columns.items():
        values = table.frame[column]
        if not spec.unique or values.dropna().is_unique:
            continue
        first: dict[str, int] = {}
        noun = column.removesuffix("_id")
        for row, value in enumerate(values.tolist()):
            if not isinstance(value, str):
                continue
            if value in first:
                problems.append(table.problem(row, column, value, (
                    f"duplicate id, first used on line {table.line(first[value])}; give each "
                    f"{noun} its own id")))
            else:
                first[value] = row
    return problems


# Figures are read from their text strictly: a float parser would take 'nan', 'inf', '1e400',
# '３' (fullwidth) and '3.000' (German for 3,000) without a word.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def read_figures(table: Table, column: str) -> tuple[pd.Series, list[Problem]]:
    """A figure column as floats (NaN where empty or wrong) and a problem for each wrong cell."""
    text = table.frame[column]
    if not text.notna().any():  # an optional column left empty (value_low, value_high)
        return pd.Series(np.full(len(text), np.nan), index=text.index, name=column), []
    plain = text.str.fullmatch(_NUMBER.pattern).fillna(False).to_numpy(dtype=bool)
    grouped = text.str.fullmatch(_GROUPED.pattern).fillna(False).to_numpy(dtype=bool)
    ok = plain & ~grouped
    numbers = np.full(len(text), np.nan)
    numbers[ok] = text[ok].astype(float).to_numpy()
    problems = []
    with np.errstate(invalid="ignore"):
        huge = ok & ~(np.abs(numbers) <= 1e15)
    for row in np.flatnonzero(huge):
        problems.append(table.problem(int(row), column, text.iat[row], "not a finite figure "
                                      "below 1e15; write the number as stated in the text"))
    numbers[huge] = np.nan
    for row in np.flatnonzero(~ok & text.notna().to_numpy()):
        problems.append(table.problem(int(row), column, text.iat[row], _why_not_a_figure(
            text.iat[row])))
    return pd.Series(numbers, index=text.index, name=column), problems


def _why_not_a_figure(cell: str) -> str:
    if _GROUPED.fullmatch(cell):
        head, *groups = cell.split(".")
        decimal = f"{head}.{groups[0].rstrip('0') or '0'}"
        return ("looks like a figure with '.' as thousands separator; write it without "
                f"separators ({cell.replace('.', '')})"
                + (f", or as {decimal} if a decimal is meant" if len(groups) == 1 else ""))
    if _NONFINITE.fullmatch(cell):
        return "not a finite number; write the figure, or leave the cell empty"
    odd = [c for c in cell if c not in "0123456789" and unicodedata.category(c) == "Nd"]
    if odd:
        return (f"written with non-ASCII digits [{_chars(odd)}]; type the figure with the "
                "digits 0-9")
    return "expected a number such as 2500000 or 2.5e6 (no thousands separators or units)"


def _chars(chars) -> str:
    return ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'control character')})"
                     for c in dict.fromkeys(chars))


# Control characters a cell may not hold: C0/C1 controls other than line break and tab, and the
# bidirectional overrides and isolates that make text display differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The bytes that may begin such a character in UTF-8 (C1 controls begin with 0xC2, the
#: overrides and isolates with 0xE2): a column with none of them holds none.
_CONTROL_LEADS = bytes([*range(0x09), *range(0x0b, 0x20), 0x7f, 0xc2, 0xe2])


def control_characters(table: Table) -> list[Problem]:
    """Cells holding NUL, other control characters or bidirectional overrides. Only the
    columns with a byte that may begin one (:func:`~prodstats.cells.may_hold`) are searched
    cell by cell.
    """
    problems = []
    for column in table.frame.columns:
        text = table.frame[column]
        if not pd.api.types.is_string_dtype(text.dtype):
            continue
        if not may_hold(text, _CONTROL_LEADS):
            continue
        hit = text.str.contains(_CONTROL.pattern).fillna(False).to_numpy(dtype=bool)
        for row in np.flatnonzero(hit):
            odd = _CONTROL.findall(text.iat[row])
            problems.append(table.problem(int(row), column, text.iat[row], (
                f"holds invisible control characters [{_chars(odd)}]; retype the cell, or "
                "copy it again as plain text")))
            table.frame.loc[table.frame.index[row], column] = _CONTROL.sub("", text.iat[row])
    return problems


# ---------------------------------------------------------------------------------------------
# The other tables
# ---------------------------------------------------------------------------------------------

def check_sources(table: Table) -> list[Problem]:
    """Publication dates parse and agree with their stated precision."""
    frame, problems = table.frame, []
    pairs = frame[["published", "published_precision"]].astype(object)
    verdicts = {pair: _date_problem(*pair) for pair in set(pairs.itertuples(index=False,
                                                                               name=None))}
    for row, pair in enumerate(pairs.itertuples(index=False, name=None)):
        if verdicts[pair]:
            problems.append(table.problem(row, "published", pair[0], verdicts[pair]))
    return problems + source_dates(table, {row for row, pair in enumerate(
        pairs.itertuples(index=False, name=None)) if verdicts[pair]})


def _one_date(text: object) -> Period | None:
    """A date written to day, month or year precision, or None."""
    try:
        period = parse_period(str(text))
    except PeriodError:
        return None
    return period if period.precision in ("day", "month", "year") else None


def source_dates(table: Table, skip: set[int] = frozenset()) -> list[Problem]:
    """``accessed`` is a date; a text is not published after it was accessed, nor after
    today (this check reads the clock; nothing published depends on it).
    """
    import datetime as dt

    today = dt.date.today()
    frame, problems = table.frame, []
    published = frame["published"].astype(object).tolist()
    accessed = (frame["accessed"].astype(object).tolist() if "accessed" in frame
                else [None] * len(frame))
    for row, (pub, acc) in enumerate(zip(published, accessed, strict=True)):
        when = _one_date(pub) if isinstance(pub, str) and row not in skip else None
        seen = None
        if isinstance(acc, str):
            seen = _one_date(acc)
            if seen is None:
                problems.append(table.problem(row, "accessed", acc, (
                    "not a date; write the day the text was archived as 2025-01-17 (or "
                    "2025-01, 2025)")))
        if when is None:
            continue
        if seen is not None and when.start > seen.end:
            problems.append(table.problem(row, "published", pub, (
                f"later than the date the text was accessed ({acc}); a text cannot be read "
                "before it is published: correct one of the two")))
        elif when.start > today:
            problems.append(table.problem(row, "published", pub, (
                f"later than today ({today.isoformat()}); a publication date cannot be in the "
                "future: correct it")))
    return problems


def _date_problem(published: object, precision: object) -> str | None:
    if not isinstance(published, str) or not isinstance(precision, str):
        return None
    try:
        period = parse_period(published)
    except PeriodError as exc:
        return str(exc)
    if period.precision not in ("day", "month", "year"):
        return "a publication date is one day, month or year, not a range"
    if period.precision != precision:
        return (f"written to {period.precision} precision but published_precision says "
                f"'{precision}'; make the two agree")
    return None


def check_indicators(table: Table) -> list[Problem]:
    """Canonical units parse; a capacity names an existing output indicator of its unit."""
    frame, problems = table.frame, []
    ids = set(frame["indicator_id"].dropna())
    for row, (iid, unit, bounds) in enumerate(
            frame[["indicator_id", "canonical_unit", "bounds"]].itertuples(index=False)):
        if isinstance(unit, str):
            try:
                parse_unit(unit)
            except UnitParseError as exc:
                problems.append(table.problem(row, "canonical_unit", unit, str(exc)))
                continue
        if not isinstance(bounds, str):
            continue
        if bounds not in ids:
            problems.append(table.problem(row, "bounds", bounds, "no such indicator in "
                                          f"indicators.csv{suggest(bounds, ids)}; name the "
                                          "output indicator this capacity bounds"))
        elif bounds == iid:
            problems.append(table.problem(row, "bounds", bounds, "an indicator cannot bound "
                                          "itself; name the output indicator, or leave it empty"))
        else:
            other = frame.loc[frame["indicator_id"] == bounds, "canonical_unit"].iloc[0]
            if isinstance(unit, str) and isinstance(other, str) and _dimension(unit) \
                    != _dimension(other):
                problems.append(table.problem(row, "bounds", bounds, (
                    f"'{bounds}' is measured in '{other}' but this indicator in '{unit}'; a "
                    "capacity bounds an output of the same kind")))
    return problems + capacity_targets(table)


def capacity_targets(table: Table) -> list[Problem]:
    """A capacity bounds an output indicator, not another capacity."""
    frame, problems = table.frame, []
    rows = frame[["indicator_id", "measures", "bounds"]].astype(object)
    bounded = {iid: b for iid, b in zip(rows["indicator_id"], rows["bounds"], strict=True)
               if isinstance(iid, str) and isinstance(b, str)}
    measures = dict(zip(rows["indicator_id"], rows["measures"], strict=True))
    for row, (iid, bounds) in enumerate(zip(rows["indicator_id"], rows["bounds"], strict=True)):
        if not isinstance(bounds, str) or bounds == iid:
            continue
        if bounds in bounded or measures.get(bounds) == "capacity":
            what = (f"bounds '{bounded[bounds]}'" if bounds in bounded
                    else "measures a capacity")
            problems.append(table.problem(row, "bounds", bounds, (
                f"'{bounds}' is itself a capacity (it {what}); a capacity bounds an output "
                "indicator: name that output")))
    return problems


def _dimension(unit: str) -> object:
    try:
        return parse_unit(unit).dimensionality
    except UnitParseError:
        return None


# ---------------------------------------------------------------------------------------------
# Claims: rules on the cells as coded
# ---------------------------------------------------------------------------------------------

def references(ctx: Context) -> list[Problem]:
    """source_id, indicator and actor name rows of their tables."""
    problems = []
    for column, table, key, fix in (
        ("source_id", ctx.sources, "source_id", "add the source first or fix the id"),
        ("indicator", ctx.indicators, "indicator_id",
         "add it there (id, description, canonical unit) or fix the id"),
        ("actor", ctx.actors, "actor_id", "add it there (id, name, kind, country) or fix the id"),
    ):
        if table is None:
            continue
        known = set(table[key].dropna())
        values = ctx.frame[column]
        bad = values.notna() & ~values.isin(known)
        name = {"source_id": "sources", "indicator": "indicators", "actor": "actors"}[column]
        problems += ctx.report(bad.to_numpy(), column, lambda i, v=values, k=known, n=name, f=fix:
                               f"no such {n[:-1]} in {n}.csv{suggest(v.iat[i], k)}; {f}")
    return problems


def formulas(ctx: Context) -> list[Problem]:
    """Free text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    problems = []
    for column in FREE_TEXT:
        text = ctx.frame[column]
        if not may_hold(text, b"=+-@\t\r\n"):
            continue  # no cell holds any of those characters, so none begins with one
        starts = text.str.match(r"[=+\-@\t\r\n]").fillna(False).to_numpy(dtype=bool)
        bad = [i for i in np.flatnonzero(starts) if is_formula(text.iat[i])]
        problems += ctx.report(bad, column, "begins like a spreadsheet formula (=, +, -, @, tab "
                               "or line break), which a spreadsheet would run; rephrase it so it "
                               "starts with a letter or a digit")
    return problems


def is_formula(cell: object) -> bool:
    """'=…', '@…', a tab or line break first; or '+'/'-' followed by more than a number ('-'
    alone, a placeholder, and '-5' are fine; '-2+3' and '-cmd|…' are not).
    """
    if not isinstance(cell, str) or not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
        return False
    return cell[0] not in "+-" or not re.fullmatch(r"[+-][\d.,]*", cell)


def periods(ctx: Context) -> list[Problem]:
    """Each period parses (each distinct value once)."""
    ctx.periods = _parse_distinct(ctx.frame["period"], parse_period, PeriodError)
    return _bad_parses(ctx, "period", ctx.periods, PeriodError)


def base_periods(ctx: Context) -> list[Problem]:
    """Ratios have a base period, other kinds none; each candidate parses and comes first."""
    frame = ctx.frame
    is_ratio = frame["kind"].eq("ratio").fillna(False).to_numpy(dtype=bool)
    has_base = frame["base_period"].notna().to_numpy()
    problems = ctx.report(is_ratio & ~has_base, "base_period", "a ratio needs the period it is "
                          "compared with; write it (e.g. 2022), or several candidates as "
                          "2022|2023 when the text is ambiguous")
    problems += ctx.report(~is_ratio & has_base & frame["kind"].notna().to_numpy(), "base_period",
                           "only ratios have a base period; empty this cell or set kind to "
                           "'ratio'")
    rows = np.flatnonzero(is_ratio & has_base)
    pairs = list(zip(frame["base_period"].iloc[rows].tolist(),
                     frame["period"].iloc[rows].tolist(), strict=True))
    verdicts = {pair: _base_messages(*pair, ctx.periods) for pair in set(pairs)}
    if not any(verdicts.values()):
        return problems
    for row, pair in zip(rows, pairs, strict=True):
        problems += [ctx.claims.problem(int(row), "base_period", pair[0], message)
                     for message in verdicts[pair]]
    return problems


def _base_messages(base_text: str, period_text: str, parsed: dict) -> list[str]:
    period = parsed.get(period_text)
    out = []
    for candidate in split_candidates(base_text):
        try:
            base = parse_period(candidate)
        except PeriodError as exc:
            out.append(str(exc))
            continue
        if isinstance(period, Period) and base.end >= period.start:
            out.append(f"base {candidate} does not come before the period {period.text}; a ratio "
                       "compares a later period with an earlier base")
    return out


def units(ctx: Context) -> list[Problem]:
    """Each unit parses, and fits the claim's kind and its indicator's canonical unit (each
    distinct combination judged once).
    """
    ctx.units = _parse_distinct(ctx.frame["unit"], parse_unit, UnitParseError)
    problems = _bad_parses(ctx, "unit", ctx.units, UnitParseError)
    canonical = _canonical_units(ctx)
    combo_of, combos = distinct(ctx.frame, ["kind", "indicator", "unit"])
    verdicts = [unit_fit(kind, unit, canonical.get(indicator))[1]
                if isinstance(unit, str) and not isinstance(ctx.units.get(unit), UnitParseError)
                else None for kind, indicator, unit in combos]
    unfit = np.array([bool(v) for v in verdicts], dtype=bool)
    for row in np.flatnonzero(unfit[combo_of]).tolist():
        problems.append(ctx.claims.problem(row, "unit", combos[combo_of[row]][2],
                                           verdicts[combo_of[row]]))
    return problems


def _canonical_units(ctx: Context) -> dict[str, str]:
    if ctx.indicators is None:
        return {}
    known = ctx.indicators.dropna(subset=["indicator_id", "canonical_unit"])
    return dict(zip(known["indicator_id"], known["canonical_unit"], strict=True))


def unit_fit(kind: object, unit: str, canonical: object) -> tuple[str, str | None]:
    """How a claim's unit converts to its indicator's canonical unit, or why it cannot.

    Returns ``(how, message)``: how is 'direct' (same dimension), 'per_period' (an amount over
    the claim's period, divided by its length to give a rate) or 'ratio', or '' where the
    conversion is not known; message is None when the unit fits.
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
    if not isinstance(canonical, str) or _dimension(canonical) is None:
        return "", None  # an unknown indicator or a bad canonical unit, reported on its own
    target = parse_unit(canonical)
    if parsed.dimensionality == target.dimensionality:
        return "direct", None
    if is_rate_of(canonical, unit):
        return "per_period", None
    amount = canonical.replace(" ", "").split("/")[0]
    return "", (f"has dimension {parsed.dimensionality} but the indicator is measured in "
                f"'{canonical}' ({target.dimensionality}); use a unit of that kind, or the "
                f"amount over the period (e.g. '{amount}')")


def values(ctx: Context) -> list[Problem]:
    """A value is required unless the qualifier is a scale word."""
    frame = ctx.frame
    scale = frame["qualifier"].isin([q for q, rule in QUALIFIERS.items() if rule.is_scale])
    missing = frame["value"].isna() & ~scale & frame["qualifier"].notna()
    return ctx.report(missing.to_numpy(dtype=bool), "value", "required unless the qualifier is "
                      "a scale word (dozens, hundreds, …); write the figure")


def quotes(ctx: Context) -> list[Problem]:
    """Each quote is verbatim in the (hash-checked) text of its source."""
    frame = ctx.frame
    bad, quoted = [], []
    where: dict[str, int] = {}  # per source, where its last quote was found
    for row, (quote, sid) in enumerate(zip(frame["quote"].tolist(), frame["source_id"].tolist(),
                                           strict=True)):
        text = ctx.texts.get(sid)
        if not isinstance(quote, str) or text is None:
            continue
        # Claims are coded in reading order: search on from the previous quote, then all of it.
        found = text.find(quote, where.get(sid, 0))
        if found < 0:
            found = text.find(quote)
        if found < 0 and " … " in quote:  # quotecheck.FRAGMENT_JOIN
            found = fragments_at(quote, text)
        if found < 0:
            bad.append(row)
        else:
            where[sid] = found
            quoted.append(row)
    ctx.quoted = np.zeros(len(frame), dtype=bool)
    ctx.quoted[quoted] = True
    return [ctx.claims.problem(row, "quote", frame["quote"].iat[row],
                               quote_message(frame["quote"].iat[row],
                                             ctx.texts[frame["source_id"].iat[row]],
                                             frame["source_id"].iat[row]))
            for row in bad]


def fragments_at(quote: str, text: str) -> int:
    """Where a quote of fragments joined by " … " starts in a text (each fragment verbatim,
    in order, all in one paragraph), or -1.
    """
    from prodstats.quotecheck import FRAGMENT_JOIN, PARAGRAPH_BREAK

    parts = quote.split(FRAGMENT_JOIN)
    start = text.find(parts[0])
    while start >= 0:
        end, at = start + len(parts[0]), start
        for part in parts[1:]:
            at = text.find(part, end)
            if at < 0:
                return -1
            end = at + len(part)
        if not PARAGRAPH_BREAK.search(text, start, end):
            return start
        start = text.find(parts[0], start + 1)
    return -1


def quote_figures(ctx: Context) -> list[Problem]:
    """The claim's value, bounds and unit agree with the figures its quote states
    (:func:`prodstats.quotecheck.quote_problems`); skipped where ``derived`` is true.
    """
    from prodstats.quotecheck import quote_problems

    languages = {} if ctx.sources is None else dict(zip(ctx.sources["source_id"],
                                                        ctx.sources["language"], strict=True))
    measures = ({} if ctx.indicators is None or "measures" not in ctx.indicators.columns
                else dict(zip(ctx.indicators["indicator_id"], ctx.indicators["measures"],
                              strict=True)))
    # A quote not found in its text is reported as such (by quotes()); its figures are checked
    # once it is.
    if ctx.quoted is None:
        quotes(ctx)
    rows = np.flatnonzero(ctx.quoted)
    frame = ctx.frame[["quote", "value", "value_low", "value_high", "unit", "qualifier", "kind",
                       "derived", "period", "base_period", "source_id"]]
    frame = frame.assign(language=per_row(frame["source_id"], languages),
                         measures=per_row(ctx.frame["indicator"], measures))
    if len(rows) < len(frame):
        frame = frame.iloc[rows]
    return [ctx.claims.problem(int(rows[row]), column, value, message)
            for row, column, value, message in quote_problems(frame, ctx.texts)]


def dates(ctx: Context) -> list[Problem]:
    """An actual or estimated figure cannot describe a period that starts after its source
    was published (the latest day the publication date allows).
    """
    frame = ctx.frame
    start = _days(frame["period"], {k: v.start for k, v in ctx.periods.items()
                                    if isinstance(v, Period)})
    when = _days(frame["source_id"], _published_end(ctx))
    late = frame["modality"].isin(PAST_ONLY).to_numpy(dtype=bool) & (start > when)  # (NaT: no)
    return ctx.report(late, "period", lambda i: (
        f"starts after the source was published ({published_text(ctx, frame['source_id'].iat[i])}"
        f"), so it cannot be '{frame['modality'].iat[i]}'; code it as 'expected' or 'target', "
        "or fix the period"))


def _published_end(ctx: Context) -> dict:
    """The last day each source's publication date allows, by source_id."""
    if ctx.sources is None:
        return {}
    out = {}
    for sid, text in zip(ctx.sources["source_id"], ctx.sources["published"], strict=True):
        try:
            out[sid] = parse_period(text).end
        except (PeriodError, TypeError):
            continue
    return out


def published_text(ctx: Context, sid: str) -> str:
    """A source's publication date as written."""
    return ctx.sources.loc[ctx.sources["source_id"] == sid, "published"].iloc[0]


def said_dates(ctx: Context) -> list[Problem]:
    """``said_on`` is a date no later than its source's publication: a statement recalled by
    a later text was made before it, never after.
    """
    frame = ctx.frame
    said = ctx.given("said_on")
    if not said:
        return []
    published = _published_end(ctx)
    dated = {text: _one_date(text) for _, text in said}
    sources = frame["source_id"].iloc[[row for row, _ in said]].tolist()
    unreadable = [row for row, text in said if dated[text] is None]
    late = [row for (row, text), sid in zip(said, sources, strict=True)
            if dated[text] is not None and sid in published
            and dated[text].start > published[sid]]
    return (ctx.report(unreadable, "said_on", "not a date; write when the speaker said it as "
                       "2023-03-20 (or 2023-03, 2023), or leave it empty for the publication "
                       "date")
            + ctx.report(late, "said_on", lambda i: (
                f"after its source was published ({published_text(ctx, frame['source_id'].iat[i])}"
                "); said_on is when the speaker said it, before the text reported it: fix the "
                "date, or leave it empty")))


def derived_notes(ctx: Context) -> list[Problem]:
    """A value derived on purpose says how, in the notes."""
    bad = ctx.frame["derived"].eq("true").fillna(False) & ctx.frame["notes"].isna()
    return ctx.report(bad.to_numpy(dtype=bool), "notes", "required when derived is true; say how "
                      "the value was derived from the quote (e.g. 'the same amount as claim X')")


def revisions(ctx: Context) -> list[Problem]:
    """``supersedes`` names another claim of the same actor and indicator; no claim is revised
    twice, and no chain of revisions returns to where it started.
    """
    frame = ctx.frame
    given = ctx.given("supersedes")
    if not given:
        return []
    ids, where = ctx.ids, ctx.row_of
    problems, revised_by = [], {}
    for row, old in given:
        if old not in where:
            message = f"no such claim{suggest(old, where)}; name the claim_id this claim revises"
        elif old == ids[row]:
            message = "a claim cannot supersede itself; name the earlier claim it revises"
        elif any(frame[c].iat[where[old]] != frame[c].iat[row] for c in ("actor", "indicator")):
            message = (f"{old} is about {frame['actor'].iat[where[old]]} / "
                       f"{frame['indicator'].iat[where[old]]}, this claim about "
                       f"{frame['actor'].iat[row]} / {frame['indicator'].iat[row]}; a revision "
                       "is of the same actor and indicator")
        elif old in revised_by:
            message = (f"{old} is already superseded by {revised_by[old]}; supersede the "
                       f"latest revision ({revised_by[old]}) instead")
        else:
            revised_by[old] = ids[row]
            continue
        problems.append(ctx.claims.problem(row, "supersedes", old, message))
    for cycle in _cycles(revised_by):
        problems.append(ctx.claims.problem(where[cycle[0]], "supersedes",
                                           frame["supersedes"].iat[where[cycle[0]]], (
            "revisions form a cycle (" + " -> ".join([*cycle, cycle[0]]) + "); one claim of "
            "the cycle must be the first, superseding none")))
    return problems


def _cycles(revised_by: dict[str, str]) -> list[list[str]]:
    """The cycles of 'superseded by' (each from its smallest id). Each claim revises at most
    one and is revised at most once, so one walk per chain finds them all: linear time.
    """
    state: dict[str, int] = {}  # 1: on the walk being made, 2: done
    cycles = []
    for start in revised_by:
        walk, here = [], start
        while here in revised_by and here not in state:
            state[here] = 1
            walk.append(here)
            here = revised_by[here]
        if state.get(here) == 1:  # the walk met itself
            cycle = walk[walk.index(here):]
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
        for claim in walk:
            state[claim] = 2
    return cycles


def base_alternatives(ctx: Context) -> list[Problem]:
    """The alternatives of a base period (``2021|2022``) are distinct: a repeated one would
    count one reading twice.
    """
    problems = []
    verdicts: dict[str, str | None] = {}
    for row, cell in ctx.given("base_period"):
        if "|" not in cell:
            continue
        if cell not in verdicts:
            keys: dict[str, str] = {}
            verdicts[cell] = None
            for candidate in split_candidates(cell):
                try:
                    key = parse_period(candidate).key
                except PeriodError:
                    key = candidate
                if key in keys:
                    same = (f"'{candidate}' twice" if keys[key] == candidate
                            else f"'{keys[key]}' and '{candidate}', the same period")
                    verdicts[cell] = (f"names {same}; write each alternative once (e.g. "
                                      "2021|2022), or a single base period")
                    break
                keys[key] = candidate
        if verdicts[cell]:
            problems.append(ctx.claims.problem(row, "base_period", cell, verdicts[cell]))
    return problems


def revision_sources(ctx: Context) -> list[Problem]:
    """A revision comes from a text published no earlier than that of the claim it revises."""
    frame = ctx.frame
    if ctx.sources is None or "supersedes" not in frame:
        return []
    given = ctx.given("supersedes")
    if not given:
        return []
    published = dict(zip(ctx.sources["source_id"], ctx.sources["published"], strict=True))
    sources = frame["source_id"]
    where = ctx.row_of
    problems = []
    for row, old in given:
        if old not in where:
            continue
        new_sid, old_sid = sources.iat[row], sources.iat[where[old]]
        if new_sid == old_sid:
            continue
        new_date, old_date = (_one_date(published.get(sid)) for sid in (new_sid, old_sid))
        if new_date is not None and old_date is not None and new_date.end < old_date.start:
            problems.append(ctx.claims.problem(row, "supersedes", old, (
                f"this claim's source {new_sid} (published {published[new_sid]}) is older than "
                f"{old_sid} (published {published[old_sid]}), the source of {old}; a revision "
                f"comes from a later text: let {old} supersede this claim instead")))
    return problems


def restatements(ctx: Context) -> list[Problem]:
    """``same_as`` names another claim of the same series (actor, indicator and kind), and no
    chain of restatements returns to where it started. Linear in the claims.
    """
    frame = ctx.frame
    given = ctx.given("same_as")
    if not given:  # (then no claim can revise its own statement either)
        return []
    ids, where = ctx.ids, ctx.row_of
    problems, edges = [], {}
    for row, other in given:
        if other not in where:
            message = (f"no such claim{suggest(other, where)}; name the claim_id of the claim "
                       "this one restates")
        elif other == ids[row]:
            message = ("a claim cannot restate itself; name the other claim of the same "
                       "statement, or leave same_as empty")
        elif (differ := [c for c in ("actor", "indicator", "kind")
                         if frame[c].iat[where[other]] != frame[c].iat[row]]):
            message = (f"{other} is about " + " / ".join(
                str(frame[c].iat[where[other]]) for c in ("actor", "indicator", "kind"))
                + ", this claim about " + " / ".join(
                str(frame[c].iat[row]) for c in ("actor", "indicator", "kind"))
                + f" (the {' and '.join(differ)} differ); a restatement is of the same "
                "statement: fix the claim's fields, or leave same_as empty if it is a "
                "statement of its own")
        else:
            edges[ids[row]] = other
            continue
        problems.append(ctx.claims.problem(row, "same_as", other, message))
    state: dict[str, int] = {}  # 1: on the path being walked, 2: known to end
    for start in edges:
        path, here = [], start
        while here in edges and state.get(here) is None:
            state[here] = 1
            path.append(here)
            here = edges[here]
        if state.get(here) == 1:  # came back to the path: a cycle through `here`
            cycle = path[path.index(here):]
            problems.append(ctx.claims.problem(where[here], "same_as", edges[here], (
                "restatements form a cycle (" + " -> ".join([*cycle, here]) + "); one claim "
                "of the statement is the original: leave its same_as empty")))
        for claim in path:
            state[claim] = 2
    return problems + _revising_itself(ctx, edges, where)


def statement_roots(same_as: dict[str, object]) -> dict[str, str]:
    """Each claim's statement: the claim at the end of its ``same_as`` chain (its own id when
    it restates none). Unknown ids and cycles, which :func:`restatements` refuses, end a chain
    where they are. Linear in the claims: every claim on a walked chain shares its end.
    """
    root: dict[str, str] = {}
    for start in same_as:
        path, here = [], start
        while here not in root and isinstance(same_as.get(here), str) and here not in path:
            path.append(here)
            here = same_as[here]
        end = root.get(here, here)
        root.update(dict.fromkeys(path, end))
        root.setdefault(start, end)
    return root


def _revising_itself(ctx: Context, edges: dict[str, str], where: dict[str, int]
                     ) -> list[Problem]:
    """A claim cannot supersede another attestation of its own statement."""
    root = statement_roots(edges)
    problems = []
    for row, old in ctx.given("supersedes"):
        claim = ctx.ids[row]
        if old in where and old != claim and root.get(old, old) == root.get(claim, claim):
            problems.append(ctx.claims.problem(row, "supersedes", old, (
                f"{old} and this claim are one statement (same_as); a revision is a later "
                "statement: clear same_as, or supersedes")))
    return problems


#: The wording docs/codebook.md used for 'verified' before 'reported' was split from it.
_OWN_VOICE = re.compile(r"(?i)\bown voice\b|\beigene[nm]? stimme\b")


def confidence_standard(ctx: Context) -> list[Problem]:
    """'verified' means independently confirmed. A claim coded 'verified' because the outlet
    states it in its own voice (the codebook's earlier standard) is 'reported'.
    """
    frame = ctx.frame
    verified = frame["confidence"].eq("verified").fillna(False).to_numpy(dtype=bool)
    reason = frame["confidence_reason"]
    voice = {r: bool(_OWN_VOICE.search(r)) for r in reason[verified].dropna().unique()}
    old = verified & per_row(reason, voice, dtype=bool)
    return ctx.report(old, "confidence", "the reason says the outlet states it in its own "
                      "voice: write 'reported' ('verified' means independently confirmed; "
                      "docs/codebook.md §6)")


#: Rules on the cells as coded, in the order their problems are most useful.
CELL_RULES = [references, formulas, periods, base_periods, base_alternatives, units, values,
              quotes, dates, said_dates, derived_notes, revisions, revision_sources, restatements,
              confidence_standard]


# ---------------------------------------------------------------------------------------------
# Claims: rules on the derived figures
# ---------------------------------------------------------------------------------------------

def bounds(ctx: Context) -> list[Problem]:
    """Levels are not negative; value_low ≤ value ≤ value_high; ratios above zero (a lower end
    of 0 is an open one: "up to twice").
    """
    frame = ctx.frame
    value, low, high = (frame[c].to_numpy(dtype=float) for c in ("value", "value_low",
                                                                 "value_high"))
    level = frame["kind"].eq("level").fillna(False).to_numpy(dtype=bool)
    ratio = frame["kind"].eq("ratio").fillna(False).to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):  # comparisons with NaN are False, as wanted
        below = value < 0, low < 0, high < 0
        negative = level & (below[0] | below[1] | below[2])
        crossed = (low > high) & ~negative
        outside = ((low > value) | (value > high)) & ~negative & ~crossed
        ratio_bad = ratio & ((value <= 0) | (low < 0))
    fix = "(counts and amounts are ≥ 0)"
    return (ctx.report(negative & below[0], "value", f"a level cannot be negative {fix}; write "
                       "the figure without a sign")
            + ctx.report(negative & ~below[0] & below[1], "value_low",
                         f"a level cannot be negative {fix}; fix the lower bound")
            + ctx.report(negative & ~below[0] & ~below[1], "value_high",
                         f"a level cannot be negative {fix}; fix the upper bound")
            + ctx.report(crossed, "value_high", lambda i: f"below value_low ({_fmt(low[i])}); "
                         "the upper bound must be at least the lower one — fix the bounds or "
                         "leave them to the qualifier")
            + ctx.report(outside, "value", lambda i: f"outside its bounds [{_fmt(low[i])}, "
                         f"{_fmt(high[i])}]; value_low ≤ value ≤ value_high must hold — fix the "
                         "bounds or the qualifier")
            + ctx.report(ratio_bad, "value", "a ratio must be > 0 (3 for 'tripled', 0.5 for "
                         "'halved')"))


def shares(ctx: Context) -> list[Problem]:
    """A share lies in 0–1 (as a fraction), bounds included; one open above ("more than
    40 %") is bounded by the whole.
    """
    frame = ctx.frame
    low, high = frame["low_canonical"].to_numpy(), frame["high_canonical"].to_numpy()
    share = frame["kind"].eq("share").fillna(False).to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        bad = share & ((low < 0) | ((high > 1) & ~np.isposinf(high)))
    return ctx.report(bad, "value", lambda i: f"a share must lie in 0–1, or 0–100 with unit "
                      f"'percent'; with its bounds it reaches {_fmt(low[i])}–{_fmt(high[i])} (as "
                      "a fraction)")


def target_reach(ctx: Context) -> list[Problem]:
    """A target, pledge or proposal at most TARGET_REACH_YEARS after the last observation of
    its series (or, with none, after its source was published). Both are measured at the end
    of their periods: a target is judged when its period ends (``forecast.feasibility``), and
    each series is projected to its latest target (``forecast.default_horizon``).
    """
    frame = ctx.frame
    end = _days(frame["period"], {k: v.end for k, v in ctx.periods.items()
                                  if isinstance(v, Period)})
    observed = frame["modality"].isin(OBSERVED).to_numpy(dtype=bool)
    series_of, _ = distinct(frame, ["actor", "indicator"])
    known = observed & frame[["actor", "indicator"]].notna().all(axis=1).to_numpy()
    last = pd.Series(end[known]).groupby(series_of[known]).max()  # (NaT where none is known)
    series_last = last.reindex(range(series_of.max() + 1 if len(frame) else 0)).to_numpy(
        dtype="datetime64[D]")[series_of]
    since = np.where(np.isnat(series_last), _days(frame["source_id"], _published_end(ctx)),
                     series_last)
    years = np.floor((end - since) / np.timedelta64(1, "D")) / 365.25
    with np.errstate(invalid="ignore"):
        far = ~observed & (years > TARGET_REACH_YEARS)

    def message(i: int) -> str:
        what = ("the last observation of this series" if not np.isnat(series_last[i])
                else "its source's publication")
        return (f"{years[i]:.0f} years after {what} ({since[i]}); a target more than "
                f"{TARGET_REACH_YEARS} years ahead cannot be judged: check the period")
    return ctx.report(far, "period", message)


def _days(keys: pd.Series, dates: dict) -> np.ndarray:
    """Each row's date from a table of its key's date (NaT where the key has none)."""
    return per_row(keys, {k: np.datetime64(v, "D") for k, v in dates.items()},
                   dtype="datetime64[D]")


def underived(ctx: Context) -> list[Problem]:
    """Safety net: no claim leaves without figures unless another problem says why (a range,
    "dozens", has bounds and no value).
    """
    frame = ctx.frame
    missing = frame[["low_canonical", "high_canonical"]].isna().any(axis=1) | (
        frame["value_canonical"].isna() & (frame["value_basis"] != "range"))
    return ctx.report(missing.to_numpy(), "value", "no figure could be derived from value, "
                      "bounds and unit; check all three against docs/codebook.md")


#: Words that say a figure is a capacity, not output.
CAPACITY_WORDS = re.compile(r"(?i)\b(?:capacity|capacities|\w*kapazität(?:en)?)\b")


def capacity_words(ctx: Context) -> list[Problem]:
    """A quote that speaks of capacity is not coded under an output indicator (codebook §1);
    skipped where ``derived`` is true.
    """
    if ctx.indicators is None or "measures" not in ctx.indicators.columns:
        return []
    measures = dict(zip(ctx.indicators["indicator_id"],
                        ctx.indicators["measures"].fillna("output"), strict=True))
    frame = ctx.frame
    derived = frame["derived"].fillna(False).to_numpy(dtype=bool) if "derived" in frame \
        else False
    output = (per_row(frame["indicator"], measures) == "output") & ~derived
    # The words all hold "apa" (capacity, Kapazität): only such quotes are read by the regex.
    output &= frame["quote"].str.contains("apa", case=False, regex=False).fillna(False) \
        .to_numpy(dtype=bool)
    rows = np.flatnonzero(output)
    said = {int(row): m.group(0) for row, quote in zip(rows, frame["quote"].iloc[rows].tolist(),
                                                       strict=True)
            if (m := CAPACITY_WORDS.search(quote))}
    return ctx.report(list(said), "indicator", lambda i: (
        f"the quote speaks of '{said[i]}', but indicator '{frame['indicator'].iat[i]}' "
        "measures output; code it under a capacity indicator (measures = capacity, bounds = "
        f"{frame['indicator'].iat[i]}; docs/codebook.md §1), or if the figure is output after "
        "all, set derived to true and say why in notes"))


#: Rules on the figures derived from the cells; the quote check last, so that a more specific
#: problem with a cell (a negative level, a share above one) is the one reported.
FIGURE_RULES = [bounds, shares, target_reach, capacity_words, quote_figures]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def _parse_distinct(column: pd.Series, parse: Callable, error: type[Exception]) -> dict:
    """Each distinct value of a column parsed once; the value is the result or the error."""
    parsed = {}
    for text in column.dropna().unique():
        try:
            parsed[text] = parse(text)
        except error as exc:
            parsed[text] = exc
    return parsed


def _bad_parses(ctx: Context, column: str, parsed: dict, error: type[Exception]
                ) -> list[Problem]:
    bad = {k for k, v in parsed.items() if isinstance(v, error)}
    if not bad:
        return []
    rows = np.flatnonzero(ctx.frame[column].isin(bad).to_numpy(dtype=bool))
    return ctx.report(rows, column, lambda i: str(parsed[ctx.frame[column].iat[i]]))


def _fmt(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        if np.isfinite(value) and float(value).is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:g}"
    return str(value)


_LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
               "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-",
               "\u00a0": " ", "\u202f": " ", "\u2009": " "}
_CYRILLIC = dict(zip("аеорсхуіАВЕКМНОРСТХ", "aeopcxyiABEKMHOPCTX", strict=True))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(_LOOKALIKES.get(c, _CYRILLIC.get(c, c)) for c in text)


def quote_message(quote: str, text: str, sid: str) -> str:
    """Why a quote is not in its text: look-alike characters, spacing, fragments out of
    order or from several paragraphs, or simply absent.
    """
    from prodstats.quotecheck import fragments

    parts = fragments(quote)
    if len(parts) > 1:
        missing = [p for p in parts if p not in text]
        if missing:
            return f"the fragment {_short(missing[0])} is {_not_found(missing[0], text, sid)}"
        return (f"its fragments are in the text of {sid}, but not in this order within one "
                f"paragraph; join with ' … ' only fragments of one paragraph, in the order "
                f"of the text")
    return _not_found(quote, text, sid)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def _not_found(quote: str, text: str, sid: str) -> str:
    """Why a quote (or one fragment) is not in its text."""
    if _fold(quote) in _fold(text):
        odd = [c for c in quote if _fold(c) != c or c in _LOOKALIKES]
        return (f"not verbatim in the text of {sid}: it matches only after replacing look-alike "
                f"characters [{_chars(odd)}]; copy the quote from the text file itself")
    if " ".join(quote.split()) in " ".join(text.split()):
        return (f"not verbatim in the text of {sid}: the spacing or line breaks differ; copy the "
                "quote from the text file itself")
    return (f"not found in the text of {sid}; the quote must be copied verbatim from the text "
            "file (same language, quotation marks, dashes and spaces)")


def conversion_factor(kind: str, unit: str, canonical: str | None) -> tuple[float, bool, str]:
    """``(factor, per_period, target unit)`` that converts a fitting claim's values; NaN where
    the unit does not fit.
    """
    how, message = unit_fit(kind, unit, canonical)
    if message or not how:
        return math.nan, False, ""
    target = "dimensionless" if kind in ("ratio", "share") else str(canonical)
    if how == "per_period":  # an amount over the period: divided by its length later
        return factor(f"({unit}) / year", target), True, target
    return factor(unit, target), False, target

