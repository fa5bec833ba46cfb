"""The figure reader: the figures of a text, with their character spans, and the check that a
claim's value and unit agree with the figures of its quote.

:func:`read_figures` finds, in English or German text (French and Spanish, and the separators
and number words of other languages, come from :mod:`prodstats.languages`):

- digits with English or German separators (``2,500,000``, ``2.500.000``, ``2,5``, ``3.000``),
  where an ambiguous one (``3.000``, ``40,000``) gets the reading of the text's language (3000
  in German, 3.0 in English; 40,000 the other way round), or both when the language is unknown;
- scale words after a figure (``million``, ``Millionen``, ``Mio.``, ``Milliarden``, ``bn``,
  ``Tausend``), which multiply it, and scale words alone (``Dutzende``, ``dozens``,
  ``Hunderte``, ``billions``, ``Milliardenhöhe``), which carry no value;
- number words (``one`` … ``ninety-nine``, ``two hundred``; ``eins`` … ``zwölf``,
  ``fünfundzwanzig``, ``dreihundert``), multiples (``tripled``, ``sixfold``, ``six times``,
  ``verdreifacht``, ``das Sechsfache``, ``3-fach``), fractions (``one third``, ``a quarter``,
  ``half``, ``ein Drittel``, ``die Hälfte``) and per cent (``40 %``, ``40 Prozent``);
- dates (``2025-01-17``, ``17. Januar 2025``, ``January 2025``, a year such as ``bis 2023``)
  and period words (``the fourth quarter of 2024``, ``Q4``, ``the second half``), marked as
  kind ``date``: they are figure-like but never a quantity;
- digits other than ASCII ``0``-``9`` (fullwidth ``３``, Arabic-Indic ``٣``): marked as kind
  ``digits`` with no value. They are never read as numbers.

Each figure also gets the rate cue bound to it ("a month", "pro Monat", "jährlich", ...): a cue
belongs to the nearest figure before it in its sentence, an adjective cue ("annual",
"jährlich") to a figure that closely follows it.

:func:`prodstats.quotecheck.quote_problems` checks claims against the figures of their quotes;
``validate`` calls it. docs/codebook.md ("The quote–claim check") describes the checks.

The reader works in three steps: :func:`_tokens` cuts the text into pieces (dates, digits,
non-ASCII digits, and words with a role: number word, scale word, per cent, ...),
:func:`_combine` joins neighbouring pieces into figures ("2,5" + "Millionen"), and
:func:`_bind_rates` gives each figure its rate cue.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from prodstats import languages

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
#: Articles that count as "one" before a scale word only ("the million shells", "the million
#: mark"; "the quarter" is a time, never 1/4).
THE_ARTICLES = {"the"}

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
  | (?P<thousands>(?:zehn|hundert|zig|aber)?tausende[n]?|thousands)
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
#: The English ones, a fraction only after a numerator ("a third", "two thirds").
EN_DENOMINATORS = {w for w in DENOMINATORS if w.startswith(("th", "qu", "fi", "si", "ei", "te"))}
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
#: Those that begin with a digit and those that begin with a month name are tried apart: at
#: one place only one of the two can match, and the regex engine skips the others quickly.
DATE = re.compile(rf"""(?x)
    (?=[0-9])(?<![\w.,])(?:
        (?:19|20)[0-9]{{2}}-(?:0[1-9]|1[0-2])(?:-[0-9]{{2}})?          # 2025-01-17, 2023-01
            (?:/[0-9]{{4}}(?:-[0-9]{{2}}(?:-[0-9]{{2}})?)?)?(?![0-9])  #   ... /2023-12
      | [0-9]{{1,2}}\.[0-9]{{1,2}}\.(?:[0-9]{{4}}|[0-9]{{2}})?(?![0-9])  # 17.01.2025
      | [0-9]{{1,2}}\.?\s(?:{_MONTHS})\b\.?(?:\s[0-9]{{4}}(?![0-9]))?   # 17. Januar 2025
      | [0-9]{{1,2}}[:.][0-9]{{2}}\s?Uhr\b                             # 14.30 Uhr
      | (?:19|20)[0-9]{{2}}\s?[/–-]\s?(?:(?:19|20)[0-9]{{2}}|[0-9]{{2}})(?![0-9]|[.,][0-9])
                                                                       # 2023/24, 2022-2024
    )
  | (?=[A-Z])\b(?:
        (?:{_MONTHS})\.?\s[0-9]{{1,2}}(?:st|nd|rd|th)?(?![0-9])(?:,?\s[0-9]{{4}}(?![0-9]))?
                                                                       # January 17, 2025
      | (?:{_MONTHS})\.?\s[0-9]{{4}}(?![0-9])                          # Januar 2025
    )
""")

#: The first ASCII digit of a text, and how far before it a date may start ("September 3").
ASCII_DIGIT = re.compile("[0-9]")
DATE_LEAD = max(map(len, _MONTHS.split("|"))) + 2

#: Digits with separators, ASCII only: 2,500,000 | 2.500.000 | 40 000 (narrow spaces) | 2,5.
#: Not preceded by a letter or digit, nor by a digit and a separator (the middle of a number):
#: the first digit is matched, then what stands before it is checked. In a language that groups
#: with a space (:data:`DIGITS_SPACED`), an ordinary space groups too: "plus de 3 000 obus".
DIGITS_PATTERN = r"""(?x)
    (?P<digits>
        [0-9](?<![\w][0-9])(?<![0-9][.,][0-9])
        (?:[0-9]{0,2}(?:(?:,[0-9]{3})+|(?:\.[0-9]{3})+|(?:[SPACES][0-9]{3})+)
            (?:[.,][0-9]+)?                     # grouped, with an optional decimal part
          | [0-9]*(?:[.,][0-9]+)?               # plain, with an optional decimal part
        )
    )
    (?P<attached>                               # a suffix written onto the digits
        (?:bn|mn|mln|tn|k|m)(?![\w])            #   6.6bn, 40k, 2.5m
      | (?:x|×)(?![\w])                         #   6x
      | -?fach(?:e[nrs]?)?(?![\w])              #   3-fach, 3fache
      | -?fold(?![\w])                          #   6-fold
      | (?:st|nd|rd|th)(?![\w])                 #   3rd (an ordinal)
      | (?:er|s|'s)(?![\w])                     #   1990er, 1990s
    )?
"""
DIGITS = re.compile(DIGITS_PATTERN.replace("SPACES", "\u00a0\u202f\u2009"))
DIGITS_SPACED = re.compile(DIGITS_PATTERN.replace("SPACES", " \u00a0\u202f\u2009"))
#: The spaces that group digits, taken out before a grouped number is read.
GROUP_SPACES = re.compile("[ \u00a0\u202f\u2009]")

#: Digits other than ASCII 0-9 (any Unicode decimal digit that is not ASCII), with separators.
OTHER_DIGITS = re.compile(r"[^\D0-9]+(?:[.,\u066b\u066c][^\D0-9]+)*")

#: Words (letters, with inner hyphens: "twenty-five", "six-fold"), the percent sign and
#: "per cent" as one token.
WORD = re.compile(r"(?i)per\scent|pour\scent|por\sciento|percentage\spoints?|%|"
                  r"[^\W\d_]+(?:[-‐][^\W\d_]+)*\.?")

#: Rate cues: (pattern, base). Checked with :data:`NOT_A_RATE` for the false friends. The
#: first letters of all the cues come first, so the regex engine passes other places quickly.
RATE_CUES = re.compile(r"""(?ix)
    (?=[adeijmptwy])\b(?:
        (?:a|an|per|each|every|pro|je|im|am|jeden|jedes|jede|jedem)\s
            (?P<unit>year|month|week|day|jahr|monat|woche|tag)\b
      | per\s(?P<annum>annum)\b
      | (?P<adj>annual(?:ly)?|yearly|monthly|weekly|daily
            |jährlich\w*|monatlich\w*|wöchentlich\w*|täglich\w*
            |(?:jahres|monats|tages)(?:produktion|ausstoß|leistung|kapazität|rate|menge|bedarf)\w*)
    )
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
#: A figure (and at most one word) just before a cue: "14,400 a month before the war" is a rate
#: before the war, not a time a month before it ...
_NUMBER_WORDS = "|".join(sorted({**EN_UNITS, **EN_TENS, **DE_UNITS, **DE_TENS}, key=len,
                                reverse=True))
FIGURE_JUST_BEFORE = re.compile(rf"(?i)(?:[0-9]|\b(?:{_NUMBER_WORDS}))(?:\s+[^\W\d_]+)?\s+$")
#: ... but only before the war: "40 howitzers a month after the order was signed" is a time.
WAR_AFTER = re.compile(r"(?i)\s+(?:the\s+)?(?:(?:full-scale\s+)?war|invasion|conflict|"
                       r"start\s+of\s+the\s+war)\b")
#: Before "a year"/"a month": words that make it a duration ("in a year", "half a year").
NOT_A_RATE_BEFORE = {"in", "within", "for", "over", "than", "half", "about", "nearly",
                     "almost", "once", "twice", "just", "only", "around", "after", "past"}

#: A sentence ends at . ! ? ; followed by a space, or at a blank line (not after "Mio." etc.).
SENTENCE_END = re.compile(r"[.!?;](?=\s)(?<!\bMio.)(?<!\bMrd.)(?<!\bTsd.)(?<!\bca.)(?<!\bNr.)"
                          r"(?<!\bNo.)|\n\s*\n")
#: A figure directly followed by a length unit is a calibre or a size, never a rate's figure.
LENGTH_AFTER = re.compile(r"(?i)\s?-?(?:mm|cm|km|millimet(?:er|re)s?|kaliber|calibre)\b")

#: Year cue words before a four-digit number ("bis 2023", "early 2024").
YEAR_CUES = {"in", "im", "bis", "seit", "vor", "nach", "ab", "since", "by", "before", "after",
             "until", "till", "into", "during", "early", "mid", "late", "anfang", "mitte",
             "ende", "jahr", "jahres", "year", "frühjahr", "sommer", "herbst", "winter",
             "spring", "summer", "autumn", "fall", "fy", "fiscal", "jahresende", "quartal",
             "halbjahr", "hälfte", "frühestens", "spätestens"}
#: Two-word year cues ("end of 2025", "im Vergleich zu 2023").
YEAR_CUES_2 = {("end", "of"), ("start", "of"), ("beginning", "of"), ("middle", "of"),
               ("spring", "of"), ("summer", "of"), ("autumn", "of"), ("fall", "of"),
               ("winter", "of"), ("compared", "with"), ("compared", "to"), ("vergleich", "zu"),
               ("half", "of"), ("year", "of"), ("slips", "to"), ("slip", "to"),
               ("slipped", "to"), ("delayed", "to"), ("postponed", "to"), ("quarter", "of"),
               ("the", "earliest"), ("the", "latest")}
#: What every period word holds (a cheaper search first).
MAY_HAVE_PERIOD_WORDS = re.compile(r"(?i)quart|half|halbjahr|hälfte|[QH][1-4]|trimestre|"
                                   r"semestre")
#: Period words: "the fourth quarter (of 2024)", "Q4 2024", "the second half", "every quarter",
#: "im ersten Halbjahr": a part of a year, a date, never a fraction.
PERIOD_WORDS = re.compile(r"""(?x)\b(?:
    (?i:first|second|third|fourth|final|last|next|previous|past|current|this|every|each|per
        |same)\s+(?i:quarter|half)
  | (?i:ersten|zweiten|dritten|vierten|letzten|nächsten|laufenden|jeden|jedem|gleichen)
        \s+(?i:quartal|halbjahr|hälfte|jahreshälfte)
  | (?i:premier|deuxième|second|troisième|quatrième|dernier|prochain|même|chaque
        |primer|segundo|tercer|cuarto|último|próximo|mismo|cada)\s+(?i:trimestre|semestre)
  | [QH][1-4]
)\b(?:\s+of\s+(?:19|20)[0-9]{2}(?![0-9])
      | (?<=[0-9QH])\s+(?:19|20)[0-9]{2}(?![0-9])            # Q4 2024
      | \s+(?:19|20)[0-9]{2}(?=\s*(?:$|[.,;:!?)])))?""")
#: After a year: the end of the text or of a clause ("seit 2022.", "(2023)", "2023/24").
YEAR_END = re.compile(r"\s*(?:$|[.;:!?)\]»«\"“”'/–])")
#: After a number in German: a capitalised noun ("2000 Soldaten"), so it counts something.
NOUN_AFTER = re.compile(r"\s[A-ZÄÖÜ]")
#: After a number that opens a German sentence: a verb of "there were", so the number is a
#: year ("2024 waren es 500.000"), not a count ("2000 weitere", "2000 pro Tag").
VERB_AFTER = re.compile(r"\s(?:waren|war|wurden|wurde|gab|lag|lagen|betrug|stieg|stiegen|"
                        r"sank|sanken)\b")
#: Between two figures of a range: the scale or the per cent of the second applies to both.
RANGE_GAP = re.compile(r"(?i)\s*(?:-|–|bis|to|and|und|or|oder)\s*")


#: The factor of each scale family, for ranges ("2 bis 3 Millionen").
FAMILY_FACTOR = {"dozens": 12.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9,
                 "trillions": 1e12}


def _fixed_words() -> dict[str, tuple[str, tuple[float, ...], str | None, str | None]]:
    """Words whose role is fixed: ``word: (role, candidates, scale family, language)``."""
    table: dict[str, tuple[str, tuple[float, ...], str | None, str | None]] = {}
    table.update({w: ("percent", (), None, None) for w in PERCENT_WORDS})
    table.update({w: ("scale", (f,), SCALE_FAMILY[f], None) for w, f in SCALES.items()})
    table.update({w: ("dozen", (12.0,), "dozens", None) for w in ("dozen", "dutzend")})
    table.update({w: ("one", (1.0,), None, None) for w in ONE_ARTICLES - {"one"}})
    table.update({w: ("the", (1.0,), None, "en") for w in THE_ARTICLES})
    table.update({w: ("denominator", (float(d),), None, None) for w, d in DENOMINATORS.items()})
    table.update({w: ("half", (h,), None, "en" if w == "half" else None)
                  for w, h in HALVES.items()})
    table["times"] = ("times", (), None, "en")
    table["hundred"] = ("hundred", (100.0,), None, "en")
    return table


FIXED_WORDS = _fixed_words()


@dataclass(frozen=True)
class Figure:
    """One figure of a text.

    Attributes:
        start: offset of the first character in the text.
        end: offset after the last character (``text[start:end] == figure.text``).
        text: the verbatim span.
        kind: one of :data:`KINDS`.
        candidates: the candidate numeric values, the likeliest first. A per cent gives the
            number and its fraction (``40 %`` → 40, 0.4); a fraction gives the fraction and its
            per cent (``one third`` → 1/3, 33.33); a year gives itself; scale words alone,
            other dates and non-ASCII digits give none.
        rate: the rate cue bound to the figure: ``year``, ``month``, ``week``, ``day``, or None.
        scale: the scale family of a scale word in the figure (``millions``, ``dozens``, ...).
    """

    start: int
    end: int
    text: str
    kind: str
    candidates: tuple[float, ...] = ()
    rate: str | None = None
    scale: str | None = None


@dataclass
class _Token:
    """A piece of the text that the reader joins into figures.

    ``role`` is one of: number (digits), word_number, hundred, one (an article: "a", "ein"),
    dozen, scale, bare (a scale word alone), percent, times, multiple, denominator, half,
    date, digits (non-ASCII).
    """

    start: int
    end: int
    role: str
    candidates: tuple[float, ...] = ()
    scale: str | None = None
    plain_year: bool = False


def read_figures(text: str, language: str | None = None) -> list[Figure]:
    """Read every figure of a text, in order of position.

    Args:
        text: the text.
        language: an ISO 639-1 code (``'en'``, ``'de'``, ``'fr'``, ``'es'`` have word tables;
            any language Babel knows gets its separators, text2num's its number words) or
            None (English and German: ambiguous separators and "Billion" get
            every reading).

    Returns:
        The figures, with spans, candidate values and rate cues.

    >>> [(f.text, f.candidates) for f in read_figures("etwa 2,5 Millionen Geschosse", "de")]
    [('2,5 Millionen', (2500000.0,))]
    >>> [(f.text, f.rate) for f in read_figures("about 40,000 rounds a month", "en")]
    [('40,000', 'month')]
    >>> [(f.text, f.kind) for f in read_figures("Ziel sind ３.０００ Raketen bis 2026.")]
    [('３.０００', 'digits'), ('2026', 'date')]
    """
    language = language if isinstance(language, str) and language else None
    tokens = _tokens(text, language)
    figures = _combine(text, tokens, language)
    return _bind_rates(text, figures, language)


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def _tokens(text: str, language: str | None) -> list[_Token]:
    """The pieces: dates, digits, other digits and classified words, in order, not overlapping
    (a piece found earlier in this order wins).
    """
    taken: list[_Token] = []
    busy = bytearray(len(text) + 1)

    def add(token: _Token) -> None:
        if any(busy[token.start:token.end]):
            return
        busy[token.start:token.end] = b"\x01" * (token.end - token.start)
        taken.append(token)

    digit = ASCII_DIGIT.search(text)
    for start, end in _dates(text, language, digit):
        add(_Token(start, end, "date"))
    if digit:
        digits = DIGITS_SPACED if languages.groups_with_spaces(language) else DIGITS
        for m in digits.finditer(text, digit.start()):
            add(_digits_token(m, language))
    if not text.isascii():  # digits other than 0-9 are not ASCII
        for m in OTHER_DIGITS.finditer(text):
            add(_Token(m.start(), m.end(), "digits"))
    for m in WORD.finditer(text):
        spec = _classify_word(m.group(), language)
        if spec is not None:
            role, length, candidates, scale = spec
            add(_Token(m.start(), m.start() + length, role, candidates, scale))
    taken.sort(key=lambda t: t.start)
    return taken


def _dates(text: str, language: str | None, digit: re.Match | None) -> list[tuple[int, int]]:
    """The spans of the dates of a text: written dates, the language's month-name dates and
    period words ("the fourth quarter of 2024").
    """
    spans = []
    if digit:  # a date holds a digit, at most a month name, a full stop and a space after it starts
        spans += [m.span() for m in DATE.finditer(text, max(0, digit.start() - DATE_LEAD))]
    dated = languages.date_pattern(language) if language in languages.LANGUAGES else None
    if dated is not None:  # "17 janvier 2025", "noviembre de 2024"
        spans += [m.span() for m in dated.finditer(text)]
    if MAY_HAVE_PERIOD_WORDS.search(text):
        spans += [m.span() for m in PERIOD_WORDS.finditer(text)]
    return spans


def _digits_token(m: re.Match, language: str | None) -> _Token:
    """A token of ASCII digits, with what a suffix written onto them does."""
    digits, suffix = m.group("digits"), (m.group("attached") or "").lower().lstrip("-")
    token = _Token(m.start(), m.end(), "number", _digit_values(digits, language))
    year = re.fullmatch(r"(?:19|20)[0-9]{2}", digits) is not None
    token.plain_year = year and suffix in ("", "er", "s", "'s")
    if suffix in SCALES:  # 6.6bn, 40k
        token.candidates = tuple(v * SCALES[suffix] for v in token.candidates)
        token.scale = SCALE_FAMILY[SCALES[suffix]]
    elif suffix == "m":  # 2.5m: millions in English news, metres elsewhere: both readings
        token.candidates = tuple(v * 1e6 for v in token.candidates) + token.candidates
        token.scale = "millions"
    elif suffix in ("x", "×", "fold") or suffix.startswith("fach"):
        token.role = "multiple"
    elif suffix in ("er", "s", "'s") and year:  # the 1990s, die 1990er
        token.role = "date"
    return token


def _digit_values(digits: str, language: str | None) -> tuple[float, ...]:
    """The readings of ASCII digits with separators, the language's likeliest first."""
    plain = GROUP_SPACES.sub("", digits) if not digits.isdigit() else digits
    if "," in plain and "." in plain:  # both: the last one is the decimal mark
        decimal = "," if plain.rfind(",") > plain.rfind(".") else "."
        group = "." if decimal == "," else ","
        return (float(plain.replace(group, "").replace(decimal, ".")),)
    mark = "," if "," in plain else "." if "." in plain else None
    if mark is None:
        return (float(plain),)
    head, *rest = plain.split(mark)
    if len(rest) > 1:  # 2,500,000 or 2.500.000: grouping
        return (float(plain.replace(mark, "")),)
    as_decimal = float(f"{head}.{rest[0]}")
    if len(rest[0]) != 3 or head == "0":  # 2,5 / 2.5 / 0.500: a decimal
        return (as_decimal,)
    grouping, decimal = float(head + rest[0]), as_decimal  # 3.000 / 40,000: either ...
    decimal_mark = languages.decimal_mark(language)
    if decimal_mark is None:
        return (grouping, decimal)
    # ... but a text's language says which (CLDR): 3.600 is 3600 in German, 3.6 in English
    return (decimal,) if mark == decimal_mark else (grouping,)


@lru_cache(maxsize=65536)
def _classify_word(word: str, language: str | None) -> tuple | None:
    """A word's role for the reader as ``(role, length, candidates, scale)``, or None for an
    ordinary word. Cached: most words of a ledger's texts repeat.
    """
    lower = " ".join(word.lower().split())
    if lower.endswith(".") and lower not in FIXED_WORDS:  # a full stop, not "Mio."
        word, lower = word[:-1], lower[:-1]
    if language not in (None, "en", "de"):  # the language's tables, then text2num
        spec = languages.classify(lower, language)
        if spec is not None:
            role, candidates, _ = spec
            family = SCALE_FAMILY.get(candidates[0]) if role == "scale" else None
            return role, len(word), candidates, family
    if lower == "billion":
        factors = BILLION.get(language, BILLION["de"])
        return "scale", len(word), factors, SCALE_FAMILY[factors[0]]
    fixed = FIXED_WORDS.get(lower)
    if fixed is not None and (fixed[3] is None or language in (None, fixed[3])):
        return fixed[0], len(word), fixed[1], fixed[2]
    bare = BARE_SCALE.fullmatch(lower)
    if bare:
        return "bare", len(word), (), bare.lastgroup
    fraction = _hyphenated_fraction(lower) if language in (None, "en") else None
    if fraction is not None:
        return "fraction", len(word), (fraction, 100 * fraction), None
    multiple = _word_multiple(lower, language)
    if multiple is not None:
        return "multiple", len(word), (multiple,), None
    value = _word_number(lower, language)
    if value is not None:
        return "word_number", len(word), (float(value),), None
    return None


def _hyphenated_fraction(lower: str) -> float | None:
    """"one-third", "two-thirds", "three-quarters": the fraction, or None."""
    numerator, _, denominator = lower.replace("‐", "-").partition("-")
    n = 1 if numerator in ("a", "one") else EN_UNITS.get(numerator)
    d = DENOMINATORS.get(denominator)
    return None if n is None or d is None else n / d


def _word_multiple(lower: str, language: str | None) -> float | None:
    """The multiple a word states (tripled, versechsfacht, sixfold, zehnmal), or None.
    "x-fach" gives NaN: a multiple with no value.
    """
    en, de = language in (None, "en"), language in (None, "de")
    if en and lower in EN_MULTIPLES:
        return float(EN_MULTIPLES[lower])
    if de and DE_DOUBLE.fullmatch(lower):
        return 2.0
    if de and DE_HALVED.fullmatch(lower):
        return 0.5
    m = WORD_MULTIPLE.fullmatch(lower)
    if m is None:
        return None
    german, english, times = m.group("n"), m.group("en"), m.group("mal")
    if german is not None and de:
        return math.nan if german == "x" else _float(_de_number(german))
    if english is not None and en:
        return _float(_en_compound(english))
    if times is not None and de and times not in ("ein", "nach", "dies"):
        return _float(_de_number(times))
    return None


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def _word_number(lower: str, language: str | None) -> float | None:
    """The value of a number word ("twenty-five", "fünfundzwanzig", "dreihundert",
    "zweieinhalb").
    """
    value = _en_compound(lower) if language in (None, "en") else None
    if value is None and language in (None, "de"):
        value = DE_INFLECTED.get(lower) or _de_number(lower) or _de_and_a_half(lower)
    return value


def _de_and_a_half(word: str) -> float | None:
    """"anderthalb" and "eineinhalb" (1.5), "zweieinhalb" (2.5), ...; else None."""
    if word == "anderthalb":
        return 1.5
    whole, found, rest = word.partition("einhalb")
    if not found or rest:
        return None
    value = DE_PREFIX.get(whole) if whole != "sieb" else None
    return None if value is None else value + 0.5


def _en_compound(word: str) -> int | None:
    """One English number word or a hyphenated pair ("six", "twenty-five")."""
    if word in EN_UNITS or word in EN_TENS:
        return EN_UNITS.get(word) or EN_TENS[word]
    tens, _, unit = word.replace("‐", "-").partition("-")
    if tens in EN_TENS and EN_UNITS.get(unit, 10) < 10:
        return EN_TENS[tens] + EN_UNITS[unit]
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
    if word in DE_UNITS or word in DE_TENS:
        return DE_UNITS.get(word) or DE_TENS[word]
    unit, _, tens = word.partition("und")
    if unit in DE_PREFIX and tens in DE_TENS:
        return DE_PREFIX[unit] + DE_TENS[tens]
    return None


# ---------------------------------------------------------------------------------------------
# Joining tokens into figures
# ---------------------------------------------------------------------------------------------

#: What may stand between two tokens of one figure: a space or a hyphen, or "and" between
#: English number words ("three hundred and fifty").
JOIN = re.compile(r"[ \t\u00a0\u202f\u2009-]?")
JOIN_AND = re.compile(r"\sand\s")
#: Between a fraction and "a million": "a quarter of a million".
OF_A = re.compile(r"\s+(?:of|von)\s+")
#: Tokens that make a figure on their own, and the figure's kind.
ALONE = {"date": "date", "digits": "digits", "bare": "scale", "multiple": "multiple",
         "fraction": "fraction"}
#: Tokens that can begin a figure with a value.
HEADS = ("number", "word_number", "hundred", "one", "dozen", "the")


def _combine(text: str, tokens: list[_Token], language: str | None) -> list[Figure]:
    """Join numbers with their scale words, per cent, fractions and multiples."""
    figures: list[Figure] = []
    i = 0
    while i < len(tokens):
        figure, i = _figure_at(text, tokens, i, language)
        if figure is not None:
            figures.append(figure)
    return _ranges(text, figures)


def _figure_at(text: str, tokens: list[_Token], i: int, language: str | None
               ) -> tuple[Figure | None, int]:
    """The figure that begins with token ``i`` (or None), and the index after it."""
    t = tokens[i]
    span = text[t.start:t.end]
    if t.role in ALONE:
        candidates = () if any(math.isnan(v) for v in t.candidates) else t.candidates
        return Figure(t.start, t.end, span, ALONE[t.role], candidates, scale=t.scale), i + 1
    if t.role == "half":
        return _half(text, tokens, i)
    if t.role == "denominator":  # "Drittel" without a numerator: one third
        if span.lower() in EN_DENOMINATORS:  # "the third", "the quarter": not a fraction
            return None, i + 1
        d = t.candidates[0]
        return Figure(t.start, t.end, span, "fraction", (1 / d, 100 / d)), i + 1
    if t.role == "scale":  # alone: "Millionen" is a scale word, "Tausend" a thousand
        if BARE_SCALE.fullmatch(span.lower()):
            return Figure(t.start, t.end, span, "scale", scale=t.scale), i + 1
        if span.lower() in ("tausend", "thousand"):
            return Figure(t.start, t.end, span, "number", t.candidates, scale=t.scale), i + 1
        if span.lower() in ("mille", "mil"):  # "mil millones": a thousand millions
            return _headed(text, tokens, i, language)
        return None, i + 1
    if t.role in HEADS:
        return _headed(text, tokens, i, language)
    return None, i + 1  # "%" or "times" on its own


def _next_is(text: str, tokens: list[_Token], j: int, *roles: str) -> bool:
    """Whether token ``j`` has one of the roles and directly follows token ``j - 1``."""
    return (j < len(tokens) and tokens[j].role in roles
            and JOIN.fullmatch(text[tokens[j - 1].end:tokens[j].start]) is not None)


def _half(text: str, tokens: list[_Token], i: int) -> tuple[Figure, int]:
    """"half", "die Hälfte", or "half a million" (a number)."""
    t, j = tokens[i], i + 1
    if _next_is(text, tokens, j, "one") and _next_is(text, tokens, j + 1, "scale", "dozen"):
        j += 1
    if _next_is(text, tokens, j, "scale", "dozen"):
        s = tokens[j]
        candidates = tuple(t.candidates[0] * f for f in s.candidates)
        return Figure(t.start, s.end, text[t.start:s.end], "number", candidates,
                      scale=s.scale), j + 1
    h = t.candidates[0]
    if text[t.start:t.end].lower() not in HALVES:  # "medio" alone: "Oriente Medio"
        return None, i + 1
    return Figure(t.start, t.end, text[t.start:t.end], "fraction", (h, 100 * h)), i + 1


def _headed(text: str, tokens: list[_Token], i: int, language: str | None
            ) -> tuple[Figure | None, int]:
    """A figure that begins with a number: digits or number words, then a denominator, scale
    words, per cent or "times".
    """
    t = tokens[i]
    if t.role == "the" and not (_next_is(text, tokens, i + 1, "scale")
                                and tokens[i + 1].candidates):
        return None, i + 1  # "the" is "one" only in "the million"
    j, candidates = (_head_words(text, tokens, i, language) if language in languages.TEXT2NUM
                     else _head(text, tokens, i))
    kind, scale = "number", t.scale
    if _next_is(text, tokens, j, "denominator"):  # "zwei Drittel", "one third", "a quarter"
        d = tokens[j].candidates[0]
        candidates, kind, j = (candidates[0] / d, candidates[0] * 100 / d), "fraction", j + 1
        j, whole = _of_a_scale(text, tokens, j)  # "a quarter of a million", "a quarter million"
        if whole:
            candidates, kind, scale = (candidates[0] * whole.candidates[0],), "number", whole.scale
    elif t.role == "one" and _next_is(text, tokens, j, "half"):  # "a half", "ein halbes"
        candidates, kind, j = (0.5, 50.0), "fraction", j + 1
    else:
        while _next_is(text, tokens, j, "scale", "dozen"):  # "2,5 Millionen", "two dozen"
            candidates = tuple(v * f for v in candidates for f in tokens[j].candidates)
            scale, j = tokens[j].scale, j + 1
        if _next_is(text, tokens, j, "percent"):
            candidates = tuple(x for v in candidates for x in (v, v / 100))
            kind, j = "percent", j + 1
        elif _next_is(text, tokens, j, "times"):
            kind, j = "multiple", j + 1
    end = tokens[j - 1].end
    if t.role == "one" and j == i + 1:
        return None, i + 1  # an article alone is not a figure
    if t.plain_year and j == i + 1 and _is_year(text, t, language):
        kind = "date"  # the year stays its candidate: a count misread as a year still matches
    return Figure(t.start, end, text[t.start:end], kind, candidates, scale=scale), j


def _of_a_scale(text: str, tokens: list[_Token], j: int) -> tuple[int, _Token | None]:
    """After a fraction: the scale word of "… of a million" or "… million", if one follows."""
    if (j + 1 < len(tokens) and tokens[j].role == "one" and tokens[j + 1].role == "scale"
            and OF_A.fullmatch(text[tokens[j - 1].end:tokens[j].start])
            and _next_is(text, tokens, j + 1, "scale") and tokens[j + 1].candidates):
        return j + 2, tokens[j + 1]
    if _next_is(text, tokens, j, "scale") and tokens[j].candidates:
        return j + 1, tokens[j]
    return j, None


def _head_words(text: str, tokens: list[_Token], i: int, language: str
                ) -> tuple[int, tuple[float, ...]]:
    """Number words of a language text2num reads, joined ("trois cent cinquante", "vingt et
    un"): the index after, the value text2num gives the run.
    """
    t, j = tokens[i], i + 1
    if t.role != "word_number":
        return j, t.candidates
    joiners = languages.LANGUAGES[language].joiners if language in languages.LANGUAGES \
        else frozenset()
    while j < len(tokens) and tokens[j].role in ("word_number", "one"):
        gap = text[tokens[j - 1].end:tokens[j].start]
        if not (JOIN.fullmatch(gap) or gap.strip().lower() in joiners and gap.strip()):
            break
        j += 1
    value = languages.word_number(text[t.start:tokens[j - 1].end], language)
    return (j, (value,)) if value is not None else (i + 1, t.candidates)


def _head(text: str, tokens: list[_Token], i: int) -> tuple[int, tuple[float, ...]]:
    """English number words joined ("three hundred and fifty"): the index after, the value."""
    t, j = tokens[i], i + 1
    if t.role not in ("word_number", "hundred"):
        return j, t.candidates
    total = t.candidates[0]
    while j < len(tokens) and tokens[j].role in ("word_number", "hundred"):
        gap = text[tokens[j - 1].end:tokens[j].start]
        if not (JOIN.fullmatch(gap) or JOIN_AND.fullmatch(gap)):
            break
        total = total * 100 if tokens[j].role == "hundred" else total + tokens[j].candidates[0]
        j += 1
    return j, (total,)


def _is_year(text: str, token: _Token, language: str | None) -> bool:
    """Whether a plain four-digit number (1900-2099) is a year, by the words around it."""
    before = re.findall(r"[^\W\d_]+", text[max(0, token.start - 40):token.start].lower())
    after = text[token.end:token.end + 30]
    if after.lstrip(" ").startswith("-"):
        return False  # "2000-mal", "2023-Ziel": let the coder see it
    if YEAR_END.match(after) or before[-1:] in (["jahr"], ["year"]):
        return True
    if language in (None, "de") and NOUN_AFTER.match(after):
        return False  # "bis 2000 Soldaten": a count
    if language == "de" and _opens_sentence(text, token.start) and VERB_AFTER.match(after):
        return True  # "… hergestellt. 2024 waren es": a German noun would be capitalised
    cues = languages.LANGUAGES[language].year_cues if language in languages.LANGUAGES else ()
    return (bool(before) and (before[-1] in YEAR_CUES or before[-1] in cues)
            or tuple(before[-2:]) in YEAR_CUES_2)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether only spaces stand between ``start`` and the text's start or a sentence's end
    (not the full stop of an abbreviation such as "ca." or "Mio.").
    """
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    return bool(SENTENCE_END.match(text, i)) if text[i] in ".!?;" else False


def _ranges(text: str, figures: list[Figure]) -> list[Figure]:
    """In "2 bis 3 Millionen" or "30 to 40 percent", give the first figure the second one's
    scale or per cent as another reading.
    """
    out = list(figures)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if a.kind != "number" or a.scale or not RANGE_GAP.fullmatch(text[a.end:b.start]):
            continue
        factor = 0.01 if b.kind == "percent" else FAMILY_FACTOR.get(b.scale or "")
        if factor and b.kind in ("number", "percent"):
            out[k] = replace(a, candidates=a.candidates + tuple(v * factor for v in a.candidates))
    return out


# ---------------------------------------------------------------------------------------------
# Rate cues
# ---------------------------------------------------------------------------------------------


def rate_cues(text: str, language: str | None = None) -> list[tuple[int, int, str, bool]]:
    """The rate cues of a text: ``(start, end, base, adjective)``; a language with tables of
    its own (:mod:`prodstats.languages`) has its own cues.

    ``base`` is ``year``, ``month``, ``week`` or ``day``; ``adjective`` is True for words such
    as "annual" or "jährliche", which may stand before their figure.

    >>> rate_cues("40.000 Granaten pro Monat, im Jahr 2024")
    [(16, 25, 'month', False)]
    """
    if language in languages.LANGUAGES:
        return languages.rate_cues(text, language)
    cues = []
    for m in RATE_CUES.finditer(text):
        if m.group("unit") and _is_rate(text, m):
            cues.append((m.start(), m.end(), _RATE_BASES[m.group("unit").lower()], False))
        elif m.group("annum"):
            cues.append((m.start(), m.end(), "year", False))
        elif m.group("adj"):
            word = m.group("adj").lower()
            stem = max((s for s in _RATE_BASES if word.startswith(s)), key=len)
            cues.append((m.start(), m.end(), _RATE_BASES[stem], True))
    return cues


def _is_rate(text: str, m: re.Match) -> bool:
    """Whether "a year", "im Jahr", "am Tag" ... is a rate, not a time ("a year ago", "im Jahr
    2024", "in a year"). "per", "pro" and "je" always are.
    """
    if m.group(0).lower().startswith(("per", "pro", "je")):
        return True
    after = NOT_A_RATE_AFTER.match(text, m.end())
    if after and not (after.group(0).strip().lower() in ("before", "after")
                      and WAR_AFTER.match(text, after.end())
                      and FIGURE_JUST_BEFORE.search(text, max(0, m.start() - 30), m.start())):
        return False
    before = text[max(0, m.start() - 20):m.start()].lower().split()
    return not (before and before[-1] in NOT_A_RATE_BEFORE)


def _bind_rates(text: str, figures: list[Figure], language: str | None = None
                ) -> list[Figure]:
    """Give each figure the rate cue that belongs to it.

    A cue ("a month", "pro Monat") belongs to the nearest figure before it in the same
    sentence, or, with none before it, to the first figure after it in the sentence ("Each
    month, the plants turn out some 40"); dates and calibres such as "155 mm" do not count.
    An adjective cue ("annual", "jährlich") belongs to a figure that follows it closely
    ("jährlich 3000", "annual output of 500,000"), else to the nearest figure before it in the
    sentence ("drei Milliarden Dollar ... als jährliche Militärhilfe").
    """
    cues = rate_cues(text, language)
    if not cues:
        return figures
    targets = [k for k, f in enumerate(figures)
               if f.kind not in ("date", "digits") and not LENGTH_AFTER.match(text, f.end)]
    ends = [m.start() for m in SENTENCE_END.finditer(text)]

    def same_sentence(a: int, b: int, limit: int = 150) -> bool:
        return b - a <= limit and not any(a <= e < b for e in ends)

    out = list(figures)
    for start, end, base, adjective in cues:
        before = [k for k in targets if figures[k].end <= start][-1:]
        after = [k for k in targets if figures[k].start >= end][:1]
        if adjective and after and same_sentence(end, figures[after[0]].start, limit=30):
            k = after[0]
        elif before and same_sentence(figures[before[0]].end, start):
            k = before[0]
        elif after and same_sentence(end, figures[after[0]].start):
            k = after[0]  # a cue that leads its sentence: "Cada mes, … salen unas 40"
        else:
            continue
        if out[k].rate is None:
            out[k] = replace(out[k], rate=base)
    return out
