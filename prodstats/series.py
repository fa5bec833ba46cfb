"""Claims → series. One series per (actor, indicator, measure), and per reading where a ratio's
base period is ambiguous.

Only **observations** (``actual``, ``estimate``) become points of a series:

- **levels** are taken as they are (in the indicator's canonical unit, already converted);
- **ratios** are chained into an index whose earliest base period is 1, and into levels
  wherever one level of the chain is known;
- **shares** stay shares (fractions 0–1).

**Forward statements** (a forecast, target, pledge, proposal or aspiration) keep their rows
beside the points, with the date they were said (``said``): a level or share as coded, a ratio
placed on the index (and levels) of its series through its base period where the observations
give that base. They are never chained, never conflict-checked, never projected and never
stand in for an observation; :mod:`prodstats.promises` judges them against what happened.
A claim that restates another (``same_as``) adds no row of its own, and indicators of scope
``context`` are not resolved at all (they stay in claims.csv).

Bounds travel with every point by interval arithmetic. Periods are compared as spans
(``2023-01/2023-12`` is the base ``2023``).

**Readings.** An observed ratio whose base is ambiguous (``2022|2023``) is read against each
candidate in turn, each time with every unambiguous claim of its series: one reading per
(claim, candidate), labelled ``claim:base=YYYY``. Several ambiguous claims do not multiply into
every combination (2^k readings for k claims); each claim's alternatives are resolved against
the settled chain separately, so the count grows with the claims. A forward ratio with an
ambiguous base gets one row per candidate base in each reading.

Two observations of the same series, reading and period whose bounds do not overlap are a
**conflict**, and so are two flows (units per year) of figures that happened where the amount
over a part of a period exceeds the amount over the whole: both claim ids are reported, and
both points are marked ``disputed`` in the resolved output (the raw ledger is never touched).
A claim superseded by a later revision (``supersedes``) stays in the ledger but is left out of
the series.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable

import numpy as np
import pandas as pd

from prodstats.errors import id_list, require_columns
from prodstats.ledger import as_said
from prodstats.periods import parse_period, split_candidates
from prodstats.schemas import CONFLICT_COLUMNS, SERIES_COLUMNS, TARGET_HISTORY_COLUMNS
from prodstats.units import cumulative_count, per_year
from prodstats.vocab import FORWARD, OBSERVED, SCENARIOS, weakest

NO_READING = "single"
#: The derivation of an index's base point: 1 by definition, stated by no claim.
BASE_OF_INDEX = "base of the index"


#: What the ``capacities`` argument takes.
_CAPACITIES = "such as ledger.capacity_bounds()"


def resolve(claims: pd.DataFrame, capacities: Iterable[str] = ()) -> pd.DataFrame:
    """Turn validated claims (from :func:`prodstats.load`) into series points.

    Each scenario of :data:`~prodstats.vocab.SCENARIOS` is resolved from its own subset of
    claims, so a chain that runs through an unverified ratio is not carried into the
    ``no_unverified`` scenario. Superseded claims are left out.

    Args:
        claims: ``ledger.claims``; needs the canonical columns that :func:`prodstats.load` adds.
        capacities: the capacity indicators (``ledger.capacity_bounds()``), passed on to
            :func:`conflicts`.

    Returns:
        Series points with the columns :data:`~prodstats.schemas.SERIES_COLUMNS`; conflicting
        points have confidence ``disputed`` and their reading ``reading_consistent = False``.
        Use :func:`conflicts` to list the conflicting pairs. No claims give no points (an empty
        frame with those columns).

    Raises:
        FrameError: ``claims`` is not ``ledger.claims`` of a ledger from :func:`prodstats.load`.
    """
    return resolve_with_conflicts(claims, capacities)[0]


def resolve_with_conflicts(claims: pd.DataFrame, capacities: Iterable[str] = ()
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`resolve` and :func:`conflicts` of its series, found once (resolving needs them
    to mark the points in conflict; marking changes nothing that :func:`conflicts` reads).
    """
    require_columns(claims, _NEEDED, "resolve()", _FROM_LOAD)
    capacities = id_list(capacities, "resolve()", "capacities", _CAPACITIES)
    claims = claims[_NEEDED]  # (narrow first: every filter below takes each column it keeps)
    claims = claims[claims["superseded_by"].isna() & (claims["claim_id"] == claims["statement_id"])
                    & (claims["scope"] != "context")]
    # a level or share is a point of its own, the same in every scenario: made once
    stated = _stated(claims[claims["kind"] != "ratio"])
    observed, ahead = stated["modality"].isin(OBSERVED), stated["modality"].isin(FORWARD)
    frames = []
    for scenario, allowed in SCENARIOS.items():
        kept = stated["confidence"].isin(allowed)
        points = pd.concat([stated[kept & observed], stated[kept & ahead]], ignore_index=True)
        frame = _resolve_one(claims[claims["confidence"].isin(allowed)], points)
        frame.insert(0, "scenario", scenario)
        frames.append(frame)
    series = pd.concat([f for f in frames if not f.empty] or frames, ignore_index=True)
    # (typed as resolve gives them, so that the conflicts are those of the resolved series)
    read = [*_SAME, "claim_ids", "low", "high", "modality"]
    found = conflicts(series[read].astype({c: _SERIES_TYPES[c] for c in read}), capacities)
    series = _mark_disputed(series, found)
    # a point that rests on a range (doubled from "dozens") is a range too, never a figure
    ranged = series["value"].isna() & series["low"].notna() & series["high"].notna()
    series.loc[ranged, "value_basis"] = "range"
    return series[SERIES_COLUMNS].astype(_SERIES_TYPES), found


#: The claim columns resolving needs (a narrow frame iterates much faster than all of them).
_NEEDED = ["claim_id", "actor", "indicator", "kind", "period", "base_period", "modality",
           "confidence", "canonical_unit", "value_canonical", "low_canonical", "high_canonical",
           "value_basis", "said", "statement_id", "superseded_by", "scope", "unit",
           "period_years"]
_KEYS = ["actor", "indicator"]
_FROM_LOAD = "the claims of a validated ledger, prodstats.load(...).claims"
_FROM_RESOLVE = "the series from prodstats.resolve(ledger.claims)"
_SERIES_TYPES = {c: "str" for c in SERIES_COLUMNS} | {
    "reading_consistent": "bool", "t": "float64", "value": "float64", "low": "float64",
    "high": "float64"}


def _resolve_one(claims: pd.DataFrame, stated: pd.DataFrame) -> pd.DataFrame:
    """The points of one scenario: its ``stated`` levels and shares (observed, then forward),
    its ratios chained into indexes and levels, and its forward ratios placed on them.
    """
    ahead = claims[claims["modality"].isin(FORWARD)]
    claims = claims[claims["modality"].isin(OBSERVED)]
    # Readings: 'single' for a series without an ambiguous ratio.
    ratios = _as_edges(claims[claims["kind"] == "ratio"])
    levels = dict(_groups(_of_series(claims[claims["kind"] == "level"], ratios)))
    chains, readings = [], []
    for (actor, indicator), group in _groups(ratios):
        for reading, choice in _readings(group):
            readings.append((actor, indicator, reading))
            # the settled claims, and the one whose base this reading chooses, in ledger order
            used = [c for c in group if len(c.candidates) == 1 or c.claim_id in choice]
            index_points = _chain(used, choice)
            base = {"actor": actor, "indicator": indicator, "reading": reading}
            chains += [{**base, **p} for p in index_points]
            chains += [{**base, **p} for p in _index_to_levels(
                index_points, levels.get((actor, indicator), []))]
    readings = pd.DataFrame(readings, columns=[*_KEYS, "reading"])
    columns = [c for c in SERIES_COLUMNS if c not in ("scenario", "reading_consistent")]
    stated = stated.merge(readings, on=_KEYS, how="left").fillna({"reading": NO_READING})
    chains = pd.DataFrame(chains, columns=columns)
    forward = _forward_ratios(ahead[ahead["kind"] == "ratio"], chains, columns)
    series = pd.concat([stated, chains, forward], ignore_index=True)
    return series[columns].sort_values(["actor", "indicator", "measure", "reading", "t",
                                        "claim_ids"], kind="stable", ignore_index=True)


def _stated(claims: pd.DataFrame) -> pd.DataFrame:
    """Levels and shares as points, as they were coded (in canonical units); an amount over a
    period becomes a rate per year, and its derivation says so.
    """
    how = claims["value_basis"].map(_HOW).fillna("stated")
    said = as_said(claims)
    amount = (said["unit"] != claims["canonical_unit"]).to_numpy(dtype=bool)
    if amount.any():
        how = how.astype(object)
        how[amount] = [f"{h} as {_figure(v)} {u} over {p}, here per year"
                       for h, v, u, p in zip(how[amount].tolist(),
                                             said["value"][amount].tolist(),
                                             said["unit"][amount].tolist(),
                                             claims["period"][amount].tolist(), strict=True)]
    return pd.DataFrame({
        "actor": claims["actor"], "indicator": claims["indicator"], "measure": claims["kind"],
        "period": claims["period"], "t": _times(claims),
        "value": claims["value_canonical"], "low": claims["low_canonical"],
        "high": claims["high_canonical"], "unit": claims["canonical_unit"],
        "modality": claims["modality"], "confidence": claims["confidence"],
        "claim_ids": claims["claim_id"], "said": claims["said"],
        "value_basis": claims["value_basis"],
        "derivation": how}).reset_index(drop=True)


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


#: The derivation of a point stated by one claim, by the claim's value basis.
_HOW = {"stated": "stated", "range": "a range, no value (the qualifier's bounds)",
        "derived": "derived from the quote (see the claim's notes)"}


def _forward_ratios(ratios: pd.DataFrame, chains: pd.DataFrame, columns: list[str]
                    ) -> pd.DataFrame:
    """Forward ratios ("expected to rise sixfold by 2024") as rows on the index and levels of
    their series: the point at the base period times the ratio, one row per candidate base
    and reading. A base the observations do not give places no row (outcomes.csv keeps it).

    Joined, not looked up ratio by ratio: each (ratio, candidate base) meets every reading of
    its series and the first chained point of that reading, measure and period; the rows keep
    the order of ratio, reading, candidate and measure.
    """
    if ratios.empty or chains.empty:
        return pd.DataFrame(columns=columns)
    ratios = _as_edges(ratios).reset_index(drop=True)
    pairs = [(n, k, _key(candidate), f" (one reading of {base})" if len(candidates) > 1 else "")
             for n, (base, candidates) in enumerate(zip(ratios["base_period"].tolist(),
                                                        ratios["candidates"].tolist(),
                                                        strict=True))
             for k, candidate in enumerate(candidates)]
    wanted = pd.DataFrame(pairs, columns=["n", "k", "base_node", "which"]).join(
        ratios[[*_KEYS, "node", "t", "value_canonical", "low_canonical", "high_canonical",
                "modality", "confidence", "claim_id", "said"]], on="n")
    readings = chains[[*_KEYS, "reading"]].drop_duplicates()  # (each series' in order)
    readings = readings.assign(r=readings.groupby(_KEYS, sort=False).cumcount())
    bases = chains.drop_duplicates([*_KEYS, "reading", "measure", "period"])[
        [*_KEYS, "reading", "measure", "period", "value", "low", "high", "unit"]].rename(
        columns={"period": "base_node"})
    rows = wanted.merge(readings, on=_KEYS).merge(bases, on=[*_KEYS, "reading", "base_node"])
    rows = rows.assign(m=(rows["measure"] != "index").to_numpy(dtype=int)).sort_values(
        ["n", "r", "k", "m"], ignore_index=True)
    ratio = rows["value_canonical"].tolist()
    shown = {v: f"{v:g}" for v in set(ratio)}
    return pd.DataFrame({
        "actor": rows["actor"], "indicator": rows["indicator"], "measure": rows["measure"],
        "reading": rows["reading"], "period": rows["node"], "t": rows["t"],
        "value": rows["value"] * rows["value_canonical"],
        "low": rows["low"] * rows["low_canonical"],
        "high": rows["high"] * rows["high_canonical"], "unit": rows["unit"],
        "modality": rows["modality"], "confidence": rows["confidence"],
        "claim_ids": rows["claim_id"], "said": rows["said"], "value_basis": "derived",
        "derivation": [f"{modality} ratio {shown[v]} × {measure} of {node}{which}"
                       for modality, v, measure, node, which in zip(
                           rows["modality"].tolist(), ratio, rows["measure"].tolist(),
                           rows["base_node"].tolist(), rows["which"].tolist(), strict=True)]},
        columns=columns)


def _times(claims: pd.DataFrame) -> np.ndarray:
    """Where each stated point sits on the time axis: the middle of its period, but a
    cumulative count (:func:`~prodstats.units.cumulative_count`: an amount over a range,
    "520,000 by the end of March 2024" coded ``2022-02-24/2024-03-31``) at the end of its
    period, the date the count was reached.
    """
    keys = list(claims[["kind", "canonical_unit", "period"]].astype(object).fillna("")
                .itertuples(index=False, name=None))
    when = {k: parse_period(k[2]).end_year if cumulative_count(*k) else parse_period(k[2]).mid_year
            for k in set(keys) if k[2]}
    return np.array([when.get(k, np.nan) for k in keys], dtype=float)


def _groups(claims: pd.DataFrame) -> list[tuple[tuple[str, str], list]]:
    """Claims as light records, grouped by series, in order of the series' keys."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for c in claims.astype(object).itertuples(index=False):  # Arrow cells one by one are slow
        groups[(c.actor, c.indicator)].append(c)
    return sorted(groups.items())


def _of_series(claims: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """The claims of the series (actor, indicator) that ``others`` has claims of."""
    wanted = set(zip(others["actor"].tolist(), others["indicator"].tolist(), strict=True))
    return claims[[key in wanted for key in zip(claims["actor"].tolist(),
                                                claims["indicator"].tolist(), strict=True)]]


def _as_edges(ratios: pd.DataFrame) -> pd.DataFrame:
    """Ratio claims with what every reading's chain reads of them, worked out once per
    distinct cell: the period as a node of the chain (``node``), its middle (``t``) and the
    candidates of the base period (``candidates``).
    """
    periods, bases = ratios["period"].tolist(), ratios["base_period"].tolist()
    spans = {p: parse_period(p) for p in set(periods)}
    candidates = {b: tuple(split_candidates(b)) for b in set(bases)}
    return ratios.assign(node=[spans[p].key for p in periods],
                         t=[spans[p].mid_year for p in periods],
                         candidates=pd.Series([candidates[b] for b in bases], dtype=object,
                                              index=ratios.index))


def _readings(ratios: list) -> list[tuple[str, dict[str, str]]]:
    """One reading per candidate base of each ambiguous claim, labelled ``claim:base=YYYY``;
    ``single`` when no base is ambiguous.
    """
    readings = [(f"{c.claim_id}:base={candidate}", {c.claim_id: candidate}) for c in ratios
                if len(c.candidates) > 1 for candidate in c.candidates]
    return readings or [(NO_READING, {})]


def _key(period: str) -> str:
    """A period as a node of the chain: its span in shortest form."""
    return parse_period(period).key


def _chain(ratios: list, choice: dict[str, str]) -> list[dict]:
    """Chain ratio claims into index points; each connected set of periods gets its own index,
    with its earliest base period = 1.
    """
    edges, base_of = [], {}
    for c in ratios:  # (records of _as_edges)
        base = base_of[c.claim_id] = choice.get(c.claim_id, c.candidates[0])
        edges.append((_key(base), c.node, c))
    graph: dict[str, list] = defaultdict(list)
    for base, period, c in edges:
        graph[base].append((period, c, False))
        graph[period].append((base, c, True))
    done: set[str] = set()
    points = []
    for anchor in sorted({b for b, _, _ in edges} | {p for _, p, _ in edges},
                         key=lambda p: parse_period(p).start):
        if anchor in done:
            continue
        unit = f"index ({anchor} = 1)"
        # Breadth-first: every period reachable from the anchor gets index bounds.
        known = {anchor: (1.0, 1.0, 1.0)}
        queue = deque([anchor])
        used = set()
        while queue:
            here = queue.popleft()
            for there, c, reverse in graph[here]:
                if c.claim_id in used:
                    continue
                v, lo, hi = known[here]
                if reverse:  # here is the claim's period; there is its base
                    new = (v / c.value_canonical, lo / c.high_canonical,
                           upper_over_lower(hi, c.low_canonical))
                else:
                    new = (v * c.value_canonical, lo * c.low_canonical, hi * c.high_canonical)
                used.add(c.claim_id)
                at = new if not reverse else known.get(c.node, (np.nan, np.nan, np.nan))
                base = base_of[c.claim_id]
                points.append({
                    "measure": "index", "period": c.node, "t": c.t,
                    "value": at[0], "low": at[1], "high": at[2],
                    "unit": unit, "modality": c.modality, "confidence": c.confidence,
                    "claim_ids": c.claim_id, "said": c.said,
                    # the ratio itself where its base is the index's base, else chained
                    "value_basis": c.value_basis if _key(base) == anchor else "derived",
                    "derivation": f"ratio {c.value_canonical:g} × index of {base}",
                })
                if there not in known:
                    known[there] = new
                    queue.append(there)
        done |= set(known)
        points.append({
            "measure": "index", "period": anchor, "t": parse_period(anchor).mid_year,
            "value": 1.0, "low": 1.0, "high": 1.0, "unit": unit, "modality": "actual",
            "confidence": None, "claim_ids": "", "said": None, "value_basis": "definition",
            "derivation": BASE_OF_INDEX,
        })
    return points


def upper_over_lower(high: float, low: float) -> float:
    """An upper bound divided by a lower one; over an open lower end (0: "up to twice") the
    result is open above, infinite, where Python's division would raise.
    """
    return high / low if low else (math.inf if high > 0 else math.nan)


def _index_to_levels(index_points: list[dict], levels: list) -> list[dict]:
    """Where a level is known at a period of an index, turn every index point into a level."""
    out = []
    if not levels:
        return out
    by_unit = defaultdict(list)
    for p in index_points:
        by_unit[p["unit"]].append(p)
    for points in by_unit.values():
        at = {p["period"]: p for p in points}
        for lvl in levels:
            anchor = at.get(_key(lvl.period))
            if anchor is None:
                continue
            for p in points:
                if p["period"] == anchor["period"]:
                    continue
                out.append({
                    **p, "measure": "level",
                    "value": p["value"] / anchor["value"] * lvl.value_canonical,
                    "low": p["low"] / anchor["high"] * lvl.low_canonical,
                    "high": upper_over_lower(p["high"], anchor["low"]) * lvl.high_canonical,
                    "unit": lvl.canonical_unit,
                    # it rests on its own index point, the anchor's and the level
                    "claim_ids": ";".join(dict.fromkeys(
                        x for ids in (p["claim_ids"], anchor["claim_ids"], lvl.claim_id)
                        for x in ids.split(";") if x)),
                    "derivation": f"index × level of {lvl.period} ({lvl.claim_id})",
                    "said": None, "value_basis": "derived",
                    "confidence": weakest(p["confidence"] or lvl.confidence, lvl.confidence),
                })
            break  # one known level converts the whole index
    return out


#: What makes two points comparable: the same series, scenario, reading, unit and period.
_SAME = ["scenario", "actor", "indicator", "measure", "reading", "unit", "period"]
def conflicts(series: pd.DataFrame, capacities: Iterable[str] = ()) -> pd.DataFrame:
    """Pairs of observations of one series, scenario and reading that cannot both be true.
    Forward statements are never compared: a missed pledge is an outcome, not a conflict.

    - two points of one period whose bounds do not overlap;
    - a flow (a unit per year) whose amount over a part of a period, at its lowest, exceeds
      the amount over the whole period at its highest: "25,000 a month in the second half of
      2024" (at least 150,000) against "at most 99,000 in 2024". Never those of ``capacities`` (the
      capacity indicators, ``ledger.capacity_bounds()``): a capacity is a rate at a time, not
      an amount that adds up. A margin of 3 % allows for calendars (a month is 1/12 year).

    Found by joining the stated points with themselves on what makes them comparable, so the
    work grows with the points that share a series and period, not with every pair of points.

    Returns:
        One row per conflicting pair, with both claim ids, both periods, both sets of bounds
        and why (columns :data:`~prodstats.schemas.CONFLICT_COLUMNS`); none, an empty frame
        with them.

    Raises:
        FrameError: ``series`` is not a frame from :func:`resolve`.
    """
    require_columns(series, [*_SAME, "claim_ids", "low", "high", "modality"], "conflicts()",
                    _FROM_RESOLVE, numbers=("low", "high"))
    capacities = id_list(capacities, "conflicts()", "capacities", _CAPACITIES)
    stated = series.loc[(series["claim_ids"].fillna("") != "")
                        & series["modality"].isin(OBSERVED),
                        [*_SAME, "claim_ids", "low", "high", "modality"]]
    stated = stated.reset_index(drop=True).rename_axis("n").reset_index()
    flows = stated[~stated["indicator"].isin(list(capacities))]
    pairs = pd.concat([_same_period(stated), _part_over_whole(flows)], ignore_index=True)
    pairs = pairs.sort_values(["n_a", "n_b"]).sort_values(_SAME, kind="stable")
    out = pairs.rename(columns={"claim_ids_a": "claim_id_a", "claim_ids_b": "claim_id_b"})
    return out.reindex(columns=CONFLICT_COLUMNS).reset_index(drop=True).astype(
        {c: float for c in ("low_a", "high_a", "low_b", "high_b")})


def _same_period(stated: pd.DataFrame) -> pd.DataFrame:
    shared = stated[stated.duplicated(_SAME, keep=False)]
    pairs = shared.merge(shared, on=_SAME, suffixes=("_a", "_b"))
    pairs = pairs[(pairs["n_a"] < pairs["n_b"])
                  & ((pairs["high_a"] < pairs["low_b"]) | (pairs["high_b"] < pairs["low_a"]))]
    return pairs.assign(period_b=pairs["period"], why="the two ranges for one period do not "
                                                      "overlap")


def _part_over_whole(stated: pd.DataFrame) -> pd.DataFrame:
    """Flows whose amount over a part of a period exceeds the amount over the whole."""
    flows = stated[stated["unit"].map(per_year).astype(bool)]
    spans = {p: parse_period(p) for p in flows["period"].unique()}
    flows = flows.assign(start=flows["period"].map({p: s.start for p, s in spans.items()}),
                         end=flows["period"].map({p: s.end for p, s in spans.items()}),
                         years=flows["period"].map({p: s.years for p, s in spans.items()}))
    keys = [c for c in _SAME if c != "period"]
    periods = flows[[*keys, "period", "start", "end", "years"]].drop_duplicates([*keys, "period"])
    # a whole is longer than the shortest period of its series, so a series of periods of one
    # length (days, months) pairs nothing, and the join grows with the longer periods only
    shortest = periods.groupby(keys)["years"].transform("min")
    wholes = periods[periods["years"] > shortest]
    nested = wholes.merge(periods, on=keys, suffixes=("_a", "_b"))
    nested = nested[(nested["start_a"] <= nested["start_b"]) & (nested["end_b"] <= nested["end_a"])
                    & (nested["years_b"] < nested["years_a"])][[*keys, "period_a", "period_b"]]
    # only the nested periods where some part exceeds some whole get their claims paired
    flows = flows.assign(most=flows["high"].astype(float) * flows["years"].astype(float),
                         least=flows["low"].astype(float) * flows["years"].astype(float))
    extremes = flows.groupby([*keys, "period"], as_index=False).agg(
        most=("most", "min"), least=("least", "max"))
    nested = (nested.merge(extremes.rename(columns={"period": "period_a"}), on=[*keys, "period_a"])
              .merge(extremes.rename(columns={"period": "period_b"}), on=[*keys, "period_b"],
                     suffixes=("_a", "_b")))
    nested = nested[nested["least_b"] > nested["most_a"] * (1 + _CALENDAR_MARGIN)][
        [*keys, "period_a", "period_b"]]
    point = ["n", "claim_ids", "low", "high", "years", "most", "least"]
    whole = flows[[*keys, "period", *point]].rename(columns={"period": "period_a"})
    part = flows[[*keys, "period", *point]].rename(columns={"period": "period_b"})
    pairs = (nested.merge(whole, on=[*keys, "period_a"])
             .merge(part, on=[*keys, "period_b"], suffixes=("_a", "_b")))
    pairs = pairs[pairs["least_b"] > pairs["most_a"] * (1 + _CALENDAR_MARGIN)]
    why = [f"{b} gives at least {_amount(lo, u)} over {pb}, more than the at most "
           f"{_amount(hi, u)} that {a} gives for all of {pa}"
           for a, b, pa, pb, lo, hi, u in zip(pairs["claim_ids_a"], pairs["claim_ids_b"],
                                               pairs["period_a"], pairs["period_b"],
                                               pairs["least_b"], pairs["most_a"], pairs["unit"],
                                               strict=True)]
    return pairs.rename(columns={"period_a": "period"}).assign(why=why)


#: How far a part may exceed its whole before it is a conflict: a month counts as 1/12 year,
#: while a rate per day converts at 365.25 days a year.
_CALENDAR_MARGIN = 0.03


def _amount(value: float, unit: str) -> str:
    """An amount over a period in the flow's unit without its time ("150,000 rounds")."""
    number = f"{value:,.0f}" if abs(value) >= 10 else f"{value:.3g}"
    return f"{number} {unit.removesuffix('/year')}"


def _mark_disputed(series: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Points in a conflict become 'disputed'; their reading is not consistent."""
    series = series.copy()
    reading = ["scenario", "actor", "indicator", "reading"]
    inconsistent = found[reading].drop_duplicates().assign(_bad=True)
    flagged = series[reading].merge(inconsistent, on=reading, how="left")["_bad"]
    series["reading_consistent"] = ~flagged.fillna(False).astype(bool).to_numpy()
    point = [*reading, "period", "claim_ids"]
    hits = pd.concat([found[[*reading, p, c]].rename(columns={p: "period", c: "claim_ids"})
                      for p, c in (("period", "claim_id_a"), ("period_b", "claim_id_b"))]
                     ).drop_duplicates().assign(_hit=True)
    hit = series[point].merge(hits, on=point, how="left")["_hit"].fillna(False).astype(bool)
    hit &= series["modality"].isin(OBSERVED).to_numpy()
    series.loc[hit.to_numpy(), "confidence"] = "disputed"
    # a point derived from a claim in conflict (a level from an index and a disputed level)
    # is disputed too: it rests on that claim
    disputed = set()  # the claims each conflict rests on, less those both sides share
    for *keys, a, b in found[[*reading, "claim_id_a", "claim_id_b"]].astype(object).itertuples(
            index=False, name=None):  # (object cells: Arrow ones one by one are slow)
        disputed |= {(*keys, claim) for claim in set(a.split(";")) ^ set(b.split(";"))}
    derived = series.index[series["claim_ids"].fillna("").str.contains(";", regex=False)
                           & series["modality"].isin(OBSERVED)]
    rests = [any((*keys, claim) in disputed for claim in ids.split(";"))
             for *keys, ids in series.loc[derived, [*reading, "claim_ids"]].astype(object)
             .itertuples(index=False, name=None)]
    series.loc[derived[np.array(rests, dtype=bool)], "confidence"] = "disputed"
    return series


#: Modalities that aim at a figure rather than report or forecast one.
AIMS = tuple(m for m in FORWARD if m != "expected")


def target_history(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every target, pledge, proposal or aspiration with its revisions, oldest first: how
    often a goal slipped, and how its figure moved. A restatement (``same_as``) is not a
    version of its own; a context indicator's (a war's length) is not tracked.

    A chain starts at a claim that supersedes none and follows ``superseded_by``. Each
    version gets the date its source was published and the date it was said (``said_on``
    where the coder dated a recalled goal), its period, its figure in the canonical
    unit, and how far it moved from the version before (months of slip, ratio of figures).

    The chains are followed a revision at a time for all of them at once (column operations
    over the versions, not a Python pass per version).

    Returns:
        Columns :data:`~prodstats.schemas.TARGET_HISTORY_COLUMNS`, ordered by actor,
        indicator, target and revision.
    """
    aims = claims[claims["modality"].isin(AIMS) & (claims["claim_id"] == claims["statement_id"])
                  & (claims["scope"] != "context")]  # a context figure is not tracked
    if aims.empty:
        return pd.DataFrame({c: pd.Series(dtype=_HISTORY_TYPES[c])
                             for c in TARGET_HISTORY_COLUMNS})
    # an amount over the period ("one million shells by March") compared as that amount
    said = as_said(aims)
    ids = pd.Index(aims["claim_id"].to_numpy(dtype=object))
    value = said["value"].to_numpy(dtype=float)
    end = aims["period_end"].astype(object)
    month = (end.str.slice(0, 4).astype(float) * 12 + end.str.slice(5, 7).astype(float)).to_numpy()
    following = ids.get_indexer(aims["superseded_by"].to_numpy(dtype=object))
    # (a chain starts at a claim that revises no aim of these)
    version = np.flatnonzero(ids.get_indexer(aims["supersedes"].to_numpy(dtype=object)) < 0)
    first, previous = version, np.full(len(version), -1)
    levels = [(first, version, previous, 0)]  # (each revision of every chain at once)
    while len(version):
        keep = following[version] >= 0
        first, previous, version = first[keep], version[keep], following[version][keep]
        levels.append((first, version, previous, len(levels)))
    target = np.concatenate([ids.to_numpy()[f] for f, _, _, _ in levels])
    rows = np.concatenate([v for _, v, _, _ in levels])
    revision = np.concatenate([np.full(len(v), n, dtype="int64") for _, v, _, n in levels])
    before = np.concatenate([p for _, _, p, _ in levels])
    has_before = before >= 0
    slipped = np.where(has_before, month[rows] - month[before], np.nan)
    prior = np.where(has_before, value[before], np.nan)
    change = np.full(len(rows), np.nan)
    np.divide(value[rows], prior, out=change, where=has_before & (prior != 0))
    taken = aims.iloc[rows]
    published = dict(zip(sources["source_id"].tolist(), sources["published"].tolist(),
                         strict=True))
    history = pd.DataFrame({
        "target_id": target, "revision": revision, "claim_id": ids.to_numpy()[rows],
        "actor": taken["actor"].to_numpy(dtype=object),
        "indicator": taken["indicator"].to_numpy(dtype=object),
        "modality": taken["modality"].to_numpy(dtype=object),
        "source_id": taken["source_id"].to_numpy(dtype=object),
        "published": [published.get(s) for s in taken["source_id"].tolist()],
        "said": taken["said"].to_numpy(dtype=object),
        "period": taken["period"].to_numpy(dtype=object),
        "value": value[rows], "unit": said["unit"].to_numpy(dtype=object)[rows],
        "slipped_months": slipped, "value_change": change,
        "current": taken["superseded_by"].isna().to_numpy()}, columns=TARGET_HISTORY_COLUMNS)
    return history.sort_values(["actor", "indicator", "target_id", "revision"],
                               ignore_index=True).astype(_HISTORY_TYPES)


_HISTORY_TYPES = {c: "str" for c in TARGET_HISTORY_COLUMNS} | {
    "revision": "int64", "value": "float64", "slipped_months": "float64",
    "value_change": "float64", "current": "bool"}
