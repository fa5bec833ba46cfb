"""Targets: judged at the end of their own period, month-precise; each series projected to its
own horizon, so a source about one series never moves another (issue #10).
"""

import csv
import hashlib
import io
import shutil

import numpy as np
import pytest

import prodstats
from prodstats.build import build
from prodstats.forecast import default_horizon
from prodstats.periods import parse_period
from prodstats.schemas import CLAIM_COLUMNS, SOURCE_COLUMNS
from tests.conftest import SEED_RAW, mini_ledger, read_rows, write_rows

MONTHLY = {"unit": "rounds/month"}


def _feasibility(tmp_path, targets: list[str], value: str = "100000"):
    """The issue's example: 30,000 and 40,000 rounds a month observed in April and October
    2024, and a target of ``value`` a month for each period in ``targets``.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2024-04", "value": "30000", **MONTHLY},
        {"period": "2024-10", "value": "40000", **MONTHLY},
        *({"period": p, "value": value, "modality": "target", **MONTHLY} for p in targets),
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    feas = prodstats.feasibility(series, min_observed=2)   # the dates, not the minimum, tested
    return series, feas[feas["scenario"] == "all"].set_index("target_period")


def test_the_issue_example_is_judged_at_the_end_of_december(tmp_path):
    """100,000 a month by 2025-12 from 40,000 a month in October 2024: 1.21 years (to the end
    of December 2025), not 0.71 (to mid-2025, which asked for 264 % a year).
    """
    _, feas = _feasibility(tmp_path, ["2025-12"])
    row = feas.loc["2025-12"]
    years = 2026.0 - parse_period("2024-10").mid_year
    assert years == pytest.approx(1.2090, abs=1e-4)
    assert row["last_period"] == "2024-10"
    assert row["required_growth"] == pytest.approx(2.5 ** (1 / years) - 1)
    assert row["required_growth"] == pytest.approx(1.134, abs=0.001)  # was 2.641
    assert row["note"] == ""


def test_a_june_target_is_judged_in_june_and_a_december_one_in_december(tmp_path):
    series, feas = _feasibility(tmp_path, ["2025-06", "2025-12"])
    june, december = feas.loc["2025-06"], feas.loc["2025-12"]
    last = parse_period("2024-10").mid_year
    assert june["required_growth"] == pytest.approx(
        2.5 ** (1 / (parse_period("2025-06").end_year - last)) - 1)
    assert december["required_growth"] == pytest.approx(2.5 ** (1 / (2026.0 - last)) - 1)
    assert june["required_growth"] > december["required_growth"] + 1  # 5.4 vs 1.1 a year
    assert june["projected_mean"] < december["projected_mean"]
    assert june["prob_reach"] <= december["prob_reach"]
    # the projection's location at each date, by the half-drift line (its mean over draws)
    t = np.array([parse_period("2024-04").mid_year, last])
    drift = (40000 - 30000) * 12 / (t[1] - t[0])
    for row, due in ((june, parse_period("2025-06").end_year), (december, 2026.0)):
        h = due - last
        assert row["projected_mean"] == pytest.approx(40000 * 12 + 0.5 * drift * h, rel=0.2)


@pytest.mark.parametrize(("same", "as_"), [("2025", "2025-12"), ("2025-04/2025-06", "2025-06")])
def test_a_year_or_a_range_is_judged_at_its_end(tmp_path, same, as_):
    """A year ends with its December, a range with its last month: the same date, so the same
    figures (the draws are seeded by the series, not by the target).
    """
    _, feas = _feasibility(tmp_path, [same, as_])
    columns = ["projected_mean", "prob_reach", "required_growth", "trajectory_growth"]
    assert feas.loc[same, columns].tolist() == feas.loc[as_, columns].tolist()


def test_a_target_in_the_last_observed_period_is_noted_not_judged(tmp_path):
    _, feas = _feasibility(tmp_path, ["2024-10", "2024-11"])
    assert feas.loc["2024-10", "note"] == ("not judged: the target period does not end after "
                                           "the last observation")
    assert np.isnan(feas.loc["2024-10", "prob_reach"])
    assert feas.loc["2024-11", "note"] == "" and feas.loc["2024-11", "required_growth"] > 0


def test_the_chart_star_sits_where_the_target_is_judged(tmp_path):
    series, _ = _feasibility(tmp_path, ["2025-06", "2025-12"])
    fig = prodstats.plot(series, prodstats.project(series, min_observed=2))
    stars = sorted(float(x) for line in fig.axes[0].get_lines() if line.get_marker() == "*"
                   for x in line.get_xdata())
    assert stars == pytest.approx([parse_period("2025-06").end_year, 2026.0], abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Each series its own horizon
# ---------------------------------------------------------------------------------------------

def test_each_series_has_its_own_horizon(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2022", "value": "100"},
        {"period": "2023", "value": "110"},
        {"period": "2024", "value": "120"},
        {"period": "2030", "value": "300", "modality": "target"},
        {"period": "2023", "value": "10", "indicator": "missiles_produced", "unit": "missiles"},
        {"period": "2024", "value": "12", "indicator": "missiles_produced", "unit": "missiles"},
        {"period": "2025", "value": "20", "indicator": "missiles_produced", "unit": "missiles",
         "modality": "target"},
    ])
    series = prodstats.resolve(prodstats.load(raw).claims)
    last = prodstats.project(series, draws=50, min_observed=2).groupby("indicator")["period"].max()
    assert last.to_dict() == {"missiles_produced": "2027",  # last observed 2024 + 3
                              "shells_produced": "2032"}  # its own 2030 target + 2
    shells = series[series["indicator"] == "shells_produced"]
    assert default_horizon(shells) == 2032
    assert default_horizon(series[series["indicator"] == "missiles_produced"]) == 2027
    assert default_horizon(series) == 2032  # several series: the latest of their horizons
    fixed = prodstats.project(series, horizon=2026, draws=50, min_observed=2)
    assert sorted(fixed["period"].unique()) == ["2025", "2026"]


def _add_source(raw, claims: list[dict[str, str]]) -> None:
    """A new source about Poland, with its text and claims, added to the ledger in ``raw``."""
    text = "\n".join(c["quote"] for c in claims) + "\n"
    (raw / "texts" / "pl-test.txt").write_text(text, encoding="utf-8")
    header, sources = read_rows(raw / "sources.csv")
    assert header == SOURCE_COLUMNS
    sources.append({c: "" for c in header} | {
        "source_id": "pl-test", "outlet": "Test", "title": "Polish shells",
        "title_origin": "descriptive", "language": "en", "published": "2025",
        "published_precision": "year", "published_basis": "stated",
        "text_file": "texts/pl-test.txt", "sha256": hashlib.sha256(text.encode()).hexdigest()})
    write_rows(raw / "sources.csv", header, sources)
    header, rows = read_rows(raw / "claims.csv")
    assert header == [c for c in CLAIM_COLUMNS if c in header]  # optional ones may be absent
    base = dict.fromkeys(header, "") | {
        "source_id": "pl-test", "quote_en": "-", "channel": "test", "actor": "POL",
        "indicator": "shells_produced", "kind": "level", "qualifier": "exact",
        "confidence": "official", "confidence_reason": "test", "derived": "true",
        "notes": "test claim: its figure is set by the test"}
    write_rows(raw / "claims.csv", header, rows + [base | c for c in claims])


def _csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _rows_by_series(path) -> dict[tuple[str, str], list[str]]:
    """The CSV text of each (actor, indicator)'s rows of projections.csv."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    out: dict[tuple[str, str], list[str]] = {}
    for line, row in zip(lines[1:], csv.DictReader(io.StringIO(text)), strict=True):
        out.setdefault((row["actor"], row["indicator"]), []).append(line)
    return out


def test_a_source_about_another_series_changes_no_byte_of_the_others(tmp_path):
    """The frozen seed, built; then a copy with a source about Poland (observations and a
    2031 target, far beyond every seed series' horizon), built: every seed series' rows of
    projections.csv are the same bytes.
    """
    before = tmp_path / "before"
    build(SEED_RAW, before, draw=False)
    raw = tmp_path / "raw"
    shutil.copytree(SEED_RAW, raw)
    _add_source(raw, [
        *({"claim_id": f"pl25-0{i}", "quote": f"{v:,} shells in {year}", "modality": "actual",
           "period": str(year), "value": str(v), "unit": "rounds"}
          for i, (year, v) in enumerate(((2020, 5000), (2021, 7000), (2022, 8000),
                                         (2023, 10000), (2024, 15000)), start=4)),
        {"claim_id": "pl25-03", "quote": "100,000 shells a year by 2031", "modality": "target",
         "period": "2031", "value": "100000", "unit": "rounds/year"},
    ])
    after = tmp_path / "after"
    build(raw, after, draw=False)
    old, new = (_rows_by_series(d / "projections.csv") for d in (before, after))
    assert set(new) - set(old) == {("POL", "shells_produced")}
    assert {k: v for k, v in new.items() if k in old} == old
    polish = [r for r in _csv(after / "projections.csv") if r["actor"] == "POL"]
    assert max(r["period"] for r in polish) == "2033"  # its own 2031 target + 2
    assert ("UKR", "defence_production") in old  # a projected seed series is among those kept
    feas = {r["claim_id"]: r for r in _csv(after / "feasibility.csv")}
    assert feas["pl25-03"]["prob_reach"] != ""


@pytest.mark.parametrize(("qualifier", "note"), [
    ("more_than", "the last value, 36,000, is a floor (the text gives no figure above it), so "
                  "the growth needed is at most 64% a year"),
    ("up_to", "the last value, 36,000, is a ceiling (the text gives no figure below it), so "
              "the growth needed is at least 64% a year"),
])
def test_growth_needed_from_a_floor_or_a_ceiling_says_it_is_a_bound(tmp_path, qualifier, note):
    """Found by a new user: 'more than 36,000' in April 2024 and a target of 84,000 for 2025
    published a required growth of 64 % a year as if 36,000 were the figure: it is at most that
    (at least, from a ceiling), and the note says so.
    """
    from tests.conftest import mini_ledger

    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2023", "value": "30000", "unit": "rounds/year"},
        {"period": "2024-04", "value": "36000", "qualifier": qualifier, "unit": "rounds/year"},
        {"modality": "target", "period": "2025-12", "value": "84000", "unit": "rounds/year"}])
    ledger = prodstats.load(raw)
    feasible = prodstats.feasibility(prodstats.resolve(ledger.claims))
    row = feasible[feasible["scenario"] == "all"].iloc[0]
    assert row["required_growth"] == pytest.approx(0.641, abs=0.001)
    assert note in row["note"]
