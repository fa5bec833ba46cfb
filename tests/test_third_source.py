"""A third source coded by a newcomer from the docs alone (an English text on French howitzer
and shell output: monthly rates, "before the war", a slipped target, a capacity target, a
per-cent ratio), frozen in tests/fixtures/three_sources. It validates and builds; each mistake
the newcomer could make is one exact line.
"""

import shutil

import numpy as np
import pandas as pd
import pytest

import prodstats
from prodstats.build import build
from tests.conftest import ROOT, problems, set_cell

THREE = ROOT / "tests" / "fixtures" / "three_sources"


@pytest.fixture
def three(tmp_path):
    dest = tmp_path / "raw"
    shutil.copytree(THREE, dest)
    return dest


def test_the_third_source_validates_and_builds(three, tmp_path):
    assert problems(three) == []
    result = build(three, tmp_path / "out", tmp_path / "charts")
    history = pd.read_csv(tmp_path / "out" / "target_history.csv", dtype=str)
    slipped = history[history["target_id"] == "exn25-04"]
    assert slipped["claim_id"].tolist() == ["exn25-04", "exn25-05"]
    assert slipped["current"].tolist() == ["False", "True"]
    claims = result.tables["claims"].set_index("claim_id")
    # "about 40 per cent more than in 2023" is the multiple 1.4, with the qualifier's bounds
    assert claims.loc["exn25-10", "value"] == pytest.approx(1.4)
    assert (tmp_path / "charts" / "knds_caesar_produced.svg").is_file()


@pytest.mark.parametrize(("key", "column", "value", "message"), [
    ("exn25-10", "value", "40",
     "column 'value' = '40': a ratio is written as the multiple, and '40 per cent' more is 1.4; "
     "write 1.4"),
    ("exn25-10", "value", "0.4",
     "column 'value' = '0.4': a ratio is written as the multiple, and '40 per cent' more is "
     "1.4; write 1.4"),
    ("exn25-11", "indicator", "shells_produced",
     "column 'indicator' = 'shells_produced': the quote speaks of 'capacity', but indicator "
     "'shells_produced' measures output; code it under a capacity indicator (measures = "
     "capacity, bounds = shells_produced; docs/codebook.md §1), or if the figure is output "
     "after all, set derived to true and say why in notes"),
    ("exn25-02", "unit", "systems/year",
     "column 'unit' = 'systems/year': the quote gives 'six' per month, but the unit is per year "
     "(read so, the figure is 12x too low); write unit 'systems/month'"),
    ("exn25-02", "unit", "guns/month",
     "column 'unit' = 'guns/month': unknown unit 'guns' (count weapons as 'systems', e.g. "
     "'systems/month')"),
    ("exn25-09", "unit", "Granaten/month",
     "column 'unit' = 'Granaten/month': unknown unit 'Granaten' (count 'Granaten' as 'rounds', "
     "e.g. 'rounds/year')"),
    ("exn25-02", "actor", "KNDS",
     "column 'actor' = 'KNDS': no such actor in actors.csv (did you mean 'knds'?); add it there "
     "(id, name, kind, country) or fix the id"),
    ("exn25-05", "supersedes", "exn25-4",
     "column 'supersedes' = 'exn25-4': no such claim (did you mean 'exn25-04'?); name the "
     "claim_id this claim revises"),
    ("exn25-05", "period", "mid-2026",
     "column 'period' = 'mid-2026': 'mid-2026' is not a period; for 'mid-2026' write "
     "2026-05/2026-08 (docs/codebook.md, period phrases)"),
])
def test_a_newcomers_mistake_is_one_exact_line(three, key, column, value, message):
    line = set_cell(three, "claims.csv", key, column, value)
    assert problems(three) == [f"{three}/claims.csv:{line}: {message}"]


def test_a_capacity_target_is_judged_against_the_output_it_bounds(three, tmp_path):
    result = build(three, tmp_path / "out", draw=False)
    feas = result.tables["feasibility"].set_index(["scenario", "claim_id"]).loc["all"]
    capacity = feas.loc["exn25-11"]
    assert capacity["indicator"] == "shells_capacity"
    assert capacity["judged_against"] == "shells_produced"
    assert capacity["last_period"] == "2024" and capacity["last_value"] == 36000
    assert capacity["required_growth"] == pytest.approx((100000 / 36000) ** (1 / 3.5) - 1,
                                                        rel=1e-6)
    # two observed claims of output: no projection, so no chance, and the note says why
    assert np.isnan(capacity["prob_reach"])
    assert capacity["note"] == (
        "a capacity target, judged against the projection of shells_produced: output reaches a "
        "capacity only when the capacity is fully used; no chance or projected mean: not "
        "projected: 2 observed claims (a projection needs claims of at least 5 periods; "
        "docs/methodology.md); no growth so far: 2 observed periods (a growth rate, like a "
        "projection, needs at least 5)")
    assert np.isnan(capacity["trajectory_growth"])  # two points are not a trend
    # the README's API call gives the build's rows
    same = prodstats.feasibility(result.tables["series"], bounds=result.ledger.capacity_bounds())
    assert same.equals(result.tables["feasibility"])
    # an output target is judged against itself
    assert feas.loc["exn25-05", "judged_against"] == "caesar_produced"


def test_the_capacity_target_is_labelled_inside_the_chart_without_overlaps(three):
    import itertools

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    import prodstats
    from prodstats.charts import _marker_boxes

    ledger = prodstats.load(three)
    series = prodstats.resolve(ledger.claims)
    output = series[(series["actor"] == "nexter_munitions") & (series["measure"] == "level")]
    fig = prodstats.plot(output[output["indicator"] == "shells_produced"],
                         prodstats.project(series), ledger=ledger,
                         capacity=output[output["indicator"] == "shells_capacity"])
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
    assert list(labels) == [  # 100,000 a year, on an axis per month
        "derived from 2024's figure and a ratio",  # 2023, from "40 per cent more than in 2023"
        "capacity 100,000 a year (8,333 a month), due end of 2027"]
    inside = ax.get_window_extent(renderer)
    marks = [box for line in ax.get_lines() if line.get_marker() not in (None, "None", "")
             for box in _marker_boxes(ax, line)]
    for box in labels.values():
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1
        assert not any(box.overlaps(mark) for mark in marks)
    for a, b in itertools.combinations(labels.values(), 2):
        assert not a.overlaps(b)
    footnote = fig.texts[-1].get_text()
    assert "\nSource: Example News, 2025." in footnote and "exn25" not in footnote


def test_a_capacity_with_only_targets_has_no_chart_of_its_own(three):
    """Nexter's capacity target is drawn on the chart of the output it bounds; a chart of its
    own would show one star and nothing to compare it with. A capacity with an observed point
    keeps its chart.
    """
    import prodstats
    from prodstats.charts import chart_jobs

    ledger = prodstats.load(three)
    series = prodstats.resolve(ledger.claims)
    stems = {job["stem"] for job in chart_jobs(series, prodstats.project(series), ledger)}
    assert "nexter_munitions_shells_produced" in stems
    assert "nexter_munitions_shells_capacity" not in stems
    capacity = series[series["indicator"] == "shells_capacity"]
    later = capacity.assign(period="2028", t=2028.5, claim_ids="made-up-capacity")
    observed = pd.concat([series, later], ignore_index=True)
    observed.loc[observed["indicator"] == "shells_capacity", "modality"] = "actual"
    stems = {job["stem"] for job in chart_jobs(observed, prodstats.project(observed), ledger)}
    assert "nexter_munitions_shells_capacity" in stems


def test_a_log_scale_comparison_with_error_bars_and_a_target_is_drawn(three):
    """Two actors far apart in size (2.5 M against 36,000 rounds a year) switch the comparison
    chart to a log axis; with a target label to place beside the error bars' caps, drawing it
    once crashed the whole build (a newcomer's Rheinmetall source).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    import prodstats
    from prodstats.charts import compare

    ledger = prodstats.load(three)
    series = prodstats.resolve(ledger.claims)
    nexter = series[(series["actor"] == "nexter_munitions") & (series["scenario"] == "all")
                    & (series["indicator"] == "shells_produced")
                    & (series["measure"] == "level")]
    target = nexter.iloc[[-1]].assign(period="2027", t=2027.5, modality="target",
                                      value=60_000.0, low=60_000.0, high=60_000.0,
                                      claim_ids="made-up-target")
    fig = compare(pd.concat([series, target], ignore_index=True), "shells_produced", ledger)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.texts] == ["target 0.06 M, due end of 2027"]


def test_an_index_chart_shows_no_revised_level_target(three):
    """KNDS's slipped target (exn25-04, a level) is drawn faded on the level chart, not on the
    index chart, whose footnote and legend therefore do not name it (a newcomer's US chart
    listed a claim that was not drawn).
    """
    import prodstats

    ledger = prodstats.load(three)
    series = prodstats.resolve(ledger.claims)
    knds = series[(series["actor"] == "knds") & (series["indicator"] == "caesar_produced")]
    projections = prodstats.project(series)
    for measure, named in (("level", True), ("index", False)):
        fig = prodstats.plot(knds[knds["measure"] == measure], projections, ledger=ledger)
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        faded = [line for line in fig.axes[0].get_lines() if line.get_alpha() == 0.8]
        assert bool(faded) is named
        assert ("revised (superseded)" in legend) is named


def test_a_comparison_chart_names_the_reading_it_draws(three):
    """An actor with several readings is drawn by one of them; the legend says which."""
    import prodstats
    from prodstats.charts import compare

    ledger = prodstats.load(three)
    series = prodstats.resolve(ledger.claims)
    nexter = (series["actor"] == "nexter_munitions") & (series["indicator"] == "shells_produced")
    twice = pd.concat([series[~nexter], series[nexter].assign(reading="c9:base=2021"),
                       series[nexter].assign(reading="c9:base=2022")], ignore_index=True)
    legend = [t.get_text() for t in compare(twice, "shells_produced", ledger).legends[0].get_texts()]
    assert "Nexter Munitions (reading c9:base=2021)" in legend and "Ukraine" in legend
