"""The codebook as data: the words a ledger may use, and what they mean.

docs/codebook.md shows these tables; tests keep the two equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: What a claim states: a level (an amount or a rate), a ratio to a base period, or a share.
KINDS = ["level", "ratio", "share"]
#: What sort of figure it is: an observation of what happened (the first two) or a forward
#: statement (the rest): a forecast (expected), a goal set (target), a commitment to give
#: (pledge), a figure put forward for decision (proposal), or a hope (aspiration).
MODALITIES = ["actual", "estimate", "expected", "target", "pledge", "proposal", "aspiration"]
#: Observations: the only figures resolved into series, conflict-checked and projected.
OBSERVED = ("actual", "estimate")
#: Forward statements: kept with the date they were said and judged against observations
#: (outcomes.csv); never a point of a series.
FORWARD = ("expected", "target", "pledge", "proposal", "aspiration")
#: Modalities that must not describe a period that starts after the source was published.
PAST_ONLY = OBSERVED
#: How far a figure can be trusted, strongest first: independently confirmed; stated in the
#: outlet's own voice; stated by an interested party; not checkable; contradicted.
CONFIDENCES = ["verified", "reported", "official", "unverified", "disputed"]
#: Publication dates: the precision they are written to, and how they were established.
PRECISIONS = ["day", "month", "year"]
DATE_BASES = ["stated", "inferred"]
TITLE_ORIGINS = ["original", "descriptive"]
#: Who a figure can be about (actors.csv).
ACTOR_KINDS = ["country", "company", "organisation"]
#: What an indicator measures. A capacity or target of production is compared with output.
INDICATOR_MEASURES = ["output", "capacity", "stock", "spending", "aid", "count", "share", "other"]
#: Series measures: canonical level, chained index (base = 1), or share (0–1).
SERIES_MEASURES = ["level", "index", "share"]
#: Scenarios: every claim, and only the claims coded verified or official.
SCENARIOS = {"all": ("verified", "reported", "official", "unverified", "disputed"),
             "no_unverified": ("verified", "reported", "official")}
#: Where a claim's value comes from: written in the quote; derived from it on purpose (the
#: claim's ``derived`` flag); none, only a range (a scale word such as 'dozens' gives 24–99
#: and no value, and so does a point derived from it); or given by definition (the base of an
#: index, 1).
VALUE_BASES = ["stated", "derived", "range", "definition"]
#: What an indicator is about: the production side (output, capacity, stock, spending, aid),
#: resolved into series, projected and tracked; or context (a treaty's term, the war's length,
#: one day's combat), coded and published in claims.csv only.
SCOPES = ["production", "context"]


def weakest(*levels: str) -> str:
    """The least trusted of several confidence levels."""
    return max(levels, key=CONFIDENCES.index)


@dataclass(frozen=True)
class Qualifier:
    """How a vague word maps to bounds.

    Relative qualifiers scale the stated value: ``low = value × low_factor``. Scale words
    ("dozens") give absolute bounds and no value: such a claim is a range (value basis
    ``range``), never a midpoint.
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
    Qualifier("about", 0.9, 1.1, cues="etwa, rund, ungefähr, circa, gut; about, around, some, "
              "roughly, approximately"),
    Qualifier("nearly", 0.9, 1.0, cues="fast, knapp, beinahe; nearly, almost, just under"),
    Qualifier("more_than", 1.0, math.inf, cues="mehr als, über; more than, over"),
    Qualifier("at_least", 1.0, math.inf, cues="mindestens; at least"),
    # open below: the text gives a ceiling and no floor, so the low end is 0 (never a guess)
    Qualifier("less_than", 0.0, 1.0, cues="weniger als, unter; less than, under"),
    Qualifier("up_to", 0.0, 1.0, cues="bis zu; up to, as many as"),
    Qualifier("dozens", None, None, 24, 99, cues="Dutzende; dozens"),
    Qualifier("hundreds", None, None, 200, 999, cues="Hunderte; hundreds"),
    Qualifier("thousands", None, None, 2_000, 9_999, cues="Tausende; thousands"),
    Qualifier("millions", None, None, 2e6, 9.99e6, cues="Millionen; millions"),
    Qualifier("billions", None, None, 2e9, 9.99e9, cues="Milliarden; billions"),
)}


def qualifier_for(word: str) -> str | None:
    """The qualifier whose cue a word of the text is ("roughly" → ``about``), or None."""
    word = " ".join(word.casefold().split())
    return next((q.name for q in QUALIFIERS.values()
                 if word in (c.strip() for c in q.cues.replace(";", ",").split(","))), None)
