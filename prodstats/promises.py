"""The promise tracker: every forward statement against what happened (``outcomes.csv``).

A forward statement (a forecast, target, pledge, proposal or aspiration) stays what it is until
an observation of its period meets or misses it. One row per statement (the claim at the end of
its ``same_as`` chain, with every attestation listed), current or superseded; a ratio whose base
is ambiguous gets one row per candidate base.

- **Which observations judge it.** Observations (``actual``, ``estimate``) of the same actor,
  indicator and measure, taken from the resolved series (scenario ``all``, so a ratio is read
  through the index its observations chain): those of the same period; for a capacity (a rate
  at a time) those whose period ends in the month the statement falls due. Several such
  observations give the widest bounds and the median figure; their weakest confidence is shown.
- **Status**, in this order: ``superseded`` (a later statement, said before this one fell
  due, revises it; one revised afterwards is judged first, and the note names the revision),
  ``pending`` (due after ``as_of``, the latest publication date in the ledger), ``no_data``
  (due, no observation of its period), ``met`` (the observed figure reaches the stated one),
  ``missed`` (it falls short). Where the bounds of the two overlap but the figures say
  missed, the note says so.
- ``ratio`` is observed over promised; ``error`` (forecasts only) is ``ratio - 1``.

docs/methodology.md §4 has the rules as a table with their edge cases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from prodstats.errors import require_columns
from prodstats.ledger import as_said
from prodstats.periods import parse_period, split_candidates
from prodstats.schemas import OUTCOME_COLUMNS
from prodstats.series import upper_over_lower
from prodstats.vocab import CONFIDENCES, FORWARD, OBSERVED, QUALIFIERS

_NEEDED = ["claim_id", "source_id", "speaker", "actor", "indicator", "kind", "modality",
           "period", "base_period", "value_canonical", "low_canonical", "high_canonical",
           "canonical_unit", "unit", "period_years", "said", "scope", "statement_id",
           "superseded_by", "period_end", "qualifier"]
_TYPES = {c: "str" for c in OUTCOME_COLUMNS} | {
    c: "float64" for c in ("value", "low", "high", "observed_value", "observed_low",
                           "observed_high", "ratio", "ratio_low", "ratio_high", "error")} | {
    "current": "bool"}


def outcomes(claims: pd.DataFrame, sources: pd.DataFrame, series: pd.DataFrame,
             capacities: Iterable[str] = ()) -> pd.DataFrame:
    """Judge every forward statement against the observations of its period.

    Args:
        claims: ``ledger.claims`` from :func:`prodstats.load`.
        sources: ``ledger.sources`` (for the outlet and ``as_of``).
        series: :func:`prodstats.resolve` of those claims.
        capacities: the capacity indicators (``ledger.capacity_bounds()``): judged by the
            observation at their due month rather than of their whole period.

    Returns:
        One row per forward statement (and candidate base), columns
        :data:`~prodstats.schemas.OUTCOME_COLUMNS`, ordered by actor, indicator, due date and
        statement.

    Raises:
        FrameError: a frame is not what :func:`prodstats.load` or :func:`prodstats.resolve`
            gives.
    """
    require_columns(claims, _NEEDED, "outcomes()", "the claims of prodstats.load(...).claims")
    require_columns(sources, ["source_id", "outlet", "published"], "outcomes()",
                    "the sources of prodstats.load(...).sources")
    require_columns(series, ["scenario", "actor", "indicator", "measure", "reading", "period",
                             "value", "low", "high", "modality", "confidence", "claim_ids",
                             "unit"], "outcomes()", "the series from prodstats.resolve(...)")
    as_of = _as_of(sources)
    outlets = dict(zip(sources["source_id"], sources["outlet"], strict=True))
    attested: dict[str, list[str]] = {}  # statement → its claims, in ledger order
    for statement, claim in zip(claims["statement_id"].tolist(), claims["claim_id"].tolist(),
                                strict=True):
        attested.setdefault(statement, []).append(claim)
    ahead = _statements(claims)
    capacities = set(capacities) if not isinstance(capacities, str) else {capacities}
    by_period, by_month, indexes = _lookups(_observations(series), capacities)
    ids = claims["claim_id"].tolist()  # (lists: Arrow cells one by one are slow)
    said = dict(zip(ids, claims["said"].tolist(), strict=True))
    speakers = dict(zip(ids, claims["speaker"].tolist(), strict=True))
    periods_of: dict[tuple, dict[str, int]] = {}  # a series' observed periods, for no_data
    for (actor, indicator, measure, unit, key), code in by_period.code.items():
        periods_of.setdefault((actor, indicator, measure, unit), {})[key] = code
    rows = []
    as_of_text = as_of.isoformat()
    for c in ahead:
        bases = split_candidates(c.base_period) if c.kind == "ratio" else [None]
        for base in bases:
            row = {
                "statement_id": c.claim_id,
                "attestations": ";".join(_head_first(c.claim_id, attested.get(c.claim_id, []))),
                "actor": c.actor, "indicator": c.indicator, "modality": c.modality,
                "speaker": c.speaker, "source_id": c.source_id,
                "outlet": outlets.get(c.source_id), "said": c.said, "period": c.period,
                "due": c.period_end, "value": c.said_value, "low": c.said_low,
                "high": c.said_high, "unit": c.said_unit, "base_period": base,
                "superseded_by": c.superseded_by, "current": not isinstance(c.superseded_by, str),
                "as_of": as_of_text, "qualifier": c.qualifier}
            if base is not None:
                seen = _ratio_seen(indexes.get((c.actor, c.indicator), []), c, base)
            else:
                measure = "share" if c.kind == "share" else "level"
                end = parse_period(c.period).end
                seen = (by_month.get((c.actor, c.indicator, measure, c.canonical_unit,
                                      end.year, end.month))
                        if c.indicator in capacities else
                        by_period.get((c.actor, c.indicator, measure, c.canonical_unit,
                                       parse_period(c.period).key)))
            if c.said_unit != c.canonical_unit:  # an amount over the period
                years = c.period_years
                seen = [s._replace(value=s.value * years, low=s.low * years,
                                   high=s.high * years) for s in seen]
            revised = said.get(c.superseded_by) if isinstance(c.superseded_by, str) else None
            judged = _own_account(row | _judge(row, seen, as_of, revised), speakers)
            if judged["status"] == "no_data" and base is None:
                judged["note"] += _nearby(periods_of.get((c.actor, c.indicator, measure,
                                                          c.canonical_unit), {}), c.period,
                                          by_period)
            rows.append(judged)
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    return table.sort_values(["actor", "indicator", "due", "statement_id", "base_period"],
                             kind="stable", ignore_index=True).astype(_TYPES)


def _statements(claims: pd.DataFrame) -> list:
    """The forward statements to judge (the head of each ``same_as`` chain, not context), one
    named tuple each with the claim's columns and its figures as said (``said_value``, …).
    """
    ahead = claims[claims["modality"].isin(FORWARD) & (claims["claim_id"] == claims["statement_id"])
                   & (claims["scope"] != "context")]
    said_as = as_said(ahead).add_prefix("said_")
    names = [*_NEEDED, *said_as.columns]
    columns = [ahead[c].tolist() for c in _NEEDED] + [said_as[c].tolist() for c in said_as]
    statement = NamedTuple("_Statement", [(n, object) for n in names])
    return list(map(statement._make, zip(*columns, strict=True)))


def _as_of(sources: pd.DataFrame) -> pd.Timestamp:
    """The latest publication date in the ledger: the first day its precision allows, so that
    a source dated '2025' does not make statements due in 2025 look past.
    """
    starts = [parse_period(str(p)).start for p in sources["published"].dropna()]
    return max(starts) if starts else pd.Timestamp("1900-01-01").date()


def _head_first(head: str, ids: list[str]) -> list[str]:
    return [head, *sorted(i for i in ids if i != head)]


def _observations(series: pd.DataFrame) -> pd.DataFrame:
    """The observed points of scenario 'all', with their period's span (the columns the
    lookups read, not a copy of every column of the series).
    """
    obs = series.loc[(series["scenario"] == "all") & series["modality"].isin(OBSERVED),
                     ["actor", "indicator", "measure", "reading", "unit", *_Seen._fields]]
    spans = {p: parse_period(p) for p in obs["period"].unique()}
    obs["key"] = obs["period"].map({p: s.key for p, s in spans.items()})
    obs["end"] = obs["period"].map({p: s.end for p, s in spans.items()})
    return obs


class _Seen(NamedTuple):
    """One observation that judges a statement (for a ratio: the observed ratio)."""

    period: str
    value: float
    low: float
    high: float
    claim_ids: str
    confidence: str | None


class _Point(NamedTuple):
    """One point of an index series, in the series' order."""

    key: str
    end: object
    seen: _Seen


class _Grouped:
    """Observations grouped by a key, each group in the series' order. The groups are found by
    pandas in one pass (not a dict update per observation), and a group's observations are
    made into :class:`_Seen` only when a statement asks for them (most judge nothing).
    """

    def __init__(self, columns: tuple[list, ...], frame: pd.DataFrame, keys: list[str]):
        """``columns``: the :class:`_Seen` fields of every observation; ``frame``: some of
        those observations (its index: their positions in ``columns``) with the ``keys``.
        """
        self.columns = columns
        codes = (frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
                 if len(frame) else np.zeros(0, dtype=np.int64))
        order = np.argsort(codes, kind="stable")
        self.rows = frame.index.to_numpy()[order]
        self.starts = np.searchsorted(codes[order], np.arange(codes.max(initial=-1) + 2))
        firsts = order[self.starts[:-1]]
        names = zip(*(frame[k].take(firsts).tolist() for k in keys), strict=True)
        #: each key's group number
        self.code: dict[tuple, int] = dict(zip(names, range(len(firsts)), strict=True))

    def get(self, key: tuple) -> list[_Seen]:
        """The observations of a key (none if it has none)."""
        code = self.code.get(key)
        return [] if code is None else self.at(code)

    def at(self, code: int) -> list[_Seen]:
        """The observations of a group number."""
        period, value, low, high, claim_ids, confidence = self.columns
        return [_Seen(period[i], value[i], low[i], high[i], claim_ids[i], confidence[i])
                for i in self.rows[self.starts[code]:self.starts[code + 1]].tolist()]


def _lookups(obs: pd.DataFrame, capacities: set[str]) -> tuple[_Grouped, _Grouped, dict]:
    """The observations, looked up once for every statement, in the series' order.

    - by (actor, indicator, measure, unit, period key): a level or share statement's own period;
    - by (actor, indicator, measure, unit, year, month of the period's end): a capacity's due
      month (capacity indicators only);
    - by (actor, indicator): the index points, one list per (reading, unit), sorted by those.
    """
    obs = obs.dropna(subset=["actor", "indicator", "measure", "unit"])  # (they match nothing)
    obs = obs.reset_index(drop=True)
    columns = tuple(obs[c].tolist() for c in _Seen._fields)
    keys = ["actor", "indicator", "measure", "unit"]
    by_period = _Grouped(columns, obs, [*keys, "key"])
    capacity = obs[obs["indicator"].isin(capacities)]
    ends = pd.DataFrame({"year": [e.year for e in capacity["end"]],
                         "month": [e.month for e in capacity["end"]]}, index=capacity.index)
    by_month = _Grouped(columns, pd.concat([capacity[keys], ends], axis=1),
                        [*keys, "year", "month"])
    readings: dict[tuple, dict[tuple, list[_Point]]] = {}
    index = obs[(obs["measure"] == "index") & obs["reading"].notna()]
    seen = map(_Seen._make, zip(*(index[c].tolist() for c in _Seen._fields), strict=True))
    for actor, indicator, unit, key, end, reading, one in zip(
            *(index[c].tolist() for c in ("actor", "indicator", "unit", "key", "end", "reading")),
            seen, strict=True):
        readings.setdefault((actor, indicator), {}).setdefault(
            (reading, unit), []).append(_Point(key, end, one))
    indexes = {series: [_Index(points[k], _first_by_key(points[k])) for k in sorted(points)]
               for series, points in readings.items()}
    return by_period, by_month, indexes


class _Index(NamedTuple):
    """The points of one index series (a reading and unit), and the first point of each key."""

    points: list[_Point]
    at_key: dict[str, _Point]


def _first_by_key(points: list[_Point]) -> dict[str, _Point]:
    first: dict[str, _Point] = {}
    for point in points:
        first.setdefault(point.key, point)
    return first


def _ratio_seen(readings: list[_Index], c, base: str) -> list[_Seen]:
    """The observed ratio of a ratio statement's period to its base, through the index of
    its series (``readings``: its index points, one per reading and unit): one for each
    reading whose index holds both periods.
    """
    here, there = parse_period(c.period).key, parse_period(base).key
    found = []
    for points, at_key in readings:
        at, was = at_key.get(here), at_key.get(there)
        if at is None or was is None:
            continue
        a, b = at.seen, was.seen
        # the ratios chained between the base and the period: the points after the earlier
        # of the two, up to and including the later
        first, last = sorted((at.end, was.end))
        path = [p.seen for p in points if first < p.end <= last]
        found.append(_Seen(a.period, a.value / b.value, a.low / b.high,
                           upper_over_lower(a.high, b.low),
                           _ids(path), _weakest(p.confidence for p in path)))
    return found


def _ids(seen: list[_Seen]) -> str:
    """The claim ids of some observations, each once, in order."""
    return ";".join(dict.fromkeys(i for s in seen for i in str(s.claim_ids).split(";")
                                  if i and i != "nan"))


def _nearby(observed: dict[str, int], period: str, groups: _Grouped) -> str:
    """For a statement with no observation of its own period: the observations of periods
    that overlap it (``observed``: a series' period keys and their groups), so a coder sees
    whether the two were meant as one span.
    """
    span = parse_period(period)
    near = [(key, code) for key, code in observed.items()
            if parse_period(key).start <= span.end and parse_period(key).end >= span.start]
    if not near:
        return ""
    listed = ", ".join(f"{key} ({_ids(groups.at(code))})" for key, code in sorted(near))
    return (f"; observations of overlapping periods: {listed}. A statement is judged only by "
            "an observation of its own span; if the text means the same span, code the same "
            "period (docs/codebook.md §12)")


def _own_account(row: dict, speakers: dict) -> dict:
    """A judged statement whose every observation comes from the one who made it ("we have
    met our target") says so in its note: the promiser's own account, not an independent one.
    """
    ids = str(row.get("observed_claim_ids") or "").split(";")
    who = row["speaker"].strip() if isinstance(row["speaker"], str) else ""
    theirs = {str(speakers.get(i) or "").strip().casefold() for i in ids if i}
    if row["status"] in ("met", "missed", "undecided") and who and theirs == {who.casefold()}:
        row["note"] += f"; the observation is {who}'s own account, not an independent one"
    return row


def _judge_range(what: str, out: dict, unit: str) -> dict:
    """The status of a statement where the promise or the observation is a range with no
    figure ("dozens of contracts"): met when even the low end of the ratio reaches 1, missed
    when even the high end falls short, else undecided, never a guess at a midpoint.
    """
    seen = (_number(out["observed_value"], unit) if math.isfinite(out["observed_value"])
            else f"{_number(out['observed_low'], '')}–{_number(out['observed_high'], unit)}")
    note = (f"{what}; observed {seen} ({out['observed_claim_ids']}, "
            f"{out['observed_confidence']}): a range with no figure, ratio "
            f"{_span(out['ratio_low'], out['ratio_high'])}")
    status = ("met" if out["ratio_low"] >= 1 else "missed" if out["ratio_high"] < 1
              else "undecided")
    if status == "undecided":
        note += ", so the text cannot say whether it was met"
    if out.get("observed_confidence") in ("unverified", "disputed"):
        note += f"; the observation is {out['observed_confidence']}"
    return {"status": status, "note": note}


def _span(low: float, high: float) -> str:
    """A ratio's range as a note writes it: '0.48–1.98', or '1.00 or more' when open above."""
    return f"{low:.2f} or more" if high == math.inf else f"{low:.2f}–{high:.2f}"


def _weakest(levels) -> str | None:
    known = [x for x in levels if isinstance(x, str)]
    return max(known, key=CONFIDENCES.index) if known else None


def _judge(row: dict, seen: list[_Seen], as_of, revised: str | None) -> dict:
    """The observed figure, the status and the note of one statement (``revised``: when the
    statement that revises it was said, if one does).
    """
    out: dict = {}
    due = _date(row["due"])
    if seen:
        # a range with no figure ("dozens") has no value, and neither has a median over it
        values = [s.value for s in seen]
        value = float(values[0] if len(values) == 1 else _median(values))
        lows = [s.low for s in seen if not math.isnan(s.low)]
        highs = [s.high for s in seen if not math.isnan(s.high)]
        low = float(min(lows)) if lows else np.nan
        high = float(max(highs)) if highs else np.nan
        out = {"observed_claim_ids": _ids(seen),
               "observed_period": ";".join(dict.fromkeys(s.period for s in seen)),
               "observed_value": value, "observed_low": low, "observed_high": high,
               "observed_confidence": _weakest(s.confidence for s in seen),
               "ratio": value / row["value"] if row["value"] else np.nan,
               "ratio_low": low / row["high"] if row["high"] else np.nan,
               # a figure open below ("up to 500": 0–500) leaves the ratio open above
               "ratio_high": upper_over_lower(high, row["low"])}
        if row["modality"] == "expected":
            out["error"] = out["ratio"] - 1
    what = _what(row)
    if revised is not None:
        if not revised or parse_period(revised).end < due:
            return out | {"status": "superseded", "note": f"{what}; superseded by "
                                                          f"{row['superseded_by']} ({revised})"}
        # revised once it had fallen due: it was met or missed first, then replaced
        what += f"; revised after it fell due by {row['superseded_by']} ({revised})"
    if due > as_of:
        return out | {"status": "pending", "note": f"{what}; due {due.isoformat()}, after the "
                                                   f"latest source ({as_of.isoformat()})"}
    if not seen:
        return out | {"status": "no_data", "note": f"{what}; due {due.isoformat()}, but no "
                                                   "observation of its period is coded"}
    ratio = out["ratio"]
    if not math.isfinite(ratio):
        return out | _judge_range(what, out, row["unit"])
    met = ratio >= 1
    gap = (f"exceeded by {ratio - 1:.0%}" if ratio > 1 else "exactly as stated" if ratio == 1
           else f"short by {1 - ratio:.0%}")
    note = (f"{what}; observed {_number(out['observed_value'], row['unit'])} "
            f"({out['observed_claim_ids']}, {out['observed_confidence']}): ratio "
            f"{ratio:.2f}, {gap}")
    if not met and out["ratio_high"] >= 1:
        note += (f"; the bounds overlap (ratio {_span(out['ratio_low'], out['ratio_high'])}), "
                 "so the shortfall lies within the uncertainty")
    if out.get("observed_confidence") in ("unverified", "disputed"):
        note += f"; the observation is {out['observed_confidence']}"
    return out | {"status": "met" if met else "missed", "note": note}


def _median(values: list[float]) -> float:
    """``np.median`` of a few floats, bit for bit (the mean of the two middle ones for an even
    count; NaN if one is NaN), without building an array for each statement.
    """
    if any(math.isnan(v) for v in values):
        return math.nan
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    """A due date (``period_end``) as a date; each distinct one parsed once."""
    return pd.Timestamp(text).date()


_WHAT = {"expected": "forecast", "target": "target", "pledge": "pledge",
         "proposal": "proposal", "aspiration": "hope"}


def _what(row: dict) -> str:
    base = f" against {row['base_period']}" if isinstance(row["base_period"], str) else ""
    word = row.get("qualifier")
    if not math.isfinite(row["value"]):
        figure = f"{_number(row['low'], '')}–{_number(row['high'], row['unit'])} (a range)"
        if isinstance(word, str) and word in QUALIFIERS and QUALIFIERS[word].is_scale:
            figure = f"{word} ({figure.removesuffix(' (a range)')})"
    else:  # the hedge as the text says it: 'more than 3 billion USD/year', 'about 2.5 million'
        hedge = "" if word in (None, "exact") or not isinstance(word, str) else word
        figure = " ".join(filter(None, (hedge.replace("_", " "),
                                        _number(row["value"], row["unit"]))))
    return (f"{_WHAT[row['modality']]} of {figure}{base} for "
            f"{row['period']}, said {row['said']}")


def _number(value: float, unit: str) -> str:
    """A figure as a reader says it: '6.6 billion USD/year', '520,000 rounds', '6×'."""
    if not math.isfinite(value):
        return "no figure"
    big = next(((value / scale, word) for scale, word in ((1e9, "billion"), (1e6, "million"))
                if abs(value) >= scale), None)
    text = (f"{big[0]:.3g} {big[1]}" if big else f"{value:,.0f}" if abs(value) >= 100
            else f"{value:.3g}")
    if unit in ("dimensionless", "", None) or str(unit).startswith("index"):
        return f"{text}×" if unit == "dimensionless" else text
    return f"{text} {unit}"
