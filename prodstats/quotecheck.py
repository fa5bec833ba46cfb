"""The quote–claim check: a claim's value, bounds, unit, period and base against its quote.

:func:`quote_problems` reads each quote with :func:`prodstats.figures.read_figures` and
refuses a claim whose cells the quote does not support; ``validate`` calls it. Every message
says what to write, and only what the quote supports: a message never proposes a value or a
unit that would change the published figure by a factor the text does not give. The dates and
bases a quote names are compared with ``period`` and ``base_period`` by
:mod:`prodstats.quotedates`. docs/codebook.md §9 describes the checks for coders.

A quote may join verbatim fragments of one paragraph with ``" … "`` (:data:`FRAGMENT_JOIN`),
so that a rate word outside the sentence of the figure can be quoted without the figures in
between ("shells a year … put the figure at 3.5 million"). Each fragment is read on its own;
a rate word in a fragment with no figure of its own is the rate of the other fragments'
figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from prodstats.figures import (
    RATE_CUES,
    Figure,
    _digit_values,
    rate_cues,
    read_figures,
)
from prodstats.languages import LANGUAGES
from prodstats.quotedates import date_problems
from prodstats.vocab import QUALIFIERS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np  # noqa: F401  (the annotations)
    import pandas as pd  # noqa: F401
    import pyarrow as pa  # noqa: F401

#: What joins the verbatim fragments of one quote ("… put the figure at 3.5 million").
FRAGMENT_JOIN = " … "
#: Scale-word qualifiers; each is supported by the scale words of its own family.
SCALE_QUALIFIERS = {"dozens", "hundreds", "thousands", "millions", "billions"}
DERIVED_HINT = "or if the value is derived on purpose set derived to true and say how in notes"
#: Words right after a per cent or fraction that say which way a ratio goes.
RATIO_UP = re.compile(r"(?i)\W+(?:more|higher|larger|greater|up|increase|mehr|höher|größer|"
                      r"gestiegen|zugenommen|gewachsen|plus)\b")
RATIO_DOWN = re.compile(r"(?i)\W+(?:less|fewer|lower|smaller|down|drop|weniger|niedriger|"
                        r"geringer|gesunken|gefallen|minus)\b")
#: ... and right before it ("up 40 percent", "rose by a third", "stieg um 40 Prozent").
RATIO_UP_BEFORE = re.compile(
    r"(?i)\b(?:up|rose|risen|rising|rises|increased|increasing|grew|grown|growing|jumped|"
    r"climbed|gained|an?\s+increase\s+of|growth\s+of|gestiegen\s+um|stieg\s+um|wuchs\s+um|"
    r"erhöht\s+um|plus)\s+(?:by\s+)?(?:(?:about|around|some|nearly|almost|roughly|more\s+than|"
    r"over|just|only|rund|etwa|knapp|fast|über)\s+)?$")
RATIO_DOWN_BEFORE = re.compile(
    r"(?i)\b(?:down|fell|fallen|falling|dropped|decreased|declined|shrank|shrunk|sank|"
    r"an?\s+(?:drop|fall|decrease|decline)\s+of|gesunken\s+um|sank\s+um|fiel\s+um|"
    r"minus)\s+(?:by\s+)?(?:(?:about|around|some|nearly|almost|roughly|more\s+than|over|just|"
    r"only|rund|etwa|knapp|fast|über)\s+)?$")
#: Right after a per cent or fraction: "of" makes it the bare ratio ("40 per cent of the
#: pre-war level" is 0.4).
RATIO_OF = re.compile(r"(?i)\s+(?:of|des|der|von)\b")
#: Before a figure: a comparison that takes the rate of the figure it is compared with ("40,000
#: a month, up from 14,000 before the war"), so its own lack of a rate cue says nothing.
COMPARED_FROM = re.compile(
    r"(?i)\b(?:(?:up|down|rose|rising|fell|falling|increased|decreased|grew)\s+from"
    r"|compared\s+(?:with|to)|versus|vs\.?|gegenüber|verglichen\s+mit)\s+"
    r"(?:(?:about|around|some|just|only|nearly|almost|rund|etwa|knapp|nur)\s+)?$")
#: A rate written with a slash ("25,000 shells/month"): the no-rate rule leaves it alone.
RATE_SLASH = re.compile(r"(?i)/\s*(?:year|month|week|day|jahr|monat|woche|tag)\b")
#: Digits with one separator before three digits (3.000, 40,000): their reading is the
#: language's.
ONE_SEPARATOR = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")
#: How many of each time base make a year.
PER_YEAR = {"year": 1.0, "month": 12.0, "week": 52.1786, "day": 365.25, "hour": 8766.0}
#: A paragraph ends at a blank line.
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

Problem = tuple[str, "str | None", str]


def quote_problems(claims: pd.DataFrame, texts: dict[str, str] | None = None
                   ) -> list[tuple[int, str, str | None, str]]:
    """Check each claim's value, bounds, unit, period and base against its quote.

    A claim passes when its value (after scale words) is among the quote's figures (a ratio
    may also be 1 ± a fraction or per cent, "increased by a third" → 1.3333; a share is
    compared as a fraction or as per cent according to its unit), when bounds given in
    ``value_low``/``value_high`` (other than the qualifier rule's) are among them too, when a
    scale-word qualifier ("dozens") has its scale word in the quote, when a rate cue bound
    to the figure ("a month") agrees with the unit's time base, and when the dates and bases
    the quote names agree with ``period`` and ``base_period``. A value written rounded to two
    or more significant digits (0.33 or 0.3333 for "one third") matches. A value between two
    bounds of which one is the quote's own figure passes (a wrong bound is refused alone).

    Args:
        claims: a frame with the columns ``quote``, ``value``, ``value_low``, ``value_high``,
            ``unit``, ``qualifier``, ``kind`` and optionally ``derived`` (bool; claims with
            True are skipped), ``language`` (of the source; None reads both languages),
            ``period`` and ``base_period`` (as coded), ``measures`` (of the indicator: a
            ``capacity`` is a rate by nature) and ``source_id``.
        texts: the archived text of each source, by source_id: the paragraph of a quote is
            read for a rate word the quote leaves out, so the message can say to quote it.

    Returns:
        ``(row position, column, found value as text, message)`` for each problem.
    """
    import numpy as np
    import pandas as pd

    n = len(claims)
    numbers = {name: (pd.to_numeric(claims[name], errors="coerce")
                      .to_numpy(dtype="float64", na_value=math.nan)
                      if name in claims.columns else np.full(n, math.nan))
               for name in ("value", "value_low", "value_high")}
    # Plain quotes whose claim can pass at a glance are settled first, in bulk; the reader
    # reads the rest, and only their cells are read.
    plain, first, count = _plain(claims)
    easy = plain & _at_a_glance(claims, numbers)
    rows = np.flatnonzero(~_settled(claims, numbers["value"], easy, first, count)).tolist()

    def cells(name: str, default: object = None) -> list:
        return (claims[name].iloc[rows].tolist() if name in claims.columns
                else [default] * len(rows))

    read = {name: cells(name) for name in ("quote", "unit", "qualifier", "kind", "language",
                                           "period", "base_period", "measures", "source_id")}
    derived = [_truthy(_hashable(x)) for x in cells("derived", False)]
    figures_of = {name: numbers[name][rows].tolist() for name in numbers}
    problems: list[tuple[int, str, str | None, str]] = []
    for i, pos in enumerate(rows):
        quote, value, low, high = (read["quote"][i], figures_of["value"][i],
                                   figures_of["value_low"][i], figures_of["value_high"][i])
        unit, qualifier, kind, language, period, base, measures, sid = (
            read[name][i] for name in ("unit", "qualifier", "kind", "language", "period",
                                       "base_period", "measures", "source_id"))
        simple = plain[pos]
        if derived[i] or not isinstance(quote, str) or not quote:
            continue
        language = language if isinstance(language, str) else None
        unit = unit if isinstance(unit, str) else ""
        capacity = measures == "capacity"
        if simple:  # a vectorised search said: only digits to read, no dates, no words
            figures, dated, based = plain_figures(quote, language), None, None
        else:
            figures, dated, based = quote_figures(quote, language), _text(period), _text(base)
        text = texts.get(sid) if texts and isinstance(sid, str) else None
        claim = _Claim(figures, quote, _num(value), _num(low), _num(high), unit,
                       str(qualifier), str(kind), language, dated, based, capacity, text,
                       _text(period))
        problems += [(pos, *p) for p in claim.problems()]
    return problems


# ---------------------------------------------------------------------------------------------
# Plain quotes: most quotes of a large ledger hold one figure in digits and none of the words
# the reader looks for. One vectorised search (RE2, through pyarrow) finds them; their figures
# are their digits (what read_figures gives them, at a fraction of the cost), and they name no
# date. tests/test_quotecheck.py checks that the two readings agree.
# ---------------------------------------------------------------------------------------------

def _reader_words() -> str:
    """Every word the reader knows in any language (its tables), and the words of the rate
    cues, months and date phrases: a quote with none of them can only hold digits.
    """
    from prodstats import figures as f

    words = {w.rstrip(".") for w in (*f.SCALES, *f.PERCENT_WORDS, *f.DENOMINATORS, *f.HALVES,
                                      *f.EN_UNITS, *f.EN_TENS, *f.EN_MULTIPLES)}
    words |= {"hundred", "dozen", "dutzend", "times", "billion"}
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words))
    return (
        rf"\b(?:{alternatives})|\b(?:k|m|mn|bn|tn)\b|"
        r"\b(?:dutzende|hunderte|tausende|millionen|milliarden|billionen|halv|doubl|tripl|trebl|"
        r"quadrupl|quintupl|sextupl|twice|per\s*cent|percent|annual|yearly|monthly|weekly|"
        r"daily|annum|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|war|invasion|pre-?war|"
        r"same|quart)|fold\b|\b(?:a|an|per|each|every)\s+(?:year|month|week|day)\b|"
        r"\b[qh][1-4]\b|\byear[- ]on[- ]year\b")


#: What sends a quote to the full reader: any word the reader or the date phrases know, a
#: separator before three digits or twice, a date or time form, a suffix on digits, a year.
PLAIN_NOT_EN = (
    _reader_words() + r"|%|(?:^|[^0-9])(?:[1-9]|0[0-9])[0-9]*[.,][0-9]{3}(?:[^0-9]|$)|"
    r"[0-9][.,][0-9]+[.,]|"
    r"[0-9][:/]|[0-9]\s?-|[0-9][a-z'×]|(?:^|[^0-9])(?:19|20)[0-9]{2}(?:[^0-9]|$)")
#: The same for a German text or one of no known language: German number words are compounds.
PLAIN_NOT_DE = PLAIN_NOT_EN + (
    r"|eins|zwei|zwo|drei|vier|sechs|sieb|acht|neun|zehn|elf|zwanzig|ssig|hundert|tausend|"
    r"anderthalb|halb|dopp|fach|mal|drittel|viertel|achtel|sechstel|zehntel|prozent|"
    r"milliard|billion|dutzend|jahr|monat|woche|tag|januar|februar|juni|juli|oktober|"
    r"dezember|uhr|quartal|krieg|invasion|vorjahr|vergleich|gegen|ein")


#: A word of a plain quote that begins with a digit (after punctuation): one number.
NUMBER_WORD = r"(?:^|\s)[()\[\]{}\"'.,;:!?]*(?P<number>[0-9][0-9.,]*)"
#: Stripped from the words of a plain quote before its numbers are read.
PUNCTUATION = "()[]{}\"'.,;:!?"
#: The digits of a plain quote, as DIGITS reads them there (no groups, no suffix): each is
#: one number, with "." or "," as its decimal mark.
PLAIN_DIGITS = re.compile(r"(?<!\w)(?<![0-9][.,])[0-9]+(?:[.,][0-9]+)?")


def _plain(claims: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each claim: whether its quote is plain (ASCII, English or German, and none of the
    words and forms of :data:`PLAIN_NOT_DE`), the first of its numbers (:func:`_numbers`;
    NaN for none) and how many it has.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(claims)
    if "quote" not in claims.columns or claims.empty:
        return np.zeros(n, dtype=bool), np.full(n, math.nan), np.zeros(n, dtype=np.int64)
    quotes = _arrow_text(claims["quote"])
    ascii_ = pc.fill_null(pc.string_is_ascii(quotes), False).to_numpy(zero_copy_only=False)
    language = (_per_row(claims["language"], lambda x: x if isinstance(x, str) else None)
                if "language" in claims.columns else np.full(n, None, dtype=object))
    english = language == "en"
    known = english | (language == "de") | np.equal(language, None)
    not_en = pc.fill_null(pc.match_substring_regex(quotes, PLAIN_NOT_EN, ignore_case=True),
                          True).to_numpy(zero_copy_only=False)
    not_de = (pc.fill_null(pc.match_substring_regex(quotes, PLAIN_NOT_DE, ignore_case=True),
                           True).to_numpy(zero_copy_only=False)
              if not english.all() else not_en)
    plain = ascii_ & known & ~np.where(english, not_en, not_de)
    count = pc.fill_null(pc.count_substring_regex(quotes, NUMBER_WORD), 0)
    first = pc.struct_field(pc.extract_regex(quotes, NUMBER_WORD), [0])
    first = pc.replace_substring_regex(first, r"[.,]+$", "")
    first = pc.replace_substring(first, ",", ".")
    try:
        values = pc.cast(first, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, ValueError):  # "1..2" somewhere: number by number
        import pandas as pd

        values = pd.to_numeric(pd.Series(first.to_pylist(), dtype=object), errors="coerce"
                               ).to_numpy(dtype="float64", na_value=math.nan)
    return (np.asarray(plain, dtype=bool), np.asarray(values, dtype="float64"),
            count.to_numpy(zero_copy_only=False))


def _arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow large strings (the column's own Arrow array where it has one)."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(column.array, pd.arrays.ArrowStringArray):
        return column.array.__arrow_array__().cast(pa.large_string())  # (no copy if it is)
    return pa.chunked_array([pa.array(column.astype(object).where(column.notna(), None),
                                      type=pa.large_string())])


def _per_row(column: pd.Series, of: Callable[[object], object]) -> np.ndarray:
    """``of`` each row's cell, as an object array, computed once per distinct cell (an empty
    cell is given ``of(None)``).
    """
    import numpy as np
    import pandas as pd

    codes, cells = pd.factorize(column)
    out = np.empty(len(cells) + 1, dtype=object)
    out[:] = [of(c) for c in cells.tolist()] + [of(None)]
    return out[codes]


def _settled(claims: pd.DataFrame, value: np.ndarray, easy: np.ndarray, first: np.ndarray,
             count: np.ndarray) -> np.ndarray:
    """The claims that pass at a glance: a plain quote, an easy claim (:func:`_at_a_glance`)
    and a value that is the quote's first number, or another of its numbers.
    """
    import numpy as np

    settled = easy & (value == first)
    others = np.flatnonzero(easy & ~settled & (count > 1))
    if not others.size:  # (also where there is no quote column: nothing is easy)
        return settled
    for pos, quote, figure in zip(others.tolist(), claims["quote"].iloc[others].tolist(),
                                  value[others].tolist(), strict=True):
        settled[pos] = figure in _numbers(quote)
    return settled


def _at_a_glance(claims: pd.DataFrame, numbers: dict[str, np.ndarray]) -> np.ndarray:
    """For each claim: whether, if its value is a figure of its quote, it passes with no more
    to check: a value, no bounds, no scale word, and no rule on its time base that can apply
    (a unit per month for a period of a year, a capacity as an amount, and the reverse). Each
    distinct qualifier, and each distinct unit, period, kind and measure, is judged once.
    """
    import numpy as np
    import pandas as pd

    from prodstats.cells import distinct

    n = len(claims)

    def column(name: str) -> pd.Series:
        return claims[name] if name in claims.columns else pd.Series([None] * n,
                                                                      index=claims.index)

    value, low, high = (numbers[k] for k in ("value", "value_low", "value_high"))
    codes, qualifiers = pd.factorize(column("qualifier"))

    def factors(name: str) -> np.ndarray:  # the qualifier rule's, NaN for none
        rules = [getattr(QUALIFIERS[q], name) if isinstance(q, str) and q in QUALIFIERS
                 else None for q in qualifiers.tolist()]
        return np.array(rules + [None], dtype=float)[codes]

    def ruled(bound: np.ndarray, name: str) -> np.ndarray:  # empty, or the rule's
        with np.errstate(invalid="ignore"):
            return np.isnan(bound) | np.isclose(bound, value * factors(name), rtol=1e-9, atol=0)

    ok = ~np.isnan(value) & ruled(low, "low_factor") & ruled(high, "high_factor")
    ok &= ~column("qualifier").isin(SCALE_QUALIFIERS).to_numpy(dtype=bool)
    keys = pd.DataFrame({"unit": column("unit"), "period": column("period"),
                         "kind": column("kind"), "capacity": column("measures").eq("capacity")})
    combo_of, combos = distinct(keys, list(keys.columns))
    free = np.array([_no_time_rule(unit, _period_length(period if isinstance(period, str)
                                                        else None), kind, bool(capacity))
                     for unit, period, kind, capacity in combos], dtype=bool)
    return ok & free[combo_of]


def _no_time_rule(unit: object, length: str | None, kind: object, capacity: bool) -> bool:
    """Whether no rule on the time base can refuse a claim with no rate word: not the
    no-rate rule (a unit per month for a period of a year, or the reverse) and not the
    capacity rule (a capacity as the amount of a period other than a year).
    """
    if kind != "level":
        return True
    unit = unit if isinstance(unit, str) else ""
    base, duration = _time_base(unit)
    if base:
        return capacity or length not in ("year", "month") or length == base
    return (not capacity or duration or length == "year"
            or unit.strip() in ("percent", "%", "dimensionless"))



def _numbers(quote: str) -> set[float]:
    """The numbers of a plain quote: each word that begins with a digit is one (as DIGITS
    reads it there: a plain quote has no grouped digits and no suffix).
    """
    try:
        return {float(t.replace(",", ".")) for t in (w.strip(PUNCTUATION) for w in quote.split())
                if t and t[0].isdigit()}
    except ValueError:  # "5+3": let the reader read it
        return set()


def plain_figures(quote: str, language: str | None) -> list[Figure]:
    """The figures of a plain quote: its digits."""
    return [Figure(m.start(), m.end(), m.group(), "number", (float(m.group().replace(",", ".")),))
            for m in PLAIN_DIGITS.finditer(quote)]


def fragments(quote: str) -> list[str]:
    """The verbatim fragments of a quote (one, unless it joins several with " … ")."""
    return quote.split(FRAGMENT_JOIN)


@lru_cache(maxsize=65536)
def quote_figures(quote: str, language: str | None) -> list[Figure]:
    """The figures of a quote, each fragment read on its own; a rate word in a fragment with
    no figure is the rate of the figures that have none.
    """
    if FRAGMENT_JOIN not in quote:
        return read_figures(quote, language)
    figures: list[Figure] = []
    lone_rates: set[str] = set()
    offset = 0
    for part in fragments(quote):
        found = [replace(f, start=f.start + offset, end=f.end + offset)
                 for f in read_figures(part, language)]
        if not any(_quantity(f) for f in found):
            lone_rates |= {base for _, _, base, _ in rate_cues(part, language)}
        figures += found
        offset += len(part) + len(FRAGMENT_JOIN)
    if len(lone_rates) == 1:
        (rate,) = lone_rates
        figures = [replace(f, rate=rate) if _quantity(f) and f.rate is None else f
                   for f in figures]
    return figures


def paragraph_of(quote: str, text: str) -> str | None:
    """The paragraph of a text that holds (the first fragment of) a quote."""
    at = text.find(fragments(quote)[0])
    if at < 0:
        return None
    starts = [m.end() for m in PARAGRAPH_BREAK.finditer(text, 0, at)]
    end = PARAGRAPH_BREAK.search(text, at)
    return text[starts[-1] if starts else 0:end.start() if end else len(text)]


@lru_cache(maxsize=1024)
def _period_length(period: str | None) -> str | None:
    """``year``, ``month`` or ``day`` for a period written as one of them, else None."""
    text = (period or "").strip()
    return next((name for name, pattern in PERIOD_LENGTHS if pattern.fullmatch(text)), None)


#: Periods that are one year, one month or one day.
PERIOD_LENGTHS = (("year", re.compile(r"[0-9]{4}")), ("month", re.compile(r"[0-9]{4}-[0-9]{2}")),
                  ("day", re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")))


@dataclass(slots=True)
class _Claim:
    """One claim, with the figures of its quote."""

    figures: list[Figure]
    quote: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    qualifier: str
    kind: str
    language: str | None = None
    period_text: str | None = None
    base_text: str | None = None
    capacity: bool = False  # the indicator measures a capacity: a rate by nature
    text: str | None = None  # the source's text, for the paragraph of the quote
    length_of: str | None = None  # the period, for its length (also when dates are not read)

    def problems(self) -> list[Problem]:
        """``(column, found, message)`` for each problem."""
        if self.qualifier in SCALE_QUALIFIERS:  # a range: its bounds are the rule's
            scaled = [f for f in self.figures if f.scale == self.qualifier]
            return self._scale_problems() or self._dated(scaled)
        mixed = self._mixed_fragments()
        if mixed:
            return [("quote", self.quote, mixed)]
        out = []
        matched = self._matched(self.value) if self.value is not None else []
        in_range = not matched and self.value is not None and self._inside_given_range()
        if self.value is not None and not matched and not in_range:
            out.append(("value", _fmt(self.value), self._value_message()))
        for name, bound, factor in (("value_low", self.low, "low_factor"),
                                    ("value_high", self.high, "high_factor")):
            if bound is not None and not self._rule_bound(factor, bound) \
                    and not self._matched(bound):
                out.append((name, _fmt(bound), self._bound_message(bound)))
        if in_range:  # the range's figure, which carries a cue both share ("2 to 3 a month")
            matched = self._matched(self.high) or self._matched(self.low)
        rate = self._rate_problem(matched) if matched and self.kind == "level" else None
        if rate:
            out.append(("unit", self.unit, rate))
        return out + (self._dated(matched) if matched or self.value is None else [])

    def _dated(self, matched: list[Figure]) -> list[Problem]:
        """The period and base against the dates the quote names near the claim's figure."""
        if not (self.period_text or self.base_text):
            return []
        figure = (matched[0].start, matched[0].end) if matched else None
        spans = tuple((f.start, f.end) for f in self.figures if _quantity(f)
                      and not CALIBRE.match(self.quote, f.end))  # "155 mm": a calibre
        amount = (self.kind == "level" and not self.capacity
                  and _time_base(self.unit) == (None, False))
        return date_problems(self.quote, self.language, self.period_text, self.base_text,
                             self.kind, figure, spans, amount=amount)

    def _mixed_fragments(self) -> str | None:
        """Fragments joined by " … " bring in words (a rate word), never a second figure."""
        if FRAGMENT_JOIN not in self.quote:
            return None
        carriers, offset = [], 0
        for part in fragments(self.quote):
            inside = [f for f in self.figures if _quantity(f)
                      and offset <= f.start < offset + len(part)]
            if inside:
                carriers.append((part, inside))
            offset += len(part) + len(FRAGMENT_JOIN)
        if len(carriers) < 2:
            return None
        part, inside = carriers[0] if not self._carries(carriers[0][1]) else carriers[1]
        return (f"the fragments joined with ' … ' hold figures in more than one fragment: "
                f"{_short(part)} has '{inside[0].text}'; quote from the other fragments only "
                f"the words the claim needs (such as its rate word), without their figures")

    def _carries(self, figures: list[Figure]) -> bool:
        """Whether one of the figures gives the claim's value."""
        return self.value is not None and any(_matches(self.value, self._allowed(f))
                                              for f in figures)

    def _scale_problems(self) -> list[Problem]:
        if any(f.scale == self.qualifier for f in self.figures):
            return []
        words = ", ".join(f"'{f.text}'" for f in self.figures if f.scale) or "no scale word"
        return [("qualifier", self.qualifier,
                 f"the quote has {words}, not a word for {self.qualifier}; use the qualifier "
                 f"its words give, or quote the words that say {self.qualifier}")]

    def _direction(self, figure: Figure) -> str | None:
        """``up``, ``down``, ``of`` or None: which way a per cent or fraction takes a ratio."""
        after = self.quote[figure.end:figure.end + 40]
        before = self.quote[max(0, figure.start - 40):figure.start]
        if RATIO_UP.match(after) or RATIO_UP_BEFORE.search(before):
            return "up"
        if RATIO_DOWN.match(after) or RATIO_DOWN_BEFORE.search(before):
            return "down"
        return "of" if RATIO_OF.match(after) else None

    def _allowed(self, figure: Figure) -> tuple[float, ...]:
        """The values a claim of this kind and unit may take from one figure."""
        c = figure.candidates
        if figure.kind not in ("percent", "fraction") or self.kind == "level":
            return c
        number, fraction = (c[0], c[1]) if figure.kind == "percent" else (c[1], c[0])
        if self.kind == "share":
            return (number,) if self.unit.strip() in ("percent", "%") else (fraction,)
        # A ratio is a multiple, never the bare per cent: "40 per cent more" is 1.4, "a third
        # less" is 2/3, "40 per cent of" is 0.4, "by a third" either way.
        return {"up": (1 + fraction,), "down": (1 - fraction,),
                "of": (fraction,)}.get(self._direction(figure), (1 + fraction, 1 - fraction))

    def _matched(self, value: float) -> list[Figure]:
        return [f for f in self.figures if _matches(value, self._allowed(f))]

    def _inside_given_range(self) -> bool:
        """Whether the value lies between the bounds and one of them is the quote's own
        figure (the other, if wrong, is refused on its own line).
        """
        if self.low is None or self.high is None or not self.low <= self.value <= self.high:
            return False
        return bool(self._matched(self.low)) or bool(self._matched(self.high))

    def _rule_bound(self, factor_name: str, bound: float) -> bool:
        """Whether a bound is what the qualifier rule gives (filled in, not written)."""
        rule = QUALIFIERS.get(self.qualifier)
        factor = None if rule is None else getattr(rule, factor_name)
        return (factor is not None and self.value is not None
                and math.isclose(bound, self.value * factor, rel_tol=1e-9))

    # --- the time base ---------------------------------------------------------------------

    def _rate_problem(self, matched: list[Figure]) -> str | None:
        """Why the unit's time base disagrees with the rate cue of the matched figure."""
        rates = {f.rate for f in matched}
        base, duration = _time_base(self.unit)
        plain = self.unit.strip() in ("percent", "%", "dimensionless")
        period = _period_length(self.length_of)
        # a quote with no rate word at all: RATE_CUES, not rate_cues(), so that even a cue
        # read as a time ("im Jahr") keeps the rule off; a capacity is a rate by nature
        if (rates == {None} and base and period in ("year", "month") and period != base
                and not self.capacity and not self._has_rate_word()
                and not RATE_SLASH.search(self.quote)
                and not COMPARED_FROM.search(self.quote, 0, matched[0].start)):
            return self._no_rate_message(matched[0], base, period)
        if (self.capacity and rates == {None} and base is None and not duration and not plain
                and period != "year"):
            return self._capacity_message(matched[0], period)
        if None in rates or duration or plain or base in rates:
            return None  # no cue to compare, a duration ("24 hours"), a pure number, or agreed
        rate = min(rates)
        figure = next(f for f in matched if f.rate == rate)
        amount = self.unit.split("/")[0].strip() if base else self.unit
        fix = f"write unit '{amount}/{rate}'"
        if base is None and period == rate:
            return None  # the amount of one month, coded with a period of one month
        if base is None:
            return (f"the quote gives '{figure.text}' per {rate}, but the unit has no time "
                    f"base and the period is not one {rate}; {fix}")
        factor = PER_YEAR[rate] / PER_YEAR[base]
        how = f"{factor:.3g}x too low" if factor >= 1 else f"{1 / factor:.3g}x too high"
        return (f"the quote gives '{figure.text}' per {rate}, but the unit is per {base} "
                f"(read so, the figure is {how}); {fix}")

    def _has_rate_word(self) -> bool:
        if self.language in LANGUAGES:
            return bool(rate_cues(self.quote, self.language))
        return RATE_CUES.search(self.quote) is not None

    def _no_rate_message(self, figure: Figure, base: str, period: str) -> str:
        """A figure with no rate word, coded per month (year) with a period of a year
        (month). The fix depends on the paragraph: a rate word outside the quote is quoted;
        else the figure is the amount of its period, or of another period.
        """
        said = (f"the quote gives '{figure.text}' with no rate word (such as 'a {base}'), so "
                f"it reads as the amount for its period, one {period}, but the unit is per "
                f"{base}")
        cue = self._paragraph_cue()
        if cue:
            return (f"{said}; its paragraph says '{cue}' outside the quote: if that is the "
                    f"rate of '{figure.text}', quote it too, joining the verbatim fragments "
                    f"with ' … ' (docs/codebook.md §9)")
        amount = self.unit.split("/")[0].strip()
        return (f"{said}; if it is the amount of that {period}, write unit '{amount}'; if it "
                f"is the amount of another period, write that period")

    def _capacity_message(self, figure: Figure, period: str | None) -> str:
        """A capacity (a rate by nature) coded with an amount unit and a period that is not
        one year: the amount would be spread over the period.
        """
        over = f"one {period}" if period else f"the period {self.period_text}"
        return (f"the indicator measures a capacity, which is a rate, but unit '{self.unit}' "
                f"makes '{figure.text}' the amount of {over}; if the text means a yearly "
                f"capacity, write unit '{self.unit.strip()}/year'; if it gives another time, "
                f"quote its rate word (join verbatim fragments with ' … ')")

    def _paragraph_cue(self) -> str | None:
        """A rate word in the quote's paragraph but outside the quote, or None."""
        paragraph = paragraph_of(self.quote, self.text) if self.text else None
        if not paragraph:
            return None
        for part in fragments(self.quote):
            paragraph = paragraph.replace(part, "\n\n")
        cues = rate_cues(paragraph, self.language)
        return paragraph[cues[0][0]:cues[0][1]] if cues else None

    # --- messages --------------------------------------------------------------------------

    def _shown(self) -> list[Figure]:
        return [f for f in self.figures if f.candidates and f.kind != "date"]

    def _said(self) -> str:
        shown = [f"'{f.text}' = {_fmt(self._allowed(f)[0])}" for f in self._shown()[:4]]
        return "it says " + ", ".join(shown) if shown else "it has no figure"

    def _value_message(self) -> str:
        odd = [f.text for f in self.figures if f.kind == "digits"]
        shown = self._shown()
        if odd and not shown:
            return (f"the quote writes its figure in non-ASCII digits ({', '.join(odd)}), "
                    "which are never read as numbers; check the value by hand, set derived "
                    "to true and say so in notes")
        if not shown:
            return (f"the quote has no figure ({_short(self.quote)}); quote the words that "
                    f"carry the figure, {DERIVED_HINT}")
        head = f"not among the figures of the quote ({self._said()})"
        return (self._ratio_fix(shown) or self._language_fix(shown, head)
                or self._slip_fix(self.value, shown, head)
                or (f"{head}; write {_fmt(self._allowed(shown[0])[0])}, or quote the words "
                    f"that give {_fmt(self.value)}" if len(shown) == 1 else
                    f"{head}; write the one the claim states, {DERIVED_HINT}"))

    def _bound_message(self, bound: float) -> str:
        head = f"not among the figures of the quote ({self._said()})"
        return self._slip_fix(bound, self._shown(), head) or (
            f"{head}; bounds you give must be the text's own; leave the cell empty to take "
            f"them from the qualifier, {DERIVED_HINT}")

    def _ratio_fix(self, shown: list[Figure]) -> str | None:
        """A ratio coded as the bare per cent or fraction: the multiple to write."""
        if self.kind != "ratio":
            return None
        for f in shown:
            if f.kind not in ("percent", "fraction") or not _matches(self.value, f.candidates):
                continue
            allowed = self._allowed(f)
            if len(allowed) == 1:
                way = {"up": "more", "down": "less"}.get(self._direction(f), "of its base")
                return (f"a ratio is written as the multiple, and '{f.text}' {way} is "
                        f"{_fmt(allowed[0])}; write {_fmt(allowed[0])}")
            return (f"a ratio is written as the multiple: '{f.text}' more is "
                    f"{_fmt(allowed[0])}, '{f.text}' less is {_fmt(allowed[1])}; write the "
                    "one the text says")
        return None

    def _language_fix(self, shown: list[Figure], head: str) -> str | None:
        """A value that is the other reading of a one-separator figure ("40,000" as 40000
        in a German source).
        """
        for f in shown:
            if not ONE_SEPARATOR.fullmatch(f.text) or len(f.candidates) != 1:
                continue
            other = [v for v in _digit_values(f.text, None) if v != f.candidates[0]]
            if other and _matches(self.value, other):
                return (f"{head}; '{f.text}' is read as the source's language "
                        f"({self.language}) writes numbers (sources.csv, language): if the "
                        f"text writes them so, write {_fmt(f.candidates[0])}; if it writes "
                        f"them the other way, say so in notes and set derived to true")
        return None

    def _slip_fix(self, value: float, shown: list[Figure], head: str) -> str | None:
        """A value that is one figure of the quote times a power of ten (a slipped zero or
        separator): that figure.
        """
        slips = sorted((abs(math.log10(value / c)), c, f) for f in shown
                       for c in self._allowed(f) if _power_of_ten(value, c))
        if not slips or len(slips) > 1 and slips[1][0] == slips[0][0] \
                and slips[1][1] != slips[0][1]:
            return None  # none, or two as near: the coder must choose
        _, right, figure = slips[0]
        factor = value / right
        how = f"{factor:.0f}x" if factor > 1 else f"1/{1 / factor:.0f} of"
        shown_as = "" if right == self._allowed(figure)[0] else f" (= {_fmt(right)})"
        return f"{head}; {_fmt(value)} is {how} '{figure.text}'{shown_as}; write {_fmt(right)}"


#: After a figure: a calibre ("155 mm shells", "obus de 155 mm"), not a quantity.
CALIBRE = re.compile(r"(?i)\s?-?(?:mm\b|millim)")


def _quantity(figure: Figure) -> bool:
    return figure.kind not in ("date", "digits")


def _power_of_ten(value: float, figure: float) -> bool:
    """Whether ``value`` is ``figure`` times 10, 100, ... 10**6 or divided by one of them."""
    if not value or not figure:
        return False
    k = math.log10(abs(value / figure))
    return abs(k - round(k)) < 1e-9 and 1 <= abs(round(k)) <= 6


def _matches(value: float, candidates: Iterable[float]) -> bool:
    """Whether a value is one of the candidates, or one rounded to two or more significant
    digits (0.33 and 0.3333 for 1/3).
    """
    for c in candidates:
        if math.isclose(value, c, rel_tol=1e-9, abs_tol=1e-12):
            return True
        if c != 0 and value != 0:
            magnitude = math.floor(math.log10(abs(c)))
            if any(math.isclose(value, round(c, digits - 1 - magnitude), rel_tol=1e-9)
                   for digits in range(2, 16)):
                return True
    return False


@lru_cache(maxsize=1024)
def _time_base(unit: str) -> tuple[str | None, bool]:
    """``(base, duration)``: the time a rate unit is per (``rounds/month`` → month), and
    whether the unit is a time itself (``hours``). Unparsable units give (None, False): the
    unit check reports them.
    """
    from prodstats.units import UnitParseError, parse_unit, ureg

    try:
        parsed = parse_unit(unit)
    except UnitParseError:
        return None, False
    power = parsed.dimensionality.get("[time]", 0)
    if power != -1:
        return None, power > 0
    for base in PER_YEAR:
        reduced = (ureg.Quantity(1, parsed) * ureg.Quantity(1, base)).to_reduced_units()
        if "[time]" not in reduced.dimensionality and math.isclose(reduced.magnitude, 1):
            return base, False
    return None, False


def _text(x: object) -> str | None:
    return x.strip() or None if isinstance(x, str) else None


def _num(x: object) -> float | None:
    """A float, or None for an empty cell."""
    if x is None or isinstance(x, str) and not x.strip():
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _hashable(x: object) -> object:
    try:
        hash(x)
    except TypeError:
        return repr(x)
    return "nan" if isinstance(x, float) and math.isnan(x) else x


def _truthy(x: object) -> bool:
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    try:
        return bool(x) and not (isinstance(x, float) and math.isnan(x))
    except (TypeError, ValueError):  # pd.NA
        return False


def _fmt(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:.6g}"


def _short(text: str, limit: int = 50) -> str:
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


