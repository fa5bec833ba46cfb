"""Series → projections with prediction intervals; target feasibility.

The method (chosen by the cross-collection backtest in docs/methodology.md, not by taste):

- **Point**: the drift ``d = (y_K − y_1)/(t_K − t_1)`` is trusted by the series' own
  signal-to-noise z²: with ``ω = z²/(z² + λ)``, the slope is ``α·ω·d`` and the level moves from
  the least-squares line's end (noisy, ω → 0: near naive on a smoothed level) to the last point
  (a steady climb, ω → 1). Two constants, λ and α.
- **Interval**: conformal, scaled per series and horizon: ``ŷ + s_h·e`` with e the pooled
  scaled error. Away from the drift ``s_h = √(σ²·(h + η) + κ·d²·h²)`` (σ² the variance per
  year of the changes around the drift: the share that adds up like a random walk's, σ²·h,
  plus a share that does not, η·σ², a first year that is as uncertain as the noise of the
  changes; κ·d² the drift's own uncertainty, so a steady climb's fan opens like h and a noisy
  series' more slowly than √h). Toward the
  drift, the share the point leaves out, ``(1 − α·ω)·d·h``, is added in quadrature, so the fan
  still reaches the unshrunk trend. The quantiles of |error| / s_h are pooled over real yearly
  series (M3 and Tourism) and all horizons, times ``h^β``: no distribution is assumed, no
  single horizon drives the table, and any h > 0 (fractional, or beyond those fitted) works.
  κ = :data:`KAPPA` and η = :data:`ETA` are fixed; β and the table are fitted.
- **Positive quantities stay positive, without clipping**: the point bends toward 0 below a
  twentieth of the last value (:func:`positive`), and below the point the error is
  multiplicative (:func:`combine`), so no lower end reaches 0; a cumulative count never falls
  below its last count.
- **Only what the data can carry**: a series is projected only from observed claims
  (:func:`observed`: actual or estimate, stated by a claim) of at least :data:`MIN_OBSERVED`
  periods, the shortest window that meets the backtest's goals; readings that contradict
  each other are not pooled.
- **Claim uncertainty**: each point is drawn uniformly within its bounds (100 stratified draws
  of the points per reading), each draw is projected and combined with 10 errors spread evenly
  over the error distribution, and the 1,000 draws of every reading are pooled; intervals are
  quantiles of the pool. Readings are simulated many at a time (:func:`_fan`), and a reading
  with the same points in both scenarios once (docs/performance.md).

The constants (by window length K) are in ``prodstats/calibration.json``, written by
``python -m prodstats calibrate``; the backtest lives in :mod:`prodstats.backtest`.
statsmodels and scipy are imported inside the functions that need them, never at import.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from prodstats.errors import SeriesError, require_columns
from prodstats.periods import parse_period
from prodstats.units import cumulative_count
from prodstats.vocab import FORWARD, OBSERVED, SCENARIOS

METHOD = "shrunk-drift+conformal"

#: The fewest observed periods of claims a series is projected from. Window 3 misses the
#: backtest's goals, window 5 meets them (docs/methodology.md, ``make backtest``).
MIN_OBSERVED = 5
PROJECTION_COLUMNS = ["actor", "indicator", "measure", "reading", "scenario", "period", "mean",
                      "pi80_low", "pi80_high", "pi95_low", "pi95_high", "unit", "method",
                      "n_points", "note"]
FEASIBILITY_COLUMNS = ["claim_id", "actor", "indicator", "scenario", "target_period",
                       "target_value", "unit", "last_period", "last_value", "projected_mean",
                       "prob_reach", "required_growth", "trajectory_growth", "judged_against",
                       "note"]


def observed(series: pd.DataFrame) -> pd.Series:
    """Which rows of a series frame are observations: modality ``actual`` or ``estimate``
    (:data:`prodstats.vocab.OBSERVED`) and stated by a claim (``claim_ids`` not empty). An
    index's base point (1 by definition, no claim), a forecast and a target are not.
    """
    ids = series["claim_ids"].astype(object).fillna("").astype(str).str.strip()
    return series["modality"].isin(OBSERVED) & (ids != "")


class ProjectionSchema(pa.DataFrameModel):
    """One projected year of one series, scenario and reading (``projections.csv``)."""

    actor: Series[str] = pa.Field(description="Who the figure is about.")
    indicator: Series[str] = pa.Field(description="What is measured.")
    measure: Series[str] = pa.Field(description="level, index or share.")
    reading: Series[str] = pa.Field(description="Reading projected; 'pooled' mixes the readings "
                                    "consistent with the other claims.")
    scenario: Series[str] = pa.Field(description="all or no_unverified.")
    period: Series[str] = pa.Field(nullable=True, description="Projected year; its figures are at "
                                   "mid-year (feasibility judges a target at the end of its "
                                   "period). Empty when skipped.")
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
    n_points: Series[int] = pa.Field(ge=0, description="Observed claims the projection rests "
                                     "on (actual or estimate; an index's base point, a "
                                     "forecast or a target is not one).")
    note: Series[str] = pa.Field(nullable=True, description="Why a series was not projected "
                                 "('not projected: N observed claims'), what a pooled row "
                                 "mixes, or why readings were not pooled.")

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
                                              "end of its period (0.1 = 10 %); for a total "
                                              "counted from the same start as the last "
                                              "observation, the rise of the rate the remainder "
                                              "needs over the rate so far (note says so).")
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
    eta: float          #: the error variance that does not grow with h, as years of σ²
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
#: η: the part of the error variance that does not add up over the years, in units of σ² (the
#: variance per year of the changes around the drift): ``s_h² = σ²·(h + η) + κ·d²·h²``. With
#: no way to tell, from a few points, how much of the changes' variance is a random walk (it
#: adds up, σ²·h) and how much is noise around the trend (it does not), the variance of the
#: changes is split evenly between the two, which gives η = ½ (noise of variance σ²/4 around
#: the line, a walk of σ²/2 a year: error variance σ²/2·h + σ²/4 = σ²/2·(h + ½); the common
#: factor is the table's). A fixed part of the method like κ, not fitted per collection
#: (docs/methodology.md gives the backtest at η = 0 … 8).
ETA = 0.5
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def _load_calibration(path: Path = CALIBRATION_FILE) -> dict[int, Constants]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if tuple(raw["levels"]) != LEVELS:
            raise SeriesError(f"{path}: levels {raw['levels']} are not {LEVELS}; rerun "
                              "python -m prodstats calibrate --write")
        return {int(k): Constants(float(v["lam"]), float(v["alpha"]), float(v["kappa"]),
                                  float(v["eta"]), float(v["beta"]),
                                  tuple(map(float, v["quantiles"])))
                for k, v in raw["by_window"].items()}
    except SeriesError:
        raise
    except (OSError, KeyError, TypeError, ValueError) as exc:  # JSON errors are ValueErrors
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
    """Rows of ``y`` (..., k) at times ``t`` (broadcasting with y: (k,), (rows, k), or
    (R, 1, k) for the draws of R readings), with each row's drift per year ``d``, σ² (the
    variance per year of its changes around the drift; NaN with two points), trust ω and the
    least-squares line's value at ``t_K``.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    t = np.asarray(t, dtype=float)
    span, dt, dy = t[..., -1] - t[..., 0], np.diff(t, axis=-1), np.diff(y, axis=-1)
    drift = (y[..., -1] - y[..., 0]) / span
    if dt.shape[-1] >= 2:
        var = ((dy - drift[..., None] * dt) ** 2 / dt).sum(axis=-1) / (dt.shape[-1] - 1)
        signal = drift ** 2 * span            # z² = signal / var, written without dividing
        total = signal + c.lam * var
        omega = np.divide(signal, total, out=np.ones_like(total), where=total > 0)
    else:
        var, omega = np.full(y.shape[:-1], np.nan), np.ones(y.shape[:-1])
    tc = t - t.mean(axis=-1, keepdims=True)
    line = (y.mean(axis=-1)
            + (y * tc).sum(axis=-1) / (tc ** 2).sum(axis=-1) * tc[..., -1])
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
    - scale ``s_1 = √(σ²·(1 + η) + κ·d²)``, the scale of :func:`horizon_scales` at h = 1 on
      the side away from the drift (the interval itself needs :func:`horizon_scales`).

    With two points there is no σ², so ``ω = 1``.
    """
    y, drift, var, omega, line = _fit(y, t, c)
    level, slope = _level_slope(y, drift, omega, line, c)
    return level, slope, _scale(y, drift, var, c, np.ones(1))[..., 0]


def _level_slope(y, drift, omega, line, c) -> tuple[np.ndarray, np.ndarray]:
    """:func:`trend`'s level ``ω·y_K + (1 − ω)·L`` and slope ``α·ω·d``, from a fit."""
    return omega * y[..., -1] + (1 - omega) * line, c.alpha * omega * drift


def horizon_scales(y: np.ndarray, t: np.ndarray, c: Constants,
                   h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scales below and above the point of each row of ``y`` at each horizon ``h``:
    ``(low, high)``, each (rows, len(h)). A draw is ``point + scale·e`` with e the pooled
    scaled error: ``low`` where e < 0, ``high`` where e > 0.

    - Away from the drift: ``s_h = √(σ²·(h + η) + κ·d²·h²)``. The changes around the drift
      add up like a random walk's (σ²·h) on top of a part that does not add up (η·σ², see
      :data:`ETA`), and the drift itself is uncertain in proportion to its size (κ·d²·h²), so
      a noisy series' fan opens like √(h + η) and a steady climb's like h.
    - Toward the drift, the share of the drift the point leaves out, ``(1 − α·ω)·d·h``, is
      added in quadrature: the fan still reaches the unshrunk trend, so a climb that keeps
      going (or speeds up) is not judged by the shrunk point alone.

    With two points there is no σ², and the one change stands for it (σ² = d²). ``t`` is (k,)
    or (rows, k), as for :func:`trend`.
    """
    y, drift, var, omega, _ = _fit(y, t, c)
    return _scales(y, drift, var, omega, c, np.asarray(h, dtype=float))


def _scales(y, drift, var, omega, c, h):
    """:func:`horizon_scales` from a fit (:func:`_fit`); ``h`` broadcasts with the rows'
    shape plus one axis: (len(h),), (rows, len(h)), or (R, 1, len(h)).
    """
    away = _scale(y, drift, var, c, h)
    left = ((1 - c.alpha * omega) * drift)[..., None] * h
    toward = np.sqrt(away ** 2 + left ** 2)
    up = (drift > 0)[..., None]
    down = (drift < 0)[..., None]
    return np.where(down, toward, away), np.where(up, toward, away)


def _scale(y, drift, var, c, h):
    var = np.where(np.isnan(var), drift ** 2, var)
    s = np.sqrt(var[..., None] * (h + c.eta) + c.kappa * (drift ** 2)[..., None] * h ** 2)
    floor = np.maximum(1e-9 * np.abs(y[..., -1]), 1e-12)
    return np.maximum(s, floor[..., None] * np.sqrt(h))


def point(level: np.ndarray, slope: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The point forecast ``level + slope·h`` for each row (rows × horizons), before
    :func:`positive`.
    """
    return level[:, None] + slope[:, None] * np.asarray(h, dtype=float)


#: A point below this share of the series' last value bends toward 0 instead of crossing it.
BEND = 0.05


def positive(f: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The point of a positive quantity, kept above 0 without clipping: at or above
    ``m = BEND·last`` it is ``f``; below, ``m²/(2m − f)``, which has f's value and slope at m
    and nears 0 (like 1/|f|) without reaching it. ``last`` broadcasts with ``f`` (a trailing
    axis of 1). In the benchmark collections 0.05 % of the points bend (docs/methodology.md).
    """
    m = BEND * np.maximum(np.abs(last), 1e-12)
    return np.where(f >= m, f, m * m / (2 * m - np.minimum(f, m)))


def combine(f: np.ndarray, below: np.ndarray, above: np.ndarray, e: np.ndarray,
            last: np.ndarray) -> np.ndarray:
    """A predictive value from the point ``f`` (> 0) and a scaled error ``e``: below the point
    the error is multiplicative, ``f·exp(below·e/r)`` with ``r = max(f, last)``, so an interval
    of a positive quantity never reaches 0, and a falling series' lower end stays a steady
    share of its point rather than vanishing; above it, additive, ``f + above·e``. (For
    errors small against the point the two agree.) :func:`scaled_error` is its inverse, which
    calibration uses. ``last`` (the series' last value) broadcasts with ``f``.
    """
    r = np.maximum(f, last)
    with np.errstate(over="ignore", invalid="ignore"):
        down = f * np.exp(np.minimum(below * e, 0.0) / r)
    return np.where(e < 0, down, f + above * e)


def scaled_error(truth: np.ndarray, f: np.ndarray, below: np.ndarray, above: np.ndarray,
                 last: np.ndarray) -> np.ndarray:
    """The error of the point ``f`` against a positive ``truth`` in units of the scale on its
    side: ``r·log(truth/f)/below`` below the point (``r = max(f, last)``), ``(truth − f)/above``
    above it.
    """
    r = np.maximum(f, last)
    with np.errstate(divide="ignore", invalid="ignore"):
        down = r * np.log(truth / f) / below
    return np.where(truth < f, down, (truth - f) / above)


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
    h = np.asarray(h, dtype=float)
    shape = np.broadcast_shapes(np.shape(u), (len(h),))
    flat = np.broadcast_to(np.asarray(u, dtype=float), shape).reshape(-1, len(h))
    table = spread(c, h)
    out = np.stack([table[j] @ _weights(flat[:, j]) for j in range(len(h))], axis=-1)
    return out.reshape(shape)


def quantiles(y: np.ndarray, t: np.ndarray, h: np.ndarray, probs: np.ndarray,
              calibration: dict[int, Constants] | None = None) -> np.ndarray:
    """Closed-form predictive quantiles of exact points: array (rows, len(h), len(probs))."""
    c = constants(np.shape(t)[-1], calibration)
    y = np.atleast_2d(np.asarray(y, dtype=float))
    level, slope, _ = trend(y, t, c)
    h = np.asarray(h, dtype=float)
    errors = _signed(c, h, np.asarray(probs, dtype=float)[:, None]).T[None]   # (1, h, probs)
    low, high = horizon_scales(y, t, c, h)
    f = positive(point(level, slope, h), y[:, -1:])
    return combine(f[:, :, None], low[:, :, None], high[:, :, None], errors,
                   y[:, -1:, None])


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
    #: claims the points rest on, and whether they are counts so far (never falling)
    claims: int = 0
    cumulative: bool = False


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
        self._memo: dict[tuple, tuple[np.ndarray, object]] = {}  # (see _once)
        frame = series[[*self.KEY, "period", "t", "low", "high", "value", "modality",
                        "reading_consistent", "claim_ids"]].astype(
            {c: object for c in (*self.KEY, "period", "claim_ids")})
        for key, ok in frame.groupby(self.KEY, sort=False)["reading_consistent"].all().items():
            self.series.setdefault(key[:5], {})[key[5]] = np.empty(0, dtype=int)
            self.consistent[key] = bool(ok)
        obs = frame[observed(series).to_numpy()]
        points = obs.groupby([*self.KEY, "period"], sort=False)
        combined = points.agg(
            lo_max=("low", "max"), hi_min=("high", "min"), lo_min=("low", "min"),
            hi_max=("high", "max"), value=("value", "mean"), t=("t", "first"))
        # the claims each reading rests on: the ids of its combined points' points, gathered
        # in one pass over the observations (a reading is asked for its count, not its ids)
        claim_ids: dict[tuple, set[str]] = {}
        for group, key, ids in zip(points.ngroup().fillna(-1).astype(int).tolist(),
                                   zip(*(obs[c].tolist() for c in self.KEY), strict=True),
                                   obs["claim_ids"].tolist(), strict=True):
            if group >= 0:
                claim_ids.setdefault(key, set()).update(filter(None, ids.split(";")))
        combined = combined.reset_index()
        combined = combined.sort_values([*self.KEY, "t"], kind="stable")
        keys = list(zip(*(combined[c].tolist() for c in ("measure", "unit", "period")),
                        strict=True))
        counts = {k: cumulative_count(*k) for k in set(keys)}
        self.cumulative = np.array([counts[k] for k in keys], dtype=bool)
        disjoint = (combined["lo_max"] > combined["hi_min"]).to_numpy()
        #: points whose claims contradict each other (their bounds do not overlap): their
        #: value is a mean no claim states, never published as a figure (feasibility)
        self.conflicting = disjoint
        self.low = np.where(disjoint, combined["lo_min"], combined["lo_max"])
        high = np.where(disjoint, combined["hi_max"], combined["hi_min"])
        value = combined["value"].to_numpy(dtype=float)
        # "more than X" is open above: projected at its floor, the conservative reading;
        # "up to X" is open below (0): projected at the figure the text gives
        #: points that are a floor ("more than") or a ceiling ("up to"), as the text said them
        self.floor = np.isposinf(high)
        self.ceiling = (self.low == 0) & (value > 0) & ~self.floor
        self.high = np.where(np.isposinf(high), np.fmax(self.low, value), high)
        self.low = np.where((self.low == 0) & (value > 0), np.fmin(value, self.high), self.low)
        self.value = np.clip(value, self.low, self.high)
        self.t = combined["t"].to_numpy(dtype=float)
        self.period = combined["period"].to_numpy()
        #: id of a reading's rows (one of :attr:`series`) → how many claims they rest on
        self._claims: dict[int, int] = {}
        for key, rows in combined.groupby(self.KEY, sort=False).indices.items():
            self.series[key[:5]][key[5]] = rows
            self._claims[id(rows)] = len(claim_ids.get(key, ()))
        self.series = {k: dict(sorted(v.items())) for k, v in sorted(self.series.items())}

    def claims(self, rows: np.ndarray) -> int:
        """How many claims the combined points ``rows`` (a reading's, one of :attr:`series`)
        rest on.
        """
        return self._claims[id(rows)] if len(rows) else 0

    def observed_points(self, rows: np.ndarray, unit: str,
                        least: int = MIN_OBSERVED) -> _Group | str:
        """The combined observed points of one reading (``rows``, one of :attr:`series`), or
        why it cannot be projected ("not projected: N observed claims", and why).
        """
        return self._once(("observed", id(rows), unit, least), rows,
                          lambda: self._observed_points(rows, unit, least))

    def _once(self, key: tuple, rows: np.ndarray, compute):
        """``compute()`` the first time ``key`` is asked for: the projection's plan and each
        forward statement on a series ask for the same readings (86,000 times at 10^5 claims).
        ``rows`` is kept with the answer, so that its ``id`` in ``key`` stays its own.
        """
        if key not in self._memo:
            self._memo[key] = (rows, compute())
        return self._memo[key][1]

    def _observed_points(self, rows: np.ndarray, unit: str, least: int) -> _Group | str:
        if len(rows) < least:
            n = self.claims(rows)
            periods = "" if n == len(rows) else f" in {len(rows)} period{'s' * (len(rows) != 1)}"
            return (f"not projected: {n} observed claim{'s' * (n != 1)}{periods} (a projection "
                    f"needs claims of at least {least} periods; docs/methodology.md)")
        if not (np.isfinite(self.low[rows]).all() and np.isfinite(self.high[rows]).all()):
            return "not projected: bounds are not finite"
        if (self.value[rows] < 0).any() or (self.low[rows] < 0).any():
            return ("not projected: negative values: the method projects quantities, which "
                    "cannot fall below 0; a change or a balance is not projected")
        g = _Group({}, self.t[rows], self.low[rows], self.high[rows], self.value[rows],
                   self.period[rows].tolist(), unit, self.claims(rows),
                   bool(self.cumulative[rows].all()))
        if np.any(np.diff(g.t) <= 0):
            return "not projected: two observed periods share a midpoint; code them as one period"
        return g


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


@dataclass
class _Job:
    """One reading (or one target date) to simulate: its points, horizons, seed and measure
    (a share's figures stay within [0, 1]).
    """

    g: _Group
    h: np.ndarray
    seed: int
    measure: str = "level"

    def same_as(self) -> tuple:
        """What the draws depend on: jobs that share it get the same draws (a series without
        unverified claims has the same points in both scenarios), so each is simulated once.
        """
        return (self.seed, self.measure, self.g.cumulative, self.g.t.tobytes(),
                self.g.low.tobytes(), self.g.high.tobytes(),
                np.asarray(self.h, dtype=float).tobytes())


def _add(jobs: dict[tuple, _Job], job: _Job) -> tuple:
    """Add a job unless the same one is there; its key."""
    key = job.same_as()
    jobs.setdefault(key, job)
    return key


def _plan(pts: _Points, horizons: dict, fixed: int | None,
          least: int = MIN_OBSERVED) -> tuple[list, dict[tuple, _Job]]:
    """Per series, each reading's rows when it cannot be projected, or the :class:`_Reading`
    whose job (in ``jobs``, each distinct one once) will give them.
    """
    plan: list[tuple[dict, list]] = []
    jobs: dict[tuple, _Job] = {}
    for (scenario, actor, indicator, measure, unit), readings in pts.series.items():
        key = {"actor": actor, "indicator": indicator, "measure": measure, "scenario": scenario}
        horizon = fixed if fixed is not None else horizons[(actor, indicator)]
        entries = []
        for reading, at in readings.items():
            g = pts.observed_points(at, unit, least)
            base = {**key, "reading": reading, "unit": unit}
            if isinstance(g, str):
                entries.append([{**base, "method": "skipped", "n_points": pts.claims(at),
                                 "note": g}])
                continue
            years = np.arange(parse_period(g.periods[-1]).end.year + 1, horizon + 1)
            if years.size == 0:
                entries.append([{**base, "method": "skipped", "n_points": g.claims,
                                 "note": f"nothing to project: horizon {horizon} is not after "
                                         f"the last observation {g.periods[-1]}"}])
                continue
            consistent = pts.consistent[(scenario, actor, indicator, measure, unit, reading)]
            # the seed leaves the scenario out: the same points give the same projection
            job = _add(jobs, _Job(g, years + 0.5 - g.t[-1],
                                  _seed(actor, indicator, measure, reading), measure))
            entries.append(_Reading(base, years, job, consistent))
        plan.append((key, entries))
    return plan, jobs


def _draw_all(plan: list, jobs: dict[tuple, _Job], draws: int,
              levels: tuple[float, ...]) -> tuple[dict, dict]:
    """Every job's interval ends and means, and every pooled series' ``(ends, means, years,
    n_points, note)`` by :func:`_pool_key`. Jobs are simulated many at a time; the readings of
    a series with several are simulated a few series at a time, so that their draws are pooled
    and let go.
    """
    several = [(key, rs) for key, rs in
               ((key, [e for e in entries if isinstance(e, _Reading)]) for key, entries in plan)
               if len(rs) > 1]
    pooled_jobs = {e.job for _, rs in several for e in rs}
    summaries: dict[tuple, tuple] = {}
    _simulate({k: j for k, j in jobs.items() if k not in pooled_jobs}, draws, levels, summaries)
    pools: dict[tuple, tuple] = {}
    for start in range(0, len(several), POOL_GROUP):
        group = [(key, rs) for key, rs in several[start:start + POOL_GROUP]
                 if _pool_key(rs) not in pools]
        kept = _simulate({e.job: jobs[e.job] for _, rs in group for e in rs}, draws, levels,
                         summaries, keep=True)
        pools.update((_pool_key(rs), _pool(rs, jobs, kept, key["measure"], levels))
                     for key, rs in group)
    return summaries, pools


def _below_a_rise(g: _Group, means: np.ndarray) -> str:
    """A note when every observed step rose but the projection starts below the last point."""
    if not (np.all(np.diff(g.value) > 0) and means[0] < g.value[-1]):
        return ""
    return ("every observed step rose, but the projection starts below the last point: steps "
            "of very different sizes or spacing make the series look noisy to the method, which "
            "then keeps little of its drift (docs/methodology.md)")


@dataclass(frozen=True)
class _Reading:
    """A reading to project: its row fields, projected years, job key and consistency."""

    base: dict
    years: np.ndarray
    job: tuple
    consistent: bool


#: Draws × columns held at once per batch of readings (about 16 MB a float array).
BATCH_CELLS = 2_000_000


def _batches(jobs: Mapping[tuple, _Job], n: int):
    """The predictive draws of every job, computed for many jobs at once.

    Jobs with the same number of points and horizons are stacked; yields ``(keys, sims,
    locations)`` with ``sims`` of shape (len(keys), horizons, n) and the mean ``locations``
    (len(keys), horizons).
    """
    shapes: dict[tuple[int, int], list[tuple]] = {}
    for key, job in jobs.items():
        shapes.setdefault((len(job.g.t), len(job.h)), []).append(key)
    for (k, m), members in sorted(shapes.items()):
        size = max(1, BATCH_CELLS // (n * (k + m)))
        for start in range(0, len(members), size):
            part = members[start:start + size]
            yield (part, *_fan([jobs[key] for key in part], n))


def _fan(jobs: list[_Job], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictive draws (jobs, horizons, n) and the mean location (jobs, horizons).

    The points are drawn uniformly within their bounds, so each draw of them has its own
    level, slope and scales (wide claim bounds widen the fan on top of the pooled errors);
    each draw of the points is combined with E errors spread evenly over the error
    distribution (:func:`_error_design`). All jobs have the same number of points and of
    horizons.
    """
    k, m, r = len(jobs[0].g.t), len(jobs[0].h), len(jobs)
    c = constants(k)
    points, errors_each = _split(n)
    low = np.stack([j.g.low for j in jobs])[:, None, :]                  # (R, 1, k)
    high = np.stack([j.g.high for j in jobs])[:, None, :]
    u = _design(points, k) + np.stack([_shift(k, j.seed) for j in jobs])[:, None, :]
    u -= u >= 1                                                         # (R, P, k), modulo 1
    t = np.stack([j.g.t for j in jobs])[:, None, :]                      # (R, 1, k)
    h = np.stack([np.asarray(j.h, dtype=float) for j in jobs])[:, None, :]  # (R, 1, m)
    y, drift, var, omega, line = _fit(low + (high - low) * u, t, c)     # rows (R, P)
    level, slope = _level_slope(y, drift, omega, line, c)
    location = positive(level[..., None] + slope[..., None] * h, y[..., -1:])   # (R, P, m)
    below, above = (s.transpose(0, 2, 1)[..., None] for s in _scales(y, drift, var, omega, c, h))
    weights, _ = _error_design(points, errors_each)
    table = spread(c, h.ravel()).reshape(r, m, len(LEVELS))
    errors = (table @ weights).reshape(r, m, points, errors_each)       # (R, m, P, E)
    sims = combine(location.transpose(0, 2, 1)[..., None], below, above, errors,
                   y[..., -1][:, None, :, None])
    # a count so far never falls: no draw goes below its own draw of the last count
    so_far = np.array([j.g.cumulative for j in jobs])
    if so_far.any():
        last = y[..., -1]                                               # (R, P)
        floor = np.where(so_far[:, None], last, -np.inf)
        sims = np.maximum(sims, floor[:, None, :, None])
        location = np.maximum(location, floor[..., None])
    return sims.reshape(r, m, n), location.mean(axis=1)


#: Errors combined with each draw of the points, when the draws are a multiple of it (and at
#: least ten times it): 1,000 draws are 100 draws of the points times 10 errors each.
ERRORS_EACH = 10


def _split(n: int) -> tuple[int, int]:
    """Draws of the points and errors for each: ``(P, E)`` with ``P·E = n``."""
    each = ERRORS_EACH if n % ERRORS_EACH == 0 and n >= 10 * ERRORS_EACH else 1
    return n // each, each


def _draws(g: _Group, h: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictive draws (n, len(h)) and the mean location (len(h),) of one reading
    (see :func:`_fan`).
    """
    sims, location = _fan([_Job(g, np.asarray(h, dtype=float), seed)], n)
    return sims[0].T, location[0]


def _shift(k: int, seed: int) -> np.ndarray:
    """The ``k`` random shifts (modulo 1) of one reading's point draws, from its seed."""
    return np.random.default_rng(seed).random(k)


@lru_cache(maxsize=64)
def _design(n: int, k: int) -> np.ndarray:
    """A fixed stratified design (n, k): each column has one point in each of n equal slices
    of (0, 1), in random order. A reading shifts each column by its own random amount (modulo
    1), which keeps the column stratified: quantiles of 1,000 such draws are about as precise
    as of 4,000 plain ones (docs/performance.md), and a reading costs only k random numbers.
    """
    rng = np.random.default_rng(20241)
    slices = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1).T
    design = (slices + rng.random((n, k))) / n
    design.setflags(write=False)
    return design


@lru_cache(maxsize=8)
def _error_design(points: int, each: int) -> tuple[np.ndarray, np.ndarray]:
    """The errors of every reading's ``points × each`` draws, as weights on its quantile
    table (len(LEVELS), points·each; see :func:`_weights`) and whether each error is below the
    point (points, each). Draw i of the points gets the probabilities ``(j + v_i)/each``,
    j = 0 … each − 1, with the v_i one in each of ``points`` equal slices of (0, 1) in a fixed
    random order: every draw spans the whole error distribution, and all of them together
    put one probability in each of points·each equal slices. Errors of many readings and
    horizons are then one matrix product.
    """
    rng = np.random.default_rng(20242)
    v = (rng.permutation(points) + rng.random(points)) / points
    p = (np.arange(each)[None, :] + v[:, None]) / each                   # (points, each)
    weights = _weights(p.ravel())
    negative = p < 0.5
    for a in (weights, negative):
        a.setflags(write=False)
    return weights, negative


def _weights(u: np.ndarray) -> np.ndarray:
    """Weights (len(LEVELS), len(u)) such that ``table @ weights`` is the signed error at each
    probability ``u`` of the symmetric distribution whose |error| has the quantiles ``table``
    at :data:`LEVELS`: ``sign(u − ½)`` times the quantile at ``|2u − 1|``, interpolated
    linearly between the levels (and held at the last).
    """
    grid = np.asarray(LEVELS)
    level = np.abs(2 * np.asarray(u, dtype=float) - 1)
    i = np.clip(np.searchsorted(grid, level, side="right") - 1, 0, len(grid) - 2)
    w = np.clip((level - grid[i]) / (grid[i + 1] - grid[i]), 0.0, 1.0)
    sign, cols = np.sign(u - 0.5), np.arange(len(level))
    weights = np.zeros((len(grid), len(level)))
    weights[i, cols] = sign * (1 - w)
    weights[i + 1, cols] += sign * w
    return weights


def _floor(measure: str) -> tuple[float, float]:
    return (0.0, 1.0) if measure == "share" else (0.0, np.inf)


#: What :func:`project` reads from a series frame.
SERIES_NEEDS = ("scenario", "actor", "indicator", "measure", "reading", "reading_consistent",
                "period", "t", "value", "low", "high", "unit", "modality", "claim_ids")
_FROM_RESOLVE = "the series from prodstats.resolve(ledger.claims)"
_NUMBERS = ("t", "value", "low", "high")
#: Years of each series' own horizon beyond its last observation, and beyond its latest target.
AFTER_LAST, AFTER_TARGET = 3, 2
_YEARS = (1, 9999)
_INTEGERS = (int, np.integer)


def default_horizon(series: pd.DataFrame) -> int:
    """The last year to project one series (the points of one actor and indicator) to: the later
    of its last observed year + 3 and its latest target year + 2 (a period's last year counts:
    "2020/2024" ends in 2024).

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

    frame = series[["actor", "indicator", "period", "modality"]].astype(object)
    frame = frame.assign(happened=observed(series).to_numpy() if "claim_ids" in series.columns
                         else series["modality"].isin(OBSERVED).to_numpy()).dropna()
    if frame.empty:
        return {}
    ends = {p: parse_period(p).end.year for p in frame["period"].unique()}
    frame["year"] = frame["period"].map(ends).astype(int)  # a period's last year
    keys = ["actor", "indicator"]
    last = frame.groupby(keys)["year"].max()  # without observations: the latest period
    last.update(frame[frame["happened"]].groupby(keys)["year"].max())
    horizon = last + AFTER_LAST
    targets = frame[frame["modality"] == "target"]
    if not targets.empty:
        targets = targets.assign(end=targets["year"])
        since = targets["end"] - last.reindex(pd.MultiIndex.from_frame(targets[keys])).to_numpy()
        reach = targets[since.to_numpy() <= TARGET_REACH_YEARS].groupby(keys)["end"].max()
        horizon = horizon.combine(reach + AFTER_TARGET, max, fill_value=0)
    return {key: int(year) for key, year in horizon.items()}


def _check_draws(draws: object) -> int:
    if isinstance(draws, bool) or not isinstance(draws, _INTEGERS) or draws < 1:
        raise ValueError(f"draws must be an integer >= 1 (draws per reading); got {draws!r}")
    return int(draws)


def _check_min_observed(least: object) -> int:
    if isinstance(least, bool) or not isinstance(least, _INTEGERS) or least < 2:
        raise ValueError("min_observed must be an integer >= 2 (observed periods a projection "
                         f"rests on; default {MIN_OBSERVED}); got {least!r}")
    return int(least)


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
            draws: int = 1000, *, min_observed: int = MIN_OBSERVED) -> pd.DataFrame:
    """Project every series with observed claims of at least ``min_observed`` periods.

    Args:
        series: the output of :func:`prodstats.resolve`.
        horizon: the last year to project every series to. By default each series (actor and
            indicator) gets its own, from its own points only (:func:`default_horizon`): the
            later of its last observed year + 3 and its latest target year + 2. A source about
            another actor or indicator therefore never changes a series' projection.
        levels: interval levels in percent, each in (0, 100); columns ``pi<L>_low`` and
            ``pi<L>_high`` per level, in this order.
        draws: Monte-Carlo draws per reading, an integer >= 1 (the seed is fixed per series
            and reading, from their names only, so output is deterministic; a reading with the
            same points in both scenarios gets the same draws, so the same figures).
        min_observed: the fewest observed periods (of claims: actual or estimate) a series is
            projected from; by default :data:`MIN_OBSERVED`, the shortest window that meets
            the backtest's goals (docs/methodology.md). Fewer (at least 2) is at your risk:
            the intervals' coverage is then not what they say.

    Returns:
        One row per series, scenario, reading (plus ``pooled`` over the readings consistent with
        the other claims, where there are several) and projected year. A series that cannot be
        projected gets one row with empty figures and the reason in ``note``. An empty
        ``series`` gives an empty frame with the same columns.

    Raises:
        FrameError: ``series`` is not a frame from :func:`prodstats.resolve`.
        ValueError: a parameter is out of its range (the message gives the range).
    """
    require_columns(series, SERIES_NEEDS, "project()", _FROM_RESOLVE, numbers=_NUMBERS)
    levels = _check_levels(levels)
    draws = _check_draws(draws)
    least = _check_min_observed(min_observed)
    fixed = None if horizon is None else _check_horizon(horizon)
    horizons = _horizons(series) if fixed is None else {}
    return _project(_Points(series), horizons, fixed, least, draws, levels)


def _project(pts: _Points, horizons: dict, fixed: int | None, least: int, draws: int,
             levels: tuple[float, ...]) -> pd.DataFrame:
    """:func:`project` of the combined points ``pts`` (arguments checked)."""
    plan, jobs = _plan(pts, horizons, fixed, least)
    summaries, pools = _draw_all(plan, jobs, draws, levels)
    rows = []
    for key, entries in plan:
        projected = [e for e in entries if isinstance(e, _Reading)]
        for e in entries:
            if not isinstance(e, _Reading):
                rows += e
                continue
            g, (ends, means) = jobs[e.job].g, summaries[e.job]
            rows += _rows(e.base, ends, means, e.years, g.claims, levels, _below_a_rise(g, means))
        if len(projected) > 1:
            pooled = pools[_pool_key(projected)]
            base = {**key, "reading": "pooled", "unit": projected[0].base["unit"]}
            if isinstance(pooled[0], str):   # readings that contradict each other
                rows.append({**base, "method": "skipped", "n_points": pooled[1],
                             "note": pooled[0]})
                continue
            ends, means, years, n_points, note = pooled
            rows += _rows(base, ends, means, years, n_points, levels, note)
    out = _typed(pd.DataFrame(rows, columns=projection_columns(levels)))
    return out.sort_values(["actor", "indicator", "measure", "scenario", "reading", "period"],
                           kind="stable", ignore_index=True, na_position="first")


def _summaries(sims: np.ndarray, loc: np.ndarray, measures: list[str],
               levels: tuple[float, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per reading of a batch (sims: readings, years, draws; loc: readings, years): interval
    ends (probs, years) and means (years), each within its measure's floor (a share in
    [0, 1], anything else at or above 0).
    """
    floor = np.array([_floor(m) for m in measures]).T[:, :, None]          # (2, R, 1)
    probs = [p for lv in levels for p in (0.5 - lv / 200, 0.5 + lv / 200)]
    ends = np.quantile(np.clip(sims, floor[0][..., None], floor[1][..., None]), probs,
                       axis=-1)                                            # (probs, R, years)
    means = np.clip(loc, floor[0], floor[1])
    return [(ends[:, r], means[r]) for r in range(len(measures))]


def _rows(base, ends, means, years, n_points, levels, note):
    names = [f"{_level_name(lv)}_{end}" for lv in levels for end in ("low", "high")]
    return [{**base, "period": str(year), "mean": float(means[j]), "method": METHOD,
             "n_points": n_points, "note": note, **dict(zip(names, ends[:, j], strict=True))}
            for j, year in enumerate(years)]


#: Series with several readings simulated at once (their draws are kept until pooled).
POOL_GROUP = 64


def _simulate(jobs: Mapping[tuple, _Job], draws: int, levels: tuple[float, ...],
              summaries: dict, keep: bool = False) -> dict:
    """Simulate the jobs; put each one's interval ends and means into ``summaries``. With
    ``keep``, return each job's draws and mean locations too.
    """
    kept = {}
    for part, sims, loc in _batches(jobs, draws):
        measures = [jobs[key].measure for key in part]
        summaries.update(zip(part, _summaries(sims, loc, measures, levels), strict=True))
        if keep:
            kept.update((key, (sims[r], loc[r])) for r, key in enumerate(part))
    return kept


def _pool_key(readings: list[_Reading]) -> tuple:
    """What a series' pooled rows depend on (a twin series in the other scenario shares it)."""
    return tuple((e.job, e.consistent, len(e.years), e.base["reading"]) for e in readings)


def _pool(readings: list[_Reading], jobs, kept, measure: str, levels) -> tuple:
    """A series' readings pooled: those consistent with the other claims (all, when none is),
    over the years every one of them projects. ``(ends, means, years, n_points, note)``.
    """
    consistent = [e for e in readings if e.consistent] or readings
    clash = _disagreement([(e.base["reading"], jobs[e.job].g) for e in consistent])
    if clash:
        return clash, max(jobs[e.job].g.claims for e in consistent)
    years = min((e.years for e in consistent), key=len)
    # every reading ends at the horizon, so the common years are the tail of each
    sims = np.concatenate([kept[e.job][0][len(e.years) - len(years):] for e in consistent],
                          axis=-1)
    loc = np.mean([kept[e.job][1][len(e.years) - len(years):] for e in consistent], axis=0)
    n_points = min(jobs[e.job].g.claims for e in consistent)
    note = "pooled over " + ", ".join(e.base["reading"] for e in consistent) + (
        "" if len(consistent) == len(readings) else
        "; readings in conflict with other claims left out")
    (ends, means), = _summaries(sims[None], loc[None], [measure], levels)
    return ends, means, years, n_points, note


def _disagreement(readings: list[tuple[str, _Group]]) -> str:
    """Why readings cannot be pooled (two of them give one period ranges that do not overlap:
    they contradict each other, so a mean between them is a figure no claim states), or ''.
    """
    for (name_a, a), (name_b, b) in itertools.combinations(readings, 2):
        at_b = {p: i for i, p in enumerate(b.periods)}
        for i, period in enumerate(a.periods):
            j = at_b.get(period)
            if j is not None and (a.high[i] < b.low[j] or b.high[j] < a.low[i]):
                return (f"not pooled: the readings {name_a} and {name_b} contradict each other "
                        f"at {period} ({_figure(a.value[i])} against {_figure(b.value[j])}); "
                        "each is projected on its own")
    return ""


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def feasibility(series: pd.DataFrame, *misuse: object, bounds: Mapping[str, str] | None = None,
                statements: pd.DataFrame | None = None, draws: int = 1000,
                min_observed: int = MIN_OBSERVED) -> pd.DataFrame:
    """For each forward statement, the chance that the projection reaches it, and the growth it
    needs.

    Call it as ``feasibility(series, bounds=ledger.capacity_bounds())``: the same rows as
    ``make`` and ``prodstats build`` publish. ``bounds``, ``statements``, ``draws`` and
    ``min_observed`` (as for :func:`project`) are keywords only.

    ``statements`` are the forward statements to judge: by default the rows of ``series``
    with a forward modality. Where the series hold only observations (the forward-statement
    model of issue 18), pass ``statements=ledger.claims``: its forward level and share claims
    (current, and the head of their ``same_as`` group) are judged in each scenario their
    confidence belongs to.

    The statements judged are the rows of ``series`` whose modality is a forward one
    (:data:`FORWARD`: target, pledge, proposal, aspiration, or a forecast, ``expected``); they
    are never counted as observations (:func:`observed`). A statement is judged at the **end**
    of its period, on the time axis of the series' ``t``
    (:attr:`~prodstats.periods.Period.end_year`): ``2025-12`` and ``2025`` at the end of
    December 2025 (2026.0), ``2025-06`` at the end of June, a range at the end of its last day.
    Against the series of the same actor and indicator (and unit):

    - ``prob_reach``: share of pooled predictive draws at that date at or above the figure;
    - ``projected_mean``: the mean location of the projection at that date;
    - ``required_growth``: yearly growth from the last observation (at its place on the time
      axis) to the statement's date, ``(target/last)^(1/years) − 1``; for a total counted
      from the same start as the last observation (a pledge of 1 M shells over 2023-04/2024-12
      against 520,000 over 2023-04/2024-03), the rise of the rate that the remainder needs
      over the rate so far (+23 %: 480,000 in 9 months), said in ``note``;
    - ``trajectory_growth``: yearly growth over the observed points, ``(last/first)^(1/years) − 1``,
      from as many observed periods as a projection needs (two or three points are not a
      trend).

    Where the claims of the first or the last observed period contradict each other, there is
    no last value and no growth: their mean is a figure no claim states (the note says so).

    ``prob_reach`` and ``projected_mean`` need a projection, so a series with fewer observed
    periods than :data:`MIN_OBSERVED` gives the growth figures only. A statement whose period
    does not end after the last observed period ends is noted, not judged. Every empty figure
    has its reason in ``note``.

    A statement about a capacity indicator that ``bounds`` maps to an output indicator (from
    ``indicators.csv``: ``measures = capacity``, ``bounds = shells_produced``) is judged
    against the projection of that output, with the caveat in ``note``: output reaches a
    capacity only when the capacity is fully used. Without an observed output series, it is
    judged against the capacity series itself; without either, the row says so.
    ``judged_against`` names the series used. An empty ``series`` (or one without forward
    statements) gives an empty frame with the same columns.

    Raises:
        FrameError: ``series`` is not a frame from :func:`prodstats.resolve`.
        TypeError: a second positional argument (the capacity bounds go by keyword).
        ValueError: ``draws`` is not an integer >= 1.
    """
    if misuse:
        raise TypeError(
            "feasibility() takes one positional argument, the series; pass the capacity bounds "
            "by keyword: feasibility(series, bounds=ledger.capacity_bounds()) (got "
            f"{type(misuse[0]).__name__} {_short(misuse[0])} as a second positional argument)")
    require_columns(series, SERIES_NEEDS, "feasibility()", _FROM_RESOLVE,
                    numbers=_NUMBERS)
    draws = _check_draws(draws)
    least = _check_min_observed(min_observed)
    return _feasibility(_Points(series), series, bounds, statements, draws, least)


def forecasts(series: pd.DataFrame, bounds: Mapping[str, str] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``project(series)`` and ``feasibility(series, bounds=bounds)`` as a build publishes them,
    with the observed points of every series combined once for both.
    """
    require_columns(series, SERIES_NEEDS, "forecasts()", _FROM_RESOLVE, numbers=_NUMBERS)
    pts = _Points(series)
    return (_project(pts, _horizons(series), None, MIN_OBSERVED, 1000, (80, 95)),
            _feasibility(pts, series, bounds, None, 1000, MIN_OBSERVED))


def _feasibility(pts: _Points, series: pd.DataFrame, bounds: Mapping[str, str] | None,
                 statements: pd.DataFrame | None, draws: int, least: int) -> pd.DataFrame:
    """:func:`feasibility` of the combined points ``pts`` of ``series`` (arguments checked)."""
    targets = (series[series["modality"].isin(FORWARD) & (series["claim_ids"].fillna("") != "")]
               if statements is None else _forward_claims(statements))
    # First each statement's row and the readings (jobs) it is judged on; then all draws.
    jobs: dict[tuple, _Job] = {}
    plan = [_statement(pts, tgt, bounds or {}, least, jobs)
            for tgt in targets.drop_duplicates(["scenario", "claim_ids"]).astype(object)
            .itertuples(index=False)]  # (object cells iterate much faster than Arrow ones)
    # one order whichever frame the statements come from: by series, then date due
    plan.sort(key=lambda p: (list(SCENARIOS).index(p[0]["scenario"]), p[0]["actor"],
                             p[0]["indicator"], p[0]["due"], p[0]["claim_id"]))
    targets_of: dict[tuple, set] = {}
    for base, _, mine, _ in plan:
        for key in mine:
            targets_of.setdefault(key, set()).add(base["target_value"])
    reach, means_of = {}, {}  # (job, target) → share of draws at or above it; job → mean
    for part, sims, loc in _batches(jobs, draws):
        for r, key in enumerate(part):
            reach.update(((key, v), float(np.mean(sims[r, 0] >= v))) for v in targets_of[key])
            means_of[key] = float(loc[r, 0])
    rows = [_judged(base, notes, [(reach[(i, base["target_value"])], means_of[i]) for i in mine],
                    ends) for base, notes, mine, ends in plan]
    return _typed(pd.DataFrame(rows, columns=FEASIBILITY_COLUMNS))


def _statement(pts: _Points, tgt, bounds: Mapping[str, str], least: int,
               jobs: dict[tuple, _Job]) -> tuple[dict, list[str], list[tuple], dict | None]:
    """One forward statement's row fields, notes, the jobs (readings at its date, added to
    ``jobs``) its chance is drawn from, and its last and first observations (or None).
    """
    base = {"claim_id": tgt.claim_ids, "actor": tgt.actor, "indicator": tgt.indicator,
            "scenario": tgt.scenario, "target_period": tgt.period, "target_value": tgt.value,
            "unit": tgt.unit}
    due = parse_period(str(tgt.period))
    against, readings, notes = _judged_against(pts, tgt, bounds)
    base["judged_against"] = against
    seen, used, unprojected = {}, [], {}
    for reading, at in readings.items():
        if len(at) == 0:
            continue
        seen[reading] = at
        g = pts.observed_points(at, tgt.unit, least)
        if isinstance(g, str):
            unprojected[reading] = g
        elif due.end > parse_period(g.periods[-1]).end:
            used.append((reading, g))
    if len(set(unprojected.values())) == 1:
        notes.append(f"no chance or projected mean: {next(iter(unprojected.values()))}")
    else:
        notes += [f"no chance or projected mean for {r}: {why}" for r, why in
                  unprojected.items()]
    clash = _disagreement(used)
    if clash:
        notes.append(clash.replace("each is projected on its own",
                                   "no chance or projected mean is averaged across them"))
        used = []
    mine = [_add(jobs, _Job(g, np.array([due.end_year - g.t[-1]]),
                            _seed(tgt.actor, against, "level", reading))) for reading, g in used]
    if len(used) > 1:
        notes.append(f"chance and projected mean averaged over the readings "
                     f"{', '.join(r for r, _ in used)}; last value and growth from {used[-1][0]}")
    elif seen and len(seen) > 1:
        notes.append(f"last value and growth from {used[-1][0] if used else list(seen)[-1]}")
    last = seen[used[-1][0]] if used else next(reversed(seen.values()), None)
    ends = None if last is None else {
        "last_period": str(pts.period[last[-1]]), "last_value": float(pts.value[last[-1]]),
        "last_t": float(pts.t[last[-1]]), "first_value": float(pts.value[last[0]]),
        "first_t": float(pts.t[last[0]]), "periods": len(last),
        "clash": [str(pts.period[i]) for i in (last[0], last[-1]) if pts.conflicting[i]],
        "open": ("floor" if pts.floor[last[-1]] else "ceiling" if pts.ceiling[last[-1]]
                 else None),
        "least": least,
        "after": due.end > parse_period(str(pts.period[last[-1]])).end}
    return {**base, "due": due.end_year}, notes, mine, ends


#: What ``statements=`` needs from a claims frame (``ledger.claims``).
CLAIMS_NEEDS = ("claim_id", "actor", "indicator", "kind", "modality", "period", "confidence",
                "value_canonical", "canonical_unit")


def _forward_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The forward statements of a claims frame as rows like a series' (scenario, actor,
    indicator, measure, period, value, unit, modality, claim_ids): level and share claims
    with a forward modality and a production scope, current and heads of their ``same_as``
    group, once per scenario
    whose confidences include theirs. A forward ratio is a multiple of its base period, not
    a figure of the series: the promise tracker follows it.
    """
    require_columns(claims, CLAIMS_NEEDS, "feasibility(statements=...)",
                    "the claims of a validated ledger, prodstats.load(...).claims")
    keep = claims["modality"].isin(FORWARD) & claims["kind"].isin(["level", "share"])
    for column in ("superseded_by", "same_as"):
        if column in claims.columns:
            keep &= claims[column].astype(object).fillna("").astype(str) == ""
    if "scope" in claims.columns:  # context figures are not tracked
        keep &= claims["scope"].astype(object).ne("context")
    forward = claims[keep]
    frames = [pd.DataFrame({
        "scenario": scenario, "actor": part["actor"], "indicator": part["indicator"],
        "measure": part["kind"], "period": part["period"], "value": part["value_canonical"],
        "unit": part["canonical_unit"], "modality": part["modality"],
        "claim_ids": part["claim_id"]}) for scenario, allowed in SCENARIOS.items()
        for part in [forward[forward["confidence"].isin(allowed)]]]
    return pd.concat(frames, ignore_index=True).astype(object)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _judged_against(pts: _Points, tgt, bounds: Mapping[str, str]) -> tuple[str, dict, list]:
    """The indicator a forward statement is judged against, its readings, and the notes that
    say why: a capacity against the output it bounds when that output has observations, else
    against the capacity series itself; without observations, not judged, and why.
    """
    def readings(indicator: str) -> dict:
        return pts.series.get((tgt.scenario, tgt.actor, indicator, tgt.measure, tgt.unit), {})

    def has(found: dict) -> bool:
        return any(len(at) for at in found.values())

    own, output = tgt.indicator, bounds.get(tgt.indicator, tgt.indicator)
    if output != own and has(readings(output)):
        return output, readings(output), [
            f"a capacity target, judged against the projection of {output}: output reaches "
            "a capacity only when the capacity is fully used"]
    if has(readings(own)):
        return own, readings(own), ([] if output == own else [
            f"a capacity target with no observed {output} of {tgt.actor}: judged against the "
            f"capacity series {own} itself"])
    names = own if output == own else f"{output} (the output it bounds) or {own}"
    return own if output == own else output, {}, [
        f"not judged: no observed {names} of {tgt.actor} in {tgt.unit} in this scenario"]


def _remainder(base: dict, ends: dict) -> tuple[float, str] | None:
    """For a total counted from the same start as the last observation (1 M shells over
    2023-04/2024-12 against 520,000 delivered over 2023-04/2024-03), the rise of the rate that
    the remainder needs over the rate so far, and the note that says so; None otherwise.

    Both figures are rates per year over their own spans (the series' unit), so the totals
    are rate × span. Averaging the two rates instead would hide that the months already
    counted are part of the target: the remainder must come in the months that are left.
    """
    due, last = parse_period(str(base["target_period"])), parse_period(ends["last_period"])
    if (due.precision != "range" or last.precision != "range" or due.start != last.start
            or due.end <= last.end or not ends["last_value"] > 0 or not base["target_value"] > 0):
        return None
    unit = str(base["unit"]).split("/")[0]
    done = ends["last_value"] * last.years
    total = base["target_value"] * due.years
    left = parse_period(f"{(last.end + timedelta(days=1)).isoformat()}/{due.end.isoformat()}")
    need = max(total - done, 0.0) / left.years
    rise = need / ends["last_value"] - 1
    counted = (f"{_figure(total)} {unit} counted from {last.start:%Y-%m}: "
               f"{_figure(done)} by {last.end:%Y-%m}")
    if total <= done:
        return rise, f"{counted}, already reached"
    return rise, (f"{counted}; the remaining {_figure(total - done)} in {left.years * 12:.0f} "
                  f"months need {_figure(need)} a year, {rise:+.0%} on the rate so far "
                  f"({_figure(ends['last_value'])} a year); required_growth is that step in "
                  "the rate, not a yearly growth")


def _required(base: dict, ends: dict, due_year: float, notes: list[str]) -> dict:
    """``required_growth`` of a statement (or nothing, with the reason added to ``notes``)."""
    target, last = base["target_value"], ends["last_value"]
    remainder = _remainder(base, ends)
    if remainder is not None:
        notes.append(remainder[1])
        return {"required_growth": remainder[0]}
    if np.isnan(last) or np.isnan(target):
        notes.append("no required growth: the last observation or the target is a range with "
                     "no figure (value_basis range)")
    elif last > 0 and target > 0:
        return {"required_growth": (target / last) ** (1 / (due_year - ends["last_t"])) - 1}
    else:
        notes.append("no required growth: it needs a positive target and last value "
                     "(logs are taken)")
    return {}


def _so_far(ends: dict, notes: list[str]) -> dict:
    """``trajectory_growth`` over the observations (or nothing, with the reason in ``notes``)."""
    last, first = ends["last_value"], ends["first_value"]
    if ends["periods"] < ends["least"]:  # two or three points are not a trend
        notes.append(f"no growth so far: {ends['periods']} observed "
                     f"period{'s' * (ends['periods'] != 1)} (a growth rate, like a "
                     f"projection, needs at least {ends['least']})")
    elif np.isnan(last) or np.isnan(first):
        notes.append("no growth so far: an observation is a range with no figure")
    elif last > 0 and first > 0:
        return {"trajectory_growth":
                (last / first) ** (1 / (ends["last_t"] - ends["first_t"])) - 1}
    else:
        notes.append("no growth so far: it needs positive values (logs are taken)")
    return {}


def _judged(base: dict, notes: list[str], chances: list[tuple[float, float]],
            ends: dict | None) -> dict:
    """A statement's row: the chance and projected mean (averaged over the readings it is
    judged on, ``chances``), and the growth it needs against the growth so far. Every figure
    left empty gets its reason in ``note``.
    """
    due_year = base.pop("due")
    row = dict(base)
    if ends is None:
        row["note"] = "; ".join(dict.fromkeys(notes))
        return row
    row["last_period"] = ends["last_period"]
    if ends["clash"]:  # a mean of claims that contradict each other is no figure to quote
        notes.append(f"no last value or growth: the claims of "
                     f"{' and '.join(dict.fromkeys(ends['clash']))} contradict each other "
                     "(conflicts.csv), and their mean is a figure no claim states")
    else:
        row["last_value"] = ends["last_value"]
    if chances:
        row.update(prob_reach=float(np.mean([p for p, _ in chances])),
                   projected_mean=float(np.mean([m for _, m in chances])))
    if not ends["after"]:
        notes.append("not judged: the target period does not end after the last observation")
        row["note"] = "; ".join(dict.fromkeys(notes))
        return row
    if ends["clash"]:
        row["note"] = "; ".join(dict.fromkeys(notes))
        return row
    row.update(_required(base, ends, due_year, notes), **_so_far(ends, notes))
    if ends["open"] and "required_growth" in row:  # "more than 36,000": needed at most ...
        bound = "at most" if ends["open"] == "floor" else "at least"
        side = "above" if ends["open"] == "floor" else "below"
        notes.append(f"the last value, {row['last_value']:,.12g}, is a {ends['open']} (the "
                     f"text gives no figure {side} it), so the growth needed is {bound} "
                     f"{row['required_growth']:.0%} a year")
    if ("trajectory_growth" in row and "required_growth" in row and chances
            and row["trajectory_growth"] > row["required_growth"] and row["prob_reach"] < 0.5):
        notes.append(
            f"the growth so far ({row['trajectory_growth']:.0%} a year) would reach it, but the "
            f"projection continues a damped straight-line trend of {ends['periods']} observed "
            "periods, not compound growth (docs/methodology.md)")
    row["note"] = "; ".join(dict.fromkeys(notes))
    return row
