"""Scoring the projection method on benchmark collections, and fitting its constants.

A collection is a long CSV (``series_id, category, year, value, split``). Each series gives one
case: its last ``window`` training points are projected ``horizon`` steps and scored against
its test points. MASE is scaled by the mean absolute one-step change of the whole training
part (the M4 convention); coverage is the share of test values inside the interval.

The reported figures are **out of collection**: with several collections, each is scored with
constants fitted on the others only (leave one collection out). No constant is ever fitted on
the series it is scored on. :func:`calibrate` fits the shipped constants on all of them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from prodstats.errors import Problem, SeriesError
from prodstats.forecast import (
    CALIBRATION,
    CALIBRATION_FILE,
    ETA,
    KAPPA,
    LEVELS,
    Constants,
    constants,
    horizon_scales,
    point,
    positive,
    quantiles,
    scaled_error,
    trend,
)

#: The point constants are chosen from this grid (the mean MASE ratio over the collections
#: fitted on is smallest); a grid keeps the fit deterministic, cheap and easy to check.
GRID = {"lam": (1.0, 2.0, 4.0, 8.0, 16.0, 32.0), "alpha": (0.4, 0.5, 0.6, 0.75, 1.0)}
#: The MASE goal: at most the better of naive and drift (a ratio of at most 1), on every
#: collection. Coverage must be within this many points of nominal, by window length: 5 at
#: window 3, 3 at window 5 (and in between, the line through them).
RATIO_GOAL = 1.0


def coverage_tolerance(window: int) -> float:
    """How far coverage may be from nominal at this window (5 points at 3, 3 at 5 or more)."""
    return float(np.clip(5.0 - (window - 3), 3.0, 5.0))


@dataclass
class Collection:
    """The usable cases of one collection, and the series dropped with their reasons."""

    name: str
    window: int
    horizon: int
    ids: list[str]
    y: np.ndarray            # (series, window): the last training points
    truth: np.ndarray        # (series, horizon)
    mase_scale: np.ndarray   # (series,)
    dropped: dict[str, list[str]] = field(default_factory=dict)

    @property
    def odd(self) -> np.ndarray:
        """Series whose id ends in an odd number."""
        nums = [int("".join(ch for ch in s if ch.isdigit()) or 0) for s in self.ids]
        return np.array([n % 2 == 1 for n in nums], dtype=bool)


def load(path: str | Path, window: int, horizon: int) -> Collection:
    """Read a collection; raise :class:`SeriesError` (one line) when no series is usable."""
    path = Path(path)
    if window < 2 or horizon < 1:
        raise SeriesError(f"window must be at least 2 and horizon at least 1 (got {window}, "
                          f"{horizon})")
    data = _read(path)
    groups = {s: g for s, g in data.groupby("series_id", sort=False)}
    ids, ys, truths, scales = [], [], [], []
    dropped: dict[str, list[str]] = {}
    for sid, g in groups.items():
        train = g.loc[g["split"] == "train", "value"].to_numpy(dtype=float)
        test = g.loc[g["split"] == "test", "value"].to_numpy(dtype=float)
        reason = _out_of_order(g) or _unusable(train, test, window, horizon)
        if reason:
            dropped.setdefault(reason, []).append(sid)
            continue
        ids.append(sid)
        ys.append(train[-window:])
        truths.append(test[:horizon])
        scales.append(np.mean(np.abs(np.diff(train))))
    if not ids:
        why = "; ".join(f"{len(v)} {k}" for k, v in dropped.items()) or "the file has no rows"
        raise SeriesError(f"{path}: no usable series for window {window} and horizon {horizon} "
                          f"({why})")
    return Collection(path.stem, window, horizon, ids, np.array(ys), np.array(truths),
                      np.array(scales), dropped)


#: What a collection file holds, for messages.
FORMAT = ("a long CSV with the columns series_id, year, value, split (train or test) and "
          "optionally category: one row per series and year, years consecutive, the test "
          "years after the training years")


#: Cells that other tools write for a missing value; read as an empty cell.
MISSING = ["NA", "NaN", "nan", "N/A", "#N/A"]


def _read(path: Path) -> pd.DataFrame:
    """A collection's rows, sorted by series and year; raise :class:`SeriesError` naming the
    first bad rows (``file:line: column 'c' = 'found': what is expected``).
    """
    if not path.is_file():
        raise SeriesError(f"{path}: no such file; pass {FORMAT}")
    try:
        data = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                           skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise SeriesError(f"{path}: the file is empty; pass {FORMAT}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise SeriesError(f"{path}: not a readable UTF-8 CSV ({exc}); pass {FORMAT}") from None
    need = {"series_id", "year", "value", "split"}
    if not need <= set(data.columns):
        raise SeriesError(f"{path}: needs the columns {sorted(need)}; has {list(data.columns)}"
                          f"; pass {FORMAT}")
    data["line"] = data.index + 2                      # the header is line 1
    data = data[(data.drop(columns="line").fillna("") != "").any(axis=1)]   # blank lines
    year = pd.to_numeric(data["year"], errors="coerce")
    _refuse(path, data, year.isna() | (year % 1 != 0), "year", "a whole year, such as 2015")
    value = data["value"].str.strip().replace(MISSING, "")   # R and pandas write NA, NaN
    number = pd.to_numeric(value, errors="coerce")
    _refuse(path, data, number.isna() & (value != ""), "value",
            "a number with a point as the decimal mark and no thousands separators "
            "(12.5, 2500000), or an empty cell for a missing value")
    _refuse(path, data, ~data["split"].isin(["train", "test"]), "split",
            "train or test (lower case)")
    data = data.assign(series_id=data["series_id"].astype(str), year=year.astype(int),
                       value=number)
    twice = data.duplicated(["series_id", "year"], keep="first")
    _refuse(path, data, twice, "year", "each year once per series (this series has it twice)")
    return data.sort_values(["series_id", "year"], kind="stable")


def _refuse(path: Path, data: pd.DataFrame, bad: pd.Series, column: str,
            expected: str) -> None:
    """Raise a one-line error for the first rows where ``bad`` holds."""
    if not bad.any():
        return
    rows = data[bad.to_numpy()]
    first = rows.iloc[0]
    more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
    raise SeriesError(str(Problem(str(path), int(first["line"]), column, str(first[column]),
                                  f"expected {expected}{more}")))


def _out_of_order(g: pd.DataFrame) -> str | None:
    """Why a series' years cannot be read as one yearly series, or None."""
    years = g["year"].to_numpy()
    if np.any(np.diff(years) != 1):
        return "years not consecutive (a gap)"
    test = (g["split"] == "test").to_numpy()
    if test.any() and not test[test.argmax():].all():
        return "a training year after a test year"
    return None


#: The largest value scored: squares and sums of larger ones overflow a float.
SCORABLE = 1e100


def _unusable(train: np.ndarray, test: np.ndarray, window: int, horizon: int) -> str | None:
    """Why a series cannot be scored, or None."""
    if len(train) < max(window, 2):
        return f"training part shorter than the window of {window}"
    if len(test) < horizon:
        return f"fewer than {horizon} test points"
    if not (np.all(np.isfinite(train)) and np.all(np.isfinite(test[:horizon]))):
        return "missing or infinite values"
    if np.any(train <= 0) or np.any(test[:horizon] <= 0):
        return "non-positive values"
    if max(np.max(train), np.max(test[:horizon])) > SCORABLE:
        return f"too large to score (values above {SCORABLE:g} overflow)"
    if np.all(np.diff(train) == 0):
        return "constant training part (MASE undefined)"
    return None


def dropped_line(c: Collection) -> str:
    """One line saying how many series were dropped and why (empty when none were)."""
    if not c.dropped:
        return ""
    n = sum(len(v) for v in c.dropped.values())
    parts = "; ".join(f"{len(v)} {k} (e.g. {', '.join(v[:3])})" for k, v in c.dropped.items())
    return f"{c.name}: {n} series dropped: {parts}"


# ---------------------------------------------------------------------------------------------
# Forecasts: prodstats with given constants, the baselines, and statsmodels
# ---------------------------------------------------------------------------------------------

def _h(c: Collection) -> np.ndarray:
    return np.arange(1, c.horizon + 1, dtype=float)


def _t(c: Collection) -> np.ndarray:
    return np.arange(c.window, dtype=float)


def forecast(c: Collection, calibration: dict[int, Constants]) -> tuple:
    """The prodstats point forecast and 80 % / 95 % intervals: (f, i80, i95)."""
    q = quantiles(c.y, _t(c), _h(c), np.array([0.025, 0.1, 0.9, 0.975]), calibration)
    k = constants(c.window, calibration)
    level, slope, _ = trend(c.y, _t(c), k)
    return positive(point(level, slope, _h(c)), c.y[:, -1:]), q[..., [1, 2]], q[..., [0, 3]]


def baselines(c: Collection) -> dict:
    """Naive (last value) and drift, with their textbook normal intervals."""
    from scipy import stats

    z80, z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)
    h, k = _h(c), c.window
    diffs = np.diff(c.y, axis=1)
    last = c.y[:, -1]
    sd_naive = np.sqrt((diffs ** 2).mean(axis=1))
    sd_drift = diffs.std(axis=1, ddof=1) if k > 2 else np.abs(diffs[:, 0])
    naive = np.repeat(last[:, None], c.horizon, axis=1)
    wn = sd_naive[:, None] * np.sqrt(h)
    dr = last[:, None] + diffs.mean(axis=1)[:, None] * h
    wd = sd_drift[:, None] * np.sqrt(h * (1 + h / (k - 1)))
    return {"naive": (naive, np.stack([naive - z80 * wn, naive + z80 * wn], -1),
                      np.stack([naive - z95 * wn, naive + z95 * wn], -1)),
            "drift": (dr, np.stack([dr - z80 * wd, dr + z80 * wd], -1),
                      np.stack([dr - z95 * wd, dr + z95 * wd], -1))}


def statsmodels_forecasts(c: Collection) -> dict:
    """Statsmodels' damped-trend ETS, Theta and ARIMA(0,1,0) with drift on the same windows.

    Each gives its own prediction intervals. A fit that fails falls back to naive (counted).
    """
    import warnings

    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel

    index = pd.period_range("2000", periods=c.window, freq="Y")
    n, horizon = len(c.y), c.horizon

    def ets(row):
        res = ETSModel(row, trend="add", damped_trend=True).fit(disp=False)
        pred = res.get_prediction(start=len(row), end=len(row) + horizon - 1)
        return [pred.summary_frame(alpha=a) for a in (0.2, 0.05)], "mean", ("pi_lower", "pi_upper")

    def theta(row):
        res = ThetaModel(row, period=1, deseasonalize=False).fit()
        f = res.forecast(horizon)
        return [res.prediction_intervals(horizon, alpha=a).assign(mean=f.to_numpy())
                for a in (0.2, 0.05)], "mean", ("lower", "upper")

    def arima(row):
        res = ARIMA(row, order=(0, 1, 0), trend="t").fit()
        pred = res.get_forecast(horizon)
        return ([pred.summary_frame(alpha=a) for a in (0.2, 0.05)], "mean",
                ("mean_ci_lower", "mean_ci_upper"))

    out = {}
    for name, fit in (("ets_damped", ets), ("theta", theta), ("arima_drift", arima)):
        f, i80, i95 = np.empty((n, horizon)), np.empty((n, horizon, 2)), np.empty((n, horizon, 2))
        failed = 0
        for i, values in enumerate(c.y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    (f80, f95), mean, (lo, hi) = fit(pd.Series(values, index=index))
                    f[i] = f80[mean].to_numpy()
                    i80[i] = f80[[lo, hi]].to_numpy()
                    i95[i] = f95[[lo, hi]].to_numpy()
                    if not (np.all(np.isfinite(f[i])) and np.all(np.isfinite(i95[i]))):
                        raise ValueError("non-finite forecast")
                except (ValueError, np.linalg.LinAlgError):
                    failed += 1
                    f[i] = i80[i, :, 0] = i80[i, :, 1] = values[-1]
                    i95[i] = i80[i]
        out[name] = (f, i80, i95, failed)
    return out


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------

def score(f, i80, i95, truth, mase_scale) -> dict:
    """MASE, sMAPE and coverage (percent) over all series and horizons."""
    return {
        "mase": float(np.mean(np.abs(truth - f) / mase_scale[:, None])),
        "smape": float(np.mean(200 * np.abs(truth - f) / (np.abs(truth) + np.abs(f)))),
        "coverage80": float(np.mean((truth >= i80[..., 0]) & (truth <= i80[..., 1])) * 100),
        "coverage95": float(np.mean((truth >= i95[..., 0]) & (truth <= i95[..., 1])) * 100),
    }


def _breakdown(c: Collection, fc: tuple) -> dict:
    """Scores over all, each half (odd/even ids), h = 1 and the last h."""
    f, i80, i95 = fc[:3]
    out = {"all": score(f, i80, i95, c.truth, c.mase_scale)}
    for name, m in (("odd", c.odd), ("even", ~c.odd)):
        if m.any():
            out[name] = score(f[m], i80[m], i95[m], c.truth[m], c.mase_scale[m])
    for name, j in (("h1", 0), (f"h{c.horizon}", c.horizon - 1)):
        sl = slice(j, j + 1)
        out[name] = score(f[:, sl], i80[:, sl], i95[:, sl], c.truth[:, sl], c.mase_scale)
    return out


def _best_baseline(c: Collection, base: dict | None = None) -> float:
    base = baselines(c) if base is None else base
    return min(score(*base[n], c.truth, c.mase_scale)["mase"] for n in ("naive", "drift"))


# ---------------------------------------------------------------------------------------------
# Fitting the constants
# ---------------------------------------------------------------------------------------------

def fit(collections: list[Collection]) -> Constants:
    """Fit one window's constants on ``collections`` (all of the same window).

    The point constants minimise the mean, over the collections, of the MASE ratio to the
    better of naive and drift (each collection counts equally). The interval is conformal:
    each error is scaled by its series' own scale on its side of the point
    (:func:`~prodstats.forecast.horizon_scales`, with the fixed κ and η); β is the slope of log
    median scaled error on log h (every series that reaches h counts); the table holds
    quantiles of |error| / (scale · h^β) pooled over all series and horizons. No distribution
    is assumed, and no single horizon drives the table.
    """
    windows = {c.window for c in collections}
    if len(windows) != 1:
        raise SeriesError(f"fit needs collections of one window length, got {sorted(windows)}")
    best = [_best_baseline(c) for c in collections]
    placeholder = (0.0,) * len(LEVELS)

    def loss(lam, alpha):
        k = Constants(lam, alpha, KAPPA, ETA, 0.0, placeholder)
        total = 0.0
        for c, b in zip(collections, best, strict=True):
            level, slope, _ = trend(c.y, _t(c), k)
            f = positive(point(level, slope, _h(c)), c.y[:, -1:])
            total += np.mean(np.abs(c.truth - f) / c.mase_scale[:, None]) / b
        return total / len(collections)

    lam, alpha = min(itertools.product(GRID["lam"], GRID["alpha"]), key=lambda p: loss(*p))
    k = Constants(lam, alpha, KAPPA, ETA, 0.0, placeholder)
    horizon = max(c.horizon for c in collections)
    by_h: list[list[np.ndarray]] = [[] for _ in range(horizon)]
    for c in collections:
        level, slope, _ = trend(c.y, _t(c), k)
        f = positive(point(level, slope, _h(c)), c.y[:, -1:])
        low, high = horizon_scales(c.y, _t(c), k, _h(c))
        errors = np.abs(scaled_error(c.truth, f, low, high, c.y[:, -1:]))
        for j in range(c.horizon):
            by_h[j].append(errors[:, j])
    scaled = [np.concatenate(e) for e in by_h]
    hs = np.arange(1, horizon + 1, dtype=float)
    beta = (float(np.polyfit(np.log(hs), np.log([np.median(e) for e in scaled]), 1)[0])
            if horizon > 1 else 0.0)
    beta = round(beta, 5)
    pooled = np.concatenate([e / h ** beta for e, h in zip(scaled, hs, strict=True)])
    table = tuple(round(float(v), 5) for v in np.quantile(pooled, LEVELS))
    return Constants(lam, alpha, KAPPA, ETA, beta, table)


def calibrate(paths: list[Path], horizons: list[int], windows=range(2, 7)) -> dict:
    """The shipped calibration: for each window K, constants fitted on all ``paths``."""
    by_window = {}
    for k in windows:
        cols = [load(p, k, h) for p, h in zip(paths, horizons, strict=True)]
        by_window[str(k)] = asdict(fit(cols))
    pairs = list(zip(paths, horizons, strict=True))
    return {"fitted_on": [f"{Path(p).name} (horizon {h})" for p, h in pairs],
            "command": "python -m prodstats calibrate "
                       + " ".join(f"--data {p} --horizon {h}" for p, h in pairs) + " --write",
            "levels": list(LEVELS), "by_window": by_window}


def write_calibration(calibration: dict, path: Path = CALIBRATION_FILE) -> Path:
    """Write the calibration JSON that :mod:`prodstats.forecast` loads."""
    path.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The backtest
# ---------------------------------------------------------------------------------------------

def backtest(paths: list[str | Path], horizons: list[int], window: int = 5,
             compare: bool = False) -> dict:
    """Score prodstats, naive and drift (and statsmodels with ``compare``) on each collection.

    With two or more collections, each is scored with constants fitted on the others only
    ("out of collection"). With one, the shipped constants are used, and the result says so:
    they are in-sample if the file is one they were fitted on.
    """
    cols = [load(p, window, h) for p, h in zip(paths, horizons, strict=True)]
    names = [c.name for c in cols]
    if len(set(names)) != len(names):
        raise SeriesError(f"collections need distinct file names, got {names}")
    out = {"window": window, "collections": {}}
    for i, c in enumerate(cols):
        others = [o for j, o in enumerate(cols) if j != i]
        if others:
            calibration = {window: fit(others)}
            fitted_on = [o.name for o in others]
        else:
            calibration, fitted_on = CALIBRATION, ["shipped constants (prodstats/calibration.json)"]
        base = baselines(c)
        best = _best_baseline(c, base)
        fc = forecast(c, calibration)
        k = constants(window, calibration)
        entry = {"n_series": len(c.ids), "window": window, "horizon": c.horizon,
                 "fitted_on": fitted_on,
                 "constants": {"lam": k.lam, "alpha": k.alpha, "kappa": k.kappa,
                               "eta": k.eta, "beta": k.beta},
                 "dropped": {r: len(v) for r, v in c.dropped.items()},
                 "prodstats": _breakdown(c, fc),
                 "methods": {n: score(*v, c.truth, c.mase_scale) for n, v in base.items()}}
        if compare:
            for name, (f, i80, i95, failed) in statsmodels_forecasts(c).items():
                entry["methods"][name] = {**score(f, i80, i95, c.truth, c.mase_scale),
                                          "failed_fits": failed}
        entry["mase_ratio_to_best_baseline"] = entry["prodstats"]["all"]["mase"] / best
        entry["goals"] = goals(c.name, entry)
        out["collections"][c.name] = entry
    out["dropped_lines"] = [line for line in map(dropped_line, cols) if line]
    return out


def goals(name: str, entry: dict) -> dict:
    """Each goal of docs/methodology.md: ``{goal: (measured, met)}``."""
    out = {}
    ratio = entry["mase_ratio_to_best_baseline"]
    out[f"MASE ratio <= {RATIO_GOAL:g}"] = (round(ratio, 3), ratio <= RATIO_GOAL)
    tolerance = coverage_tolerance(entry["window"])
    for part in ("all", "h1", f"h{entry['horizon']}"):
        for lv in (80, 95):
            cov = entry["prodstats"][part][f"coverage{lv}"]
            out[f"coverage {lv} % ({part}) within {tolerance:g} of {lv}"] = (
                round(cov, 1), abs(cov - lv) <= tolerance)
    return out


def format_backtest(result: dict) -> str:
    """A table per collection, then the goals."""
    lines = []
    for name, e in result["collections"].items():
        lines += [f"{name}: {e['n_series']} series, window K={result['window']}, horizon "
                  f"H={e['horizon']}; constants fitted on {', '.join(e['fitted_on'])} "
                  f"(λ={e['constants']['lam']:g}, α={e['constants']['alpha']:g}, "
                  f"κ={e['constants']['kappa']:g}, η={e['constants']['eta']:g}, "
                  f"β={e['constants']['beta']:.3f})",
                  f"  {'method':<22}{'MASE':>8}{'sMAPE':>8}{'cov80':>8}{'cov95':>8}"]
        for part, m in e["prodstats"].items():
            label = "prodstats" if part == "all" else f"  {part}"
            lines.append(f"  {label:<22}{m['mase']:>8.3f}{m['smape']:>8.2f}"
                         f"{m['coverage80']:>8.1f}{m['coverage95']:>8.1f}")
        for mname, m in e["methods"].items():
            fails = (f"  ({m['failed_fits']} fits fell back to naive)" if m.get("failed_fits")
                     else "")
            lines.append(f"  {mname:<22}{m['mase']:>8.3f}{m['smape']:>8.2f}"
                         f"{m['coverage80']:>8.1f}{m['coverage95']:>8.1f}{fails}")
        lines.append(f"  MASE ratio to the better of naive and drift: "
                     f"{e['mase_ratio_to_best_baseline']:.3f}")
        for goal, (value, met) in e["goals"].items():
            verdict = "met" if met else "not measured" if value != value else "MISSED"
            lines.append(f"  goal {goal}: {value} {verdict}")
    lines += result.get("dropped_lines", [])
    return "\n".join(lines)


def format_goals(results: list[dict]) -> str:
    """Every goal of every window and collection, one line each with pass or miss, then the
    count of goals missed per window.
    """
    lines = ["goals (each collection scored with constants fitted on the other only):"]
    for result in results:
        missed = 0
        for name, e in result["collections"].items():
            for goal, (value, met) in e["goals"].items():
                lines.append(f"  window {result['window']}  {name:<16} {goal:<40} {value:>7}  "
                             f"{'pass' if met else 'MISS'}")
                missed += not met
        total = sum(len(e["goals"]) for e in result["collections"].values())
        lines.append(f"  window {result['window']}: {total - missed} of {total} goals met, "
                     f"{missed} missed")
    return "\n".join(lines)


def to_json(result: dict) -> str:
    """The backtest as one JSON line."""
    return json.dumps(result, sort_keys=True, default=lambda o: bool(o) if isinstance(
        o, np.bool_) else float(o))
