"""Series → projections with prediction intervals; target feasibility.

The method (chosen by the cross-collection backtest in docs/methodology.md, not by taste):

- **Point**: the drift ``d = (y_K − y_1)/(t_K − t_1)`` is trusted by the series' own
  signal-to-noise z²: with ``ω = z²/(z² + λ)``, the slope is ``α·ω·d`` and the level moves from
  the least-squares line's end (noisy, ω → 0: near naive on a smoothed level) to the last point
  (a steady climb, ω → 1). Two constants, λ and α.
- **Interval**: conformal, scaled per series and horizon: ``ŷ + s_h·e`` with e the pooled
  scaled error. Away from the drift ``s_h = √(σ²·h + κ·d²·h²)`` (σ² the variance per year of
  the changes around the drift, adding up like a random walk's; κ·d² the drift's own
  uncertainty, so a steady climb's fan opens like h and a noisy series' like √h). Toward the
  drift, the share the point leaves out, ``(1 − α·ω)·d·h``, is added in quadrature, so the fan
  still reaches the unshrunk trend. The quantiles of |error| / s_h are pooled over real yearly
  series (M3 and Tourism) and all horizons, times ``h^β``: no distribution is assumed, no
  single horizon drives the table, and any h > 0 (fractional, or beyond those fitted) works.
  κ = :data:`KAPPA` is fixed; β and the table are fitted.
- **Claim uncertainty**: each point is drawn uniformly within its bounds, each draw is projected
  and sampled, and the draws of every reading are pooled. Intervals are quantiles of the pool.

The constants (by window length K) are in ``prodstats/calibration.json``, written by
``python -m prodstats calibrate``; the backtest lives in :mod:`prodstats.backtest`.
statsmodels and scipy are imported inside the functions that need them, never at import.
"""

from __future__ import annotations

import json
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

METHOD = "shrunk-drift+conformal"

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
    pi80_high: Series[float] = pa.Field(nullable=True,
                                        description="Upper end of the 80 % interval.",
                                        metadata={"unit_column": "unit"})
    pi95_low: Series[float] = pa.Field(nullable=True, description="Lower end of the 95 % interval.",
                                       metadata={"unit_column": "unit"})
    pi95_high: Series[float] = pa.Field(nullable=True,
                                        description="Upper end of the 95 % interval.",
                                        metadata={"unit_column": "unit"})
    unit: Series[str] = pa.Field(description="Unit of the figures.")
    method: Series[str] = pa.Field(description="'shrunk-drift+conformal' (see "
                                   "docs/methodology.md), or 'skipped'.")
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

@dataclass(frozen=True)
class Constants:
    """The fitted constants of one window length K (see :data:`CALIBRATION`)."""

    lam: float          #: signal-to-noise z² at which the series is trusted half-way
    alpha: float        #: largest share of the drift kept
    kappa: float        #: drift uncertainty per year², as a share of the squared drift
    beta: float         #: the scaled errors grow as h**beta (≈ 0: the scale carries h)
    quantiles: tuple    #: quantiles of |error| / (s_h · h^β) at :data:`LEVELS`, all h pooled


#: Coverage levels at which the pooled quantiles of |scaled error| are stored; intervals at
#: other levels are interpolated between them (and clamped at the last).
LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99)
#: κ: the drift's own uncertainty, per year², as a share of its square (at κ = 0.1 its sd is
#: about a third of the drift). A fixed part of the method, chosen by the cross-collection
#: backtest (the middle of the range 0.05-0.2 that meets every goal; docs/methodology.md),
#: not fitted per collection.
KAPPA = 0.1
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def _load_calibration(path: Path = CALIBRATION_FILE) -> dict[int, Constants]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if tuple(raw["levels"]) != LEVELS:
        raise SeriesError(f"{path}: levels {raw['levels']} are not {LEVELS}; rerun calibrate")
    try:
        return {int(k): Constants(float(v["lam"]), float(v["alpha"]), float(v["kappa"]),
                                  float(v["beta"]), tuple(map(float, v["quantiles"])))
                for k, v in raw["by_window"].items()}
    except (KeyError, TypeError) as exc:
        raise SeriesError(f"{path}: not a calibration of this method ({exc!r} missing or "
                          "malformed); rerun python -m prodstats calibrate --write") from None


#: The shipped constants by window length K (K above the largest uses the largest). Written
#: by ``python -m prodstats calibrate --write`` from M3 and Tourism yearly together; the
#: backtest's reported figures never use them on the series they were fitted on.
#: A stale file does not stop the import (``calibrate`` must still run to rewrite it); the
#: first projection that needs it raises the reason.
try:
    CALIBRATION = _load_calibration()
    _STALE = ""
except SeriesError as _exc:
    CALIBRATION, _STALE = {}, str(_exc)


def constants(k: int, calibration: dict[int, Constants] | None = None) -> Constants:
    """The constants for a window of ``k`` points."""
    if k < 2:
        raise SeriesError("a projection needs at least 2 observed periods")
    table = CALIBRATION if calibration is None else calibration
    if not table:
        raise SeriesError(_STALE or "no calibration; run python -m prodstats calibrate --write")
    return table[min(k, max(table))]


def _fit(y: np.ndarray, t: np.ndarray, c: Constants) -> tuple[np.ndarray, ...]:
    """Rows of ``y`` (rows, k) at times ``t`` ((k,) or (rows, k)), as 2-d arrays, with each
    row's drift per year ``d``, σ² (the variance per year of its changes around the drift; NaN
    with two points), trust ω and the least-squares line's value at ``t_K``.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    t = np.broadcast_to(np.asarray(t, dtype=float), y.shape)
    span, dt, dy = t[:, -1] - t[:, 0], np.diff(t, axis=1), np.diff(y, axis=1)
    drift = (y[:, -1] - y[:, 0]) / span
    if dt.shape[1] >= 2:
        var = ((dy - drift[:, None] * dt) ** 2 / dt).sum(axis=1) / (dt.shape[1] - 1)
        signal = drift ** 2 * span            # z² = signal / var, written without dividing
        total = signal + c.lam * var
        omega = np.divide(signal, total, out=np.ones_like(total), where=total > 0)
    else:
        var, omega = np.full(len(y), np.nan), np.ones(len(y))
    tc = t - t.mean(axis=1, keepdims=True)
    line = y.mean(axis=1) + (y * tc).sum(axis=1) / (tc ** 2).sum(axis=1) * tc[:, -1]
    return y, drift, var, omega, line


def trend(y: np.ndarray, t: np.ndarray, c: Constants) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Level at ``t_K``, kept slope per year, and one-year scale ``s_1`` of each row of ``y``.

    ``y`` is (rows, k); ``t`` is (k,), or (rows, k) for times of each row's own.
    Everything turns on the series' own signal-to-noise ``z² = d²·(t_K − t_1)/σ²``: the drift
    ``d = (y_K − y_1)/(t_K − t_1)`` against σ², the variance per year of the changes around it
    (a random walk with drift). With ``ω = z²/(z² + λ)``:

    - slope ``α·ω·d``: a noisy series keeps almost no drift (near naive), a steady climb keeps
      α of it;
    - level ``ω·y_K + (1 − ω)·L``, with L the least-squares line's value at ``t_K``: a noisy
      series does not let its last point carry the whole projection; a steady one starts at it.
    - scale ``s_1 = √(σ² + κ·d²)``, the scale of :func:`horizon_scales` at h = 1 on the side
      away from the drift (the interval itself needs :func:`horizon_scales`).

    With two points there is no σ², so ``ω = 1``.
    """
    y, drift, var, omega, line = _fit(y, t, c)
    level = omega * y[:, -1] + (1 - omega) * line
    scale = _scale(y, drift, var, c, np.ones(1))[:, 0]
    return level, c.alpha * omega * drift, scale


def horizon_scales(y: np.ndarray, t: np.ndarray, c: Constants,
                   h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scales below and above the point of each row of ``y`` at each horizon ``h``:
    ``(low, high)``, each (rows, len(h)). A draw is ``point + scale·e`` with e the pooled
    scaled error: ``low`` where e < 0, ``high`` where e > 0.

    - Away from the drift: ``s_h = √(σ²·h + κ·d²·h²)``. The changes around the drift add up
      like a random walk's (σ²·h), and the drift itself is uncertain in proportion to its size
      (κ·d²·h²), so a noisy series' fan opens like √h and a steady climb's like h.
    - Toward the drift, the share of the drift the point leaves out, ``(1 − α·ω)·d·h``, is
      added in quadrature: the fan still reaches the unshrunk trend, so a climb that keeps
      going (or speeds up) is not judged by the shrunk point alone.

    With two points there is no σ², and the one change stands for it (σ² = d²). ``t`` is (k,)
    or (rows, k), as for :func:`trend`.
    """
    y, drift, var, omega, _ = _fit(y, t, c)
    h = np.asarray(h, dtype=float)
    away = _scale(y, drift, var, c, h)
    left = ((1 - c.alpha * omega) * drift)[:, None] * h
    toward = np.sqrt(away ** 2 + left ** 2)
    up = (drift > 0)[:, None]
    down = (drift < 0)[:, None]
    return np.where(down, toward, away), np.where(up, toward, away)


def _scale(y, drift, var, c, h):
    var = np.where(np.isnan(var), drift ** 2, var)
    s = np.sqrt(var[:, None] * h + c.kappa * (drift ** 2)[:, None] * h ** 2)
    floor = np.maximum(1e-9 * np.abs(y[:, -1]), 1e-12)
    return np.maximum(s, floor[:, None] * np.sqrt(h))


def point(level: np.ndarray, slope: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The point forecast ``level + slope·h`` for each row (rows × horizons)."""
    return level[:, None] + slope[:, None] * np.asarray(h, dtype=float)


def spread(c: Constants, h: np.ndarray) -> np.ndarray:
    """Quantiles of |error| / s_h at :data:`LEVELS` for each horizon ``h`` (len(h), len(LEVELS)).

    One pooled table for every horizon, times ``h^β``: smooth in h, so fractional horizons
    and horizons beyond those fitted need no interpolation (h is taken as at least 1e-6).
    """
    h = np.maximum(np.asarray(h, dtype=float), 1e-6)
    return h[:, None] ** c.beta * np.asarray(c.quantiles, dtype=float)[None, :]


def _signed(c: Constants, h: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The scaled error at probability ``u`` (any shape broadcasting with h's last axis): the
    symmetric distribution whose |error| has the pooled quantiles.
    """
    table = spread(c, h)                         # (len(h), len(LEVELS))
    level = np.abs(2 * u - 1)                    # coverage level of the quantile
    out = np.empty(np.broadcast_shapes(np.shape(u), (len(h),)))
    u = np.broadcast_to(u, out.shape)
    level = np.broadcast_to(level, out.shape)
    for j in range(len(h)):
        out[..., j] = np.sign(u[..., j] - 0.5) * np.interp(level[..., j], LEVELS, table[j])
    return out


def quantiles(y: np.ndarray, t: np.ndarray, h: np.ndarray, probs: np.ndarray,
              calibration: dict[int, Constants] | None = None) -> np.ndarray:
    """Closed-form predictive quantiles of exact points: array (rows, len(h), len(probs))."""
    c = constants(np.shape(t)[-1], calibration)
    level, slope, _ = trend(y, t, c)
    h = np.asarray(h, dtype=float)
    errors = _signed(c, h, np.asarray(probs, dtype=float)[:, None]).T[None]   # (1, h, probs)
    low, high = horizon_scales(y, t, c, h)
    scale = np.where(errors < 0, low[:, :, None], high[:, :, None])
    return point(level, slope, h)[:, :, None] + scale * errors


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


class _Points:
    """The observed points of every reading of every series, combined per period once for the
    whole frame (a frame is never filtered per series).

    The points of one period are combined into one: the intersection of their bounds when they
    overlap (all can be true), else the hull (we cannot tell which is); the value is their mean,
    kept within those bounds.
    """

    KEY = ["scenario", "actor", "indicator", "measure", "unit", "reading"]

    def __init__(self, series: pd.DataFrame):
        #: (scenario, actor, indicator, measure, unit) → {reading: rows of the combined points}
        self.series: dict[tuple, dict[str, np.ndarray]] = {}
        #: the same key and reading → whether the reading agrees with the other claims
        self.consistent: dict[tuple, bool] = {}
        frame = series[[*self.KEY, "period", "t", "low", "high", "value", "modality",
                        "reading_consistent"]].astype({c: object for c in (*self.KEY, "period")})
        for key, ok in frame.groupby(self.KEY, sort=False)["reading_consistent"].all().items():
            self.series.setdefault(key[:5], {})[key[5]] = np.empty(0, dtype=int)
            self.consistent[key] = bool(ok)
        obs = frame[frame["modality"].isin(OBSERVED)]
        combined = obs.groupby([*self.KEY, "period"], sort=False).agg(
            lo_max=("low", "max"), hi_min=("high", "min"), lo_min=("low", "min"),
            hi_max=("high", "max"), value=("value", "mean"), t=("t", "first"))
        combined = combined.reset_index().sort_values([*self.KEY, "t"], kind="stable")
        disjoint = (combined["lo_max"] > combined["hi_min"]).to_numpy()
        self.low = np.where(disjoint, combined["lo_min"], combined["lo_max"])
        self.high = np.where(disjoint, combined["hi_max"], combined["hi_min"])
        self.value = np.clip(combined["value"].to_numpy(dtype=float), self.low, self.high)
        self.t = combined["t"].to_numpy(dtype=float)
        self.period = combined["period"].to_numpy()
        for key, rows in combined.groupby(self.KEY, sort=False).indices.items():
            self.series[key[:5]][key[5]] = rows
        self.series = {k: dict(sorted(v.items())) for k, v in sorted(self.series.items())}

    def observed_points(self, rows: np.ndarray, unit: str) -> _Group | str:
        """The combined observed points of one reading, or the reason it cannot be projected."""
        if len(rows) < 2:
            return (f"needs at least 2 observed periods, has {len(rows)}"
                    + ("" if len(rows) else " (only targets, pledges or proposals)"))
        if not np.all(np.isfinite(np.r_[self.low[rows], self.high[rows]])):
            return "bounds are not finite"
        g = _Group({}, self.t[rows], self.low[rows], self.high[rows], self.value[rows],
                   self.period[rows].tolist(), unit)
        if np.any(np.diff(g.t) <= 0):
            return "two observed periods share a midpoint; code them as one period"
        return g


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _draws(g: _Group, h: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictive draws (n, len(h)) and their locations, with each point drawn in its bounds.

    Each draw takes its own points uniformly within their bounds, so its level, slope and scale
    differ; wide claim bounds therefore widen the fan on top of the pooled forecast errors.
    """
    rng = np.random.default_rng(seed)
    c = constants(len(g.t))
    h = np.asarray(h, dtype=float)
    y = g.low + (g.high - g.low) * _stratified(rng, n, len(g.t))
    level, slope, scale = trend(y, g.t, c)
    location = point(level, slope, h)
    noise = _signed(c, h, _stratified(rng, n, len(h)))
    return location + scale[:, None] * noise, location


def _stratified(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` × ``k`` uniforms, each column stratified (one draw in each of n equal slices,
    in random order): quantiles of 1,000 such draws are about as precise as of 4,000 plain
    ones (docs/performance.md).
    """
    slices = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1).T
    return (slices + rng.random((n, k))) / n


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

    frame = series[["actor", "indicator", "period", "modality"]].astype(object).dropna()
    if frame.empty:
        return {}
    frame["year"] = frame["period"].str[:4].astype(int)
    keys = ["actor", "indicator"]
    last = frame.groupby(keys)["year"].max()  # without observations: the latest period
    observed = frame[frame["modality"].isin(OBSERVED)].groupby(keys)["year"].max()
    last.update(observed)
    horizon = last + AFTER_LAST
    targets = frame[frame["modality"] == "target"]
    if not targets.empty:
        ends = {p: parse_period(p).end.year for p in targets["period"].unique()}
        targets = targets.assign(end=targets["period"].map(ends))
        since = targets["end"] - last.reindex(pd.MultiIndex.from_frame(targets[keys])).to_numpy()
        reach = targets[since.to_numpy() <= TARGET_REACH_YEARS].groupby(keys)["end"].max()
        horizon = horizon.combine(reach + AFTER_TARGET, max, fill_value=0)
    return {key: int(year) for key, year in horizon.items()}


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
            draws: int = 1000) -> pd.DataFrame:
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
    pts = _Points(series)
    for (scenario, actor, indicator, measure, unit), readings in pts.series.items():
        key = {"actor": actor, "indicator": indicator, "measure": measure, "scenario": scenario}
        horizon = fixed if fixed is not None else horizons[(actor, indicator)]
        per_reading = {}
        for reading, at in readings.items():
            g = pts.observed_points(at, unit)
            base = {**key, "reading": reading, "unit": unit}
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
            per_reading[reading] = (sims, loc, years, g,
                                    pts.consistent[(scenario, actor, indicator, measure, unit,
                                                    reading)])
            rows += _rows(base, sims, loc, years, len(g.t), levels, key["measure"], "")
        if len(per_reading) > 1:
            rows += _pooled(key, per_reading, levels)
    out = _typed(pd.DataFrame(rows, columns=projection_columns(levels)))
    return out.sort_values(["actor", "indicator", "measure", "scenario", "reading", "period"],
                           kind="stable", ignore_index=True, na_position="first")


def _rows(base, sims, loc, years, n_points, levels, measure, note):
    lo_clip, hi_clip = _floor(measure)
    sims = np.clip(sims, lo_clip, hi_clip)
    probs = [p for lv in levels for p in (0.5 - lv / 200, 0.5 + lv / 200)]
    ends = np.quantile(sims, probs, axis=0)              # (probs, years)
    means = np.clip(loc.mean(axis=0), lo_clip, hi_clip)
    names = [f"{_level_name(lv)}_{end}" for lv in levels for end in ("low", "high")]
    return [{**base, "period": str(year), "mean": float(means[j]), "method": METHOD,
             "n_points": n_points, "note": note, **dict(zip(names, ends[:, j], strict=True))}
            for j, year in enumerate(years)]


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


def feasibility(series: pd.DataFrame, draws: int = 1000,
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
    pts = _Points(series)
    targets = series[(series["modality"] == "target") & (series["claim_ids"].fillna("") != "")]
    for tgt in targets.drop_duplicates(["scenario", "claim_ids"]).itertuples(index=False):
        base = {"claim_id": tgt.claim_ids, "actor": tgt.actor, "indicator": tgt.indicator,
                "scenario": tgt.scenario, "target_period": tgt.period, "target_value": tgt.value,
                "unit": tgt.unit}
        due = parse_period(str(tgt.period))
        against = (bounds or {}).get(tgt.indicator, tgt.indicator)
        base["judged_against"] = against
        readings = pts.series.get((tgt.scenario, tgt.actor, against, tgt.measure, tgt.unit), {})
        prob, means, last, first = [], [], None, None
        notes = [] if against == tgt.indicator else [
            f"a capacity target, judged against the projection of {against}: output reaches "
            "a capacity only when the capacity is fully used"]
        for reading, at in readings.items():
            g = pts.observed_points(at, tgt.unit)
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

