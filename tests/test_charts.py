"""Charts a journalist could publish: no label on another label or mark, one number format per
axis, a legend of what is drawn, names for actors, ranges for scale words, monthly series per
month, revisions faded, one chart per indicator across actors.
"""

import itertools

import numpy as np
import pytest

import prodstats
from prodstats.charts import _marker_boxes, chart_jobs
from tests.conftest import mini_ledger


def _ledger(tmp_path, claims):
    raw = mini_ledger(tmp_path / "raw", claims)
    ledger = prodstats.load(raw)
    return ledger, prodstats.resolve(ledger.claims)


def _draw(ledger, series, actor="UKR", indicator="shells_produced"):
    rows = series[(series["actor"] == actor) & (series["indicator"] == indicator)
                  & (series["measure"] == "level")]
    fig = prodstats.plot(rows, prodstats.project(series), ledger=ledger)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    return fig


SHELLS = [
    {"period": "2023", "value": "900000", "unit": "rounds"},
    {"period": "2024", "value": "1500000", "unit": "rounds", "qualifier": "about"},
    {"period": "2025", "value": "1200000", "unit": "rounds", "modality": "target"},
    {"period": "2025", "value": "1200000", "unit": "rounds", "modality": "target"},
    {"period": "2025", "value": "1250000", "unit": "rounds", "modality": "target"},
]


def test_labels_overlap_no_label_and_no_mark(tmp_path):
    ledger, series = _ledger(tmp_path, SHELLS)
    fig = _draw(ledger, series)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(labels) == 3
    for a, b in itertools.combinations(labels, 2):
        assert not a.overlaps(b), (a, b)
    marks = [box for line in ax.get_lines() if line.get_marker() not in (None, "None", "")
             for box in _marker_boxes(ax, line)]
    for label in labels:
        assert not any(label.overlaps(mark) for mark in marks)


def test_one_number_format_per_axis_and_a_legend_of_what_is_drawn(tmp_path):
    ledger, series = _ledger(tmp_path, SHELLS)
    fig = _draw(ledger, series)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert all(t.endswith(" M") for t in ticks if t != "0 M"), ticks  # never "500,000" beside "1 M"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "official (an interested party)" in legend  # drawn apart from verified
    assert "unverified" not in legend and "disputed" not in legend
    assert [t.get_text() for t in fig.axes[0].texts] != []
    assert fig.axes[0].get_title(loc="left").startswith("Ukraine: ")


def test_a_series_stated_per_month_is_drawn_per_month(tmp_path):
    ledger, series = _ledger(tmp_path, [
        {"period": "2024-01", "value": "40000", "unit": "rounds/month"},
        {"period": "2024-06", "value": "50000", "unit": "rounds/month"}])
    fig = _draw(ledger, series)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "rounds per month"
    drawn = sorted(y for line in ax.get_lines() for y in np.atleast_1d(line.get_ydata())
                   if line.get_marker() in ("o", "D"))
    assert drawn == pytest.approx([40000, 50000])
    # the published series stays per year
    assert set(series["unit"]) == {"rounds/year"}


def test_a_scale_word_is_drawn_as_its_range_with_the_word(tmp_path):
    ledger, series = _ledger(tmp_path, [
        {"indicator": "military_aid", "actor": "GBR", "unit": "USD/year", "period": "2025",
         "modality": "pledge", "qualifier": "billions", "value": ""}])
    fig = _draw(ledger, series, "GBR", "military_aid")
    [label] = [t.get_text() for t in fig.axes[0].texts]
    assert label == "pledge: billions (2 bn–9.99 bn)"


def test_a_revised_target_is_drawn_faded_with_an_arrow(tmp_path):
    ledger, series = _ledger(tmp_path, SHELLS[:2] + [
        {"period": "2025-12", "value": "1200000", "unit": "rounds", "modality": "target"},
        {"period": "2026-06", "value": "1200000", "unit": "rounds", "modality": "target",
         "supersedes": "c03"}])
    fig = _draw(ledger, series)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "revised (superseded)" in legend
    arrows = [t for t in fig.axes[0].texts if t.arrow_patch is not None]
    assert len(arrows) == 1
    assert not series["claim_ids"].str.contains("c03").any()


def test_one_chart_per_indicator_across_actors(tmp_path):
    ledger, series = _ledger(tmp_path, SHELLS[:2] + [
        {"actor": "USA", "period": "2024", "value": "360000", "unit": "rounds"}])
    stems = [job["stem"] for job in chart_jobs(series, prodstats.project(series), ledger)]
    assert "compare_shells_produced" in stems
    job = next(j for j in chart_jobs(series, prodstats.project(series), ledger)
               if j["stem"] == "compare_shells_produced")
    fig = job["draw"]()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["Ukraine", "United States"]


def test_an_index_base_is_drawn_as_a_definition_not_as_a_claim(tmp_path):
    """An index's base point (1 by definition) is a small grey square with its own legend
    entry; it does not make the legend claim a verified point that no claim states.
    """
    ledger, series = _ledger(tmp_path, [
        {"period": "2024", "value": "3", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2022", "confidence": "unverified"},
    ])
    rows = series[series["measure"] == "index"]
    # in series.csv the base states no claim: value basis 'definition', no confidence
    base = rows[rows["derivation"] == "base of the index"]
    assert base["value_basis"].tolist() == ["definition"]
    assert base["confidence"].isna().all()
    fig = prodstats.plot(rows, prodstats.project(series), ledger=ledger)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "base of the index (= 1)" in legend and "unverified" in legend
    assert "verified or official" not in legend
    squares = [line for line in fig.axes[0].get_lines() if line.get_marker() == "s"]
    assert [tuple(line.get_ydata()) for line in squares] == [(1.0,)]


def test_every_actor_with_several_yearly_series_gets_an_overview_of_them(tmp_path):
    """The overview is not Ukraine's alone: any actor with three or more series of yearly
    figures gets one page of them, the series with the most points first; a share or a count
    that is not per year is not on it, and an actor with fewer series gets none.
    """
    ledger, series = _ledger(tmp_path, [
        {"actor": "RUS", "period": "2023", "value": "2000000", "unit": "rounds"},
        {"actor": "RUS", "period": "2024", "value": "3000000", "unit": "rounds"},
        {"actor": "RUS", "indicator": "missiles_produced", "period": "2024", "value": "1500",
         "unit": "missiles"},
        {"actor": "RUS", "indicator": "long_range_drones_produced", "period": "2025",
         "value": "30000", "unit": "drones", "modality": "target"},
        {"actor": "RUS", "indicator": "weapons_used_share_domestic", "period": "2024",
         "value": "0.8", "unit": "dimensionless", "kind": "share"},
        {"actor": "USA", "period": "2024", "value": "360000", "unit": "rounds"},
    ])
    jobs = {job["stem"]: job for job in chart_jobs(series, prodstats.project(series), ledger)}
    assert [stem for stem in jobs if stem.startswith("overview")] == ["overview_rus"]
    assert jobs["overview_rus"]["record"]["title"] == (
        "Overview: Russia: yearly figures as the sources give them")
    fig = jobs["overview_rus"]["draw"]()
    titles = [ax.get_title(loc="left").replace("\n", " ") for ax in fig.axes]
    assert titles == ["Mortar and artillery shells produced domestically",
                      "Long-range drones produced domestically", "Missiles produced domestically"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["official (an interested party)", "target"]
    assert "dpa" not in fig.texts[-1].get_text() and "Test, 2025" in fig.texts[-1].get_text()


def test_a_footnote_of_many_claims_lists_the_first_and_counts_the_rest(tmp_path):
    """A bulk ledger's chart listed every claim id, and the footnote covered the plot."""
    from prodstats.charts import LISTED, _footnote

    claims = [{"period": str(2010 + k), "value": str(1000 + k)} for k in range(12)]
    ledger, series = _ledger(tmp_path, claims)
    rows = series[(series["scenario"] == "all") & (series["measure"] == "level")]
    note = _footnote(rows, ledger).replace("\n", " ")
    listed = ", ".join(f"c{k:02d}" for k in range(1, LISTED))
    assert f"Claims: {listed} and {12 - LISTED + 1} more." in note
    assert "c12" not in note
