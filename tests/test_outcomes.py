"""Forward statements apart from observations (issue 18): the promise tracker (outcomes.csv),
restatements (same_as), value bases, the confidence 'reported' and indicator scope.

The exact-content tests read frozen fixture ledgers: tests/fixtures/promises (an EU pledge, its
shortfall, a revision with two restatements, a met capacity target and a pending forecast) and
tests/fixtures/seed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import prodstats
from prodstats.build import build, compute
from prodstats.vocab import FORWARD, OBSERVED
from tests.conftest import ROOT, SEED_RAW, mini_ledger, problems, set_cell

PROMISES = ROOT / "tests" / "fixtures" / "promises"


@pytest.fixture(scope="module")
def promises():
    return compute(PROMISES).tables


@pytest.fixture(scope="module")
def seed():
    return compute(SEED_RAW).tables


def _row(table: pd.DataFrame, statement: str, base: str | None = None) -> pd.Series:
    rows = table[table["statement_id"] == statement]
    if base is not None:
        rows = rows[rows["base_period"] == base]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_a_pledge_and_its_shortfall_give_missed_with_the_ratio(promises):
    row = _row(promises["outcomes"], "ew23-01")
    assert row["status"] == "missed"
    assert row["value"] == 1_000_000 and row["unit"] == "rounds"
    assert row["observed_value"] == 520_000 and row["observed_claim_ids"] == "ew24-03"
    assert row["ratio"] == pytest.approx(0.52)
    assert (row["ratio_low"], row["ratio_high"]) == pytest.approx((0.468, 0.572))
    assert row["due"] == "2024-03-31" and row["said"] == "2023-03-20"
    assert row["note"] == (
        "pledge of 1 million rounds for 2023-04/2024-03, said 2023-03-20; revised after it fell "
        "due by ew24-02 (2024-04-02); observed 520,000 rounds (ew24-03, official): ratio 0.52, "
        "short by 48%")


def test_a_revised_total_needs_the_remainder_in_the_months_left(promises):
    """1 M shells over 2023-04/2024-12 with 520,000 delivered over 2023-04/2024-03: the other
    480,000 must come in 9 months, 640,000 a year, +23 % on the rate so far (not the +7.8 % of
    averaging 1 M over 21 months against 520,000 over 12).
    """
    feas = promises["feasibility"]
    for _, row in feas[feas["claim_id"] == "ew24-02"].iterrows():
        assert row["required_growth"] == pytest.approx(640_000 / 520_000 - 1)
        assert ("1,000,000 rounds counted from 2023-04: 520,000 by 2024-03; the remaining "
                "480,000 in 9 months need 640,000 a year, +23% on the rate so far (520,000 a "
                "year); required_growth is that step in the rate, not a yearly growth"
                ) in row["note"]
    capacity = feas[feas["claim_id"] == "ew24-06"].iloc[0]
    assert "counted from" not in capacity["note"]  # a rate at a date, not a total


def test_a_missed_pledge_is_no_conflict_and_the_actual_is_not_disputed(promises):
    assert promises["conflicts"].empty
    actual = promises["series"][promises["series"]["claim_ids"] == "ew24-03"]
    assert set(actual["confidence"]) == {"official"}
    assert actual["reading_consistent"].all()


def test_a_revised_pledge_with_restatements_is_one_current_statement(promises):
    table = promises["outcomes"]
    delivered = table[table["indicator"] == "shells_delivered"]
    assert list(delivered["statement_id"]) == ["ew23-01", "ew24-02"]
    current = delivered[delivered["current"]]
    assert list(current["statement_id"]) == ["ew24-02"]
    assert current.iloc[0]["attestations"] == "ew24-02;ew24-01;ew24-04"
    # one row of the pledge in the series, whichever attestation
    series = promises["series"]
    pledges = series[(series["scenario"] == "all") & (series["modality"] == "pledge")]
    assert list(pledges["claim_ids"]) == ["ew24-02"]
    history = promises["target_history"]
    assert list(history["claim_id"]) == ["ew23-02", "ew23-01", "ew24-02"]
    revised = history[history["claim_id"] == "ew24-02"].iloc[0]
    assert (revised["slipped_months"], revised["value_change"]) == (9, 1)


def test_a_met_target_and_a_pending_forecast(promises):
    met = _row(promises["outcomes"], "ew23-02")
    assert (met["status"], met["ratio"], met["observed_claim_ids"]) == ("met", 1.0, "ew24-05")
    pending = _row(promises["outcomes"], "ew24-06")
    assert pending["status"] == "pending"
    assert pending["as_of"] == "2024-04-02" and pending["due"] == "2025-12-31"
    assert pd.isna(pending["observed_value"]) and pd.isna(pending["error"])
    assert pending["note"].endswith("due 2025-12-31, after the latest source (2024-04-02)")


def test_a_revision_said_before_the_due_date_supersedes(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    for claim in ("ew23-01", "ew24-03"):  # due at the end of June, revised on 2 April
        set_cell(raw, "claims.csv", claim, "period", "2023-07/2024-06")
    set_cell(raw, "claims.csv", "ew24-03", "modality", "estimate")
    row = _row(compute(raw).tables["outcomes"], "ew23-01")
    assert row["status"] == "superseded"
    assert row["note"].endswith("superseded by ew24-02 (2024-04-02)")


def test_a_due_statement_without_an_observation_of_its_period_has_no_data(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "claims.csv", "ew24-05", "period", "2024-02")  # not the due month
    row = _row(compute(raw).tables["outcomes"], "ew23-02")
    assert row["status"] == "no_data"
    assert pd.isna(row["ratio"])
    assert row["note"].endswith("due 2024-03-31, but no observation of its period is coded")


def test_the_seed_forecast_is_judged_against_the_later_claim_under_both_bases(seed):
    table = seed["outcomes"]
    base22, base23 = _row(table, "reu24-06", "2022"), _row(table, "reu24-06", "2023")
    assert base22["modality"] == "expected" and base22["said"] == "2023-12"
    assert (base22["observed_value"], base22["error"]) == (18, 2)
    assert base22["observed_claim_ids"] == "reu24-05;dpa25-10"
    assert (base23["observed_value"], base23["error"]) == (6, 0)
    assert base23["observed_claim_ids"] == "dpa25-10"
    assert {base22["observed_confidence"], base23["observed_confidence"]} == {"unverified"}
    assert set(table["status"]) <= {"met", "pending"}


def test_the_seed_has_no_conflict_and_no_forecast_point(seed):
    assert seed["conflicts"].empty
    series = seed["series"]
    # the forecast is a forward row beside the index, never chained into it
    index = series[series["indicator"] == "defence_production"]
    forecast = index[index["claim_ids"] == "reu24-06"]
    assert set(forecast["modality"]) == {"expected"}
    assert set(forecast["value"]) == {6.0, 18.0}
    observed = index[index["modality"].isin(OBSERVED)]
    for scenario, rows in observed.groupby("scenario"):
        assert "reu24-06" not in set(rows["claim_ids"]), scenario
    no_unverified = observed[observed["scenario"] == "no_unverified"]
    assert sorted(no_unverified["period"]) == ["2022", "2023"]  # no 2024 observation
    assert set(series["modality"]) <= set(OBSERVED) | set(FORWARD)


def test_a_forward_statement_never_conflicts_even_against_a_disjoint_actual(tmp_path):
    # a pledge of 15 systems for 2024, and an actual of 3 for the same year and series
    raw = mini_ledger(tmp_path / "raw", [
        {"indicator": "air_defence_systems_delivered", "modality": "pledge", "period": "2024",
         "value": "15", "unit": "systems"},
        {"indicator": "air_defence_systems_delivered", "period": "2024", "value": "3",
         "unit": "systems"}])
    tables = compute(raw).tables
    assert tables["conflicts"].empty
    assert "disputed" not in set(tables["series"]["confidence"].dropna())
    [row] = tables["outcomes"].to_dict("records")
    assert (row["status"], row["ratio"]) == ("missed", pytest.approx(0.2))


def test_value_bases(seed):
    claims = seed["claims"].set_index("claim_id")
    assert claims.loc["reu24-02", "value_basis"] == "range"  # "Dutzende": 24–99, no value
    assert claims.loc["dpa25-09", "value_basis"] == "derived"  # 'the same amount'
    assert claims.loc["dpa25-08", "value_basis"] == "stated"
    series = seed["series"]
    assert set(series.loc[series["derivation"] == "base of the index", "value_basis"]) == {
        "definition"}
    assert series.loc[series["derivation"] == "base of the index", "confidence"].isna().all()
    drones = series[series["claim_ids"] == "dpa25-09"]
    assert set(drones["value_basis"]) == {"derived"}
    assert not drones["derivation"].eq("stated").any()


def test_restatements_count_once(seed):
    series = seed["series"]
    assert "reu24-01" not in set(series["claim_ids"])  # the lead's paraphrase of reu24-02
    assert "dpa25-02" not in set(series["claim_ids"])  # the summary of dpa25-03
    assert set(series.loc[series["indicator"] == "arms_package_value", "claim_ids"]) == {
        "dpa25-17"}
    claims = seed["claims"].set_index("claim_id")
    assert claims.loc["dpa25-18", "statement_id"] == "dpa25-17"
    assert claims.loc["dpa25-02", "value"] == 1e9  # 'in Milliardenhöhe': a billion or more
    assert claims.loc["dpa25-02", "qualifier"] == "at_least"


def test_context_indicators_make_no_series(seed):
    series = seed["series"]
    for context in ("treaty_duration", "war_duration", "combat_engagements", "time_to_end_war"):
        assert context not in set(series["indicator"]), context
        assert context in set(seed["claims"]["indicator"])
        assert context not in set(seed["target_history"]["indicator"]), context
        assert context not in set(seed["outcomes"]["indicator"]), context
    assert set(seed["claims"].loc[seed["claims"]["indicator"] == "war_duration", "scope"]) == {
        "context"}


def test_the_api_gives_the_same_outcomes_as_the_build(promises):
    ledger = prodstats.load(PROMISES)
    caps = ledger.capacity_bounds()
    series = prodstats.resolve(ledger.claims, caps)
    table = prodstats.outcomes(ledger.claims, ledger.sources, series, caps)
    pd.testing.assert_frame_equal(table, promises["outcomes"])


# --- refusals, one exact line each --------------------------------------------------------------

def _line(raw: Path, claim: str) -> int:
    from prodstats.read import record_lines

    ids = pd.read_csv(raw / "claims.csv", dtype=str)["claim_id"].tolist()
    return record_lines(raw / "claims.csv")[ids.index(claim)]


@pytest.mark.parametrize(("claim", "value", "message"), [
    ("ew24-01", "ew24-2", "column 'same_as' = 'ew24-2': no such claim (did you mean 'ew24-02'?); "
                          "name the claim_id of the claim this one restates"),
    ("ew24-01", "ew24-01", "column 'same_as' = 'ew24-01': a claim cannot restate itself; name "
                           "the other claim of the same statement, or leave same_as empty"),
    ("ew24-01", "ew23-02", "column 'same_as' = 'ew23-02': ew23-02 is about eu / shells_capacity "
                           "/ level, this claim about eu / shells_delivered / level (the "
                           "indicator differ); a restatement is of the same statement: fix the "
                           "claim's fields, or leave same_as empty if it is a statement of its "
                           "own"),
])
def test_a_bad_restatement_is_refused_in_one_line(tmp_path, claim, value, message):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "claims.csv", claim, "same_as", value)
    assert problems(raw) == [f"{raw}/claims.csv:{_line(raw, claim)}: {message}"]


def test_a_cycle_of_restatements_is_refused_once(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "claims.csv", "ew24-02", "same_as", "ew24-04")
    assert problems(raw) == [
        f"{raw}/claims.csv:{_line(raw, 'ew24-02')}: column 'same_as' = 'ew24-04': restatements "
        "form a cycle (ew24-02 -> ew24-04 -> ew24-02); one claim of the statement is the "
        "original: leave its same_as empty"]


def test_verified_for_the_outlets_own_voice_says_to_write_reported(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "claims.csv", "ew24-01", "confidence", "verified")
    assert problems(raw) == [
        f"{raw}/claims.csv:{_line(raw, 'ew24-01')}: column 'confidence' = 'verified': the "
        "reason says the outlet states it in its own voice: write 'reported' ('verified' means "
        "independently confirmed; docs/codebook.md §6)"]


def test_an_unknown_scope_is_refused(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "indicators.csv", "shells_produced", "scope", "contxt")
    assert problems(raw) == [
        f"{raw}/indicators.csv:3: column 'scope' = 'contxt': not an allowed value (did you mean "
        "'context'?); use one of: production, context"]


def test_outcomes_are_byte_identical_on_rebuild(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    from prodstats.build import build

    for out in (first, second):
        build(PROMISES, out=out, draw=False)
    assert (first / "outcomes.csv").read_bytes() == (second / "outcomes.csv").read_bytes()
    header = (first / "outcomes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("statement_id,attestations,actor,indicator,modality,speaker,")


def test_a_claim_cannot_revise_its_own_statement(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(PROMISES, raw)
    set_cell(raw, "claims.csv", "ew24-01", "supersedes", "ew24-02")
    assert problems(raw) == [
        f"{raw}/claims.csv:{_line(raw, 'ew24-01')}: column 'supersedes' = 'ew24-02': ew24-02 "
        "and this claim are one statement (same_as); a revision is a later statement: clear "
        "same_as, or supersedes"]


def _dozens_ledger(tmp_path, promised: str) -> pd.DataFrame:
    raw = mini_ledger(tmp_path / "raw", [
        {"indicator": "coproduction_contracts", "unit": "contracts", "modality": "pledge",
         "period": "2024", "value": promised, "quote": f"we will sign {promised} contracts in 2024"},
        {"indicator": "coproduction_contracts", "unit": "contracts", "period": "2024",
         "qualifier": "dozens", "derived": "false", "notes": "",
         "quote": "dozens of contracts were signed in 2024"},
    ])
    return compute(raw).tables


@pytest.mark.parametrize(("promised", "status", "tail"), [
    ("50", "undecided", "a range with no figure, ratio 0.48–1.98, so the text cannot say "
                        "whether it was met"),
    ("20", "met", "a range with no figure, ratio 1.20–4.95"),
    ("120", "missed", "a range with no figure, ratio 0.20–0.82"),
])
def test_dozens_is_a_range_never_49(tmp_path, promised, status, tail):
    tables = _dozens_ledger(tmp_path, promised)
    claim = tables["claims"].set_index("claim_id").loc["c02"]
    assert pd.isna(claim["value"]) and pd.isna(claim["value_canonical"])
    assert (claim["value_low"], claim["value_high"], claim["value_basis"]) == (24, 99, "range")
    point = tables["series"][tables["series"]["claim_ids"] == "c02"].iloc[0]
    assert pd.isna(point["value"]) and (point["low"], point["high"]) == (24, 99)
    assert point["value_basis"] == "range"
    row = _row(tables["outcomes"], "c01")
    assert row["status"] == status
    assert pd.isna(row["observed_value"]) and pd.isna(row["ratio"])
    assert (row["observed_low"], row["observed_high"]) == (24, 99)
    assert row["note"].endswith(f"observed 24–99 contracts (c02, official): {tail}")


def test_a_range_promise_is_judged_on_its_bounds(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"indicator": "coproduction_contracts", "unit": "contracts", "modality": "pledge",
         "period": "2024", "qualifier": "dozens", "derived": "false", "notes": "",
         "quote": "we will sign dozens of contracts in 2024"},
        {"indicator": "coproduction_contracts", "unit": "contracts", "period": "2024",
         "value": "150", "quote": "150 contracts were signed in 2024"},
    ])
    row = _row(compute(raw).tables["outcomes"], "c01")
    assert row["status"] == "met" and pd.isna(row["value"])
    assert row["note"].startswith("pledge of dozens (24–99 contracts) for 2024")


def test_a_promisers_own_account_of_meeting_it_is_flagged(tmp_path):
    minister = {"speaker": "Minister A", "indicator": "shells_produced", "period": "2024"}
    raw = mini_ledger(tmp_path / "raw", [
        {**minister, "modality": "pledge", "value": "1000", "quote": "we will make 1000 in 2024"},
        {**minister, "value": "1200", "quote": "we made 1200 in 2024"},
    ])
    row = _row(compute(raw).tables["outcomes"], "c01")
    assert row["status"] == "met"
    assert row["note"].endswith("; the observation is Minister A's own account, not an "
                                "independent one")
    other = mini_ledger(tmp_path / "other", [
        {**minister, "modality": "pledge", "value": "1000", "quote": "we will make 1000 in 2024"},
        {**minister, "speaker": "Analyst B", "value": "1200", "quote": "they made 1200 in 2024"},
    ])
    assert "own account" not in _row(compute(other).tables["outcomes"], "c01")["note"]


def test_more_than_is_open_above_in_the_csvs_and_a_floor_for_the_tracker(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"modality": "pledge", "period": "2024", "value": "1000",
         "quote": "we will make 1000 shells in 2024"},
        {"period": "2024", "value": "1200", "qualifier": "more_than", "derived": "false",
         "notes": "", "quote": "more than 1200 shells were made in 2024"},
    ])
    out = tmp_path / "out"
    build(raw, out=out, draw=False)
    claims = pd.read_csv(out / "claims.csv").set_index("claim_id")
    assert claims.loc["c02", "value_low"] == 1200 and pd.isna(claims.loc["c02", "value_high"])
    series = pd.read_csv(out / "series.csv")
    point = series[series["claim_ids"] == "c02"].iloc[0]
    assert (point["value"], point["low"]) == (1200, 1200) and pd.isna(point["high"])
    row = _row(pd.read_csv(out / "outcomes.csv"), "c01")
    assert row["status"] == "met" and row["ratio_low"] == 1.2 and pd.isna(row["ratio_high"])
    assert "inf" not in (out / "outcomes.csv").read_text(encoding="utf-8")


def test_up_to_is_open_below_and_the_promise_is_judged_against_its_figure(tmp_path):
    """'Up to' gives a ceiling and no floor: 0–500, never an invented half (250–500)."""
    raw = mini_ledger(tmp_path / "raw", [
        {"modality": "pledge", "period": "2024", "value": "500", "qualifier": "up_to",
         "derived": "false", "notes": "", "quote": "we will make up to 500 shells in 2024"},
        {"period": "2024", "value": "300", "quote": "300 shells were made in 2024"},
    ])
    out = tmp_path / "out"
    build(raw, out=out, draw=False)
    claims = pd.read_csv(out / "claims.csv").set_index("claim_id")
    assert claims.loc["c01", ["value", "value_low", "value_high"]].tolist() == [500, 0, 500]
    row = _row(pd.read_csv(out / "outcomes.csv"), "c01")
    assert row["status"] == "missed" and row["ratio"] == 0.6
    assert row["ratio_low"] == 0.6 and pd.isna(row["ratio_high"])  # open above, published empty
    assert row["note"] == (
        "pledge of up to 500 rounds for 2024, said 2025; observed 300 rounds (c02, "
        "official): ratio 0.60, short by 40%; the bounds overlap (ratio 0.60 or more), so the "
        "shortfall lies within the uncertainty")


def test_a_ratio_open_below_chains_without_dividing_by_zero(tmp_path):
    """'Up to twice' the 2022 level, with 1,000 in 2024: 2022 is at least 500 and open above
    (the division by the ratio's low end, 0, is infinite), never a ZeroDivisionError.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"kind": "ratio", "unit": "dimensionless", "period": "2024", "base_period": "2022",
         "value": "2", "qualifier": "up_to", "derived": "false", "notes": "",
         "quote": "output rose up to twofold in 2024 compared with 2022"},
        {"period": "2024", "value": "1000", "quote": "1000 shells were made in 2024"},
    ])
    out = tmp_path / "out"
    build(raw, out=out, draw=False)
    series = pd.read_csv(out / "series.csv")
    levels = series[(series["measure"] == "level") & (series["scenario"] == "all")]
    base = levels[levels["period"].astype(str) == "2022"].iloc[0]
    assert (base["value"], base["low"]) == (500, 500) and pd.isna(base["high"])


def test_a_share_open_above_is_valid_and_published_open(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [
        {"indicator": "weapons_used_share_us", "kind": "share", "unit": "percent",
         "period": "2024", "value": "40", "qualifier": "more_than", "derived": "false",
         "notes": "", "quote": "more than 40 percent of the weapons came from the US in 2024"}])
    claim = compute(raw).tables["claims"].set_index("claim_id").loc["c01"]
    assert claim["value_low"] == 40 and np.isposinf(claim["value_high"])
    out = tmp_path / "out"
    build(raw, out=out, draw=False)
    assert pd.isna(pd.read_csv(out / "claims.csv")["value_high"].iloc[0])


def test_a_hedged_promise_keeps_its_hedge_in_the_note(seed):
    row = _row(seed["outcomes"], "dpa25-04")
    assert row["note"].startswith("pledge of more than 3 billion USD/year for 2025")
    assert row["low"] == 3e9 and np.isposinf(row["high"])


def test_no_data_names_the_observations_of_overlapping_periods(tmp_path):
    """Found by a new user: a pledge coded 2024-03/2024-12 against deliveries 'in 2024' read
    no_data with nothing to say that a 2024 figure exists.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"modality": "pledge", "period": "2024-03/2024-12", "value": "1000000",
         "quote": "we will deliver one million shells by the end of the year"},
        {"period": "2024", "value": "700000", "quote": "700,000 shells were delivered in 2024"},
    ])
    row = _row(compute(raw).tables["outcomes"], "c01")
    assert row["status"] == "no_data"
    assert row["note"].endswith(
        "but no observation of its period is coded; observations of overlapping periods: 2024 "
        "(c02). A statement is judged only by an observation of its own span; if the text means "
        "the same span, code the same period (docs/codebook.md §12)")


def test_a_recalled_promise_is_dated_when_it_was_made(tmp_path):
    """Found by a new user: 'the one million shells promised in March 2023', recalled in a
    2025 article, was dated by the article. said_on dates it when it was made.
    """
    pledge = {"modality": "pledge", "period": "2023-03/2024-03", "value": "1000000",
              "quote": "the one million shells promised in March 2023"}
    delivered = {"period": "2023-03/2024-03", "value": "520000",
                 "quote": "520,000 shells were delivered"}
    raw = mini_ledger(tmp_path / "raw", [{**pledge, "said_on": "2023-03"}, delivered])
    tables = compute(raw).tables
    row = _row(tables["outcomes"], "c01")
    assert row["said"] == "2023-03" and row["status"] == "missed"
    assert row["note"].startswith("pledge of 1 million rounds for 2023-03/2024-03, said 2023-03;")
    claims = tables["claims"].set_index("claim_id")
    assert claims.loc["c01", "said"] == "2023-03" and claims.loc["c02", "said"] == "2025"
    undated = mini_ledger(tmp_path / "undated", [pledge, delivered])
    assert _row(compute(undated).tables["outcomes"], "c01")["said"] == "2025"
    history = tables["target_history"].set_index("claim_id")
    assert history.loc["c01", ["published", "said"]].tolist() == ["2025", "2023-03"]
    # the promise chart's footer credits the article (2025), never the month the promise
    # was made (found by a new user: "Baltic Wire, Mar 2023", an article that does not exist)
    from prodstats.charts import promises

    fig = promises(tables["outcomes"], "UKR", "shells_produced", compute(raw).ledger)
    assert fig.texts[-1].get_text().startswith("Sources: Test, 2025. ")
    assert "(Test, said Mar 2023)" in fig.axes[0].texts[0].get_text()  # who said it, and when


@pytest.mark.parametrize(("said_on", "message"), [
    ("2026-02", "after its source was published (2025); said_on is when the speaker said it, "
                "before the text reported it: fix the date, or leave it empty"),
    ("March 2023", "not a date; write when the speaker said it as 2023-03-20 (or 2023-03, "
                   "2023), or leave it empty for the publication date"),
])
def test_said_on_is_a_date_before_the_article(tmp_path, said_on, message):
    raw = mini_ledger(tmp_path / "raw", [
        {"modality": "pledge", "period": "2026", "value": "1000", "said_on": said_on,
         "quote": "we will make 1000 shells in 2026"}])
    assert problems(raw) == [
        f"{raw}/claims.csv:{_line(raw, 'c01')}: column 'said_on' = '{said_on}': {message}"]


def test_the_median_of_a_statements_observations_is_numpys_bit_for_bit():
    """Several observations of one period give their median: the same float np.median gives,
    for one, two, an odd and an even number of them, with infinities and a NaN.
    """
    from prodstats.promises import _median

    cases = [[3.0], [1.0, 2.0], [0.1, 0.2], [5.0, 1.0, 3.0], [4.0, 1.0, 3.0, 2.0],
             [1e308, 1e308], [np.inf, -np.inf], [np.inf, 1.0], [1.0, np.nan, 2.0],
             [1 / 3, 2 / 3, 0.7, 0.1]]
    for values in cases:
        with np.errstate(over="ignore", invalid="ignore"):  # (inf + inf, inf - inf)
            expected = np.median(np.array(values, dtype=float))
        got = _median(values)
        assert got == expected or (np.isnan(got) and np.isnan(expected)), values


def test_observations_are_grouped_in_the_series_order():
    """The lookups group observations by key, each group in the series' order; a key with no
    observation (or an empty frame) finds none.
    """
    from prodstats.promises import _Grouped, _Seen

    frame = pd.DataFrame({"a": pd.array(["x", "y", "x", "x"], dtype="str"), "n": [1, 2, 1, 2]})
    columns = (["p0", "p1", "p2", "p3"], [0.0, 1.0, 2.0, 3.0], [0.0] * 4, [9.0] * 4,
               ["c0", "c1", "c2", "c3"], ["confirmed"] * 4)
    grouped = _Grouped(columns, frame, ["a", "n"])
    assert [s.period for s in grouped.get(("x", 1))] == ["p0", "p2"]
    assert grouped.get(("y", 2)) == [_Seen("p1", 1.0, 0.0, 9.0, "c1", "confirmed")]
    assert grouped.get(("y", 1)) == []
    part = _Grouped(columns, frame.iloc[[3, 1]], ["a"])  # some rows: their own positions
    assert [s.period for s in part.get(("x",))] == ["p3"]
    empty = _Grouped(columns, frame.iloc[:0], ["a", "n"])
    assert empty.code == {} and empty.get(("x", 1)) == []
