"""Resolution: chains computed by hand, both readings of an ambiguous base, conflicts found and
not found, and rates converted through the unit registry.
"""

import pandas as pd
import pytest

import prodstats
from prodstats.series import target_history
from tests.conftest import mini_ledger, set_cell


def resolved(tmp_path, claims, scenario="all"):
    series = prodstats.resolve(prodstats.load(mini_ledger(tmp_path / "raw", claims)).claims)
    return series[series["scenario"] == scenario]


def test_ratios_chain_into_an_index_and_into_levels(tmp_path):
    series = resolved(tmp_path, [
        {"kind": "ratio", "indicator": "defence_production", "unit": "dimensionless",
         "period": "2023", "base_period": "2022", "value": "2"},
        {"kind": "ratio", "indicator": "defence_production", "unit": "dimensionless",
         "period": "2024", "base_period": "2023", "value": "1.5", "qualifier": "about"},
        {"indicator": "defence_production", "unit": "USD", "period": "2022", "value": "1e9"},
    ])
    index = series[series["measure"] == "index"].set_index("period")
    assert index["unit"].unique().tolist() == ["index (2022 = 1)"]
    assert index.loc["2022", "value"] == 1.0
    assert index.loc["2023", "value"] == 2.0
    # 2 × (1.5 ± 10 %): bounds travel by interval arithmetic
    assert index.loc["2024", ["value", "low", "high"]].tolist() == pytest.approx([3.0, 2.7, 3.3])
    levels = series[(series["measure"] == "level")].set_index("period")
    assert levels.loc["2022", "value"] == 1e9
    assert levels.loc["2023", "value"] == pytest.approx(2e9)
    assert levels.loc["2024", ["value", "low", "high"]].tolist() == pytest.approx([3e9, 2.7e9, 3.3e9])
    assert levels.loc["2024", "claim_ids"] == "c02;c03"
    assert levels.loc["2024", "unit"] == "USD/year"


def _sixfold_observed(raw):
    """The seed with reu24-06 ("sixfold by 2024", base 2022|2023) as an observation: its
    source dated January 2025, after 2024. In the seed itself it is a forecast (said in
    December 2023), which is never a point; here it shows how ambiguous observations read.
    """
    set_cell(raw, "sources.csv", "reuters-2024-ua-joint-production", "published", "2025-01")
    set_cell(raw, "claims.csv", "reu24-06", "modality", "actual")
    return prodstats.load(raw)


def test_an_ambiguous_observed_base_gives_two_readings(raw):
    series = prodstats.resolve(_sixfold_observed(raw).claims)
    prod = series[(series["indicator"] == "defence_production") & (series["scenario"] == "all")]
    for reading, value_2024 in (("reu24-06:base=2022", 6.0), ("reu24-06:base=2023", 18.0)):
        points = prod[prod["reading"] == reading].set_index("claim_ids")
        assert points.loc["reu24-05", "value"] == 3.0
        assert points.loc["reu24-06", "value"] == value_2024
        assert points.loc["dpa25-10", "value"] == 18.0  # "sixfold compared with 2023"
    consistent = prod.groupby("reading")["reading_consistent"].all().to_dict()
    assert consistent == {"reu24-06:base=2022": False, "reu24-06:base=2023": True}


def test_a_conflict_is_reported_with_both_ids_and_marked_disputed(raw):
    ledger = _sixfold_observed(raw)
    series = prodstats.resolve(ledger.claims)
    found = prodstats.conflicts(series)
    assert found[["scenario", "reading", "period", "claim_id_a", "claim_id_b"]].to_numpy().tolist() == [
        ["all", "reu24-06:base=2022", "2024", "dpa25-10", "reu24-06"]]
    marked = series[(series["reading"] == "reu24-06:base=2022") & (series["scenario"] == "all")
                    & (series["period"] == "2024")]
    assert marked["confidence"].tolist() == ["disputed", "disputed"]
    # the raw ledger keeps what was coded
    assert ledger.claims.set_index("claim_id").loc["reu24-06", "confidence"] == "official"


def test_without_unverified_claims_both_readings_agree(seed_ledger):
    series = prodstats.resolve(seed_ledger.claims)
    clean = series[(series["scenario"] == "no_unverified")
                   & (series["indicator"] == "defence_production")]
    assert "dpa25-10" not in set(clean["claim_ids"])
    assert clean["reading_consistent"].all()


def test_overlapping_bounds_are_no_conflict(tmp_path):
    series = resolved(tmp_path, [
        {"period": "2024", "value": "2.5e6", "qualifier": "about"},
        {"period": "2024", "value": "2.6e6"},
    ])
    assert prodstats.conflicts(series).empty
    assert series["reading_consistent"].all()


def test_disjoint_levels_conflict(tmp_path):
    series = resolved(tmp_path, [
        {"period": "2024", "value": "2.5e6", "qualifier": "about"},
        {"period": "2024", "value": "1e6", "qualifier": "about"},
    ])
    found = prodstats.conflicts(series)
    assert found[["claim_id_a", "claim_id_b", "low_a", "high_a", "low_b", "high_b"]].to_numpy().tolist() == [
        ["c01", "c02", 2.25e6, 2.75e6, 0.9e6, 1.1e6]]
    assert set(series["confidence"]) == {"disputed"}


def test_a_part_of_a_period_that_exceeds_the_whole_is_a_conflict(tmp_path):
    """25,000 a month over the second half of 2024 is at least 150,000: more than "at most
    99,000" for the whole year (a newcomer's two outlets). 2,000 a month in March fits inside
    the year, and a target for a part is no amount that happened.
    """
    series = resolved(tmp_path, [
        {"period": "2024", "value": "90000", "qualifier": "about"},
        {"period": "2024-07/2024-12", "value": "25000", "unit": "rounds/month"},
        {"period": "2024-03", "value": "2000", "unit": "rounds/month"},
        {"period": "2024-10/2024-12", "value": "50000", "unit": "rounds/month",
         "modality": "target"},
    ])
    found = prodstats.conflicts(series)
    assert found[["period", "period_b", "claim_id_a", "claim_id_b", "why"]].to_numpy().tolist() == [
        ["2024", "2024-07/2024-12", "c01", "c02",
         "c02 gives at least 150,000 rounds over 2024-07/2024-12, more than the at most 99,000 "
         "rounds that c01 gives for all of 2024"]]
    assert found[["low_a", "high_a", "low_b", "high_b"]].to_numpy()[0].tolist() == pytest.approx(
        [81000.0, 99000.0, 300000.0, 300000.0])
    disputed = series.loc[series["confidence"] == "disputed", "claim_ids"]
    assert sorted(set(disputed)) == ["c01", "c02"]
    assert not series.loc[series["scenario"] == "all", "reading_consistent"].any()


def test_a_level_derived_from_a_disputed_level_is_disputed(tmp_path):
    """"Quadrupled since 2022" with a 2024 level that another outlet contradicts: the 2022 level
    derived from it rests on a claim in conflict, so it is not 'official' either.
    """
    series = resolved(tmp_path, [
        {"period": "2024", "value": "4", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2022"},
        {"period": "2024", "value": "175000", "value_low": "150000", "value_high": "200000"},
        {"period": "2024", "value": "90000", "qualifier": "about"},
    ])
    derived = series[series["derivation"].str.startswith("index ×")
                     & (series["scenario"] == "all")]
    assert derived[["period", "claim_ids", "confidence"]].to_numpy().tolist() == [
        ["2022", "c01;c02", "disputed"]]


def test_part_over_whole_leaves_capacities_calendars_and_one_length_alone():
    """A capacity is a rate at a time, not an amount that adds up; a rate per day over a month
    is within the calendar margin; a series of days alone pairs nothing.
    """
    def point(indicator, period, low, high, unit="rounds/year"):
        return {"scenario": "all", "actor": "UKR", "indicator": indicator, "measure": "level",
                "reading": "single", "unit": unit, "period": period, "modality": "actual",
                "claim_ids": f"{indicator}-{period}", "low": low, "high": high}
    series = pd.DataFrame([
        point("cap", "2024", 1e6, 1e6), point("cap", "2024-07/2024-12", 2.5e6, 2.5e6),
        point("out", "2024-01", 36525.0, 36525.0),  # 100 a day
        point("out", "2024-01-02/2024-01-31", 36525.0, 36525.0),
        point("day", "2024-01-01", 1.0, 1.0), point("day", "2024-01-02", 9.0, 9.0),
    ])
    assert prodstats.conflicts(series, capacities=["cap"]).empty
    assert prodstats.conflicts(series)["claim_id_a"].tolist() == ["cap-2024"]


def test_a_claim_both_sides_of_a_conflict_rest_on_is_not_disputed_by_it(tmp_path):
    """Two ratios against 2022 disagree; the 2024 level that the shared anchor level turns
    into does not rest on the conflict, so it keeps its confidence.
    """
    series = resolved(tmp_path, [
        {"period": "2023", "value": "2", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2022"},
        {"period": "2024", "value": "50000"},
        {"period": "2023", "value": "3", "kind": "ratio", "unit": "dimensionless",
         "base_period": "2022"},
    ])
    found = prodstats.conflicts(series)
    assert not found.empty
    level_2024 = series[(series["measure"] == "level") & (series["period"] == "2024")]
    assert level_2024["confidence"].tolist() == ["official"]


def test_a_part_within_the_whole_is_no_conflict(tmp_path):
    series = resolved(tmp_path, [
        {"period": "2024", "value": "200000"},
        {"period": "2024-07/2024-12", "value": "25000", "unit": "rounds/month"},
        {"period": "2023/2024", "value": "300000"},  # the amount over both years
    ])
    assert prodstats.conflicts(series).empty


def test_rates_are_converted_through_the_registry(tmp_path):
    series = resolved(tmp_path, [
        {"period": "2024-03", "value": "10000", "unit": "rounds/month"},
        {"period": "2024", "value": "120000", "unit": "rounds"},
        {"period": "2023-07", "value": "9000", "unit": "rounds"},  # 9,000 in one month
    ])
    values = series.set_index("claim_ids")["value"]
    assert values["c01"] == pytest.approx(120000)
    assert values["c02"] == pytest.approx(120000)
    assert values["c03"] == pytest.approx(108000)
    assert series["unit"].unique().tolist() == ["rounds/year"]


def test_the_conflicts_found_while_resolving_are_those_of_the_resolved_series(seed_ledger,
                                                                                 tmp_path):
    """The build takes the conflicts that resolving found (to mark the disputed points)
    instead of finding them again: they are exactly ``conflicts`` of the resolved series, with
    and without conflicts.
    """
    from prodstats.series import resolve_with_conflicts

    ledgers = {"seed": seed_ledger, "conflicting": prodstats.load(mini_ledger(tmp_path / "raw", [
        {"period": "2024", "value": "2.5e6", "qualifier": "about"},
        {"period": "2024", "value": "1e6", "qualifier": "about"}]))}
    for name, ledger in ledgers.items():
        capacities = ledger.capacity_bounds()
        series, found = resolve_with_conflicts(ledger.claims, capacities)
        pd.testing.assert_frame_equal(series, prodstats.resolve(ledger.claims, capacities))
        pd.testing.assert_frame_equal(found, prodstats.conflicts(series, capacities), obj=name)
    assert found["scenario"].tolist() == ["all", "no_unverified"]  # (the conflicting ledger)


def test_target_history_follows_each_chain_of_revisions(tmp_path):
    """Three versions of one target (a figure of 0 between them: no ratio to it), beside a
    target never revised; each chain's revisions in order, the last current.
    """
    ledger = prodstats.load(mini_ledger(tmp_path / "raw", [
        {"modality": "target", "period": "2025-03", "value": "100", "unit": "rounds/year"},
        {"modality": "target", "period": "2025-12", "value": "0", "unit": "rounds/year",
         "supersedes": "c01"},
        {"modality": "target", "period": "2026-06", "value": "50", "unit": "rounds/year",
         "supersedes": "c02"},
        {"modality": "pledge", "period": "2026", "value": "7", "unit": "rounds/year"},
        {"modality": "actual", "period": "2024", "value": "9", "unit": "rounds/year"},
    ]))
    history = target_history(ledger.claims, ledger.sources)
    assert history["target_id"].tolist() == ["c01", "c01", "c01", "c04"]
    assert history["claim_id"].tolist() == ["c01", "c02", "c03", "c04"]
    assert history["revision"].tolist() == [0, 1, 2, 0]
    assert history["current"].tolist() == [False, False, True, True]
    assert history["slipped_months"].tolist()[1:3] == [9.0, 6.0]
    assert history["slipped_months"].isna().tolist() == [True, False, False, True]
    assert history["value_change"].isna().tolist() == [True, False, True, True]
    assert history["value_change"].tolist()[1] == 0.0
    assert history["published"].tolist() == ["2025"] * 4


def test_target_history_of_a_ledger_without_aims_is_empty_and_typed(tmp_path):
    ledger = prodstats.load(mini_ledger(tmp_path / "raw", [
        {"period": "2024", "value": "9", "unit": "rounds/year"}]))
    history = target_history(ledger.claims, ledger.sources)
    assert history.empty
    assert history.dtypes.astype(str).to_dict()["revision"] == "int64"


def test_a_forward_ratio_stands_on_each_reading_and_candidate_base(tmp_path):
    """A forward ratio of an ambiguous base, in a series with two readings: one row per
    reading and candidate base the observations give, in that order.
    """
    series = resolved(tmp_path, [
        {"kind": "ratio", "indicator": "defence_production", "unit": "dimensionless",
         "period": "2023", "base_period": "2022|2021", "value": "2"},
        {"kind": "ratio", "indicator": "defence_production", "unit": "dimensionless",
         "period": "2022", "base_period": "2021", "value": "1.5"},
        {"kind": "ratio", "indicator": "defence_production", "unit": "dimensionless",
         "modality": "target", "period": "2026", "base_period": "2023|2022", "value": "3"},
    ])
    ahead = series[series["modality"] == "target"]
    assert ahead["reading"].tolist() == ["c01:base=2021", "c01:base=2021",
                                         "c01:base=2022", "c01:base=2022"]
    assert ahead["derivation"].tolist() == [
        "target ratio 3 × index of 2023 (one reading of 2023|2022)",
        "target ratio 3 × index of 2022 (one reading of 2023|2022)"] * 2
    # reading base=2022: 2022 is 1.5 (index of 2021), 2023 is 2 × 1.5
    by_reading = ahead[ahead["reading"] == "c01:base=2022"]
    assert by_reading["value"].tolist() == pytest.approx([9.0, 4.5])
    assert set(ahead["period"]) == {"2026"}
