"""The claim ledger: the seed validates, and every rule rejects a crafted bad ledger with an
exact message.
"""

import csv
import math

import pytest

import prodstats
from prodstats.vocab import QUALIFIERS
from tests.conftest import LIVE_RAW, ROOT, problems, read_rows, set_cell, write_rows

SOURCES = "data/raw/sources.csv"


def test_seed_ledger_validates(seed_ledger):
    assert len(seed_ledger.sources) == 2
    assert len(seed_ledger.claims) == 29
    assert seed_ledger.claims["claim_id"].is_unique


def test_seed_holds_the_figures_of_both_texts(seed_ledger):
    claims = seed_ledger.claims.set_index("claim_id")
    assert claims.loc["reu24-05", ["kind", "value", "base_period"]].tolist() == ["ratio", 3.0, "2022"]
    assert claims.loc["reu24-06", "base_period"] == "2022|2023"
    assert claims.loc["dpa25-10", "confidence"] == "unverified"
    assert claims.loc["dpa25-08", "value_canonical"] == 2.5e6
    assert claims.loc["dpa25-08", "canonical_unit"] == "rounds/year"
    assert claims.loc[["dpa25-11", "dpa25-12"], "modality"].tolist() == ["target", "target"]
    assert claims.loc["dpa25-14", "value_canonical"] == pytest.approx(0.40)


def test_qualifier_rules_give_bounds(seed_ledger):
    claims = seed_ledger.claims.set_index("claim_id")
    # about 2.5 million → ±10 %
    assert claims.loc["dpa25-08", ["value_low", "value_high"]].tolist() == pytest.approx([2.25e6, 2.75e6])
    # more than 250 → [250, open above]
    assert claims.loc["reu24-03", ["value_low", "value_high"]].tolist() == [250, math.inf]
    # dozens → [24, 99], no value
    low_high = claims.loc["reu24-01", ["value_low", "value_high"]].tolist()
    assert math.isnan(claims.loc["reu24-01", "value"]) and low_high == [24, 99]
    # within 24 hours → up to: a ceiling and no floor, [0, 24] hours = [0, 1] day
    assert claims.loc["dpa25-22", ["low_canonical", "high_canonical"]].tolist() == pytest.approx([0.0, 1.0])


def test_scale_word_with_a_zero_bound_stays_a_range(raw):
    """Found by the fuzzer when a midpoint was imputed (undefined at 0): a range has none."""
    set_cell(raw, "claims.csv", "reu24-01", "value_low", "0")
    claims = prodstats.load(raw).claims.set_index("claim_id")
    assert claims.loc["reu24-01", ["value_low", "value_high"]].tolist() == [0, 99]
    assert math.isnan(claims.loc["reu24-01", "value"])


def test_codebook_shows_the_rule_table():
    text = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    for q in QUALIFIERS.values():
        if q.is_scale:
            row = f"| `{q.name}` | {q.low_abs:,.0f} | {q.high_abs:,.0f} |"
        else:
            high = ("open (empty)" if q.high_factor == float("inf")
                    else f"value × {q.high_factor:g}")
            low = "0 (open below)" if q.low_factor == 0 else f"value × {q.low_factor:g}"
            row = f"| `{q.name}` | {low} | {high} |"
        assert row in text, row


def test_quote_not_in_text(raw):
    line = set_cell(raw, "claims.csv", "dpa25-08", "quote", "etwa 3 Millionen Granaten")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'quote' = 'etwa 3 Millionen Granaten': not found in the "
        "text of dpa-2025-01-17-alliances; the quote must be copied verbatim from the text file "
        "(same language, quotation marks, dashes and spaces)"]


def test_quote_with_lookalike_letters(raw):
    line = set_cell(raw, "claims.csv", "dpa25-08", "quote", "etwа 2,5 Millionen")  # Cyrillic а
    [message] = problems(raw)
    assert message.startswith(f"{raw}/claims.csv:{line}: column 'quote' = ")
    assert "matches only after replacing look-alike characters ['а' (U+0430 CYRILLIC SMALL LETTER A)]" in message


def test_edited_text_fails_its_hash(raw):
    text = raw / "texts" / "dpa-2025-01-17-alliances.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("2,5 Millionen", "3,5 Millionen"),
                    encoding="utf-8")
    [message] = problems(raw)
    assert message.startswith(f"{raw}/sources.csv:3: column 'sha256' = ")
    assert "texts/dpa-2025-01-17-alliances.txt now hashes to " in message
    assert "the text was changed since it was coded" in message


def test_missing_text_file(raw):
    (raw / "texts" / "dpa-2025-01-17-alliances.txt").unlink()
    assert problems(raw) == [
        f"{raw}/sources.csv:3: column 'text_file' = 'texts/dpa-2025-01-17-alliances.txt': no such "
        f"file under {raw}/; archive the source text there, verbatim, as UTF-8"]


def test_unknown_unit(raw):
    line = set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns/month")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'unit' = 'rouns/month': unknown unit 'rouns' "
        "(did you mean 'rounds'?)"]


def test_unit_of_wrong_dimension(raw):
    line = set_cell(raw, "claims.csv", "dpa25-11", "unit", "drones")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'unit' = 'drones': has dimension [drone] but the "
        "indicator is measured in 'missiles/year' ([missile] / [time]); use a unit of that kind, "
        "or the amount over the period (e.g. 'missiles')"]


def test_rate_units_convert(raw):
    set_cell(raw, "claims.csv", "dpa25-08", "derived", "true")  # not the quote's figure
    set_cell(raw, "claims.csv", "dpa25-08", "unit", "rounds/month")
    set_cell(raw, "claims.csv", "dpa25-08", "value", "200000")
    claims = prodstats.load(raw).claims.set_index("claim_id")
    assert claims.loc["dpa25-08", "value_canonical"] == pytest.approx(2.4e6)


def test_ratio_without_base(raw):
    line = set_cell(raw, "claims.csv", "reu24-05", "base_period", "")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'base_period': a ratio needs the period it is compared "
        "with; write it (e.g. 2022), or several candidates as 2022|2023 when the text is ambiguous"]


def test_base_after_period(raw):
    line = set_cell(raw, "claims.csv", "reu24-05", "base_period", "2024")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'base_period' = '2024': base 2024 does not come before "
        "the period 2023; a ratio compares a later period with an earlier base"]


def test_duplicate_claim_id(raw):
    line = set_cell(raw, "claims.csv", "dpa25-02", "claim_id", "dpa25-01")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'claim_id' = 'dpa25-01': duplicate id, first used on "
        f"line {line - 1}; give each claim its own id"]


def test_missing_source(raw):
    line = set_cell(raw, "claims.csv", "dpa25-08", "source_id", "dpa-2025-01-18-alliances")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'source_id' = 'dpa-2025-01-18-alliances': no such "
        "source in sources.csv (did you mean 'dpa-2025-01-17-alliances'?); add the source first "
        "or fix the id"]


def test_share_above_one(raw):
    line = set_cell(raw, "claims.csv", "dpa25-13", "value", "1.5")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'value' = '1.5': a share must lie in 0–1, or 0–100 "
        "with unit 'percent'; with its bounds it reaches 1.35–1.65 (as a fraction)"]


def test_bounds_out_of_order(raw):
    line = set_cell(raw, "claims.csv", "dpa25-11", "value_high", "2000")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'value_high' = '2000': below value_low (3000); the "
        "upper bound must be at least the lower one — fix the bounds or leave them to the "
        "qualifier"]


def test_value_outside_its_bounds(raw):
    set_cell(raw, "claims.csv", "dpa25-11", "derived", "true")  # bounds not in the quote
    set_cell(raw, "claims.csv", "dpa25-11", "notes", "bounds set by the test")
    line = set_cell(raw, "claims.csv", "dpa25-11", "value_low", "3500")
    set_cell(raw, "claims.csv", "dpa25-11", "value_high", "4000")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'value' = '3000': outside its bounds [3500, 4000]; "
        "value_low ≤ value ≤ value_high must hold — fix the bounds or the qualifier"]


def test_vocabulary(raw):
    line = set_cell(raw, "claims.csv", "dpa25-11", "confidence", "likely")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'confidence' = 'likely': not an allowed value; use one "
        "of: verified, reported, official, unverified, disputed"]


@pytest.mark.parametrize(("cell", "fix"), [
    ("70.000", "write it without separators (70000), or as 70.0 if a decimal is meant"),
    ("1.250", "write it without separators (1250), or as 1.25 if a decimal is meant"),
    ("2.500.000", "write it without separators (2500000)"),
])
def test_a_grouped_figure_gets_its_own_fix(raw, cell, fix):
    line = set_cell(raw, "claims.csv", "dpa25-11", "value", cell)
    assert problems(raw) == [f"{raw}/claims.csv:{line}: column 'value' = '{cell}': looks like a "
                             f"figure with '.' as thousands separator; {fix}"]


@pytest.mark.parametrize(("column", "cell", "says"), [
    ("qualifier", "roughly", "('roughly' is a cue for 'about')"),
    ("confidence", "offical", "(did you mean 'official'?)"),
])
def test_a_word_for_an_allowed_value_gets_it(raw, column, cell, says):
    line = set_cell(raw, "claims.csv", "dpa25-11", column, cell)
    [problem] = problems(raw)
    assert problem.startswith(f"{raw}/claims.csv:{line}: column '{column}' = '{cell}': not an "
                              f"allowed value {says}; use one of: ")


def test_required_field_and_number(raw):
    line = set_cell(raw, "claims.csv", "dpa25-11", "value", "3.000")
    set_cell(raw, "claims.csv", "dpa25-12", "value", "30k")
    set_cell(raw, "claims.csv", "dpa25-13", "quote_en", "")
    found = problems(raw)
    assert found == [
        f"{raw}/claims.csv:{line}: column 'value' = '3.000': looks like a figure with '.' as "
        "thousands separator; write it without separators (3000), or as 3.0 if a decimal is meant",
        f"{raw}/claims.csv:{line + 1}: column 'value' = '30k': expected a number such as 2500000 "
        "or 2.5e6 (no thousands separators or units)",
        f"{raw}/claims.csv:{line + 2}: column 'quote_en': required but empty"]


def test_bad_period(raw):
    line = set_cell(raw, "claims.csv", "dpa25-13", "period", "2024-13")
    assert problems(raw) == [
        f"{raw}/claims.csv:{line}: column 'period' = '2024-13': month 13 in '2024-13' does not "
        "exist; months run 01–12"]


def test_all_problems_are_reported_together(raw):
    set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns")
    set_cell(raw, "claims.csv", "dpa25-13", "value", "1.5")
    set_cell(raw, "claims.csv", "reu24-05", "base_period", "")
    assert len(problems(raw)) == 3


def test_unknown_and_missing_columns(raw):
    header, rows = read_rows(raw / "claims.csv")
    header = [h if h != "notes" else "note" for h in header]
    for row in rows:
        row["note"] = row.pop("notes")
    write_rows(raw / "claims.csv", header, rows)
    assert problems(raw) == [
        f"{raw}/claims.csv:1: column 'note': unknown column (did you mean 'notes'?); remove it or "
        "rename it (allowed: " + ", ".join(prodstats.schemas.CLAIM_COLUMNS) + ")"]


def test_required_column_missing(raw):
    header, rows = read_rows(raw / "claims.csv")
    header.remove("unit")
    for row in rows:
        del row["unit"]
    write_rows(raw / "claims.csv", header, rows)
    assert problems(raw) == [
        f"{raw}/claims.csv:1: column 'unit': required column is missing; add it to the header line"]


def test_default_path_is_the_project_ledger():
    with (LIVE_RAW / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    assert len(prodstats.load().claims) == rows


def test_sources_csv_path_in_messages_is_relative_when_run_from_the_project(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert SOURCES.startswith("data/raw/")


def test_duplicate_indicator_id(raw):
    """Found while speeding up validation: a repeated indicator id was silently accepted (the
    last row won).
    """
    path = raw / "indicators.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(rows + [rows[1]]) + "\n", encoding="utf-8")
    first = rows[1].split(",")[0]
    assert problems(raw) == [
        f"{raw}/indicators.csv:{len(rows) + 1}: column 'indicator_id' = '{first}': duplicate id, "
        f"first used on line 2; give each indicator its own id"]


def test_duplicate_source_id_names_the_first_line(raw):
    path = raw / "sources.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([rows[0], rows[1], rows[1], *rows[2:]]) + "\n", encoding="utf-8")
    sid = rows[1].split(",")[0]
    assert problems(raw) == [
        f"{raw}/sources.csv:3: column 'source_id' = '{sid}': duplicate id, first used on line 2; "
        f"give each source its own id"]
