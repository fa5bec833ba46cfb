"""Projections: coverage on simulated series with known truth, hand-checked scenario and
feasibility figures, skipped series with reasons, claim bounds, and the cross-collection
backtest (its goals, its report structure, and its clean errors).
"""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import prodstats
from prodstats import backtest as bt
from prodstats.forecast import (
    ETA,
    _draws,
    _Group,
    _signed,
    constants,
    forecasts,
    horizon_scales,
    point,
    project,
    quantiles,
    spread,
    trend,
)
from tests.conftest import ROOT, mini_ledger

BENCH = ROOT.parent / "shared" / "benchdata"
M3, TOURISM = BENCH / "m3_yearly.csv", BENCH / "tourism_yearly.csv"


def _series_frame(values: np.ndarray, start: int = 2020) -> pd.DataFrame:
    """Exact points (no claim uncertainty) for many series at once, in resolve()'s shape."""
    n, k = values.shape
    return pd.DataFrame({
        "scenario": "all", "actor": np.repeat([f"s{i:04d}" for i in range(n)], k),
        "indicator": "x", "measure": "level", "reading": "single", "reading_consistent": True,
        "period": np.tile([str(start + j) for j in range(k)], n),
        "t": np.tile(np.arange(k) + start + 0.5, n), "value": values.ravel(),
        "low": values.ravel(), "high": values.ravel(), "unit": "rounds/year",
        "modality": "actual", "confidence": "official",
        "claim_ids": np.tile([f"c{j}" for j in range(k)], n), "derivation": "stated",
    })


def test_coverage_on_simulated_random_walks_with_drift():
    """1,000 random walks with drift (K = 5 known points, 6 projected). The intervals are fitted
    on real yearly series, whose errors are heavier than a random walk's, so here they are
    honest-to-conservative: never below nominal by more than 2 points, at most 8 above.
    """
    rng = np.random.default_rng(20251117)
    n, k, h = 1000, 5, 6
    drift = rng.normal(0, 1, (n, 1))
    sigma = rng.uniform(0.5, 2.0, (n, 1))
    paths = 1000 + np.cumsum(drift + sigma * rng.standard_normal((n, k + h)), axis=1)
    proj = project(_series_frame(paths[:, :k]), horizon=2020 + k + h - 1, draws=1000)
    truth = pd.DataFrame({"actor": np.repeat([f"s{i:04d}" for i in range(n)], h),
                          "period": np.tile([str(2020 + k + j) for j in range(h)], n),
                          "truth": paths[:, k:].ravel()})
    merged = proj.merge(truth, on=["actor", "period"], validate="one_to_one")
    assert len(merged) == n * h
    cov80 = ((merged["truth"] >= merged["pi80_low"]) & (merged["truth"] <= merged["pi80_high"])).mean()
    cov95 = ((merged["truth"] >= merged["pi95_low"]) & (merged["truth"] <= merged["pi95_high"])).mean()
    assert 78 <= cov80 * 100 <= 88, cov80
    assert 93 <= cov95 * 100 <= 99, cov95


def _hand_case(c, h):
    """100, 110, 120: no noise around the drift, so ω = 1 and σ² = 0: the point is
    120 + α·10·h; below it the scale is √κ·10·h, above it (toward the drift) the part of the
    drift the point leaves out, (1 − α)·10·h, is added in quadrature; Q(80 %)·h^β. Below the
    point the error is multiplicative (the bound stays above 0), above it additive.
    """
    centre = 120 + c.alpha * 10 * h
    q80 = np.interp(0.8, bt.LEVELS, np.asarray(c.quantiles)) * h ** c.beta
    below = np.sqrt(c.kappa) * 10 * h
    above = np.hypot(below, (1 - c.alpha) * 10 * h)
    return centre, centre * np.exp(-below * q80 / centre), centre + above * q80


def test_projection_of_a_hand_case_matches_the_closed_form():
    proj = project(_series_frame(np.array([[100.0, 110.0, 120.0]])), horizon=2024, draws=20000,
                   min_observed=3)
    c = constants(3)
    row = proj.set_index("period").loc["2024"]
    centre, low, high = _hand_case(c, 2.0)
    assert row["mean"] == pytest.approx(centre)
    assert row["pi80_high"] == pytest.approx(high, rel=0.02)
    assert row["pi80_low"] == pytest.approx(low, rel=0.02)
    closed = quantiles(np.array([[100.0, 110.0, 120.0]]), np.arange(3.0), np.array([2.0]),
                       np.array([0.1, 0.9]))[0, 0]
    assert closed == pytest.approx([row["pi80_low"], row["pi80_high"]], rel=0.02)
    assert (row["method"], row["n_points"]) == ("shrunk-drift+conformal", 3)


def test_the_closed_form_of_a_hand_case():
    """The hand case of _hand_case through quantiles() alone (no draws)."""
    c = constants(3)
    h = np.array([1.0, 2.0])
    closed = quantiles(np.array([[100.0, 110.0, 120.0]]), np.arange(3.0), h,
                       np.array([0.1, 0.5, 0.9]))[0]
    centre, low, high = _hand_case(c, h)
    assert closed[:, 1] == pytest.approx(centre)
    assert closed[:, 0] == pytest.approx(low)
    assert closed[:, 2] == pytest.approx(high)
    falling = quantiles(np.array([[120.0, 110.0, 100.0]]), np.arange(3.0), h,
                        np.array([0.1, 0.9]))[0]        # the mirror image: wider below
    mirror = 100 - c.alpha * 10 * h
    toward, away = high - centre, centre * np.log(centre / low)   # the scales times Q(80 %)
    assert falling[:, 0] == pytest.approx(mirror * np.exp(-toward / 100))   # r = the last, 100
    assert falling[:, 1] == pytest.approx(mirror + away)
    assert (falling[:, 0] > 0).all()


def test_the_scale_opens_like_root_h_plus_eta_for_noise_and_like_h_for_drift():
    """s_h² = σ²·(h + η) + κ·d²·h²: a flat noisy series' scale grows like √(h + η), a steady
    climb's like h.
    """
    c = constants(5)
    assert c.eta == ETA == 0.5
    t, h = np.arange(5.0), np.array([1.0, 4.0])
    flat = np.array([[100.0, 104.0, 98.0, 103.0, 100.0]])      # drift 0: the same both sides
    steady = np.array([[100.0, 110.0, 120.0, 130.0, 140.0]])   # σ² = 0
    low, high = horizon_scales(flat, t, c, h)
    assert low[0] == pytest.approx(high[0])
    var = (4.0 ** 2 + 6.0 ** 2 + 5.0 ** 2 + 3.0 ** 2) / 3       # changes 4, −6, 5, −3 around 0
    assert low[0] == pytest.approx(np.sqrt(var * (h + 0.5)))
    assert low[0, 1] / low[0, 0] == pytest.approx(np.sqrt(4.5 / 1.5))
    assert trend(flat, t, c)[2][0] == pytest.approx(np.sqrt(var * 1.5))   # s_1 carries η too
    low, high = horizon_scales(steady, t, c, h)
    assert low[0, 1] / low[0, 0] == pytest.approx(4.0)
    assert high[0, 1] / high[0, 0] == pytest.approx(4.0)
    assert low[0, 0] == pytest.approx(np.sqrt(c.kappa) * 10)
    assert high[0, 0] == pytest.approx(np.hypot(np.sqrt(c.kappa), 1 - c.alpha) * 10)
    assert trend(steady, t, c)[2][0] == pytest.approx(low[0, 0])    # trend's scale: s_1


def test_trend_takes_times_of_each_rows_own():
    """Times of shape (rows, k) give each row what times of shape (k,) give it alone."""
    c = constants(4)
    y = np.array([[100.0, 112.0, 118.0, 131.0], [5.0, 4.0, 6.5, 7.0]])
    t = np.array([[2020.5, 2021.5, 2022.5, 2023.5], [2019.0, 2020.25, 2022.0, 2023.0]])
    both = trend(y, t, c)
    h = np.array([0.5, 2.0])
    for i in range(2):
        alone = trend(y[i:i + 1], t[i], c)
        for a, b in zip(both, alone, strict=True):
            assert a[i] == pytest.approx(b[0])
        for a, b in zip(horizon_scales(y, t, c, h), horizon_scales(y[i], t[i], c, h),
                        strict=True):
            assert a[i] == pytest.approx(b[0])


def test_noisy_series_keep_little_drift_and_steady_ones_keep_it():
    c = constants(5)
    t = np.arange(5.0)
    steady = np.array([[100.0, 110.0, 121.0, 130.0, 141.0]])
    noisy = np.array([[100.0, 160.0, 90.0, 170.0, 141.0]])     # same drift, 10.25 a year
    _, slope_steady, _ = trend(steady, t, c)
    level_noisy, slope_noisy, _ = trend(noisy, t, c)
    assert slope_steady[0] == pytest.approx(c.alpha * 10.25, rel=0.01)
    assert abs(slope_noisy[0]) < 0.25 * slope_steady[0]
    line = np.polyval(np.polyfit(t, noisy[0], 1), t[-1])
    assert abs(level_noisy[0] - line) < 0.25 * abs(141.0 - line)   # near the fitted line's end


def test_fractional_horizons_are_smooth_and_the_fan_widens():
    """The table is Q·h^β at any h, fractional or beyond the fitted horizons, and the
    interval (s_h times it) widens with h.
    """
    c = constants(4)
    h = np.array([0.5, 1.0, 1.5, 2.0, 6.0, 8.0])
    assert spread(c, h) == pytest.approx(h[:, None] ** c.beta * np.asarray(c.quantiles)[None])
    u = np.array([0.9])
    e = _signed(c, h, u[:, None])[0]
    y = np.array([[100.0, 110.0, 125.0, 130.0]])
    width = horizon_scales(y, np.arange(4.0), c, h)[1][0] * e
    assert np.all(np.diff(width) > 0)


def test_wider_claim_bounds_give_wider_intervals():
    value = np.array([100.0, 110.0, 125.0, 130.0])
    t = np.arange(4.0) + 2020.5
    h = np.array([1.0, 2.5])
    widths = []
    for bound in (0.0, 0.1, 0.3):
        g = _Group({}, t, value * (1 - bound), value * (1 + bound), value,
                   [str(y) for y in range(2020, 2024)], "u")
        sims, _ = _draws(g, h, 20000, seed=7)
        lo, hi = np.quantile(sims, [0.1, 0.9], axis=0)
        widths.append(hi - lo)
    assert np.all(widths[0] < widths[1]) and np.all(widths[1] < widths[2]), widths
    # exact bounds reproduce the closed form
    c = constants(4)
    level, slope, _ = trend(value[None, :], t, c)
    low, high = horizon_scales(value[None, :], t, c, h)
    e = _signed(c, h, np.array([[0.1], [0.9]]))
    closed = point(level, slope, h)[0] + np.where(e < 0, low[0], high[0]) * e
    assert widths[0] == pytest.approx(closed[1] - closed[0], rel=0.03)


def test_draws_are_deterministic():
    value = np.array([10.0, 30.0, 60.0])
    g = _Group({}, np.arange(3.0) + 0.5, value * 0.9, value * 1.1, value, ["0", "1", "2"], "u")
    a, la = _draws(g, np.array([1.0, 1.5]), 500, seed=3)
    b, lb = _draws(g, np.array([1.0, 1.5]), 500, seed=3)
    assert np.array_equal(a, b) and np.array_equal(la, lb)


def test_scenarios_and_feasibility_on_a_hand_case(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2022", "value": "100"},
        {"period": "2023", "value": "110"},
        {"period": "2024", "value": "120"},
        {"period": "2025", "value": "400", "confidence": "unverified"},  # an outlier claim
        {"period": "2026", "value": "200", "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    proj = prodstats.project(series, min_observed=3)
    assert sorted(proj["period"].unique()) == ["2025", "2026", "2027", "2028"]  # target + 2
    clean = proj[proj["scenario"] == "no_unverified"].set_index("period")
    assert clean.loc["2025", "n_points"] == 3
    assert proj[proj["scenario"] == "all"]["n_points"].iloc[0] == 4

    feas = prodstats.feasibility(series, min_observed=3).set_index("scenario")
    row = feas.loc["no_unverified"]
    assert row["claim_id"] == "c05"
    assert row["last_period"] == "2024"
    # the 2026 target is judged at the end of 2026: 2.5 years after mid-2024
    assert row["required_growth"] == pytest.approx((200 / 120) ** (1 / 2.5) - 1)
    assert row["trajectory_growth"] == pytest.approx((120 / 100) ** 0.5 - 1)
    series3 = np.array([[100.0, 110.0, 120.0]])
    grid = np.linspace(0.0005, 0.9995, 2000)
    q = quantiles(series3, np.arange(3.0) + 2022.5, np.array([2.5]), grid)[0, 0]
    expected = 1 - np.interp(200, q, grid)       # P(draw ≥ 200) from the closed form
    assert row["prob_reach"] == pytest.approx(expected, abs=0.02)
    assert row["prob_reach"] < 0.05
    # with the unverified 400 in 2025 the same target looks likely (the jump makes the series
    # noisy, so its level is pulled toward the fitted line and the chance stays below 0.9)
    everything = feas.loc["all"]
    assert (everything["last_period"], everything["last_value"]) == ("2025", 400)
    assert everything["required_growth"] == pytest.approx((200 / 400) ** (1 / 1.5) - 1)
    assert 0.7 < everything["prob_reach"] < 0.9


def test_the_same_points_give_the_same_projection_in_both_scenarios(tmp_path):
    """A series with no unverified claim has the same points in both scenarios; its projection
    (and a target's chance) is then identical, not two Monte-Carlo runs that differ by noise.
    Two targets judged on the same draws each get their own chance.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2021", "value": "90", "qualifier": "about"},
        {"period": "2022", "value": "100"},
        {"period": "2023", "value": "110", "qualifier": "about"},
        {"period": "2024", "value": "120"},
        {"period": "2026", "value": "150", "modality": "target"},
        {"period": "2026", "value": "400", "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    proj = prodstats.project(series, min_observed=4)
    figures = ["period", "mean", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
    by = {s: g[figures].reset_index(drop=True) for s, g in proj.groupby("scenario")}
    assert set(by) == {"all", "no_unverified"} and len(by["all"]) == 4
    assert by["all"].equals(by["no_unverified"])
    assert (by["all"]["pi80_high"] > by["all"]["pi80_low"]).all()
    feas = prodstats.feasibility(series, min_observed=4)
    chance = feas.groupby("target_value")["prob_reach"].agg(["min", "max"])
    assert (chance["min"] == chance["max"]).all()      # the same in both scenarios
    assert chance.loc[150.0, "min"] > 0.1 and chance.loc[400.0, "min"] < 0.01


def test_open_bounds_are_projected_at_the_figure_the_text_gives(tmp_path):
    """'Up to 120' (0–120) and 'more than 90' (90, open) project as 120 and 90: an open end
    never becomes a draw at 0 or at infinity.
    """
    exact = [{"period": str(2020 + k), "value": v} for k, v in enumerate(("80", "90", "100",
                                                                          "110", "120"))]
    hedged = [dict(exact[0]), {**exact[1], "qualifier": "more_than"}, *exact[2:4],
              {**exact[4], "qualifier": "up_to"}]
    means = []
    for name, claims in (("exact", exact), ("hedged", hedged)):
        raw = mini_ledger(tmp_path / name, claims)
        series = prodstats.resolve(prodstats.load(raw).claims)
        assert series["low"].min() == (0 if name == "hedged" else 80)
        proj = prodstats.project(series)
        assert proj["mean"].notna().all() and (proj["pi95_low"] > 0).all()
        means.append(proj["mean"].to_numpy())
    np.testing.assert_array_equal(means[0], means[1])


def test_a_target_before_the_last_observation_is_noted(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2022", "value": "100"},
        {"period": "2024", "value": "120"},
        {"period": "2023", "value": "200", "modality": "target"},
    ])
    feas = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims), min_observed=2)
    assert feas["note"].unique().tolist() == [
        "not judged: the target period does not end after the last observation"]
    assert feas["prob_reach"].isna().all() and feas["required_growth"].isna().all()


def test_one_point_is_skipped_with_its_reason(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [{"period": "2024", "value": "100"}])
    proj = prodstats.project(prodstats.resolve(prodstats.load(raw).claims))
    assert proj["method"].unique().tolist() == ["skipped"]
    assert proj["note"].iloc[0] == ("not projected: 1 observed claim (a projection needs "
                                    "claims of at least 5 periods; docs/methodology.md)")
    assert proj["n_points"].tolist() == [1, 1]
    assert proj["mean"].isna().all()


def test_zero_where_logs_are_taken_is_reported_not_raised(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2023", "value": "0"},
        {"period": "2024", "value": "50"},
        {"period": "2026", "value": "200", "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    feas = prodstats.feasibility(series, min_observed=2)
    row = feas[feas["scenario"] == "all"].iloc[0]
    assert row["required_growth"] == pytest.approx((200 / 50) ** (1 / 2.5) - 1)
    assert np.isnan(row["trajectory_growth"])
    assert row["note"] == "no growth so far: it needs positive values (logs are taken)"
    assert 0 <= row["prob_reach"] <= 1


def test_projections_never_go_below_zero(seed_ledger):
    proj = prodstats.project(prodstats.resolve(seed_ledger.claims))
    assert (proj["pi95_low"].dropna() >= 0).all()


def test_the_builds_forecasts_are_project_and_feasibility(tmp_path, seed_ledger):
    """The build combines the observed points once for both tables; the tables are the same
    as the two public functions give, row for row (a projected series with a target, and the
    seed ledger's series, none of which can be projected).
    """
    raw = mini_ledger(tmp_path / "raw", [
        *({"period": str(2019 + k), "value": str(100 + 10 * k)} for k in range(6)),
        {"period": "2026", "value": "200", "modality": "target"}])
    for ledger in (prodstats.load(raw), seed_ledger):
        bounds = ledger.capacity_bounds()
        series = prodstats.resolve(ledger.claims, bounds)
        projections, feasible = forecasts(series, bounds=bounds)
        assert len(projections) > 0 and len(feasible) > 0
        pd.testing.assert_frame_equal(projections, project(series))
        pd.testing.assert_frame_equal(feasible, prodstats.feasibility(series, bounds=bounds))
    assert feasible["prob_reach"].isna().all()  # (the seed's)
    assert forecasts(prodstats.resolve(prodstats.load(raw).claims))[1]["prob_reach"].between(
        0, 1).all()


@pytest.mark.skipif(not (M3.is_file() and TOURISM.is_file()),
                    reason="shared benchmark data not beside the repo")
def test_cross_collection_backtest_at_windows_3_and_5_prints_each_goal():
    """`make backtest`: windows 3 and 5, each collection scored with constants fitted on the
    other only, and pass or miss for every goal. Window 3 misses (so the minimum for a
    projection is raised to 5, where every MASE and over-all coverage goal is met).
    """
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--window", "3",
                           "--window", "5", "--data", str(M3), "--horizon", "6", "--data",
                           str(TOURISM), "--horizon", "4", "--json"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    three, five = result["windows"]
    assert (three["window"], five["window"]) == (3, 5)
    for run in (three, five):
        m3, tourism = run["collections"]["m3_yearly"], run["collections"]["tourism_yearly"]
        assert (m3["fitted_on"], tourism["fitted_on"]) == (["tourism_yearly"], ["m3_yearly"])
        assert len(m3["goals"]) == len(tourism["goals"]) == 7
    m3, tourism = five["collections"]["m3_yearly"], five["collections"]["tourism_yearly"]
    assert m3["methods"]["naive"]["mase"] == pytest.approx(3.17, abs=0.01)
    for entry in (m3, tourism):
        assert entry["goals"]["MASE ratio <= 1"][1]
        assert entry["goals"]["coverage 80 % (all) within 3 of 80"][1]
        assert entry["goals"]["coverage 95 % (all) within 3 of 95"][1]
    missed3 = [g for e in three["collections"].values() for g, (_, ok) in e["goals"].items()
               if not ok]
    assert missed3 and prodstats.forecast.MIN_OBSERVED == 5
    assert "  window 5  m3_yearly        MASE ratio <= 1" in done.stdout
    assert "goals met" in done.stdout and " pass" in done.stdout and " MISS" in done.stdout


def test_the_fitted_table_covers_its_own_collection_exactly(tmp_path):
    """Conformal: on the series it was fitted on, the pooled table covers its levels over all
    series and horizons (up to the interpolation between order statistics).
    """
    c = bt.load(_collection(tmp_path / "alpha.csv", 200, 8, 4, seed=11), 5, 4)
    k = bt.fit([c])
    _, i80, i95 = bt.forecast(c, {5: k})
    for lv, band in ((80, i80), (95, i95)):
        inside = (c.truth >= band[..., 0]) & (c.truth <= band[..., 1])
        assert inside.mean() * 100 == pytest.approx(lv, abs=0.5)


def test_a_calibration_of_the_old_format_is_a_clean_error(tmp_path):
    from prodstats.errors import SeriesError
    from prodstats.forecast import _load_calibration

    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"levels": list(bt.LEVELS), "by_window": {"5": {
        "lam": 4, "alpha": 0.6, "horizons": [1], "quantiles": [[0.0] * len(bt.LEVELS)]}}}))
    with pytest.raises(SeriesError, match="rerun python -m prodstats calibrate --write"):
        _load_calibration(path)


def _collection(path, n, train_len, test_len, seed, start=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(start, start + n):
        values = 100 + np.cumsum(rng.normal(2, 5, train_len + test_len))
        for j, v in enumerate(values):
            rows.append({"series_id": f"S{i}", "category": "X", "year": 2000 + j,
                         "value": round(float(v), 3),
                         "split": "train" if j < train_len else "test"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_leave_one_collection_out_report_structure(tmp_path):
    a = _collection(tmp_path / "alpha.csv", 40, 8, 4, seed=1)
    b = _collection(tmp_path / "beta.csv", 30, 7, 3, seed=2)
    result = bt.backtest([a, b], [4, 3], window=5)
    assert set(result["collections"]) == {"alpha", "beta"}
    alpha, beta = result["collections"]["alpha"], result["collections"]["beta"]
    assert alpha["fitted_on"] == ["beta"] and beta["fitted_on"] == ["alpha"]
    assert set(alpha["prodstats"]) == {"all", "odd", "even", "h1", "h4"}
    assert set(beta["prodstats"]) == {"all", "odd", "even", "h1", "h3"}
    assert (alpha["n_series"], beta["n_series"]) == (40, 30)
    # alpha is scored with constants fitted on beta alone, which equal a direct fit on beta
    direct = bt.fit([bt.load(b, 5, 3)])
    assert alpha["constants"] == {"lam": direct.lam, "alpha": direct.alpha,
                                  "kappa": direct.kappa, "eta": direct.eta,
                                  "beta": direct.beta}
    # halves partition the series: their mean MASE, weighted by size, is the whole
    parts = alpha["prodstats"]
    assert (parts["odd"]["mase"] * 20 + parts["even"]["mase"] * 20) / 40 == pytest.approx(
        parts["all"]["mase"])
    assert set(alpha["goals"]) == {"MASE ratio <= 1"} | {
        f"coverage {lv} % ({p}) within 3 of {lv}" for lv in (80, 95) for p in ("all", "h1", "h4")}
    assert bt.to_json(result) == bt.to_json(bt.backtest([a, b], [4, 3], window=5))


def test_compare_scores_statsmodels_with_their_own_intervals(tmp_path):
    a = _collection(tmp_path / "alpha.csv", 6, 8, 3, seed=3)
    result = bt.backtest([a], [3], window=5, compare=True)
    entry = result["collections"]["alpha"]
    assert entry["fitted_on"] == ["shipped constants (prodstats/calibration.json)"]
    for name in ("ets_damped", "theta", "arima_drift"):
        m = entry["methods"][name]
        assert 0 < m["mase"] < 10 and 0 <= m["coverage80"] <= m["coverage95"] <= 100
        assert m["failed_fits"] <= 6


def test_backtest_with_a_bad_file_is_a_clean_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data",
                           str(tmp_path / "none.csv")], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "no such file" in done.stderr and "Traceback" not in done.stderr


def test_backtest_without_usable_series_says_why(tmp_path):
    path = _collection(tmp_path / "short.csv", 3, 8, 4, seed=4)
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data", str(path),
                           "--horizon", "6"], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (
        f"{path}: no usable series for window 5 and horizon 6 (3 fewer than 6 test points)")


def test_backtest_says_how_many_series_were_dropped_and_why(tmp_path):
    path = _collection(tmp_path / "mixed.csv", 12, 8, 4, seed=5)
    data = pd.read_csv(path)
    data = data[~((data["series_id"] == "S0") & (data["year"] < 2005))]    # 3 training points
    data.loc[data["series_id"] == "S1", "value"] *= -1                     # non-positive
    data.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data", str(path),
                           "--horizon", "4"], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == (
        "mixed: 2 series dropped: 1 training part shorter than the window of 5 (e.g. S0); "
        "1 non-positive values (e.g. S1)")
    assert "mixed: 10 series" in done.stdout


def _backtest(tmp_path, rows: list[str]) -> tuple:
    """Write ``rows`` as mine.csv and run the backtest on it (horizon 4): the path and the run."""
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(rows) + ("\n" if rows else ""), encoding="utf-8")
    return path, subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data",
                                 str(path), "--horizon", "4"], capture_output=True, text=True,
                                check=False)


def _good_rows() -> list[str]:
    rows = ["series_id,category,year,value,split"]
    for sid in ("A", "B"):
        rows += [f"{sid},x,{2000 + i},{100 + 7 * i + (i % 3)},{'train' if i < 8 else 'test'}"
                 for i in range(12)]
    return rows


@pytest.mark.parametrize(("edit", "message"), [
    (lambda r: r[:6] + ["A,x,2005,\"12,5\",train"] + r[7:],
     "{path}:7: column 'value' = '12,5': expected a number with a point as the decimal mark "
     "and no thousands separators (12.5, 2500000), or an empty cell for a missing value"),
    (lambda r: r[:3] + ["A,x,2001.5,102,train"] + r[4:],
     "{path}:4: column 'year' = '2001.5': expected a whole year, such as 2015"),
    (lambda r: r[:4] + [r[3]] + r[5:],
     "{path}:5: column 'year' = '2002': expected each year once per series (this series has "
     "it twice)"),
    (lambda r: r[:2] + [r[2].replace("train", "Train")] + r[3:],
     "{path}:3: column 'split' = 'Train': expected train or test (lower case)"),
    (lambda r: [], "{path}: the file is empty; pass a long CSV with the columns series_id, "
     "year, value, split (train or test) and optionally category: one row per series and "
     "year, years consecutive, the test years after the training years"),
])
def test_a_malformed_collection_is_one_line_naming_the_row(tmp_path, edit, message):
    path, done = _backtest(tmp_path, edit(_good_rows()))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == message.format(path=path)


def test_missing_values_written_as_na_are_read_as_missing(tmp_path):
    """R writes NA and pandas NaN for a missing value: the series is dropped for it, like an
    empty cell, instead of the run stopping on a non-number.
    """
    rows = _good_rows()
    missing = {"A": "NA", "B": "NaN"}
    written = [f"{sid},x,2003,{missing[sid]},train" if r.startswith(f"{sid},x,2003,") else r
               for r in rows for sid in [r.split(",")[0]]]
    assert "A,x,2003,NA,train" in written and "B,x,2003,NaN,train" in written
    path, done = _backtest(tmp_path, written)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (
        f"{path}: no usable series for window 5 and horizon 4 (2 missing or infinite "
        "values)")


def test_series_with_a_gap_or_a_test_year_inside_training_are_dropped_with_the_reason(tmp_path):
    rows = _good_rows()
    gap = [r for r in rows if not r.startswith("A,x,2003,")]
    swapped = [r.replace("train", "test") if r.startswith("B,x,2004,") else r for r in gap]
    path, done = _backtest(tmp_path, swapped)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (
        f"{path}: no usable series for window 5 and horizon 4 (1 years not consecutive (a gap); "
        "1 a training year after a test year)")


def test_a_target_the_past_growth_would_reach_but_the_projection_does_not_says_why(tmp_path):
    """100 in 2021 and 400 in 2024 (59 % a year): 500 by 2025 needs only 16 % a year, yet the
    damped straight-line projection of two points gives it less than even odds. The note says
    so, instead of leaving the reader with figures that seem to contradict each other.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2021", "value": "100"},
        {"period": "2024", "value": "400"},
        {"period": "2025", "value": "500", "modality": "target"},
    ])
    feas = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims), min_observed=2)
    row = feas[feas["scenario"] == "all"].iloc[0]
    assert row["trajectory_growth"] == pytest.approx(4 ** (1 / 3) - 1)
    assert row["required_growth"] < row["trajectory_growth"] and row["prob_reach"] < 0.5
    assert row["note"] == ("the growth so far (59% a year) would reach it, but the projection "
                           "continues a damped straight-line trend of 2 observed periods, not "
                           "compound growth (docs/methodology.md)")


def test_a_collection_saved_by_a_spreadsheet_reads_the_same(tmp_path):
    """A byte-order mark and CRLF line ends (what spreadsheets save) change nothing."""
    plain, saved = tmp_path / "plain.csv", tmp_path / "saved.csv"
    plain.write_text("\n".join(_good_rows()) + "\n", encoding="utf-8")
    saved.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(_good_rows()).encode() + b"\r\n")
    a, b = (bt.load(p, 5, 4) for p in (plain, saved))
    assert a.ids == b.ids == ["A", "B"]
    assert np.array_equal(a.y, b.y) and np.array_equal(a.truth, b.truth)


def test_a_target_judged_on_several_readings_says_so(tmp_path):
    """With an ambiguous base, a target's chance is averaged over the readings, and the row
    says which ones, and from which reading its last value and growth come.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2021", "value": "100"},
        {"period": "2022", "value": "120"},
        {"period": "2024", "value": "3", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2021|2022", "value_low": "2.5", "value_high": "3.5"},
        {"period": "2026", "value": "500", "modality": "target"},
    ])
    feas = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims), min_observed=2)
    row = feas[feas["scenario"] == "all"].iloc[0]
    assert row["note"].startswith("chance and projected mean averaged over the readings "
                                  "c03:base=2021, c03:base=2022; last value and growth from "
                                  "c03:base=2022")
    assert 0 <= row["prob_reach"] <= 1


def test_a_target_on_readings_that_contradict_each_other_gets_no_averaged_chance(tmp_path):
    """'Tripled' against 2021 (300) or against 2022 (360): the two readings contradict each
    other, so no chance is averaged across them; the row says so, and still gives the growth
    the target needs from the last observation.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2021", "value": "100"},
        {"period": "2022", "value": "120"},
        {"period": "2024", "value": "3", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2021|2022"},
        {"period": "2026", "value": "500", "modality": "target"},
    ])
    feas = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims), min_observed=2)
    row = feas[feas["scenario"] == "all"].iloc[0]
    assert row["note"] == ("not pooled: the readings c03:base=2021 and c03:base=2022 contradict "
                           "each other at 2024 (300 against 360); no chance or projected mean "
                           "is averaged across them; last value and growth from c03:base=2022")
    assert np.isnan(row["prob_reach"]) and np.isnan(row["projected_mean"])
    assert row["required_growth"] > 0


def test_a_projection_below_a_series_that_always_rose_says_why(tmp_path):
    """Uneven steps (2.7, 0.8 and 0.2 years apart, as a newcomer's US shells were) look noisy
    to the method, so it starts the projection below the last point; the note says so. A
    steady climb gets no note.
    """
    uneven = [{"period": "2021", "value": "14400"}, {"period": "2024-01/2024-04", "value": "28000"},
              {"period": "2024-12", "value": "40000"}, {"period": "2025-02", "value": "43200"}]
    steady = [{"period": str(2020 + i), "value": str(v)} for i, v in enumerate((100, 110, 121,
                                                                                 133))]
    notes = {}
    for name, claims in (("uneven", uneven), ("steady", steady)):
        raw = mini_ledger(tmp_path / name, claims)
        proj = prodstats.project(prodstats.resolve(prodstats.load(raw).claims), min_observed=4)
        notes[name] = set(proj.loc[proj["scenario"] == "all", "note"].fillna(""))
    assert notes["uneven"] == {
        "every observed step rose, but the projection starts below the last point: steps of very "
        "different sizes or spacing make the series look noisy to the method, which then keeps "
        "little of its drift (docs/methodology.md)"}
    assert notes["steady"] == {""}


def test_a_blank_line_does_not_shift_the_line_a_message_names(tmp_path):
    rows = _good_rows()
    rows = rows[:2] + [""] + rows[2:5] + ['A,x,2004,"12,5",train'] + rows[6:]
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(prodstats.SeriesError, match=r"mine\.csv:7: column 'value' = '12,5'"):
        bt.load(path, 5, 4)


def test_pooled_rows_mix_the_same_years_of_each_reading():
    """Readings observed to different years are pooled year by year: the pooled mean of 2025
    is the mean of the readings' 2025 means (the first version mixed one reading's 2023 with
    the other's 2025).
    """
    def reading(name, values):
        frame = _series_frame(np.array([values]))
        return frame.assign(actor="a", reading=name)

    series = pd.concat([reading("r1", [100.0, 120.0, 140.0]),
                        reading("r2", [100.0, 120.0, 140.0, 150.0, 170.0])], ignore_index=True)
    proj = project(series, horizon=2027, min_observed=3).set_index(["reading", "period"])["mean"]
    assert list(proj.loc["pooled"].index) == ["2025", "2026", "2027"]
    for year in ("2025", "2026", "2027"):
        assert proj.loc[("pooled", year)] == pytest.approx(
            (proj.loc[("r1", year)] + proj.loc[("r2", year)]) / 2)


def test_a_last_period_of_several_years_is_projected_after_it_ends(tmp_path):
    """A last observation over 2020/2024 is projected from 2025 on, with finite intervals
    (the projected years once began inside it, at a negative horizon).
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2018", "value": "100", "unit": "rounds/year"},
        {"period": "2019", "value": "110", "unit": "rounds/year"},
        {"period": "2020/2024", "value": "130", "unit": "rounds/year"},
    ])
    proj = prodstats.project(prodstats.resolve(prodstats.load(raw).claims), min_observed=3)
    done = proj[proj["scenario"] == "all"]
    assert done["period"].tolist() == ["2025", "2026", "2027"]
    assert np.isfinite(done[["pi80_low", "pi80_high", "pi95_low", "pi95_high"]]).all().all()


def test_readings_that_contradict_each_other_are_not_pooled():
    """Two readings that give one period ranges that do not overlap (6 against 18) get no
    pooled mean between them, a figure no claim states: each is projected, and the pooled row
    says why it is empty.
    """
    def reading(name, values):
        return _series_frame(np.array([values])).assign(actor="a", reading=name)

    series = pd.concat([reading("r1", [1.0, 2.0, 3.0, 4.0, 6.0]),
                        reading("r2", [1.0, 2.0, 3.0, 4.0, 18.0])], ignore_index=True)
    proj = project(series, horizon=2027)
    pooled = proj[proj["reading"] == "pooled"]
    assert len(pooled) == 1 and pooled["mean"].isna().all()
    assert pooled["note"].iloc[0] == ("not pooled: the readings r1 and r2 contradict each other "
                                      "at 2024 (6 against 18); each is projected on its own")
    assert set(proj.loc[proj["mean"].notna(), "reading"]) == {"r1", "r2"}


def test_a_falling_positive_series_keeps_its_intervals_above_zero_without_clipping():
    """40,000, 30,000, 20,000, 12,000, 10,000 a day: the straight line would cross 0 within
    two years; the point bends toward 0 and the lower ends are multiplicative, so every bound
    is above 0 and no bound sits at 0.
    """
    proj = project(_series_frame(np.array([[40000.0, 30000.0, 20000.0, 12000.0, 10000.0]])),
                   horizon=2030)
    figures = proj[["mean", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]].to_numpy()
    assert (figures > 0).all()
    assert (proj["pi95_low"].diff().dropna() < 0).all()        # still falling, never floored
    assert (proj["n_points"] == 5).all() and (proj["method"] == "shrunk-drift+conformal").all()


def test_positive_bends_only_below_its_threshold():
    from prodstats.forecast import BEND, positive

    last = np.array([[100.0]])
    f = np.array([[50.0, BEND * 100, 1.0, -500.0]])
    out = positive(f, last)
    assert out[0, 0] == 50.0 and out[0, 1] == BEND * 100
    assert 0 < out[0, 3] < out[0, 2] < BEND * 100


def test_a_count_so_far_never_falls(tmp_path):
    """Cumulative counts (an amount over a range from the start) are placed at their end and
    projected never below their last count.
    """
    counts = [("2022-02-24/2022-12-31", "100000"), ("2022-02-24/2023-06-30", "180000"),
              ("2022-02-24/2023-12-31", "300000"), ("2022-02-24/2024-03-31", "520000"),
              ("2022-02-24/2024-09-30", "560000")]
    raw = mini_ledger(tmp_path / "raw", [
        {"indicator": "shells_delivered", "period": p, "value": v, "unit": "rounds"}
        for p, v in counts])
    with (raw / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write("shells_delivered,\"Shells delivered, cumulative\",rounds\n")
    series = prodstats.resolve(prodstats.load(raw).claims)
    mine = series[series["scenario"] == "all"]
    assert mine["t"].round(3).tolist() == [2023.0, 2023.496, 2024.0, 2024.249, 2024.749]
    proj = prodstats.project(series)
    done = proj[proj["scenario"] == "all"]
    assert (done["pi95_low"] >= 560000).all() and (done["mean"] >= 560000).all()
    assert (done["pi95_high"] > 560000).all()


def test_a_negative_series_is_not_projected_and_says_why():
    """Before, a series of negative values projected a mean of 0 with intervals [0, 4.1]."""
    proj = project(_series_frame(np.array([[-5.0, -3.0, -4.0, -2.0, -1.0]])), horizon=2026)
    assert proj["method"].tolist() == ["skipped"]
    assert proj["mean"].isna().all()
    assert proj["note"].tolist() == [
        "not projected: negative values: the method projects quantities, which cannot fall "
        "below 0; a change or a balance is not projected"]


def test_a_backtest_of_values_that_overflow_says_it_cannot_score_them(tmp_path):
    """Values near 1e300: dropped with their reason, never scored as NaN and 'MISSED'."""
    rows = ["series_id,year,value,split"]
    rows += [f"S{s},{2000 + i},{(1 + i) * 1e299:g},{'train' if i < 8 else 'test'}"
             for s in range(3) for i in range(12)]
    path, done = _backtest(tmp_path, rows)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{path}: no usable series for window 5 and horizon 4 (3 too large to score (values "
        "above 1e+100 overflow))", "1 problem found; nothing was written."]
    assert "Warning" not in done.stderr


def test_feasibility_never_publishes_the_mean_of_claims_that_contradict_each_other(tmp_path):
    """Found by a new user: three contradicting 2023 figures (550,000 to 700,000) gave a
    last_value of 616,667 that no claim states, and a growth of 43 % a year from 3 periods.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2021", "value": "300000"},
        {"period": "2022", "value": "450000"},
        {"period": "2023", "value": "700000"},
        {"period": "2023", "value": "550000", "confidence": "unverified"},
        {"period": "2025", "value": "2000000", "modality": "target"}])
    row = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims)) \
        .set_index("scenario").loc["all"]
    assert row["last_period"] == "2023" and np.isnan(row["last_value"])
    assert np.isnan(row["required_growth"]) and np.isnan(row["trajectory_growth"])
    assert ("no last value or growth: the claims of 2023 contradict each other "
            "(conflicts.csv), and their mean is a figure no claim states") in row["note"]
