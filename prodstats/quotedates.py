"""The dates and bases a quote names, against the claim's ``period`` and ``base_period``.

A quote that names when its figure falls due ("by the end of 2025", "bis Ende März 2024"),
the part of a year it holds for ("in the fourth quarter of 2024", "in November 2024") or the
base of its ratio ("compared with 2023", "before the full-scale invasion", "on the same
quarter a year earlier") is compared with the claim: a period or base that disagrees is
refused with the one to write. Where the quote names no date, or several of one sort, or a
date that belongs to another figure of the quote (one nearer to it), nothing is refused.

The phrases are data, one table per language (:func:`phrases`): each entry is a regular
expression with the named groups ``year``, ``month`` (a month name), ``quarter`` (an ordinal
word or digit) or ``half``, and what the phrase is (``due``, ``within`` or ``base``). A base
phrase with no group ("before the war") gives its fixed period; one marked ``year_earlier``
gives the claim's period a year back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from prodstats.periods import PeriodError, parse_period, split_candidates

#: Month names by language (lower case), with their numbers.
MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"],
    "de": ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
#: Ordinals of quarters and halves by language.
ORDINALS = {
    "en": {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
           "4th": 4},
    "de": {"ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4},
    "fr": {"premier": 1, "deuxième": 2, "second": 2, "troisième": 3, "quatrième": 4},
    "es": {"primer": 1, "segundo": 2, "tercer": 3, "cuarto": 4},
}
#: The last full year before Russia's full-scale invasion (docs/codebook.md §7).
PRE_WAR = "2021"

#: A year, or a span of years ("2019-2021", "2019–2021": the span 2019/2021).
_Y = (r"(?P<year>(?:19|20)[0-9]{2})(?:\s?[-–]\s?(?P<year2>(?:19|20)[0-9]{2}))?"
      r"(?![0-9])")


def _months(language: str) -> str:
    return "|".join(MONTHS[language])


@lru_cache(maxsize=1)
def phrases() -> dict[str, list[tuple[str, re.Pattern]]]:
    """The phrase table of each language: ``(what, pattern)``, what in due | within | base |
    base_year_earlier.
    """
    en, de, fr, es = (_months(k) for k in ("en", "de", "fr", "es"))
    table = {
        "en": [
            ("due", rf"\b(?:by|until|till|no\s+later\s+than)\s+(?:the\s+)?"
                    rf"(?P<end>end(?:\s+of|-)\s*)?(?:(?P<month>{en})\s+)?{_Y}"),
            ("within", rf"\b(?:in|during)\s+(?:the\s+)?(?P<quarter>first|second|third|fourth|"
                       rf"1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{_Y}"),
            ("within", rf"\b(?:in|during)\s+Q(?P<q>[1-4])\s+{_Y}"),
            ("within", rf"\b(?:in|during)\s+(?:the\s+)?(?P<half>first|second)\s+half\s+"
                       rf"(?:of\s+)?{_Y}"),
            ("within", rf"\b(?:in|during)\s+(?P<month>{en})\s+(?:of\s+)?{_Y}"),
            ("base", rf"\b(?:compared\s+(?:with|to)|relative\s+to|than\s+in|versus|vs\.?)\s+"
                     rf"(?:the\s+year\s+)?{_Y}"),
            ("base", r"\b(?:before|prior\s+to)\s+(?:the\s+|Russia's\s+)?(?:full-scale\s+)?"
                     r"(?:war|invasion)\b|\bpre-?war\b"),
            ("base_year_earlier", r"\b(?:on|from|over)\s+the\s+same\s+(?:quarter|month|period)"
                                  r"\s+(?:a|one|of\s+the\s+previous)\s+year(?:\s+earlier)?\b"
                                  r"|\byear[- ]on[- ]year\b"),
        ],
        "de": [
            ("due", rf"\bbis\s+(?:zum\s+)?(?P<end>Ende\s+)?(?:(?P<month>{de})\s+)?{_Y}"),
            ("within", rf"\bim\s+(?P<quarter>ersten|zweiten|dritten|vierten)\s+Quartal\s+"
                       rf"(?:des\s+Jahres\s+)?{_Y}"),
            ("within", rf"\bim\s+(?P<half>ersten|zweiten)\s+Halbjahr\s+{_Y}"),
            ("within", rf"\bim\s+(?P<month>{de})\s+{_Y}"),
            ("base", rf"\b(?:im\s+Vergleich\s+zu(?:m\s+Jahr)?|gegenüber(?:\s+dem\s+Jahr)?|"
                     rf"verglichen\s+mit)\s+{_Y}"),
            ("base", r"\bvor\s+(?:dem\s+Krieg|Kriegsbeginn|Beginn\s+des\s+Krieges|der\s+"
                     r"(?:russischen\s+)?(?:Voll)?[Ii]nvasion)\b"),
            ("base_year_earlier", r"\b(?:im\s+)?Vorjahres(?:quartal|monat|zeitraum|vergleich)\b"),
        ],
        "fr": [
            ("due", rf"\b(?:d['’]ici|avant|jusqu['’]à)\s+(?P<end>(?:la\s+)?fin\s+)?"
                    rf"(?:(?P<month>{fr})\s+)?{_Y}"),
            ("within", rf"\bau\s+(?P<quarter>premier|deuxième|second|troisième|quatrième)\s+"
                       rf"trimestre\s+(?:de\s+)?{_Y}"),
            ("within", rf"\ben\s+(?P<month>{fr})\s+{_Y}"),
            ("base", rf"\b(?:par\s+rapport\s+à|comparé\s+à|qu['’]en)\s+{_Y}"),
            ("base", r"\bavant\s+(?:la\s+guerre|l['’]invasion)\b"),
            ("base_year_earlier", r"\bsur\s+un\s+an\b|\bpar\s+rapport\s+au\s+même\s+"
                                  r"(?:trimestre|mois)\s+de\s+l'année\s+(?:précédente|"
                                  r"dernière)\b"),
        ],
        "es": [
            ("due", rf"\b(?:(?:para|antes\s+de|hasta)\s+(?P<end>(?:el\s+)?final(?:es)?\s+de\s+)?"
                    rf"|(?P<end2>a\s+finales\s+de\s+))(?:(?P<month>{es})\s+de\s+)?{_Y}"),
            ("within", rf"\ben\s+el\s+(?P<quarter>primer|segundo|tercer|cuarto)\s+trimestre\s+"
                       rf"(?:de\s+)?{_Y}"),
            ("within", rf"\ben\s+(?P<month>{es})\s+(?:de\s+)?{_Y}"),
            ("base", rf"\b(?:en\s+comparación\s+con|respecto\s+a|frente\s+a|que\s+en)\s+{_Y}"),
            ("base", r"\bantes\s+de\s+la\s+(?:guerra|invasión)\b"),
            ("base_year_earlier", r"\binteranual\b|\bmismo\s+(?:trimestre|mes)\s+del\s+año\s+"
                                  r"(?:anterior|pasado)\b"),
        ],
    }
    return {k: [(what, re.compile(p, re.IGNORECASE)) for what, p in v] for k, v in table.items()}


#: Before a dated phrase: words that make its date the base of a comparison, not the period.
COMPARED_BEFORE = re.compile(r"(?i)\b(?:from|than|since|compared\s+(?:with|to)|seit|"
                             r"gegenüber|von|depuis|desde)\s+(?:\S+\s+){0,3}$")


#: Before a dated phrase: a verb of saying or promising, which makes its date the day the
#: statement was made ("s'était engagé en janvier 2024 à livrer ..."), not the claim's period.
SAID_BEFORE = re.compile(r"(?i)\b(?:said|announced|promised|pledged|committed|agreed|"
                         r"sagte|kündigte|versprach|zugesagt|angekündigt|zusagte|"
                         r"engagée?s?|promis(?:e|es)?|annoncée?s?|déclaré|"
                         r"comprometió|prometió|anunció|dijo|declaró)\s+(?:\S+\s+){0,1}$")


#: What every phrase holds: a year, or a word of the phrases without one.
MAY_BE_DATED = re.compile(r"(?i)(?:19|20)[0-9]{2}|war|invas|krieg|same|year|vorjahr|un\s+an|"
                          r"interanual|mismo|même")


@dataclass(frozen=True)
class Phrase:
    """A dated phrase of a quote: what it is, where, and the period it names."""

    what: str     # due | within | base | base_year_earlier
    start: int
    end: int
    text: str
    period: str | None  # as to write it: 2025-12, 2024-10/2024-12, 2021; None: a year back


@lru_cache(maxsize=65536)
def quote_phrases(quote: str, language: str | None) -> tuple[Phrase, ...]:
    """The dated phrases of a quote, in order (every language's phrases when it is unknown)."""
    if not MAY_BE_DATED.search(quote):
        return ()
    found = []
    table = phrases()
    for lang in (language,) if language in table else tuple(table):
        for what, pattern in table[lang]:
            for m in pattern.finditer(quote):
                found.append(Phrase(what, m.start(), m.end(), m.group(0),
                                    _named(m, lang, what)))
    return tuple(sorted(set(found), key=lambda p: (p.start, p.end)))


def _named(m: re.Match, language: str, what: str) -> str | None:
    """The period a phrase names, as the codebook writes it."""
    groups = m.groupdict()
    year = groups.get("year")
    if year is None:
        return None if what == "base_year_earlier" else PRE_WAR
    if groups.get("month"):
        return f"{year}-{MONTHS[language].index(groups['month'].lower()) + 1:02d}"
    quarter = groups.get("quarter") or groups.get("q")
    if quarter:
        q = int(quarter) if quarter.isdigit() else ORDINALS[language][quarter.lower()]
        return f"{year}-{3 * q - 2:02d}/{year}-{3 * q:02d}"
    if groups.get("half"):
        h = ORDINALS[language][groups["half"].lower()]
        return f"{year}-{6 * h - 5:02d}/{year}-{6 * h:02d}"
    if groups.get("year2"):  # "qu'en 2019-2021": the three years
        return f"{year}/{groups['year2']}"
    return f"{year}-12" if groups.get("end") or groups.get("end2") else year


def date_problems(quote: str, language: str | None, period: str | None, base: str | None,
                  kind: str, figure: tuple[int, int] | None = None,
                  figures: tuple[tuple[int, int], ...] = (), amount: bool = False
                  ) -> list[tuple[str, str, str]]:
    """``(column, found, message)`` for a period or base the quote contradicts.

    Args:
        quote: the quote.
        language: the source's language, or None.
        period: the claim's ``period`` as coded.
        base: the claim's ``base_period`` as coded.
        kind: the claim's kind (only a ratio's base is checked).
        figure: the span of the quote's figure that carries the claim's value, if known.
        figures: the spans of all the quote's figures that are quantities: a phrase nearer
            to another figure than to the claim's belongs to that one.
        amount: the claim is an amount (a unit that is not a rate): one due by a date covers
            the span from when it was promised, so the advice is a span, never the due
            month alone (which would make it the amount of one month).
    """
    phrases = [p for p in quote_phrases(quote, language)
               if figure is None or _nearest(p, figure, figures)]
    if not phrases:
        return []
    out = []
    claimed = _parse(period)
    due = {p.period: p for p in phrases if p.what == "due"}
    within = {p.period: p for p in phrases if p.what == "within"
              and not COMPARED_BEFORE.search(quote, max(0, p.start - 40), p.start)
              and not SAID_BEFORE.search(quote, max(0, p.start - 40), p.start)}
    if claimed and len(due) == 1:
        ((text, p),) = due.items()
        named = _parse(text)
        if named and named.end != claimed.end:
            due_month = named.end.isoformat()[:7]
            fix = (f"write period {text}" if not amount else
                   f"write period START/{due_month}, START being the month the amount was "
                   f"promised (codebook §12: an amount due by a date is coded over the span "
                   f"from its promise; {due_month} alone would make it the amount of one "
                   "month)")
            out.append(("period", period, (
                f"the quote says '{p.text}', but the period {period} ends "
                f"{claimed.end.isoformat()}, not {named.end.isoformat()}; {fix}")))
    elif claimed and len(within) == 1:
        ((text, p),) = within.items()
        named = _parse(text)
        if named and not (named.start <= claimed.start and claimed.end <= named.end):
            out.append(("period", period, (
                f"the quote says '{p.text}', but the period is {period}; write period "
                f"{text}")))
    if kind == "ratio" and base:  # "a year earlier" is a year before the period the quote names
        named = _parse(next(iter(within))) if len(within) == 1 else None
        out += _base_problem(phrases, named or claimed, base)
    return out


def _base_problem(phrases: list[Phrase], claimed, base: str) -> list[tuple[str, str, str]]:
    named = {}
    for p in phrases:
        if p.what == "base":
            named[p.period] = p
        elif p.what == "base_year_earlier" and claimed is not None:
            named[_year_back(claimed)] = p
    if len(named) != 1:
        return []
    ((text, p),) = named.items()
    keys = {_key(c) for c in split_candidates(base)}
    if _key(text) in keys or None in keys:
        return []
    why = f"'{p.text}' ({text})" if p.period != text else f"'{p.text}'"
    return [("base_period", base, (
        f"the quote names the base {why}, but base_period is {base}; write base_period "
        f"{text}"))]


def _nearest(phrase: Phrase, figure: tuple[int, int], figures: tuple[tuple[int, int], ...]
             ) -> bool:
    """Whether no other figure of the quote stands nearer to the phrase than the claim's."""
    def distance(span: tuple[int, int]) -> int:
        return max(span[0] - phrase.end, phrase.start - span[1], 0)

    mine = distance(figure)
    return all(distance(s) >= mine for s in figures)


def _year_back(claimed) -> str:
    """The claim's period a year earlier, written as the codebook does."""
    def back(d: date) -> date:
        return d.replace(year=d.year - 1, day=min(d.day, 28)) if d.month == 2 else \
            d.replace(year=d.year - 1)

    start, end = back(claimed.start), back(claimed.end)
    if end.month == 2 and claimed.end.day >= 28:
        end = end.replace(day=29 if end.year % 4 == 0 else 28)
    text = f"{start.isoformat()}/{end.isoformat()}"
    return parse_period(text).key


@lru_cache(maxsize=4096)
def _parse(text: str | None):
    if not text or "|" in text:
        return None
    try:
        return parse_period(text)
    except PeriodError:
        return None


def _key(text: str | None) -> str | None:
    parsed = _parse(text)
    return None if parsed is None else parsed.key
