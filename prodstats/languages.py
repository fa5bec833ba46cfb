"""The reader's rules for the languages beyond English and German, as data.

Numbers written as words are read by text2num (``text_to_num.text2num``: French, Spanish,
Italian, Portuguese, Dutch, ...) and each language's decimal and group separators come from
Babel (CLDR), keyed by ``sources.language``. What no library knows is kept here, one table per
language: the scale words, per-cent words, multiples and fractions, the rate cues, the words
before a year, the month names and the frequent short words that tell the language of a text.
French and Spanish are complete (add-source, uncoded, the quote check and the codebook's phrase
tables); any other language gets its separators and its number words.

English and German keep their tables in :mod:`prodstats.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Language:
    """The reader's data for one language.

    Attributes:
        scales: scale words after a figure, with their factor ("millions" → 1e6).
        percent: words for per cent after a figure ("pour cent").
        multiples: words that are a multiple ("triplé" → 3).
        times: the word after a number that makes it a multiple ("fois", "veces").
        fractions: fraction words and their denominators ("tiers" → 3, "moitié" → 2).
        articles: articles that count as one before a scale word or fraction.
        rate_cues: a regular expression whose named group ``base`` is year, month, week or day
            (the group's text is looked up in ``rate_bases``).
        rate_bases: the words of the rate cues and the time base each says.
        year_cues: words before a four-digit number that make it a year ("en 2024").
        months: month names, lower case, January first.
        frequent: frequent short words, to tell the language of a text.
        joiners: words between number words of one number ("et" in "vingt et un").
        halves: words that are a half before a scale word ("medio" in "medio millón"); alone
            they are ordinary words ("Oriente Medio").
        not_numbers: words text2num reads as a number that are a hedge before one ("unos
            1.500": about 1,500).
    """

    scales: dict[str, float]
    percent: frozenset[str]
    multiples: dict[str, float]
    times: frozenset[str]
    fractions: dict[str, float]
    articles: frozenset[str]
    rate_cues: re.Pattern
    rate_bases: dict[str, str]
    year_cues: frozenset[str]
    months: tuple[str, ...]
    frequent: frozenset[str]
    joiners: frozenset[str] = field(default_factory=frozenset)
    halves: frozenset[str] = field(default_factory=frozenset)
    not_numbers: frozenset[str] = field(default_factory=frozenset)


FRENCH = Language(
    scales={"mille": 1e3, "millier": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9,
            "milliards": 1e9, "billion": 1e12, "billions": 1e12, "md": 1e9, "mds": 1e9, "mrd": 1e9,
            "demi-million": 5e5, "demi-millions": 5e5, "demi-milliard": 5e8},
    percent=frozenset({"%", "pour cent", "pourcent", "p. cent"}),
    multiples={"doublé": 2, "doublée": 2, "doublés": 2, "double": 2, "triplé": 3, "triplée": 3,
               "triple": 3, "quadruplé": 4, "quadruplée": 4, "quintuplé": 5, "sextuplé": 6,
               "décuplé": 10, "décuplée": 10, "divisé par deux": 0.5},
    times=frozenset({"fois"}),
    fractions={"tiers": 3, "quart": 4, "quarts": 4, "moitié": 2, "cinquième": 5,
               "dixième": 10},
    articles=frozenset({"un", "une"}),
    rate_cues=re.compile(r"(?i)\b(?:par|chaque|tous\s+les|toutes\s+les)\s+"
                         r"(?P<base>an|année|mois|semaine|jour)s?\b"
                         r"|\b(?P<adj>annuel(?:le)?s?|mensuel(?:le)?s?|hebdomadaires?|"
                         r"quotidien(?:ne)?s?)\b"),
    rate_bases={"an": "year", "année": "year", "annuel": "year", "mois": "month",
                "mensuel": "month", "semaine": "week", "hebdomadaire": "week", "jour": "day",
                "quotidien": "day"},
    year_cues=frozenset({"en", "ici", "fin", "début", "mi", "depuis", "avant", "après",
                         "jusqu", "dès", "année", "printemps", "été", "automne", "hiver",
                         "trimestre", "semestre", "vers", "courant"}),
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    frequent=frozenset({"le", "les", "des", "et", "est", "une", "dans", "pour", "qui", "sur",
                        "au", "aux", "du", "par", "pas", "été", "selon", "ont", "d", "l"}),
    joiners=frozenset({"et"}),
    halves=frozenset({"demi"}),
)

SPANISH = Language(
    scales={"mil": 1e3, "millón": 1e6, "millones": 1e6, "millon": 1e6, "billón": 1e12,
            "billones": 1e12},
    percent=frozenset({"%", "por ciento", "porciento"}),
    multiples={"doble": 2, "duplicado": 2, "duplicada": 2, "duplicó": 2, "duplica": 2,
               "triplicado": 3, "triplicada": 3, "triplicó": 3, "triplica": 3, "cuadruplicado": 4,
               "cuadruplicó": 4, "quintuplicado": 5, "quintuplicó": 5, "sextuplicado": 6,
               "sextuplicó": 6},
    times=frozenset({"veces"}),
    fractions={"tercio": 3, "tercios": 3, "cuarto": 4, "cuartos": 4, "mitad": 2,
               "quinto": 5, "décimo": 10},
    articles=frozenset({"un", "una"}),
    rate_cues=re.compile(r"(?i)\b(?:al|por|cada|a\s+la|por\s+la)\s+"
                         r"(?P<base>año|mes|semana|día)\b"
                         r"|\b(?P<adj>anual(?:es)?|mensual(?:es)?|semanal(?:es)?|"
                         r"diari[oa]s?)\b"),
    rate_bases={"año": "year", "anual": "year", "mes": "month", "mensual": "month",
                "semana": "week", "semanal": "week", "día": "day", "diario": "day",
                "diaria": "day"},
    year_cues=frozenset({"en", "para", "desde", "antes", "después", "finales", "principios",
                         "mediados", "hasta", "año", "primavera", "verano", "otoño",
                         "invierno", "trimestre", "semestre", "fin", "final", "de"}),
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
            "septiembre", "octubre", "noviembre", "diciembre"),
    frequent=frozenset({"el", "los", "las", "del", "y", "una", "por", "con", "para", "es",
                        "al", "según", "ha", "su", "ya", "año", "sus", "muy", "fue", "como"}),
    joiners=frozenset({"y"}),
    halves=frozenset({"medio", "media"}),
    not_numbers=frozenset({"unos", "unas"}),
)

#: The languages with tables of their own.
LANGUAGES: dict[str, Language] = {"fr": FRENCH, "es": SPANISH}
#: The languages text2num reads number words in (English and German have their own tables).
TEXT2NUM = ("fr", "es", "it", "pt", "nl")


@lru_cache(maxsize=64)
def decimal_mark(language: str | None) -> str | None:
    """The decimal mark of a language by CLDR (Babel): "," for de, fr, es; "." for en; None
    for no language or one Babel does not know.
    """
    if not language:
        return None
    if language in ("en", "de"):  # no need to import Babel for these
        return "." if language == "en" else ","
    return _symbol(language, "decimal")


@lru_cache(maxsize=64)
def groups_with_spaces(language: str | None) -> bool:
    """Whether a language groups digits with a space by CLDR (Babel): French, Polish,
    Ukrainian, Swedish, Czech, ... ("3 000"); where it does, a text's ordinary space between
    digit groups is a group separator too, as writers type it.
    """
    if not language or language in ("en", "de"):
        return False
    group = _symbol(language, "group")
    return group is not None and group.isspace()


def _symbol(language: str, which: str) -> str | None:
    """A language's ``decimal`` or ``group`` symbol by CLDR (Babel), or None for a language
    Babel does not know.
    """
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None
    return (get_decimal_symbol if which == "decimal" else get_group_symbol)(language)


@lru_cache(maxsize=65536)
def word_number(words: str, language: str) -> float | None:
    """The value of number words in a language text2num reads ("trois cent cinquante" →
    350), or None.
    """
    if language not in TEXT2NUM:
        return None
    from text_to_num import text2num

    try:
        return float(text2num(words.lower(), language))
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def classify(word: str, language: str) -> tuple[str, tuple[float, ...], str | None] | None:
    """A word's role in a language with tables: ``(role, candidates, scale factor family)``;
    the roles are those of :mod:`prodstats.figures` (scale, percent, multiple, times,
    denominator, one, word_number); None for an ordinary word.
    """
    table = LANGUAGES.get(language)
    lower = word.lower()
    if table is not None:
        if lower in table.scales:
            return "scale", (table.scales[lower],), None
        if lower in table.percent:
            return "percent", (), None
        if lower in table.multiples:
            return "multiple", (float(table.multiples[lower]),), None
        if lower in table.times:
            return "times", (), None
        if lower in table.fractions:
            return "denominator", (float(table.fractions[lower]),), None
        if lower in table.articles:
            return "one", (1.0,), None
        if lower in table.halves:
            return "half", (0.5,), None
        if lower in table.not_numbers:
            return None
    value = word_number(lower, language)
    return None if value is None else ("word_number", (value,), None)


def rate_cues(text: str, language: str) -> list[tuple[int, int, str, bool]]:
    """The rate cues of a text in a language with tables: ``(start, end, base, adjective)``."""
    table = LANGUAGES.get(language)
    if table is None:
        return []
    out = []
    for m in table.rate_cues.finditer(text):
        word = (m.group("base") or m.group("adj")).lower()
        stem = max((s for s in table.rate_bases if word.startswith(s)), key=len)
        out.append((m.start(), m.end(), table.rate_bases[stem], m.group("adj") is not None))
    return out


@lru_cache(maxsize=16)
def date_pattern(language: str) -> re.Pattern | None:
    """Dates written with a month name in a language with tables ("17 janvier 2025",
    "17 de enero de 2025", "novembre 2024", "noviembre de 2024").
    """
    table = LANGUAGES.get(language)
    if table is None:
        return None
    months = "|".join(table.months)
    return re.compile(rf"(?i)\b(?:[0-9]{{1,2}}(?:er)?\s+(?:de\s+)?)?(?:{months})"
                      rf"(?:\s+(?:de\s+)?(?:19|20)[0-9]{{2}}(?![0-9]))?")


def guess(words: list[str]) -> str | None:
    """The language with tables whose frequent short words a text clearly uses, or None."""
    counts = {code: sum(w in table.frequent for w in words)
              for code, table in LANGUAGES.items()}
    best = max(counts, key=counts.get)
    others = max((v for k, v in counts.items() if k != best), default=0)
    return best if counts[best] >= 5 and counts[best] >= 2 * others else None
