"""Projections: coverage on simulated series with known truth, hand-checked scenario and
feasibility figures, skipped series with reasons, and the backtest's goals."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import prodstats
from prodstats.forecast import CALIBRATION, project
from tests.conftest import ROOT, mini_ledger

M3 = ROOT.parent / "shared" / "benchdata" / "m3_yearly.csv"


def _series_frame(values: np.ndarray, start: int = 2020) -> pd.DataFrame:
    """Exact points (no claim uncertainty) for many series at once, in resolve()'s shape."""
    n, k = values.shape
    return pd.DataFrame({
        "scenario": "all", "actor": np.repeat([f"s{i:04d}" for i in range(n)], k),
        "indicator": "x", "measure": "level", "reading": "single", "reading_consistent": True,
        "period": np.tile([str(start + j) for j in range(k)], n),
        "t": np.tile(np.arange(k) + start + 0.5, n), "value": values.ravel(),
        "low": values.ravel(), "high": values.ravel(), "unit": "rounds/year",
        "modality": "actual", "confidence": "official", "claim_ids": "c", "derivation": "stated",
    })


def test_coverage_on_simulated_random_walks_with_drift():
    """1,000 random walks with drift (K = 5 known points, 6 projected): the share of true
    values inside the intervals lands within 2 points of nominal."""
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
    assert abs(cov80 * 100 - 80) <= 2, cov80
    assert abs(cov95 * 100 - 95) <= 2, cov95


def test_projection_of_a_hand_case_matches_the_closed_form():
    proj = project(_series_frame(np.array([[100.0, 110.0, 120.0]])), horizon=2024, draws=20000)
    nu, a, b, mu = CALIBRATION[3]
    s = 10.0  # RMS of the one-step changes 10, 10
    row = proj.set_index("period").loc["2024"]
    h = 2.0
    assert row["mean"] == pytest.approx(120 + 0.5 * 10 * h + s * mu * h)
    expected_hi = 120 + 0.5 * 10 * h + s * (mu * h + a * h ** b * stats.t.ppf(0.9, nu))
    assert row["pi80_high"] == pytest.approx(expected_hi, rel=0.02)
    assert (row["method"], row["n_points"]) == ("half-drift+t", 3)


def test_scenarios_and_feasibility_on_a_hand_case(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2022", "value": "100"},
        {"period": "2023", "value": "110"},
        {"period": "2024", "value": "120"},
        {"period": "2025", "value": "400", "confidence": "unverified"},  # an outlier claim
        {"period": "2026", "value": "200", "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    proj = prodstats.project(series)
    assert sorted(proj["period"].unique()) == ["2025", "2026", "2027", "2028"]  # target + 2
    clean = proj[proj["scenario"] == "no_unverified"].set_index("period")
    assert clean.loc["2025", "n_points"] == 3
    assert proj[proj["scenario"] == "all"]["n_points"].iloc[0] == 4

    feas = prodstats.feasibility(series).set_index("scenario")
    row = feas.loc["no_unverified"]
    assert row["claim_id"] == "c05"
    assert row["last_period"] == "2024"
    # the 2026 target is judged at the end of 2026: 2.5 years after mid-2024
    assert row["required_growth"] == pytest.approx((200 / 120) ** (1 / 2.5) - 1)
    assert row["trajectory_growth"] == pytest.approx((120 / 100) ** 0.5 - 1)
    nu, a, b, mu = CALIBRATION[3]
    h = 2.5
    loc = 120 + 0.5 * 10 * h + 10 * mu * h
    assert row["projected_mean"] == pytest.approx(loc, rel=0.02)
    expected = stats.t.sf((200 - loc) / (10 * a * h ** b), nu)
    assert row["prob_reach"] == pytest.approx(expected, abs=0.02)
    assert row["prob_reach"] < 0.05
    # with the unverified 400 in 2025 the same target looks like a near-certainty
    everything = feas.loc["all"]
    assert (everything["last_period"], everything["last_value"]) == ("2025", 400)
    assert everything["required_growth"] == pytest.approx((200 / 400) ** (1 / 1.5) - 1)
    assert everything["prob_reach"] > 0.9


def test_a_target_before_the_last_observation_is_noted(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2022", "value": "100"},
        {"period": "2024", "value": "120"},
        {"period": "2023", "value": "200", "modality": "target"},
    ])
    feas = prodstats.feasibility(prodstats.resolve(prodstats.load(raw).claims))
    assert feas["note"].unique().tolist() == ["the target period is not after the last observation"]
    assert feas["prob_reach"].isna().all()


def test_one_point_is_skipped_with_its_reason(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [{"period": "2024", "value": "100"}])
    proj = prodstats.project(prodstats.resolve(prodstats.load(raw).claims))
    assert proj["method"].unique().tolist() == ["skipped"]
    assert proj["note"].iloc[0] == "needs at least 2 observed periods, has 1"
    assert proj["mean"].isna().all()


def test_zero_where_logs_are_taken_is_reported_not_raised(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2023", "value": "0"},
        {"period": "2024", "value": "50"},
        {"period": "2026", "value": "200", "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    feas = prodstats.feasibility(series)
    row = feas[feas["scenario"] == "all"].iloc[0]
    assert np.isnan(row["required_growth"]) and np.isnan(row["trajectory_growth"])
    assert row["note"] == "growth rates need positive values (logs are taken); not computed"
    assert 0 <= row["prob_reach"] <= 1


def test_projections_never_go_below_zero(seed_ledger):
    proj = prodstats.project(prodstats.resolve(seed_ledger.claims))
    assert (proj["pi95_low"].dropna() >= 0).all()


@pytest.mark.skipif(not M3.is_file(), reason="shared benchmark data not beside the repo")
def test_backtest_meets_its_goals_on_m3():
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data", str(M3),
                           "--window", "5", "--horizon", "6", "--json"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    methods = result["methods"]
    assert set(methods) == {"prodstats", "naive", "drift"}
    assert methods["naive"]["mase"] == pytest.approx(3.17, abs=0.01)
    assert methods["prodstats"]["mase"] <= 0.92 * min(methods["naive"]["mase"], methods["drift"]["mase"])
    assert abs(methods["prodstats"]["coverage80"] - 80) <= 3
    assert abs(methods["prodstats"]["coverage95"] - 95) <= 3
    held_out = result["by_half"]["even_held_out"]
    assert abs(held_out["coverage80"] - 80) <= 3 and abs(held_out["coverage95"] - 95) <= 3


def test_backtest_with_a_bad_file_is_a_clean_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "prodstats", "backtest", "--data",
                           str(tmp_path / "none.csv")], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "no such file" in done.stderr and "Traceback" not in done.stderr
