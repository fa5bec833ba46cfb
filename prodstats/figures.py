"""The figure reader: the figures of a text, with their character spans, and the check that a
claim's value and unit agree with the figures of its quote.

:func:`read_figures` finds, in English or German text:

- digits with English or German separators (``2,500,000``, ``2.500.000``, ``2,5``, ``3.000``),
  where an ambiguous one (``3.000``, ``40,000``) gets both readings, the language's first;
- scale words after a figure (``million``, ``Millionen``, ``Mio.``, ``Milliarden``, ``bn``,
  ``Tausend``), which multiply it, and scale words alone (``Dutzende``, ``dozens``,
  ``Hunderte``, ``billions``, ``Milliardenhöhe``), which carry no value;
- number words (``one`` … ``ninety-nine``, ``two hundred``; ``eins`` … ``zwölf``,
  ``fünfundzwanzig``, ``dreihundert``), multiples (``tripled``, ``sixfold``, ``six times``,
  ``verdreifacht``, ``das Sechsfache``, ``3-fach``), fractions (``one third``, ``a quarter``,
  ``half``, ``ein Drittel``, ``die Hälfte``) and per cent (``40 %``, ``40 Prozent``);
- dates (``2025-01-17``, ``17. Januar 2025``, ``January 2025``, a year such as ``bis 2023``),
  marked as kind ``date``: they are figure-like but never a quantity;
- digits other than ASCII ``0``-``9`` (fullwidth ``３``, Arabic-Indic ``٣``): marked as kind
  ``digits`` with no value. They are never read as numbers.

Each figure also gets the rate cue bound to it ("a month", "pro Monat", "jährlich", ...): the
next cue after it in the same sentence with no other figure in between, or an adjective cue
("annual", "jährliche") before it.

:func:`quote_problems` checks claims against the figures of their quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

#: Kinds of figure. Only ``date`` is not a quantity.
KINDS = ("number", "percent", "fraction", "multiple", "scale", "date", "digits")

# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
            "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
            "nineteen": 19}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
           "eighty": 80, "ninety": 90}
DE_UNITS = {"eins": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
            "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
            "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17,
            "achtzehn": 18, "neunzehn": 19}
DE_TENS = {"zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60,
           "siebzig": 70, "achtzig": 80, "neunzig": 90}
#: German genitive forms of small numbers ("zweier Firmen").
DE_INFLECTED = {"zweier": 2, "dreier": 3}
#: Prefix forms inside German compounds ("einundzwanzig", "sechzehn" is in DE_UNITS).
DE_PREFIX = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
             "sieb": 7, "acht": 8, "neun": 9}

#: Articles that count as "one" before a scale word or a fraction ("a million", "ein Drittel").
ONE_ARTICLES = {"a", "an", "one", "ein", "eine", "einen", "einem", "einer", "eines"}

#: Scale words after a figure: factor(s) by language ('*' for both).
SCALES = {
    "tausend": 1e3, "tsd.": 1e3, "tsd": 1e3, "thousand": 1e3, "k": 1e3,
    "million": 1e6, "millionen": 1e6, "mio.": 1e6, "mio": 1e6,
    "mill.": 1e6, "mn": 1e6, "mln": 1e6,
    "milliarde": 1e9, "milliarden": 1e9, "mrd.": 1e9, "mrd": 1e9, "bn": 1e9,
    "trillion": 1e12, "tn": 1e12, "billionen": 1e12,
}
#: "billion" is 1e9 in English and 1e12 in German ("Billion").
BILLION = {"en": (1e9,), "de": (1e12,), None: (1e9, 1e12)}

#: Scale families, as the qualifiers name them.
SCALE_FAMILY = {1e3: "thousands", 1e6: "millions", 1e9: "billions", 1e12: "trillions"}

#: Scale words standing alone (no value): their family.
BARE_SCALE = re.compile(r"""(?ix)
    (?P<dozens>dutzende[n]?|dozens)
  | (?P<hundreds>hunderte[n]?|hundreds)
  | (?P<thousands>(?:zehn|hundert)?tausende[n]?|thousands)
  | (?P<millions>millionen\w*|millions)
  | (?P<billions>milliarden\w*|billions)
  | (?P<trillions>billionen\w*|trillions)
""")

#: Multiples written as one word: doubled, tripled, verdoppelt, ...
EN_MULTIPLES = {"double": 2, "doubled": 2, "doubles": 2, "doubling": 2, "twice": 2,
                "triple": 3, "tripled": 3, "triples": 3, "tripling": 3, "treble": 3,
                "trebled": 3, "quadruple": 4, "quadrupled": 4, "quadrupling": 4,
                "quintuple": 5, "quintupled": 5, "sextuple": 6, "sextupled": 6,
                "halved": 0.5, "halve": 0.5, "halving": 0.5}
#: German "doppelt", "verdoppelt", "Verdopplung", "Doppelte" ...: 2.
DE_DOUBLE = re.compile(r"(?i)(?:ver)?dopp(?:el|l)?(?:t|te|ten|tes|ter|n|ung|ungen|e|en)?")
#: German "halbiert", "Halbierung": 0.5.
DE_HALVED = re.compile(r"(?i)halbier(?:t|te|ten|en|ung)")
#: A number word plus "-fach"/"fold"/"mal": "versechsfacht", "Sechsfache", "sixfold".
WORD_MULTIPLE = re.compile(r"""(?ix)
    (?:ver)?(?P<n>[a-zäöüß]+?)-?fach(?:t|te|ten|e|en|er|es|ung|ungen)?   # German -fach
  | (?P<en>[a-z]+?)-?fold                                                  # English -fold
  | (?P<mal>[a-zäöüß]+?)mal                                                # German zehnmal
""")

#: Fraction denominators: English (with plurals) and German.
DENOMINATORS = {"third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
                "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
                "drittel": 3, "viertel": 4, "fünftel": 5, "sechstel": 6, "achtel": 8,
                "zehntel": 10}
#: Words that are a half on their own.
HALVES = {"half": 0.5, "hälfte": 0.5, "halb": 0.5, "halbe": 0.5, "halben": 0.5, "halbes": 0.5,
          "dreiviertel": 0.75}
#: Per-cent words and signs after a figure.
PERCENT_WORDS = {"%", "prozent", "percent", "per cent", "pct", "prozentpunkte",
                 "prozentpunkten", "percentage point", "percentage points"}

# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------

_MONTHS = ("Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
           "Dezember|January|February|March|May|June|July|October|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Okt|Nov|Dec|Dez")

#: Dates, tried before plain numbers. Month names must be capitalised (so "may" is not May).
DATE = re.compile(rf"""(?x)
    (?<![\w.,])(?:19|20)[0-9]{{2}}-(?:0[1-9]|1[0-2])(?:-[0-9]{{2}})?  # 2025-01-17, 2023-01
        (?:/[0-9]{{4}}(?:-[0-9]{{2}}(?:-[0-9]{{2}})?)?)?(?![0-9])      #   ... /2023-12
  | (?<![\w.,])[0-9]{{1,2}}\.[0-9]{{1,2}}\.(?:[0-9]{{4}}|[0-9]{{2}})?(?![0-9])  # 17.01.2025
  | (?<![\w.,])[0-9]{{1,2}}\.?\s(?:{_MONTHS})\b\.?(?:\s[0-9]{{4}}(?![0-9]))?   # 17. Januar 2025
  | \b(?:{_MONTHS})\.?\s[0-9]{{1,2}}(?:st|nd|rd|th)?(?![0-9])(?:,?\s[0-9]{{4}}(?![0-9]))?
                                                                    # January 17, 2025
  | \b(?:{_MONTHS})\.?\s[0-9]{{4}}(?![0-9])                           # Januar 2025
  | (?<![\w.,])[0-9]{{1,2}}[:.][0-9]{{2}}\s?Uhr\b                     # 14.30 Uhr
  | (?<![\w.,])(?:19|20)[0-9]{{2}}\s?[/–-]\s?(?:(?:19|20)[0-9]{{2}}|[0-9]{{2}})(?![0-9]|[.,][0-9])
                                                                    # 2023/24, 2022-2024
""")

#: Digits with separators, ASCII only: 2,500,000 | 2.500.000 | 40 000 (narrow spaces) | 2,5.
#: Not preceded by a letter or digit, nor by a digit and a separator (the middle of a number).
DIGITS = re.compile(r"""(?x)
    (?<![\w])(?<![0-9][.,])
    (?P<digits>
        [0-9]{1,3}(?:(?:,[0-9]{3})+|(?:\.[0-9]{3})+|(?:[\u00a0\u202f\u2009][0-9]{3})+)
            (?:[.,][0-9]+)?                     # grouped, with an optional decimal part
      | [0-9]+(?:[.,][0-9]+)?                   # plain, with an optional decimal part
    )
    (?P<attached>                               # a suffix written onto the digits
        (?:bn|mn|mln|tn|k|m)(?![\w])            #   6.6bn, 40k, 2.5m
      | (?:x|×)(?![\w])                         #   6x
      | -?fach(?:e[nrs]?)?(?![\w])              #   3-fach, 3fache
      | -?fold(?![\w])                          #   6-fold
      | (?:st|nd|rd|th)(?![\w])                 #   3rd (an ordinal)
      | (?:er|s|'s)(?![\w])                     #   1990er, 1990s
    )?
""")

#: Digits other than ASCII 0-9 (any Unicode decimal digit that is not ASCII), with separators.
OTHER_DIGITS = re.compile(r"(?:(?![0-9])\d)+(?:[.,\u066b\u066c](?:(?![0-9])\d)+)*")

#: Words (letters, with inner hyphens: "twenty-five", "six-fold"), the percent sign and
#: "per cent" as one token.
WORD = re.compile(r"(?i)per\scent|percentage\spoints?|%|[^\W\d_]+(?:[-‐][^\W\d_]+)*\.?")

#: Rate cues: (pattern, base). Checked with :data:`NOT_A_RATE` for the false friends.
RATE_CUES = re.compile(r"""(?ix)
    \b(?:a|an|per|each|every|pro|je|im|am|jeden|jedes|jede|jedem)\s
        (?P<unit>year|month|week|day|jahr|monat|woche|tag)\b
  | \bper\s(?P<annum>annum)\b
  | \b(?P<adj>annual(?:ly)?|yearly|monthly|weekly|daily
        |jährlich\w*|monatlich\w*|wöchentlich\w*|täglich\w*
        |(?:jahres|monats|tages)(?:produktion|ausstoß|leistung|kapazität|rate|menge|bedarf)\w*)
""")
_RATE_BASES = {"year": "year", "jahr": "year", "annum": "year", "annual": "year",
               "annually": "year", "yearly": "year", "jährlich": "year", "jahres": "year",
               "month": "month", "monat": "month", "monthly": "month", "monatlich": "month",
               "monats": "month", "week": "week", "woche": "week", "weekly": "week",
               "wöchentlich": "week", "day": "day", "tag": "day", "daily": "day",
               "täglich": "day", "tages": "day"}
#: After a cue: words that make it a point in time, not a rate ("a year ago", "im Jahr 2024").
NOT_A_RATE_AFTER = re.compile(
    r"(?i)\s+(?:ago|earlier|later|before|after|or\s+so|zuvor|davor|danach|darauf|später|"
    r"der|des|nach|vor|[0-9]{4}\b|(?-i:[A-Z]))")
#: Before "a year"/"a month": words that make it a duration ("in a year", "half a year").
NOT_A_RATE_BEFORE = {"in", "within", "for", "over", "than", "half", "about", "nearly",
                     "almost", "once", "twice", "just", "only", "around", "after", "past"}

#: A sentence ends at . ! ? ; followed by a space, or at a blank line (not after "Mio." etc.).
SENTENCE_END = re.compile(r"(?<!\bMio)(?<!\bMrd)(?<!\bTsd)(?<!\bca)(?<!\bNr)(?<!\bNo)"
                          r"[.!?;](?=\s)|\n\s*\n")
#: A figure directly followed by a length unit is a calibre or a size, never a rate's figure.
LENGTH_AFTER = re.compile(r"(?i)\s?-?(?:mm|cm|km|millimet(?:er|re)s?|kaliber|calibre)\b")

#: Year cue words before a four-digit number ("bis 2023", "early 2024").
YEAR_CUES = {"in", "im", "bis", "seit", "vor", "nach", "ab", "since", "by", "before", "after",
             "until", "till", "into", "during", "early", "mid", "late", "anfang", "mitte",
             "ende", "jahr", "jahres", "year", "frühjahr", "sommer", "herbst", "winter",
             "spring", "summer", "autumn", "fall", "fy", "fiscal", "jahresende", "mid-"}
#: Two-word year cues ("end of 2025", "im Vergleich zu 2023").
YEAR_CUES_2 = {("end", "of"), ("start", "of"), ("beginning", "of"), ("middle", "of"),
               ("spring", "of"), ("summer", "of"), ("autumn", "of"), ("fall", "of"),
               ("winter", "of"), ("compared", "with"), ("compared", "to"), ("vergleich", "zu"),
               ("half", "of"), ("year", "of")}
#: Between two figures of a range: the scale or the per cent of the second applies to both.
RANGE_GAP = re.compile(r"(?i)\s*(?:-|–|bis|to|and|und|or|oder)\s*")


@dataclass(frozen=True)
class Figure:
    """One figure of a text.

    Attributes:
        start: offset of the first character in the text.
        end: offset after the last character (``text[start:end] == figure.text``).
        text: the verbatim span.
        kind: one of :data:`KINDS`.
        values: the candidate numeric values, the likeliest first. A per cent gives the number
            and its fraction (``40 %`` → 40, 0.4); a fraction gives the fraction and its per
            cent (``one third`` → 1/3, 33.33); a year gives itself; scale words alone, other
            dates and non-ASCII digits give none.
        rate: the rate cue bound to the figure: ``year``, ``month``, ``week``, ``day``, or None.
        scale: the scale family of a scale word in the figure (``millions``, ``dozens``, ...).
    """

    start: int
    end: int
    text: str
    kind: str
    values: tuple[float, ...] = ()
    rate: str | None = None
    scale: str | None = None


@dataclass
class _Token:
    """A piece of the text the reader combines into figures."""

    start: int
    end: int
    role: str  # number, word_number, one, scale, bare, percent, times, multiple, denominator,
    # half, date, digits
    values: tuple[float, ...] = ()
    scale: str | None = None
    plain_year: bool = False
    attached: str = ""
    extra: dict = field(default_factory=dict)


def read_figures(text: str, language: str | None = None) -> list[Figure]:
    """Read every figure of a text, in order of position.

    Args:
        text: the text.
        language: ``'en'``, ``'de'`` or None (both: ambiguous separators and "Billion" get
            every reading).

    Returns:
        The figures, with spans, candidate values and rate cues.

    >>> [(f.text, f.values) for f in read_figures("etwa 2,5 Millionen Geschosse", "de")]
    [('2,5 Millionen', (2500000.0,))]
    >>> [(f.text, f.rate) for f in read_figures("about 40,000 rounds a month", "en")]
    [('40,000', 'month')]
    >>> [(f.text, f.kind) for f in read_figures("Ziel sind ３.０００ Raketen bis 2026.")]
    [('３.０００', 'digits'), ('2026', 'date')]
    """
    language = language if language in ("en", "de") else None
    tokens = _tokens(text, language)
    figures = _combine(text, tokens, language)
    return _bind_rates(text, figures)


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def _tokens(text: str, language: str | None) -> list[_Token]:
    """The pieces: dates, digits, other digits and classified words, in order, not overlapping."""
    taken: list[_Token] = []
    busy = bytearray(len(text) + 1)

    def add(token: _Token) -> None:
        if any(busy[token.start:token.end]):
            return
        busy[token.start:token.end] = b"\x01" * (token.end - token.start)
        taken.append(token)

    for m in DATE.finditer(text):
        add(_Token(m.start(), m.end(), "date"))
    for m in DIGITS.finditer(text):
        digits, attached = m.group("digits"), (m.group("attached") or "")
        token = _Token(m.start(), m.end(), "number", _digit_values(digits, language),
                       attached=attached.lower())
        token.plain_year = (re.fullmatch(r"[0-9]{4}", digits) is not None
                            and 1900 <= int(digits) <= 2099)
        _apply_attached(token, text, digits)
        add(token)
    for m in OTHER_DIGITS.finditer(text):
        add(_Token(m.start(), m.end(), "digits"))
    for m in WORD.finditer(text):
        spec = _classify_word(m.group(), language)
        if spec is not None:
            role, length, values, scale, extra = spec
            add(_Token(m.start(), m.start() + length, role, values, scale=scale,
                       extra=dict(extra)))
    taken.sort(key=lambda t: t.start)
    return taken


def _digit_values(digits: str, language: str | None) -> tuple[float, ...]:
    """The readings of ASCII digits with separators, the language's likeliest first."""
    plain = digits.replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "")
    if "," in plain and "." in plain:  # both: the last one is the decimal mark
        decimal = "," if plain.rfind(",") > plain.rfind(".") else "."
        group = "." if decimal == "," else ","
        return (float(plain.replace(group, "").replace(decimal, ".")),)
    for mark in (",", "."):
        if mark not in plain:
            continue
        head, *rest = plain.split(mark)
        if len(rest) > 1:  # 2,500,000 or 2.500.000: grouping
            return (float(plain.replace(mark, "")),)
        tail = rest[0]
        as_decimal = float(f"{head}.{tail}")
        if len(tail) != 3 or head == "0":  # 2,5 / 2.5 / 0.500: a decimal
            return (as_decimal,)
        as_thousands = float(head + tail)  # 3.000 / 40,000: either
        grouping_first = (mark == ".") == (language == "de") if language else True
        both = (as_thousands, as_decimal)
        return both if grouping_first else both[::-1]
    return (float(plain),)


def _apply_attached(token: _Token, text: str, digits: str) -> None:
    """Turn a suffix written onto digits into a scale, a multiple or an ordinal."""
    suffix = token.attached.lstrip("-")
    if not suffix:
        return
    token.plain_year = token.plain_year and suffix in ("er", "s", "'s")
    if suffix in ("bn", "mn", "mln", "tn", "k"):
        token.values = tuple(v * SCALES[suffix] for v in token.values)
        token.scale = SCALE_FAMILY[SCALES[suffix]]
    elif suffix == "m":  # 2.5m: millions in English news, metres elsewhere: both readings
        token.values = tuple(v * 1e6 for v in token.values) + token.values
        token.scale = "millions"
    elif suffix in ("x", "×", "fold") or suffix.startswith("fach"):
        token.role = "multiple"
    elif suffix in ("er", "s", "'s"):
        token.role = "date" if token.plain_year else "number"  # the 1990s / 1990er


@lru_cache(maxsize=65536)
def _classify_word(word: str, language: str | None) -> tuple | None:
    """A word's role for the reader, as ``(role, length, values, scale, extra)``, or None for
    an ordinary word. Cached: most words of a ledger's texts repeat."""
    lower = " ".join(word.lower().split())
    en, de = language in (None, "en"), language in (None, "de")
    if lower in PERCENT_WORDS:
        return _spec(len(word), "percent")
    if lower.endswith(".") and lower not in SCALES:  # a full stop, not an abbreviation's dot
        word, lower = word[:-1], lower[:-1]
    end = len(word)
    if lower == "billion":
        factors = BILLION[language]
        return _spec(end, "scale", factors, scale=SCALE_FAMILY[factors[0]])
    if lower in SCALES:
        return _spec(end, "scale", (SCALES[lower],), scale=SCALE_FAMILY[SCALES[lower]],
                     extra={"word": lower})
    match = BARE_SCALE.fullmatch(lower)
    if match:
        return _spec(end, "bare", scale=match.lastgroup)
    if lower in ("dozen", "dutzend"):
        return _spec(end, "dozen", (12.0,), scale="dozens")
    if lower in ONE_ARTICLES and lower != "one":
        return _spec(end, "one", (1.0,))
    if lower in DENOMINATORS:
        return _spec(end, "denominator", (float(DENOMINATORS[lower]),))
    if lower in HALVES and (lower != "half" or en):
        return _spec(end, "half", (HALVES[lower],))
    if lower == "times" and en:
        return _spec(end, "times")
    if lower == "hundred" and en:
        return _spec(end, "word_number", (100.0,), extra={"hundred": True})
    multiple = _word_multiple(lower, en, de)
    if multiple is not None:
        return _spec(end, "multiple", (multiple,))
    value = _word_number(lower, en, de)
    if value is not None:
        return _spec(end, "word_number", (float(value),))
    return None


def _spec(length: int, role: str, values: tuple[float, ...] = (), scale: str | None = None,
          extra: dict | None = None) -> tuple:
    return role, length, values, scale, tuple((extra or {}).items())


def _word_multiple(lower: str, en: bool, de: bool) -> float | None:
    """The multiple a word states (tripled, versechsfacht, sixfold, zehnmal), or None."""
    if en and lower in EN_MULTIPLES:
        return float(EN_MULTIPLES[lower])
    if de and DE_DOUBLE.fullmatch(lower):
        return 2.0
    if de and DE_HALVED.fullmatch(lower):
        return 0.5
    m = WORD_MULTIPLE.fullmatch(lower)
    if m is None:
        return None
    if m.group("n") is not None and de:
        n = "x" if m.group("n") in ("x", "x-") else m.group("n")
        if n == "x":
            return math.nan  # "x-fach": many times, no value
        value = _de_number(n)
    elif m.group("en") is not None and en:
        value = _en_compound(m.group("en").rstrip("-"))
    elif m.group("mal") is not None and de and m.group("mal") not in ("ein", "nach", "dies"):
        value = _de_number(m.group("mal"))
    else:
        return None
    return None if value is None else float(value)


def _word_number(lower: str, en: bool, de: bool) -> int | None:
    """The value of a number word ("twenty-five", "fünfundzwanzig", "dreihundert")."""
    if en:
        value = _en_compound(lower)
        if value is not None:
            return value
    if de:
        if lower in DE_INFLECTED:
            return DE_INFLECTED[lower]
        return _de_number(lower)
    return None


def _en_compound(word: str) -> int | None:
    """One English number word or a hyphenated pair ("six", "twenty-five")."""
    if word in EN_UNITS:
        return EN_UNITS[word]
    if word in EN_TENS:
        return EN_TENS[word]
    parts = re.split("[-‐]", word)
    if len(parts) == 2 and parts[0] in EN_TENS and parts[1] in EN_UNITS and EN_UNITS[parts[1]] < 10:
        return EN_TENS[parts[0]] + EN_UNITS[parts[1]]
    return None


def _de_number(word: str) -> int | None:
    """A German number word up to 999,999, written as one word ("zweihundertfünfzig")."""
    if not word or word in ("ein", "sieb"):
        return None
    if "tausend" in word:
        left, right = word.split("tausend", 1)
        thousands = 1 if left in ("", "ein") else _below_1000(left)
        rest = _below_1000(right) if right else 0
        return None if thousands is None or rest is None else thousands * 1000 + rest
    return _below_1000(word)


def _below_1000(word: str) -> int | None:
    if "hundert" in word:
        left, right = word.split("hundert", 1)
        hundreds = 1 if left in ("", "ein") else DE_PREFIX.get(left)
        rest = _below_100(right) if right else 0
        return None if hundreds is None or rest is None else hundreds * 100 + rest
    return _below_100(word)


def _below_100(word: str) -> int | None:
    if word in DE_UNITS:
        return DE_UNITS[word]
    if word in DE_TENS:
        return DE_TENS[word]
    if "und" in word:
        unit, tens = word.split("und", 1)
        if unit in DE_PREFIX and tens in DE_TENS:
            return DE_PREFIX[unit] + DE_TENS[tens]
    return None


# ---------------------------------------------------------------------------------------------
# Combining tokens into figures
# ---------------------------------------------------------------------------------------------

#: What may stand between two tokens of one figure: spaces, a hyphen, or "and" in
#: "three hundred and fifty".
_JOIN = re.compile(r"[ \t\u00a0\u202f\u2009-]?")
_JOIN_AND = re.compile(r"\s(?:and)\s")


def _adjacent(text: str, a: _Token, b: _Token, *, allow_and: bool = False) -> bool:
    gap = text[a.end:b.start]
    return bool(_JOIN.fullmatch(gap) or (allow_and and _JOIN_AND.fullmatch(gap)))


def _combine(text: str, tokens: list[_Token], language: str | None) -> list[Figure]:
    """Join numbers with their scale words, per cent, fractions and multiples."""
    figures: list[Figure] = []
    i, n = 0, len(tokens)

    def at(j: int, *roles: str) -> bool:
        return j < n and tokens[j].role in roles and _adjacent(text, tokens[j - 1], tokens[j])

    while i < n:
        t = tokens[i]
        if t.role == "date":
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "date"))
            i += 1
            continue
        if t.role == "digits":
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "digits"))
            i += 1
            continue
        if t.role == "bare":
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "scale", scale=t.scale))
            i += 1
            continue
        if t.role == "multiple":
            values = () if any(math.isnan(v) for v in t.values) else t.values
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "multiple", values))
            i += 1
            continue
        if t.role == "half":
            j, values, scale = i + 1, t.values, None
            # "half a million", "ein halbes Dutzend"
            if at(j, "one") and at(j + 1, "scale", "dozen"):
                j += 1
            if at(j, "scale", "dozen"):
                values = tuple(v * s for v in values for s in tokens[j].values)
                scale = tokens[j].scale
                figures.append(Figure(t.start, tokens[j].end, text[t.start:tokens[j].end],
                                      "number", values, scale=scale))
                i = j + 1
                continue
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "fraction",
                                  (values[0], values[0] * 100)))
            i += 1
            continue
        if t.role == "denominator":  # "Drittel" without a numerator: one third
            d = t.values[0]
            figures.append(Figure(t.start, t.end, text[t.start:t.end], "fraction",
                                  (1 / d, 100 / d)))
            i += 1
            continue
        if t.role == "scale":  # alone: "Millionen" is a scale word, "Tausend" a thousand
            word = t.extra.get("word", "")
            if BARE_SCALE.fullmatch(word):
                figures.append(Figure(t.start, t.end, text[t.start:t.end], "scale",
                                      scale=t.scale))
            elif word in ("tausend", "thousand"):
                figures.append(Figure(t.start, t.end, text[t.start:t.end], "number",
                                      t.values, scale=t.scale))
            i += 1
            continue
        if t.role not in ("number", "word_number", "one", "dozen"):
            i += 1  # "%" or "times" on its own: not a figure
            continue
        # A head: digits, number words (English compounds), or an article before a scale
        j, values = i + 1, t.values
        if t.role == "word_number":
            while j < n and tokens[j].role == "word_number" and _adjacent(
                    text, tokens[j - 1], tokens[j], allow_and=True):
                values = _en_add(values[0], tokens[j])
                j += 1
        end, kind, scale = tokens[j - 1].end, "number", t.scale
        if at(j, "denominator"):  # "zwei Drittel", "one third", "a quarter"
            d = tokens[j].values[0]
            values = (values[0] / d, values[0] * 100 / d)
            end, kind, j = tokens[j].end, "fraction", j + 1
        elif at(j, "half") and t.role == "one":  # "a half", "eine halbe"
            values = (0.5, 50.0)
            end, kind, j = tokens[j].end, "fraction", j + 1
        else:
            while at(j, "scale", "dozen"):  # "2,5 Millionen", "two dozen", "hundred thousand"
                values = tuple(v * s for v in values for s in tokens[j].values)
                scale, end, j = tokens[j].scale, tokens[j].end, j + 1
            if at(j, "percent"):
                values = tuple(x for v in values for x in (v, v / 100))
                end, kind, j = tokens[j].end, "percent", j + 1
            elif at(j, "times"):
                end, kind, j = tokens[j].end, "multiple", j + 1
        if t.role == "one" and end == t.end:
            i += 1  # an article alone is not a figure
            continue
        if t.role == "dozen" and end == t.end:
            kind = "number"
        if t.plain_year and end == t.end and _is_year(text, t, language):
            kind = "date"  # the year is kept as its value, so a claim about 2000 of something
            # misread as a year still finds its figure
        figures.append(Figure(t.start, end, text[t.start:end], kind, values, scale=scale))
        i = j
    return _ranges(text, figures)


def _en_add(total: float, token: _Token) -> tuple[float, ...]:
    """Add the next English number word: "two" + "hundred", "two hundred" + "fifty"."""
    if token.extra.get("hundred"):
        return ((total or 1) * 100,)
    return (total + token.values[0],)


def _is_year(text: str, token: _Token, language: str | None) -> bool:
    """Whether a plain four-digit number (1900-2099) is a year, by the words around it."""
    before = re.findall(r"[^\W\d_]+", text[max(0, token.start - 40):token.start].lower())
    after = text[token.end:token.end + 30]
    if after.lstrip(" ").startswith("-"):
        return False  # "2000-mal" or a compound such as "2023-Ziel": let the reader see it
    if re.match(r"\s*(?:$|[.;:!?)\]»«\"“”'/–])", after):
        return True
    follows_noun = language != "en" and re.match(r"\s(?-i:[A-ZÄÖÜ])", after)
    if before and before[-1] in ("jahr", "year", "jahres"):
        return True
    if follows_noun:
        return False  # "bis 2000 Soldaten": a count
    if before and before[-1] in YEAR_CUES:
        return True
    return len(before) >= 2 and (before[-2], before[-1]) in YEAR_CUES_2


def _ranges(text: str, figures: list[Figure]) -> list[Figure]:
    """In "2 bis 3 Millionen" or "30 to 40 percent", give the first figure the second one's
    scale or per cent as another reading."""
    out = list(figures)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if a.kind != "number" or a.scale is not None or not a.values:
            continue
        if not RANGE_GAP.fullmatch(text[a.end:b.start]):
            continue
        if b.kind == "number" and b.scale is not None:
            factor = _scale_factor(b)
            if factor:
                out[k] = replace(a, values=a.values + tuple(v * factor for v in a.values))
        elif b.kind == "percent":
            out[k] = replace(a, values=a.values + tuple(v / 100 for v in a.values))
    return out


def _scale_factor(figure: Figure) -> float | None:
    for family, factor in (("thousands", 1e3), ("millions", 1e6), ("billions", 1e9),
                           ("trillions", 1e12), ("dozens", 12.0)):
        if figure.scale == family:
            return factor
    return None


# ---------------------------------------------------------------------------------------------
# Rate cues
# ---------------------------------------------------------------------------------------------


def rate_cues(text: str) -> list[tuple[int, int, str, bool]]:
    """The rate cues of a text: ``(start, end, base, adjective)``.

    ``base`` is ``year``, ``month``, ``week`` or ``day``; ``adjective`` is True for words such
    as "annual" or "jährliche", which may stand before their figure.

    >>> rate_cues("40.000 Granaten pro Monat, im Jahr 2024")
    [(16, 25, 'month', False)]
    """
    cues = []
    for m in RATE_CUES.finditer(text):
        if m.group("unit"):
            if NOT_A_RATE_AFTER.match(text, m.end()) and not m.group(0).lower().startswith(
                    ("per", "pro", "je")):
                continue
            before = text[max(0, m.start() - 20):m.start()].lower().split()
            if before and before[-1] in NOT_A_RATE_BEFORE:
                continue
            word = m.group("unit").lower()
            cues.append((m.start(), m.end(), _RATE_BASES[word], False))
        elif m.group("annum"):
            cues.append((m.start(), m.end(), "year", False))
        else:
            word = m.group("adj").lower()
            stem = next(s for s in sorted(_RATE_BASES, key=len, reverse=True)
                        if word.startswith(s))
            cues.append((m.start(), m.end(), _RATE_BASES[stem], True))
    return cues


def _bind_rates(text: str, figures: list[Figure]) -> list[Figure]:
    """Give each figure the rate cue that belongs to it.

    A cue ("a month", "pro Monat") belongs to the nearest figure before it in the same
    sentence; dates and calibres such as "155 mm" do not count. An adjective cue ("annual",
    "jährlich") belongs to a figure that follows it closely ("jährlich 3000", "annual output
    of 500,000"), else to the nearest figure before it in the sentence ("drei Milliarden Dollar
    ... als jährliche Militärhilfe").
    """
    cues = rate_cues(text)
    if not cues:
        return figures
    targets = [k for k, f in enumerate(figures)
               if f.kind not in ("date", "digits") and not LENGTH_AFTER.match(text, f.end)]
    ends = [m.start() for m in SENTENCE_END.finditer(text)]
    out = list(figures)

    def same_sentence(a: int, b: int, limit: int = 150) -> bool:
        return not any(a <= e < b for e in ends) and b - a <= limit

    for start, end, base, adjective in cues:
        before = [k for k in targets if figures[k].end <= start]
        after = [k for k in targets if figures[k].start >= end]
        if adjective and after and same_sentence(end, figures[after[0]].start, limit=30):
            k = after[0]
        elif before and same_sentence(figures[before[-1]].end, start):
            k = before[-1]
        else:
            continue
        if out[k].rate is None:
            out[k] = replace(out[k], rate=base)
    return out


# ---------------------------------------------------------------------------------------------
# The quote-claim check
# ---------------------------------------------------------------------------------------------

#: Scale qualifiers and the scale families of the words that support them.
SCALE_QUALIFIERS = {"dozens": {"dozens"}, "hundreds": {"hundreds"},
                    "thousands": {"thousands"}, "millions": {"millions"},
                    "billions": {"billions"}}
_DERIVED_HINT = ("or if the value is derived on purpose set derived to true and say how in "
                 "notes")


def quote_problems(claims) -> list[tuple[int, str, str | None, str]]:
    """Check each claim's value, bounds and unit against the figures of its quote.

    A claim passes when its value (after scale words) is among the quote's figures (a ratio
    may also be 1 ± a fraction or per cent, "increased by a third" → 1.3333; a share is
    compared as a fraction or as per cent according to its unit), when bounds given in
    ``value_low``/``value_high`` (other than the qualifier rule's) are among them too, when a
    scale-word qualifier ("dozens") has its scale word in the quote, and when a rate cue bound
    to the figure ("a month") agrees with the unit's time base. A value written rounded to two
    or more significant digits (0.33 or 0.3333 for "one third") matches.

    Args:
        claims: a frame with the columns ``quote``, ``value``, ``value_low``, ``value_high``,
            ``unit``, ``qualifier``, ``kind`` and optionally ``derived`` (bool; claims with
            True are skipped) and ``language`` (of the source; None reads both languages).

    Returns:
        ``(row position, column, found value as text, message)`` for each problem.
    """
    columns = set(claims.columns)
    n = len(claims)

    def column(name: str, default: object = None) -> list:
        return claims[name].tolist() if name in columns else [default] * n

    rows = zip(column("quote"), column("value"), column("value_low"), column("value_high"),
               column("unit"), column("qualifier"), column("kind"),
               column("derived", False), column("language"), strict=True)
    problems: list[tuple[int, str, str | None, str]] = []
    cache: dict[tuple[str, str | None], list[Figure]] = {}
    for pos, (quote, value, low, high, unit, qualifier, kind, derived, language) in \
            enumerate(rows):
        if _truthy(derived) or not isinstance(quote, str) or not quote:
            continue
        lang = language if isinstance(language, str) else None
        key = (quote, lang)
        if key not in cache:
            cache[key] = read_figures(quote, lang)
        problems += [(pos, *p) for p in _claim_problems(
            cache[key], quote, _num(value), _num(low), _num(high),
            unit if isinstance(unit, str) else "", str(qualifier), str(kind))]
    return problems


def _claim_problems(figures: list[Figure], quote: str, value: float | None,
                    low: float | None, high: float | None, unit: str, qualifier: str,
                    kind: str) -> list[tuple[str, str | None, str]]:
    """The problems of one claim: ``(column, found, message)``."""
    out: list[tuple[str, str | None, str]] = []
    if qualifier in SCALE_QUALIFIERS:
        families = {f.scale for f in figures if f.scale}
        if not families & SCALE_QUALIFIERS[qualifier]:
            words = ", ".join(f"'{f.text}'" for f in figures if f.scale) or "no scale word"
            out.append(("qualifier", qualifier,
                        f"the quote has {words}, not a word for {qualifier}; use the "
                        f"qualifier its words give, or quote the words that say {qualifier}"))
        return out  # scale words give absolute bounds; a filled-in value is a midpoint
    percent = _is_percent(unit)
    matched: list[Figure] = []
    if value is not None:
        matched = [f for f in figures if _matches(value, _candidates(f, kind, percent))]
        if not matched and _inside_given_range(figures, value, low, high, kind, percent):
            matched = [None]  # a point inside the text's own range ("between 2 and 3 million")
        if not matched:
            out.append(("value", _fmt(value), _value_message(value, figures, kind, percent,
                                                             quote)))
    for name, bound, factor_name in (("value_low", low, "low_factor"),
                                     ("value_high", high, "high_factor")):
        if bound is None or _rule_bound(qualifier, value, factor_name, bound):
            continue
        if not any(_matches(bound, _candidates(f, kind, percent)) for f in figures):
            out.append((name, _fmt(bound),
                        f"not among the figures of the quote ({_said(figures, kind, percent)}); "
                        "bounds you give must be the text's own; leave the cell empty to take "
                        f"them from the qualifier, {_DERIVED_HINT}"))
    matched = [f for f in matched if f is not None]
    if matched and kind == "level":
        problem = _rate_problem(matched, unit)
        if problem:
            out.append(("unit", unit, problem))
    return out


def _inside_given_range(figures: list[Figure], value: float, low: float | None,
                        high: float | None, kind: str, percent: bool) -> bool:
    """Whether both bounds are the quote's own figures and the value lies between them."""
    if low is None or high is None or not low <= value <= high:
        return False
    return all(any(_matches(b, _candidates(f, kind, percent)) for f in figures)
               for b in (low, high))


def _candidates(figure: Figure, kind: str, percent: bool) -> tuple[float, ...]:
    """The values a claim of this kind and unit may take from one figure."""
    if kind == "share":
        if figure.kind in ("percent", "fraction"):
            number, fraction = ((figure.values[0], figure.values[1]) if figure.kind ==
                                "percent" else (figure.values[1], figure.values[0]))
            return (number,) if percent else (fraction,)
        return figure.values
    if kind == "ratio":
        if figure.kind in ("percent", "fraction"):
            f = figure.values[1] if figure.kind == "percent" else figure.values[0]
            return (*figure.values, 1 + f, 1 - f)
        return figure.values
    return figure.values


def _matches(value: float, candidates: Iterable[float]) -> bool:
    """Whether a value is one of the candidates, or one rounded to two or more significant
    digits (0.33 and 0.3333 for 1/3; 2.5e6 for 2.5e6)."""
    for c in candidates:
        if math.isclose(value, c, rel_tol=1e-9, abs_tol=1e-12):
            return True
        if c != 0 and value != 0:
            magnitude = math.floor(math.log10(abs(c)))
            for digits in range(2, 16):
                if math.isclose(value, round(c, digits - 1 - magnitude), rel_tol=1e-9):
                    return True
    return False


def _rate_problem(matched: list[Figure], unit: str) -> str | None:
    """Why the unit's time base disagrees with the rate cue of the matched figures, or None."""
    rates = {f.rate for f in matched}
    if None in rates:
        return None  # one of the figures with this value has no cue: nothing to compare
    base, duration = _time_base(unit)
    if duration or _is_percent(unit) or unit.strip() == "dimensionless":
        return None  # a duration ("24 hours") or a pure number: a rate cue does not apply
    if base in rates:
        return None
    rate = sorted(rates)[0]
    figure = next(f for f in matched if f.rate == rate)
    amount = unit.split("/")[0].strip() if base else unit
    if base is None:
        return (f"the quote gives '{figure.text}' per {rate}, but the unit has no time base; "
                f"write unit '{amount}/{rate}'")
    factor = _PER_YEAR[rate] / _PER_YEAR[base]
    how = (f"{factor:.3g}x too low" if factor >= 1 else f"{1 / factor:.3g}x too high")
    return (f"the quote gives '{figure.text}' per {rate}, but the unit is per {base} "
            f"(read so, the figure is {how}); write unit '{amount}/{rate}'")


_PER_YEAR = {"year": 1.0, "month": 12.0, "week": 52.1786, "day": 365.25, "hour": 8766.0}


def _time_base(unit: str) -> tuple[str | None, bool]:
    """``(base, duration)``: the time a rate unit is per (``rounds/month`` → month), and
    whether the unit is a time itself (``hours``). Unparsable units give (None, False); the
    unit check reports them."""
    from prodstats.units import UnitParseError, parse_unit, ureg

    try:
        parsed = parse_unit(unit)
    except UnitParseError:
        return None, False
    power = parsed.dimensionality.get("[time]", 0)
    if power > 0:
        return None, True
    if power != -1:
        return None, False
    for base in ("year", "month", "week", "day", "hour"):
        reduced = (ureg.Quantity(1, parsed) * ureg.Quantity(1, base)).to_reduced_units()
        if "[time]" not in reduced.dimensionality and math.isclose(reduced.magnitude, 1):
            return base, False
    return None, False


def _is_percent(unit: str) -> bool:
    return unit.strip() in ("percent", "%", "pct")


def _value_message(value: float, figures: list[Figure], kind: str, percent: bool,
                   quote: str) -> str:
    said = _said(figures, kind, percent)
    if not any(f.values and f.kind != "date" for f in figures):
        odd = [f.text for f in figures if f.kind == "digits"]
        if odd:
            return (f"the quote writes its figure in non-ASCII digits ({', '.join(odd)}), "
                    "which are never read as numbers; check the value by hand and set derived "
                    "to true, saying so in notes")
        return (f"the quote has no figure ({_short(quote)}); quote the words that carry the "
                f"figure, {_DERIVED_HINT}")
    first = _first_candidate(figures, kind, percent)
    return (f"not among the figures of the quote ({said}); write {first}, {_DERIVED_HINT}")


def _said(figures: list[Figure], kind: str, percent: bool) -> str:
    shown = []
    for f in figures:
        if f.values and f.kind != "date":
            shown.append(f"'{f.text}' = {_fmt(_candidates(f, kind, percent)[0])}")
        if len(shown) == 4:
            break
    return "it says " + ", ".join(shown) if shown else "it has no figure"


def _first_candidate(figures: list[Figure], kind: str, percent: bool) -> str:
    valued = [f for f in figures if f.values and f.kind != "date"]
    return _fmt(_candidates(valued[0], kind, percent)[0]) if valued else "the quote's figure"


def _rule_bound(qualifier: str, value: float | None, factor_name: str, bound: float) -> bool:
    """Whether a bound is what the qualifier rule gives (so it was filled in, not written)."""
    from prodstats import QUALIFIERS

    rule = QUALIFIERS.get(qualifier)
    if rule is None or value is None:
        return False
    factor = getattr(rule, factor_name)
    return factor is not None and math.isclose(bound, value * factor, rel_tol=1e-9)


def _num(x: object) -> float | None:
    """A float, or None for an empty cell."""
    if x is None or isinstance(x, str) and not x.strip():
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


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
