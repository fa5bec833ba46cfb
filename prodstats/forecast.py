"""Series → projections with prediction intervals; target feasibility; the backtest.

The method (chosen by the backtest in docs/methodology.md, not by taste):

- **Point**: half-drift, the Theta method's weight — ``ŷ(T+h) = y_T + ½·d·h`` with
  ``d = (y_T − y_1)/(t_T − t_1)``. One estimated quantity (the drift); no fitting, so nothing to
  overfit on three to six points.
- **Interval**: ``y = ŷ + s·(μ·h + a·h^b·ε)``, ε ~ Student-t(ν), where ``s`` is the root mean
  square of the series' own one-step changes (per year). μ, a, b and ν (by window length K)
  were fitted once on the odd-numbered M3 yearly series; the even-numbered half is the held-out
  check (see :func:`calibrate` and docs/methodology.md).
- **Claim uncertainty**: each point is drawn uniformly within its bounds, each draw is projected
  and sampled, and the draws of every reading are pooled. Intervals are quantiles of the pool.

statsmodels and scipy are imported inside the functions that need them, never at import.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from prodstats.errors import SeriesError, require_columns
from prodstats.periods import parse_period

METHOD = "half-drift+t"

#: Interval constants by window length K: (ν, a, b, μ). Fitted by
#: ``python -m prodstats calibrate --data ../shared/benchdata/m3_yearly.csv --fit odd``
#: (maximum likelihood on the odd-numbered series only). K above 6 uses K = 6.
CALIBRATION = {
    2: (1.2016, 0.71297, 0.92211, 0.24875),
    3: (2.0706, 0.69049, 0.87293, 0.23292),
    4: (2.7706, 0.68119, 0.86605, 0.24096),
    5: (2.9276, 0.6724, 0.88403, 0.22685),
    6: (3.5146, 0.68972, 0.8768, 0.2284),
}
#: Modalities that observe the past (or forecast it); targets, pledges and proposals do not.
OBSERVED = ("actual", "estimate", "expected")
PROJECTION_COLUMNS = ["actor", "indicator", "measure", "reading", "scenario", "period", "mean",
                      "pi80_low", "pi80_high", "pi95_low", "pi95_high", "unit", "method",
                      "n_points", "note"]
FEASIBILITY_COLUMNS = ["claim_id", "actor", "indicator", "scenario", "target_period",
                       "target_value", "unit", "last_period", "last_value", "projected_mean",
                       "prob_reach", "required_growth", "trajectory_growth", "judged_against",
                       "note"]


class ProjectionSchema(pa.DataFrameModel):
    """One projected year of one series, scenario and reading (``projections.csv``)."""

    actor: Series[str] = pa.Field(description="Who the figure is about.")
    indicator: Series[str] = pa.Field(description="What is measured.")
    measure: Series[str] = pa.Field(description="level, index or share.")
    reading: Series[str] = pa.Field(description="Reading projected; 'pooled' mixes the readings "
                                    "consistent with the other claims.")
    scenario: Series[str] = pa.Field(description="all or no_unverified.")
    period: Series[str] = pa.Field(nullable=True, description="Projected year; empty when skipped.")
    mean: Series[float] = pa.Field(nullable=True, description="Point projection (location of the "
                                   "predictive distribution, averaged over claim uncertainty).",
                                   metadata={"unit_column": "unit"})
    pi80_low: Series[float] = pa.Field(nullable=True, description="Lower end of the 80 % interval.",
                                       metadata={"unit_column": "unit"})
    pi80_high: Series[float] = pa.Field(nullable=True, description="Upper end of the 80 % interval.",
                                        metadata={"unit_column": "unit"})
    pi95_low: Series[float] = pa.Field(nullable=True, description="Lower end of the 95 % interval.",
                                       metadata={"unit_column": "unit"})
    pi95_high: Series[float] = pa.Field(nullable=True, description="Upper end of the 95 % interval.",
                                        metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="Unit of the figures.")
    method: Series[str] = pa.Field(description="'half-drift+t' (see docs/methodology.md), or "
                                   "'skipped'.")
    n_points: Series[int] = pa.Field(ge=0, description="Observed periods the projection rests on.")
    note: Series[str] = pa.Field(nullable=True, description="Why a series was skipped, or what "
                                 "a pooled row mixes.")

    class Config:
        """Columns are exactly these."""

        strict = True
        ordered = True
        coerce = True


class FeasibilitySchema(pa.DataFrameModel):
    """Whether a target claim is within reach of its series' projection (``feasibility.csv``)."""

    claim_id: Series[str] = pa.Field(description="The target claim.")
    actor: Series[str] = pa.Field(description="Whose target.")
    indicator: Series[str] = pa.Field(description="What is targeted.")
    scenario: Series[str] = pa.Field(description="all or no_unverified.")
    target_period: Series[str] = pa.Field(description="When the target is due (judged at the "
                                          "end of this period).")
    target_value: Series[float] = pa.Field(description="The target.",
                                           metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="Unit of the target and projections.")
    last_period: Series[str] = pa.Field(nullable=True, description="Last observed period.")
    last_value: Series[float] = pa.Field(nullable=True, description="Last observed value.",
                                         metadata={"unit_column": "unit"})
    projected_mean: Series[float] = pa.Field(nullable=True, description="Projection at the "
                                             "end of the target period.",
                                             metadata={"unit_column": "unit"})
    prob_reach: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Probability "
                                         "that the projection reaches the target by the end of "
                                         "its period.")
    required_growth: Series[float] = pa.Field(nullable=True, description="Yearly growth the "
                                              "target needs from the last observation to the "
                                              "end of its period (0.1 = 10 %).")
    trajectory_growth: Series[float] = pa.Field(nullable=True, description="Yearly growth over "
                                                "the observed points (0.1 = 10 %).")
    judged_against: Series[str] = pa.Field(description="The indicator whose projection the "
                                           "target is judged against: its own, or for a "
                                           "capacity target the output it bounds.")
    note: Series[str] = pa.Field(nullable=True, description="Why figures are missing, and the "
                                 "caveat of a capacity target.")

    class Config:
        """Columns are exactly these."""

        strict = True
        ordered = True
        coerce = True


# ---------------------------------------------------------------------------------------------
# The method, vectorised: rows are draws (or series), columns are points.
# ---------------------------------------------------------------------------------------------

def location_scale(y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last value, drift per year, and scale ``s`` of each row of ``y`` observed at times ``t``."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    t = np.asarray(t, dtype=float)
    last = y[:, -1]
    drift = (y[:, -1] - y[:, 0]) / (t[-1] - t[0])
    steps = np.diff(y, axis=1) ** 2 / np.diff(t)
    scale = np.sqrt(steps.mean(axis=1))
    scale = np.maximum(scale, np.maximum(1e-9 * np.abs(last), 1e-12))
    return last, drift, scale


def half_drift(last: np.ndarray, drift: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The point forecast ``y_T + ½·d·h`` for each row (rows × horizons)."""
    return last[:, None] + 0.5 * drift[:, None] * h


def constants(k: int) -> tuple[float, float, float, float]:
    """The interval constants (ν, a, b, μ) for a window of ``k`` points."""
    if k < 2:
        raise SeriesError("a projection needs at least 2 observed periods")
    return CALIBRATION[min(k, max(CALIBRATION))]


def quantiles(y: np.ndarray, t: np.ndarray, h: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Closed-form predictive quantiles: array (rows, len(h), len(probs))."""
    from scipy import stats

    nu, a, b, mu = constants(len(t))
    last, drift, scale = location_scale(y, t)
    point = half_drift(last, drift, h)
    q = stats.t.ppf(probs, nu)
    spread = (mu * h[:, None] + a * h[:, None] ** b * q[None, :])
    return point[:, :, None] + scale[:, None, None] * spread[None, :, :]


# ---------------------------------------------------------------------------------------------
# Projection of resolved series
# ---------------------------------------------------------------------------------------------

@dataclass
class _Group:
    key: dict
    t: np.ndarray
    low: np.ndarray
    high: np.ndarray
    value: np.ndarray
    periods: list[str]
    unit: str


def _observed(points: pd.DataFrame) -> _Group | str:
    """Combine the points of one period: the intersection of their bounds when they overlap
    (all can be true), else the hull (we cannot tell which is). Returns a reason on failure."""
    obs = points[points["modality"].isin(OBSERVED)]
    periods, t, low, high, value = [], [], [], [], []
    for period, p in obs.groupby("period", sort=False):
        lo, hi = p["low"].max(), p["high"].min()
        if lo > hi:
            lo, hi = p["low"].min(), p["high"].max()
        periods.append(period)
        t.append(p["t"].iloc[0])
        low.append(lo)
        high.append(hi)
        value.append(float(np.clip(p["value"].mean(), lo, hi)))
    order = np.argsort(t)
    if len(t) < 2:
        return (f"needs at least 2 observed periods, has {len(t)}"
                + ("" if len(t) else " (only targets, pledges or proposals)"))
    if not np.all(np.isfinite(np.r_[low, high])):
        return "bounds are not finite"
    g = _Group({}, np.asarray(t)[order], np.asarray(low)[order], np.asarray(high)[order],
               np.asarray(value)[order], [periods[i] for i in order], points["unit"].iloc[0])
    if np.any(np.diff(g.t) <= 0):
        return "two observed periods share a midpoint; code them as one period"
    return g


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _draws(g: _Group, h: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictive draws (n, len(h)) and their locations, with each point drawn in its bounds."""
    rng = np.random.default_rng(seed)
    nu, a, b, mu = constants(len(g.t))
    y = g.low + (g.high - g.low) * rng.random((n, len(g.t)))
    last, drift, scale = location_scale(y, g.t)
    location = half_drift(last, drift, h) + scale[:, None] * mu * h
    noise = rng.standard_t(nu, size=(n, len(h)))
    return location + scale[:, None] * a * h ** b * noise, location


def _floor(measure: str) -> tuple[float, float]:
    return (0.0, 1.0) if measure == "share" else (0.0, np.inf)


#: What :func:`project` reads from a series frame.
SERIES_NEEDS = ("scenario", "actor", "indicator", "measure", "reading", "reading_consistent",
                "period", "t", "value", "low", "high", "unit", "modality")
_FROM_RESOLVE = "the series from prodstats.resolve(ledger.claims)"
#: Years of each series' own horizon beyond its last observation, and beyond its latest target.
AFTER_LAST, AFTER_TARGET = 3, 2
_YEARS = (1, 9999)
_INTEGERS = (int, np.integer)


def default_horizon(series: pd.DataFrame) -> int:
    """The last year to project one series (the points of one actor and indicator) to: the later
    of its last observed year + 3 and its latest target year + 2.

    A target's year is the year its period ends. Targets more than
    :data:`~prodstats.validate.TARGET_REACH_YEARS` after the last observed year (the ledger
    refuses them; a hand-made frame may hold one) do not extend the horizon. Given the points
    of several series, the latest of their horizons.
    """
    require_columns(series, ("actor", "indicator", "period", "modality"), "default_horizon()",
                    _FROM_RESOLVE)
    if series.empty:
        raise ValueError("default_horizon() needs at least one point; the series frame is empty")
    return max(_horizons(series).values())


def _horizons(series: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Each (actor, indicator)'s own horizon, from its own points only (every scenario and
    measure of it), so that no other series can move it.
    """
    from prodstats.validate import TARGET_REACH_YEARS

    out = {}
    for (actor, indicator), points in series.groupby(["actor", "indicator"], sort=False):
        periods = points["period"].dropna().astype(str)
        observed = periods[points["modality"].isin(OBSERVED)]
        last = max(int(p[:4]) for p in (observed if not observed.empty else periods).unique())
        ends = {parse_period(p).end.year for p in periods[points["modality"] == "target"].unique()}
        ends = [y for y in ends if y - last <= TARGET_REACH_YEARS]
        out[(actor, indicator)] = max([last + AFTER_LAST] + [y + AFTER_TARGET for y in ends])
    return out


def _check_draws(draws: object) -> int:
    if isinstance(draws, bool) or not isinstance(draws, _INTEGERS) or draws < 1:
        raise ValueError(f"draws must be an integer >= 1 (draws per reading); got {draws!r}")
    return int(draws)


def _check_levels(levels: object) -> tuple[float, ...]:
    ok = isinstance(levels, (tuple, list)) and len(levels) > 0 and all(
        isinstance(lv, (*_INTEGERS, float, np.floating)) and not isinstance(lv, bool)
        and 0 < lv < 100
        for lv in levels)
    if not ok:
        raise ValueError("levels must be a non-empty tuple of interval levels in percent, each "
                         f"strictly between 0 and 100, e.g. (80, 95); got {levels!r}")
    return tuple(dict.fromkeys(levels))


def _check_horizon(horizon: object) -> int:
    lo, hi = _YEARS
    if (isinstance(horizon, bool) or not isinstance(horizon, _INTEGERS)
            or not lo <= horizon <= hi):
        raise ValueError(f"horizon must be the last year to project, an integer from {lo} to "
                         f"{hi} (or None for each series' own); got {horizon!r}")
    return int(horizon)


def _level_name(level: float) -> str:
    return f"pi{level:g}"


def projection_columns(levels: tuple[float, ...] = (80, 95)) -> list[str]:
    """The columns of :func:`project`'s output for these interval levels."""
    pis = [f"{_level_name(lv)}_{end}" for lv in levels for end in ("low", "high")]
    return [*PROJECTION_COLUMNS[:7], *pis, *PROJECTION_COLUMNS[11:]]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures as floats, counts as integers, the rest as text (also when there are no rows)."""
    types = {c: "int64" if c == "n_points" else "float64" if c in _FLOATS
             or (c.startswith("pi") and c.endswith(("_low", "_high"))) else "str"
             for c in frame.columns}
    return frame.astype(types)


_FLOATS = {"mean", "target_value", "last_value", "projected_mean", "prob_reach",
           "required_growth", "trajectory_growth"}


def project(series: pd.DataFrame, horizon: int | None = None, levels: tuple[float, ...] = (80, 95),
            draws: int = 4000) -> pd.DataFrame:
    """Project every series with at least two observed periods.

    Args:
        series: the output of :func:`prodstats.resolve`.
        horizon: the last year to project every series to. By default each series (actor and
            indicator) gets its own, from its own points only (:func:`default_horizon`): the
            later of its last observed year + 3 and its latest target year + 2. A source about
            another actor or indicator therefore never changes a series' projection.
        levels: interval levels in percent, each in (0, 100); columns ``pi<L>_low`` and
            ``pi<L>_high`` per level, in this order.
        draws: Monte-Carlo draws per reading, an integer >= 1 (the seed is fixed per series
            and reading, from their names only, so output is deterministic).

    Returns:
        One row per series, scenario, reading (plus ``pooled`` over the readings consistent with
        the other claims, where there are several) and projected year. A series that cannot be
        projected gets one row with empty figures and the reason in ``note``. An empty
        ``series`` gives an empty frame with the same columns.

    Raises:
        FrameError: ``series`` is not a frame from :func:`prodstats.resolve`.
        ValueError: a parameter is out of its range (the message gives the range).
    """
    require_columns(series, SERIES_NEEDS, "project()", _FROM_RESOLVE)
    levels = _check_levels(levels)
    draws = _check_draws(draws)
    fixed = None if horizon is None else _check_horizon(horizon)
    horizons = _horizons(series) if fixed is None else {}
    rows = []
    for key, points in _groups(series):
        horizon = fixed if fixed is not None else horizons[(key["actor"], key["indicator"])]
        per_reading = {}
        for reading, rp in points.groupby("reading", sort=True):
            g = _observed(rp)
            base = {**key, "reading": reading, "unit": rp["unit"].iloc[0]}
            if isinstance(g, str):
                rows.append({**base, "method": "skipped", "n_points": 0, "note": g})
                continue
            years = np.arange(int(g.periods[-1][:4]) + 1, horizon + 1)
            if years.size == 0:
                rows.append({**base, "method": "skipped", "n_points": len(g.t),
                             "note": f"nothing to project: horizon {horizon} is not after the "
                                     f"last observation {g.periods[-1]}"})
                continue
            h = years + 0.5 - g.t[-1]
            sims, loc = _draws(g, h, draws, _seed(*key.values(), reading))
            per_reading[reading] = (sims, loc, years, g, bool(rp["reading_consistent"].all()))
            rows += _rows(base, sims, loc, years, len(g.t), levels, key["measure"], "")
        if len(per_reading) > 1:
            rows += _pooled(key, per_reading, levels)
    out = _typed(pd.DataFrame(rows, columns=projection_columns(levels)))
    return out.sort_values(["actor", "indicator", "measure", "scenario", "reading", "period"],
                           kind="stable", ignore_index=True, na_position="first")


def _groups(series: pd.DataFrame):
    for (scenario, actor, indicator, measure, _unit), points in series.groupby(
            ["scenario", "actor", "indicator", "measure", "unit"], sort=True):
        yield {"actor": actor, "indicator": indicator, "measure": measure,
               "scenario": scenario}, points


def _rows(base, sims, loc, years, n_points, levels, measure, note):
    lo_clip, hi_clip = _floor(measure)
    sims = np.clip(sims, lo_clip, hi_clip)
    out = []
    for j, year in enumerate(years):
        mean = float(np.clip(loc[:, j].mean(), lo_clip, hi_clip))
        row = {**base, "period": str(year), "mean": mean, "method": METHOD,
               "n_points": n_points, "note": note}
        for lv in levels:
            name = _level_name(lv)
            row[f"{name}_low"], row[f"{name}_high"] = np.quantile(
                sims[:, j], [0.5 - lv / 200, 0.5 + lv / 200])
        out.append(row)
    return out


def _pooled(key, per_reading, levels):
    consistent = {r: v for r, v in per_reading.items() if v[4]} or per_reading
    years = min((v[2] for v in consistent.values()), key=len)
    sims = np.vstack([v[0][:, : len(years)] for v in consistent.values()])
    loc = np.vstack([v[1][:, : len(years)] for v in consistent.values()])
    n_points = min(v[3].t.size for v in consistent.values())
    note = "pooled over " + ", ".join(consistent) + (
        "" if len(consistent) == len(per_reading) else
        "; readings in conflict with other claims left out")
    base = {**key, "reading": "pooled", "unit": next(iter(consistent.values()))[3].unit}
    return _rows(base, sims, loc, years, n_points, levels, key["measure"], note)


def feasibility(series: pd.DataFrame, draws: int = 4000,
                bounds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """For each target claim, the chance that the projection reaches it, and the growth it needs.

    A target is judged at the **end** of its period, on the time axis of the series' ``t``
    (:attr:`~prodstats.periods.Period.end_year`): ``2025-12`` and ``2025`` at the end of
    December 2025 (2026.0), ``2025-06`` at the end of June, a range at the end of its last day.
    For a target of the same actor and indicator (and unit):

    - ``prob_reach``: share of pooled predictive draws at that date at or above the target value;
    - ``projected_mean``: the mean location of the projection at that date;
    - ``required_growth``: yearly growth from the last observation (at its period's midpoint) to
      the target's date, ``(target/last)^(1/years) − 1``;
    - ``trajectory_growth``: yearly growth over the observed points, ``(last/first)^(1/years) − 1``.

    A target whose period does not end after the last observed period ends is noted, not judged.

    A target of a capacity indicator that ``bounds`` maps to an output indicator (from
    ``indicators.csv``: ``measures = capacity``, ``bounds = shells_produced``) is judged
    against the projection of that output, with the caveat in ``note``: output reaches a
    capacity only when the capacity is fully used. ``judged_against`` names the series used.
    An empty ``series`` (or one without targets) gives an empty frame with the same columns.

    Raises:
        FrameError: ``series`` is not a frame from :func:`prodstats.resolve`.
        ValueError: ``draws`` is not an integer >= 1.
    """
    require_columns(series, (*SERIES_NEEDS, "claim_ids"), "feasibility()", _FROM_RESOLVE)
    draws = _check_draws(draws)
    rows = []
    targets = series[(series["modality"] == "target") & (series["claim_ids"].fillna("") != "")]
    for tgt in targets.drop_duplicates(["scenario", "claim_ids"]).itertuples(index=False):
        base = {"claim_id": tgt.claim_ids, "actor": tgt.actor, "indicator": tgt.indicator,
                "scenario": tgt.scenario, "target_period": tgt.period, "target_value": tgt.value,
                "unit": tgt.unit}
        due = parse_period(str(tgt.period))
        against = (bounds or {}).get(tgt.indicator, tgt.indicator)
        base["judged_against"] = against
        same = series[(series["scenario"] == tgt.scenario) & (series["actor"] == tgt.actor)
                      & (series["indicator"] == against) & (series["unit"] == tgt.unit)]
        prob, means, last, first = [], [], None, None
        notes = [] if against == tgt.indicator else [
            f"a capacity target, judged against the projection of {against}: output reaches "
            "a capacity only when the capacity is fully used"]
        for reading, rp in same.groupby("reading", sort=True):
            g = _observed(rp)
            if isinstance(g, str):
                notes.append(f"{reading}: {g}" if reading != "single" else g)
                continue
            if due.end <= parse_period(g.periods[-1]).end:
                notes.append("the target period is not after the last observation")
                continue
            h = np.array([due.end_year - g.t[-1]])
            sims, loc = _draws(g, h, draws, _seed(tgt.scenario, tgt.actor, against,
                                                  "level", reading))
            prob.append(float(np.mean(sims[:, 0] >= tgt.value)))
            means.append(float(loc[:, 0].mean()))
            last, first = (g.periods[-1], g.value[-1], g.t[-1]), (g.value[0], g.t[0])
        row = {**base, "note": "; ".join(dict.fromkeys(notes))}
        if prob:
            row.update(prob_reach=float(np.mean(prob)), projected_mean=float(np.mean(means)),
                       last_period=last[0], last_value=last[1])
            years_to = due.end_year - last[2]
            span = last[2] - first[1]
            if last[1] > 0 and first[0] > 0 and tgt.value > 0:
                row["required_growth"] = (tgt.value / last[1]) ** (1 / years_to) - 1
                row["trajectory_growth"] = (last[1] / first[0]) ** (1 / span) - 1
            else:
                row["note"] = "; ".join(filter(None, [row["note"], "growth rates need positive "
                                                      "values (logs are taken); not computed"]))
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=FEASIBILITY_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Backtest and calibration on a long CSV (series_id, category, year, value, split)
# ---------------------------------------------------------------------------------------------

def _windows(path: Path, window: int, horizon: int):
    data = pd.read_csv(path)
    need = {"series_id", "year", "value", "split"}
    if not need <= set(data.columns):
        raise SeriesError(f"{path}: needs the columns {sorted(need)}; has {list(data.columns)}")
    data = data.sort_values(["series_id", "year"], kind="stable")
    train = data[data["split"] == "train"].groupby("series_id", sort=False)["value"].agg(list)
    test = data[data["split"] == "test"].groupby("series_id", sort=False)["value"].agg(list)
    ids = [s for s in train.index if s in test.index and len(train[s]) >= max(window, 2)
           and len(test[s]) >= horizon]
    full = [np.asarray(train[s], dtype=float) for s in ids]
    y = np.array([f[-window:] for f in full])
    truth = np.array([test[s][:horizon] for s in ids], dtype=float)
    scale = np.array([np.mean(np.abs(np.diff(f))) for f in full])
    return ids, y, truth, scale


def backtest(path: str | Path, window: int = 5, horizon: int = 6, compare: bool = False) -> dict:
    """Score prodstats, naive and drift (and, with ``compare``, statsmodels' ETS and Theta) on the
    last ``window`` training points of each series, ``horizon`` steps ahead.

    Returns:
        ``{"methods": {name: {"mase", "smape", "coverage80", "coverage95"}}, "n_series", …}``.
    """
    from scipy import stats

    ids, y, truth, scale = _windows(Path(path), window, horizon)
    h = np.arange(1, horizon + 1, dtype=float)
    t = np.arange(window, dtype=float)
    q = quantiles(y, t, h, np.array([0.025, 0.1, 0.5, 0.9, 0.975]))
    nu, a, b, mu = constants(window)
    last, drift, s = location_scale(y, t)
    forecasts = {"prodstats": (half_drift(last, drift, h), q[..., [1, 3]],
                               q[..., [0, 4]])}
    # Baselines with their textbook normal intervals (as common implementations give them).
    z80, z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)
    diffs = np.diff(y, axis=1)
    sd_naive = np.sqrt((diffs ** 2).mean(axis=1))
    sd_drift = diffs.std(axis=1, ddof=1) if window > 2 else np.abs(diffs[:, 0])
    naive = np.repeat(last[:, None], horizon, axis=1)
    wn = sd_naive[:, None] * np.sqrt(h)
    forecasts["naive"] = (naive, np.stack([naive - z80 * wn, naive + z80 * wn], -1),
                          np.stack([naive - z95 * wn, naive + z95 * wn], -1))
    dr = last[:, None] + drift[:, None] * h
    wd = sd_drift[:, None] * np.sqrt(h * (1 + h / (window - 1)))
    forecasts["drift"] = (dr, np.stack([dr - z80 * wd, dr + z80 * wd], -1),
                          np.stack([dr - z95 * wd, dr + z95 * wd], -1))
    if compare:
        forecasts.update(_statsmodels_forecasts(y, horizon))
    methods = {name: _score(f, i80, i95, truth, scale) for name, (f, i80, i95) in forecasts.items()}
    best = min(methods["naive"]["mase"], methods["drift"]["mase"])
    return {"methods": methods, "n_series": len(ids), "window": window, "horizon": horizon,
            "mase_ratio_to_best_baseline": methods["prodstats"]["mase"] / best,
            "by_half": _halves(ids, forecasts["prodstats"], truth, scale)}


def _score(f, i80, i95, truth, scale) -> dict:
    return {
        "mase": float(np.mean(np.abs(truth - f) / scale[:, None])),
        "smape": float(np.mean(200 * np.abs(truth - f) / (np.abs(truth) + np.abs(f)))),
        "coverage80": float(np.mean((truth >= i80[..., 0]) & (truth <= i80[..., 1])) * 100),
        "coverage95": float(np.mean((truth >= i95[..., 0]) & (truth <= i95[..., 1])) * 100),
    }


def _halves(ids, forecast, truth, scale) -> dict:
    """Scores on the odd-numbered series (used to fit the constants) and the even-numbered
    ones (held out), where ids end in a number."""
    nums = [int("".join(c for c in s if c.isdigit()) or -1) for s in ids]
    odd = np.array([n % 2 == 1 for n in nums])
    f, i80, i95 = forecast
    return {name: _score(f[m], i80[m], i95[m], truth[m], scale[m])
            for name, m in (("odd_fitted", odd), ("even_held_out", ~odd)) if m.any()}


def _statsmodels_forecasts(y: np.ndarray, horizon: int) -> dict:
    """statsmodels' damped-trend ETS and Theta on the same windows, for comparison."""
    import warnings

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel

    out = {}
    index = pd.period_range("2000", periods=y.shape[1], freq="Y")
    for name in ("ets_damped", "theta"):
        f = np.empty((len(y), horizon))
        i80 = np.empty((len(y), horizon, 2))
        i95 = np.empty((len(y), horizon, 2))
        failed = 0
        for i, values in enumerate(y):
            row = pd.Series(values, index=index)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    if name == "ets_damped":
                        res = ETSModel(row, trend="add", damped_trend=True).fit(disp=False)
                        pred = res.get_prediction(start=len(row), end=len(row) + horizon - 1)
                        f[i] = pred.predicted_mean
                        i80[i] = pred.summary_frame(alpha=0.2)[["pi_lower", "pi_upper"]].to_numpy()
                        i95[i] = pred.summary_frame(alpha=0.05)[["pi_lower", "pi_upper"]].to_numpy()
                    else:
                        res = ThetaModel(row, period=1, deseasonalize=False).fit()
                        f[i] = res.forecast(horizon)
                        i80[i] = res.prediction_intervals(horizon, alpha=0.2).to_numpy()
                        i95[i] = res.prediction_intervals(horizon, alpha=0.05).to_numpy()
                except (ValueError, np.linalg.LinAlgError):  # falls back to naive, counted
                    failed += 1
                    f[i] = values[-1]
                    i80[i] = i95[i] = values[-1]
        out[name] = (f, i80, i95)
        if failed:
            print(f"{name}: {failed} of {len(y)} fits failed and fell back to naive")
    return out


def calibrate(path: str | Path, window: int, horizon: int = 6, fit: str = "odd") -> tuple:
    """Fit (ν, a, b, μ) by maximum likelihood on the scaled errors of the half-drift forecast.

    Args:
        fit: which series to fit on: ``odd`` or ``even`` (by the number in their id), or ``all``.
    """
    from scipy import optimize, stats

    ids, y, truth, _ = _windows(Path(path), window, horizon)
    nums = np.array([int("".join(c for c in s if c.isdigit()) or 0) for s in ids])
    mask = {"odd": nums % 2 == 1, "even": nums % 2 == 0, "all": np.ones(len(ids), bool)}[fit]
    h = np.arange(1, horizon + 1, dtype=float)
    last, drift, scale = location_scale(y, np.arange(window, dtype=float))
    errors = ((truth - half_drift(last, drift, h)) / scale[:, None])[mask]

    def nll(p):
        nu, a, b, mu = math.exp(p[0]) + 1, math.exp(p[1]), p[2], p[3]
        return -np.sum(stats.t.logpdf(errors, nu, loc=mu * h, scale=a * h ** b))

    res = optimize.minimize(nll, [1.0, 0.0, 0.7, 0.0], method="Nelder-Mead",
                            options={"maxiter": 8000, "xatol": 1e-7, "fatol": 1e-7})
    nu, a, b, mu = math.exp(res.x[0]) + 1, math.exp(res.x[1]), res.x[2], res.x[3]
    return round(nu, 4), round(a, 5), round(float(b), 5), round(float(mu), 5)


def format_backtest(result: dict) -> str:
    """A table of the backtest figures, then the JSON line."""
    lines = [f"backtest: {result['n_series']} series, window K={result['window']}, "
             f"horizon H={result['horizon']}",
             f"{'method':<14}{'MASE':>8}{'sMAPE':>8}{'cov80':>8}{'cov95':>8}"]
    for name, m in result["methods"].items():
        lines.append(f"{name:<14}{m['mase']:>8.3f}{m['smape']:>8.2f}{m['coverage80']:>8.1f}"
                     f"{m['coverage95']:>8.1f}")
    for name, m in result.get("by_half", {}).items():
        lines.append(f"{'  ' + name:<14}{m['mase']:>8.3f}{m['smape']:>8.2f}"
                     f"{m['coverage80']:>8.1f}{m['coverage95']:>8.1f}")
    lines.append(f"MASE ratio to the better baseline: {result['mase_ratio_to_best_baseline']:.3f}")
    return "\n".join(lines)


def to_json(result: dict) -> str:
    """The backtest as one JSON line."""
    return json.dumps(result, sort_keys=True)
