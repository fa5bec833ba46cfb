"""Issue 19's 'Done when' ledger (tests/fixtures/eu_shells, two made-up English articles about
EU and Russian shells): a cumulative count, two sources' estimates of one figure, a capacity
target with no output series, and a two-point falling series.
"""

import csv
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import prodstats
from prodstats.periods import parse_period
from tests.conftest import ROOT

EU = ROOT / "tests" / "fixtures" / "eu_shells"


@pytest.fixture(scope="module")
def ledger():
    return prodstats.load(EU)


@pytest.fixture(scope="module")
def series(ledger):
    return prodstats.resolve(ledger.claims, ledger.capacity_bounds())


@pytest.fixture(scope="module")
def projections(series):
    return prodstats.project(series)


@pytest.fixture(scope="module")
def feasibility(series, ledger):
    return prodstats.feasibility(series, bounds=ledger.capacity_bounds())


def _point(series, claim_id):
    rows = series[(series["scenario"] == "all") & (series["claim_ids"] == claim_id)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_cumulative_count_sits_at_the_date_it_was_reached(series):
    """520,000 delivered by the end of March 2024, coded 2022-02-24/2024-03-31: at 31 March
    2024, not in the middle of the range (mid-2023).
    """
    count = _point(series, "exw25-01")
    assert count["t"] == pytest.approx(parse_period("2024-03-31").end_year)
    assert count["t"] == pytest.approx(2024 + 91 / 366)
    # a rate over a range is not a count: capacity in early 2024 stays at the range's middle
    rate = _point(series, "exw25-03")
    assert rate["t"] == pytest.approx(parse_period("2024-01/2024-04").mid_year)


def test_two_sources_estimates_of_one_figure_are_two_points_and_one_period(series,
                                                                           projections):
    both = series[(series["scenario"] == "all") & (series["actor"] == "RUS")
                  & (series["indicator"] == "shells_produced")]
    assert sorted(both["claim_ids"]) == ["exd25-01", "exw25-04"]
    assert set(both["period"]) == {"2024"} and set(both["confidence"]) == {"official"}
    rows = projections[(projections["actor"] == "RUS")
                       & (projections["indicator"] == "shells_produced")]
    assert rows["note"].unique().tolist() == [
        "not projected: 2 observed claims in 1 period (a projection needs claims of at least 5 "
        "periods; docs/methodology.md)"]
    assert rows["n_points"].tolist() == [2, 2] and rows["mean"].isna().all()


def test_a_two_point_falling_series_is_not_projected(projections):
    """40,000 a day in 2022 and 10,000 a day in February 2025: two points are not a trend, so
    no fan (and never 'projected to 0 a day'): one row per scenario that says why.
    """
    rows = projections[projections["indicator"] == "shells_fired"]
    assert rows["scenario"].tolist() == ["all", "no_unverified"]
    assert (rows["method"] == "skipped").all() and (rows["n_points"] == 2).all()
    assert rows[["period", "mean", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
                ].isna().all().all()
    assert rows["note"].iloc[0].startswith("not projected: 2 observed claims (")


def test_the_capacity_target_without_output_is_judged_against_the_capacity_series(
        feasibility, series):
    row = feasibility.set_index(["scenario", "claim_id"]).loc[("all", "exw25-02")]
    assert (row["indicator"], row["judged_against"]) == ("shells_capacity", "shells_capacity")
    assert (row["last_period"], row["last_value"]) == ("2024-01/2024-04", 1_000_000)
    years = 2026.0 - parse_period("2024-01/2024-04").mid_year
    assert row["required_growth"] == pytest.approx(2 ** (1 / years) - 1)
    assert np.isnan(row["prob_reach"]) and np.isnan(row["trajectory_growth"])
    assert row["note"] == (
        "a capacity target with no observed shells_produced of eu: judged against the capacity "
        "series shells_capacity itself; no chance or projected mean: not projected: 1 observed "
        "claim (a projection needs claims of at least 5 periods; docs/methodology.md); no growth "
        "so far: 1 observed period (a growth rate, like a projection, needs at least 5)")


#: The words of ``note`` that explain each figure of feasibility.csv left empty.
REASONS = {"last_value": ("not judged",), "prob_reach": ("not judged", "no chance"),
           "projected_mean": ("not judged", "no chance"),
           "required_growth": ("not judged", "no required growth"),
           "trajectory_growth": ("not judged", "no growth so far")}


@pytest.mark.parametrize("fixture", ["eu_shells", "three_sources", "seed"])
def test_every_blank_figure_has_its_reason_in_note(fixture):
    ledger = prodstats.load(ROOT / "tests" / "fixtures" / fixture)
    series = prodstats.resolve(ledger.claims, ledger.capacity_bounds())
    feas = prodstats.feasibility(series, bounds=ledger.capacity_bounds(), draws=100)
    assert not feas.empty
    for row in feas.itertuples(index=False):
        for column, words in REASONS.items():
            if pd.isna(getattr(row, column)):
                assert any(w in row.note for w in words), (row.claim_id, column, row.note)


def test_the_cli_and_the_api_give_the_same_rows(tmp_path, feasibility):
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw", str(EU), "--out",
                    str(out), "--no-charts"], check=True, capture_output=True)
    with (out / "feasibility.csv").open(encoding="utf-8") as f:
        published = list(csv.DictReader(f))
    assert [(r["claim_id"], r["scenario"], r["judged_against"], r["note"]) for r in published] \
        == [(r.claim_id, r.scenario, r.judged_against, r.note)
            for r in feasibility.itertuples(index=False)]
    assert [float(r["required_growth"] or "nan") for r in published] == pytest.approx(
        feasibility["required_growth"].tolist(), nan_ok=True)


def test_capacities_passed_by_position_are_refused_with_the_keyword(series, ledger):
    with pytest.raises(TypeError) as caught:
        prodstats.feasibility(series, ledger.capacity_bounds())
    assert str(caught.value) == (
        "feasibility() takes one positional argument, the series; pass the capacity bounds by "
        "keyword: feasibility(series, bounds=ledger.capacity_bounds()) (got dict "
        "{'shells_capacity': 'shells_produced'} as a second positional argument)")


def test_a_series_without_a_projection_is_drawn_without_a_fan(series, projections):
    """The two-point falling series: its chart has its points and no fan; projected at the
    user's risk (min_observed=2) the same chart has one.
    """
    from matplotlib.collections import PolyCollection

    fired = series[(series["indicator"] == "shells_fired") & (series["scenario"] == "all")]

    def fans(proj):
        ax = prodstats.plot(fired, proj).axes[0]
        return [c for c in ax.collections if isinstance(c, PolyCollection)]

    assert fans(projections) == []
    assert len(fans(prodstats.project(series, min_observed=2, draws=100))) == 2   # 80 and 95 %


@pytest.mark.parametrize("fixture", ["eu_shells", "three_sources"])
def test_statements_from_the_claims_give_the_same_rows(fixture):
    """Once series hold only observations (issue 18), the forward statements come from the
    claims: ``statements=ledger.claims`` judges the same level and share statements the same
    way (a forward ratio, a multiple of its base, is left to the promise tracker).
    """
    ledger = prodstats.load(ROOT / "tests" / "fixtures" / fixture)
    series = prodstats.resolve(ledger.claims, ledger.capacity_bounds())
    caps = ledger.capacity_bounds()
    from_series = prodstats.feasibility(series, bounds=caps, draws=200)
    from_claims = prodstats.feasibility(series[~series["modality"].isin(prodstats.forecast.FORWARD)],
                                        bounds=caps, statements=ledger.claims, draws=200)
    ratios = set(ledger.claims.loc[ledger.claims["kind"] == "ratio", "claim_id"])
    kept = from_series[~from_series["claim_id"].isin(ratios)].reset_index(drop=True)
    assert len(kept) > 0
    pd.testing.assert_frame_equal(kept, from_claims)
