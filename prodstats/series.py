"""Claims → series. One series per (actor, indicator, measure), and per reading where a ratio's
base period is ambiguous.

- **levels** are taken as they are (in the indicator's canonical unit, already converted);
- **ratios** are chained into an index whose earliest base period is 1, and into levels
  wherever one level of the chain is known;
- **shares** stay shares (fractions 0–1).

Bounds travel with every point by interval arithmetic. Two points of the same series and period
whose bounds do not overlap under a reading are a **conflict**: both claim ids are reported, and
both points are marked ``disputed`` in the resolved output (the raw ledger is never touched).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from prodstats.periods import parse_period, split_candidates

#: Columns of ``series.csv``, in order; described in the data dictionary.
SERIES_COLUMNS = ["scenario", "actor", "indicator", "measure", "reading", "reading_consistent",
                  "period",
                  "t", "value", "low", "high", "unit", "modality", "confidence", "claim_ids",
                  "derivation"]
CONFLICT_COLUMNS = ["scenario", "actor", "indicator", "measure", "reading", "period", "claim_id_a",
                    "claim_id_b", "low_a", "high_a", "low_b", "high_b", "unit"]
NO_READING = "single"

#: Scenarios: every claim, and only the claims coded verified or official.
SCENARIOS = {"all": ("verified", "official", "unverified", "disputed"),
             "no_unverified": ("verified", "official")}


_CONF = ["verified", "official", "unverified", "disputed"]


class SeriesSchema(pa.DataFrameModel):
    """One point of a resolved series (``series.csv``)."""

    scenario: Series[str] = pa.Field(isin=list(SCENARIOS), description="all: every claim; "
                                     "no_unverified: only claims coded verified or official.",
                                     metadata={"allowed": list(SCENARIOS)})
    actor: Series[str] = pa.Field(description="Who the figure is about (ISO3 or organisation).")
    indicator: Series[str] = pa.Field(description="What is measured (indicators.csv).")
    measure: Series[str] = pa.Field(isin=["level", "index", "share"],
                                    description="level: canonical unit; index: chained ratios "
                                    "(base period = 1); share: fraction 0–1.",
                                    metadata={"allowed": ["level", "index", "share"]})
    reading: Series[str] = pa.Field(description="Which base each ambiguous ratio is read "
                                    "against, e.g. 'reu24-06:base=2023'; 'single' if none is ambiguous.")
    reading_consistent: Series[bool] = pa.Field(description="False when this reading puts two "
                                                "claims of one period in conflict.")
    period: Series[str] = pa.Field(description="Period of the point, as coded.")
    t: Series[float] = pa.Field(description="Midpoint of the period as a decimal year.",
                                metadata={"unit": "year"})
    value: Series[float] = pa.Field(description="The point's value.", metadata={"unit_column": "unit"})
    low: Series[float] = pa.Field(description="Lower bound.", metadata={"unit_column": "unit"})
    high: Series[float] = pa.Field(description="Upper bound.", metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="pint unit, or 'index (BASE = 1)'.")
    modality: Series[str] = pa.Field(description="actual, estimate, expected, target, pledge or proposal.")
    confidence: Series[str] = pa.Field(isin=_CONF, description="As coded; 'disputed' where "
                                       "this point conflicts with another under this reading.",
                                       metadata={"allowed": _CONF})
    claim_ids: Series[str] = pa.Field(nullable=True, description="Claims the point rests on, "
                                      "separated by ';'; empty for the base of an index.")
    derivation: Series[str] = pa.Field(description="How the value was obtained.")

    class Config:
        """Columns are exactly these; an empty table gets their types too."""

        strict = True
        ordered = True
        coerce = True


class ConflictSchema(pa.DataFrameModel):
    """A pair of claims whose bounds do not overlap under a reading (``conflicts.csv``)."""

    scenario: Series[str] = pa.Field(description="Scenario the conflict occurs in.")
    actor: Series[str] = pa.Field(description="Who the figures are about.")
    indicator: Series[str] = pa.Field(description="What is measured.")
    measure: Series[str] = pa.Field(description="level, index or share.")
    reading: Series[str] = pa.Field(description="The reading under which they conflict.")
    period: Series[str] = pa.Field(description="The period both claims are about.")
    claim_id_a: Series[str] = pa.Field(description="First claim.")
    claim_id_b: Series[str] = pa.Field(description="Second claim.")
    low_a: Series[float] = pa.Field(description="Lower bound of the first claim.",
                                    metadata={"unit_column": "unit"})
    high_a: Series[float] = pa.Field(description="Upper bound of the first claim.",
                                     metadata={"unit_column": "unit"})
    low_b: Series[float] = pa.Field(description="Lower bound of the second claim.",
                                    metadata={"unit_column": "unit"})
    high_b: Series[float] = pa.Field(description="Upper bound of the second claim.",
                                     metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="Unit of the bounds.")

    class Config:
        """Columns are exactly these; an empty table gets their types too."""

        strict = True
        ordered = True
        coerce = True


def resolve(claims: pd.DataFrame) -> pd.DataFrame:
    """Turn validated claims (from :func:`prodstats.load`) into series points.

    Each scenario of :data:`SCENARIOS` is resolved from its own subset of claims, so a chain
    that runs through an unverified ratio is not carried into the ``no_unverified`` scenario.

    Args:
        claims: ``ledger.claims``; needs the canonical columns that :func:`prodstats.load` adds.

    Returns:
        Series points with the columns :data:`SERIES_COLUMNS`; conflicting points have
        confidence ``disputed`` and their reading ``reading_consistent = False``. Use
        :func:`conflicts` to list the conflicting pairs.
    """
    frames = []
    for scenario, allowed in SCENARIOS.items():
        subset = claims[claims["confidence"].isin(allowed)]
        frame = _resolve_one(subset)
        frame.insert(0, "scenario", scenario)
        frames.append(frame)
    series = pd.concat([f for f in frames if not f.empty] or frames, ignore_index=True)
    series = _mark_disputed(series, conflicts(series))
    return series[SERIES_COLUMNS]


def _resolve_one(claims: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict] = []
    for (actor, indicator), group in claims.groupby(["actor", "indicator"], sort=True):
        levels = group[group["kind"] == "level"]
        shares = group[group["kind"] == "share"]
        ratios = group[group["kind"] == "ratio"]
        for reading, choice in _readings(ratios):
            base = {"actor": actor, "indicator": indicator, "reading": reading}
            rows += [{**base, **p} for p in _points(levels, "level")]
            rows += [{**base, **p} for p in _points(shares, "share")]
            if not ratios.empty:
                index_points = _chain(ratios, choice)
                rows += [{**base, **p} for p in index_points]
                rows += [{**base, **p} for p in _index_to_levels(index_points, levels)]
    columns = [c for c in SERIES_COLUMNS if c not in ("scenario", "reading_consistent")]
    series = pd.DataFrame(rows, columns=columns)
    return series.sort_values(["actor", "indicator", "measure", "reading", "t", "claim_ids"],
                              kind="stable", ignore_index=True)


def _readings(ratios: pd.DataFrame) -> list[tuple[str, dict[str, str]]]:
    """Every combination of base-period candidates, labelled ``claim:base=YYYY``."""
    ambiguous = [(cid, split_candidates(base)) for cid, base in
                 zip(ratios["claim_id"], ratios["base_period"], strict=True)
                 if len(split_candidates(base)) > 1]
    if not ambiguous:
        return [(NO_READING, {})]
    out = []
    for combo in itertools.product(*[cands for _, cands in ambiguous]):
        choice = {cid: base for (cid, _), base in zip(ambiguous, combo, strict=True)}
        label = "; ".join(f"{cid}:base={base}" for cid, base in choice.items())
        out.append((label, choice))
    return out


def _points(claims: pd.DataFrame, measure: str) -> list[dict]:
    return [{
        "measure": measure, "period": c.period, "t": parse_period(c.period).mid_year,
        "value": c.value_canonical, "low": c.low_canonical, "high": c.high_canonical,
        "unit": c.canonical_unit, "modality": c.modality, "confidence": c.confidence,
        "claim_ids": c.claim_id, "derivation": "stated",
    } for c in claims.itertuples(index=False)]


def _chain(ratios: pd.DataFrame, choice: dict[str, str]) -> list[dict]:
    """Chain ratio claims into index points; each connected set of periods gets its own index,
    with its earliest base period = 1."""
    edges = []
    for c in ratios.itertuples(index=False):
        base = choice.get(c.claim_id, split_candidates(c.base_period)[0])
        edges.append((base, c))
    graph: dict[str, list] = defaultdict(list)
    for base, c in edges:
        graph[base].append((c.period, c, False))
        graph[c.period].append((base, c, True))
    done: set[str] = set()
    points = []
    for anchor in sorted({b for b, _ in edges} | {c.period for _, c in edges},
                         key=lambda p: parse_period(p).start):
        if anchor in done:
            continue
        unit = f"index ({anchor} = 1)"
        # Breadth-first: every period reachable from the anchor gets index bounds.
        known = {anchor: (1.0, 1.0, 1.0, None)}
        queue = [anchor]
        used = set()
        while queue:
            here = queue.pop(0)
            for there, c, reverse in graph[here]:
                if c.claim_id in used:
                    continue
                v, lo, hi, _ = known[here]
                if reverse:  # here is the claim's period; there is its base
                    new = (v / c.value_canonical, lo / c.high_canonical, hi / c.low_canonical)
                else:
                    new = (v * c.value_canonical, lo * c.low_canonical, hi * c.high_canonical)
                used.add(c.claim_id)
                period = c.period
                points.append({
                    "measure": "index", "period": period, "t": parse_period(period).mid_year,
                    "value": new[0] if not reverse else known.get(period, (np.nan,))[0],
                    "low": new[1] if not reverse else known.get(period, (np.nan, np.nan))[1],
                    "high": new[2] if not reverse else known.get(period, (np.nan,) * 3)[2],
                    "unit": unit, "modality": c.modality, "confidence": c.confidence,
                    "claim_ids": c.claim_id,
                    "derivation": f"ratio {c.value_canonical:g} × index of {choice.get(c.claim_id, split_candidates(c.base_period)[0])}",
                })
                if there not in known:
                    known[there] = (*new, c.claim_id)
                    queue.append(there)
        done |= set(known)
        points.append({
            "measure": "index", "period": anchor, "t": parse_period(anchor).mid_year,
            "value": 1.0, "low": 1.0, "high": 1.0, "unit": unit, "modality": "actual",
            "confidence": "verified", "claim_ids": "", "derivation": "base of the index",
        })
    return points


def _index_to_levels(index_points: list[dict], levels: pd.DataFrame) -> list[dict]:
    """Where a level is known at a period of an index, turn every index point into a level."""
    out = []
    if levels.empty:
        return out
    by_unit = defaultdict(list)
    for p in index_points:
        by_unit[p["unit"]].append(p)
    for unit, points in by_unit.items():
        at = {p["period"]: p for p in points}
        for lvl in levels.itertuples(index=False):
            anchor = at.get(lvl.period)
            if anchor is None:
                continue
            for p in points:
                if p["period"] == lvl.period:
                    continue
                out.append({
                    **p, "measure": "level",
                    "value": p["value"] / anchor["value"] * lvl.value_canonical,
                    "low": p["low"] / anchor["high"] * lvl.low_canonical,
                    "high": p["high"] / anchor["low"] * lvl.high_canonical,
                    "unit": lvl.canonical_unit,
                    "claim_ids": ";".join(x for x in (p["claim_ids"], lvl.claim_id) if x),
                    "derivation": f"index × level of {lvl.period} ({lvl.claim_id})",
                    "confidence": _weakest(p["confidence"], lvl.confidence),
                })
            break  # one known level converts the whole index
    return out


_ORDER = ["verified", "official", "unverified", "disputed"]


def _weakest(*levels: str) -> str:
    return max(levels, key=_ORDER.index)


def conflicts(series: pd.DataFrame) -> pd.DataFrame:
    """Pairs of points of one series, scenario, reading and period whose bounds do not overlap.

    Returns:
        One row per conflicting pair, with both claim ids and both sets of bounds
        (columns :data:`CONFLICT_COLUMNS`).
    """
    rows = []
    keys = ["scenario", "actor", "indicator", "measure", "reading", "unit", "period"]
    stated = series[series["claim_ids"] != ""]
    for key, group in stated.groupby(keys, sort=True):
        if len(group) < 2:
            continue
        for a, b in itertools.combinations(group.itertuples(index=False), 2):
            if a.high < b.low or b.high < a.low:
                rows.append({"scenario": key[0], "actor": key[1], "indicator": key[2],
                             "measure": key[3], "reading": key[4], "period": key[6],
                             "claim_id_a": a.claim_ids, "claim_id_b": b.claim_ids,
                             "low_a": a.low, "high_a": a.high, "low_b": b.low, "high_b": b.high,
                             "unit": key[5]})
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def _mark_disputed(series: pd.DataFrame, conflicts: pd.DataFrame) -> pd.DataFrame:
    series = series.copy()
    series["reading_consistent"] = True
    for c in conflicts.itertuples(index=False):
        in_reading = ((series["scenario"] == c.scenario) & (series["actor"] == c.actor)
                      & (series["indicator"] == c.indicator) & (series["reading"] == c.reading))
        series.loc[in_reading, "reading_consistent"] = False
        hit = in_reading & (series["period"] == c.period) & series["claim_ids"].isin(
            [c.claim_id_a, c.claim_id_b])
        series.loc[hit, "confidence"] = "disputed"
    return series
