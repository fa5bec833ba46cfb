"""The rules added with the plain load: each bad cell gives one exact line; spans, revisions,
actors and zero-claim ledgers work.
"""

import pickle
import shutil

import pytest

import prodstats
from prodstats.errors import LedgerError
from tests.conftest import mini_ledger, problems, read_rows, set_cell, write_rows


@pytest.mark.parametrize(("table", "key", "column", "value", "message"), [
    ("claims.csv", "dpa25-08", "value", "３.０００",
     "column 'value' = '３.０００': written with non-ASCII digits ['３' (U+FF13 FULLWIDTH DIGIT "
     "THREE), '０' (U+FF10 FULLWIDTH DIGIT ZERO)]; type the figure with the digits 0-9"),
    ("claims.csv", "dpa25-08", "value", "٣٠٠٠",
     "column 'value' = '٣٠٠٠': written with non-ASCII digits ['٣' (U+0663 ARABIC-INDIC DIGIT "
     "THREE), '٠' (U+0660 ARABIC-INDIC DIGIT ZERO)]; type the figure with the digits 0-9"),
    ("claims.csv", "reu24-05", "base_period", "２０２２",
     "column 'base_period' = '２０２２': '２０２２' is written with non-ASCII digits ['２' (U+FF12 "
     "FULLWIDTH DIGIT TWO), '０' (U+FF10 FULLWIDTH DIGIT ZERO)]; type the period with the "
     "digits 0-9"),
    ("claims.csv", "dpa25-08", "period", "2026",
     "column 'period' = '2026': starts after the source was published (2025-01-17), so it "
     "cannot be 'actual'; code it as 'expected' or 'target', or fix the period"),
    ("claims.csv", "dpa25-08", "actor", "US",
     "column 'actor' = 'US': no such actor in actors.csv (did you mean 'USA'?); add it there "
     "(id, name, kind, country) or fix the id"),
    ("claims.csv", "dpa25-08", "notes", "a\x00b",
     "column 'notes' = 'a\\x00b': holds invisible control characters ['\\x00' (U+0000 control "
     "character)]; retype the cell, or copy it again as plain text"),
    ("claims.csv", "dpa25-08", "quote_en", "abc\u202edef",
     "column 'quote_en' = 'abc\\u202edef': holds invisible control characters ['\\u202e' (U+202E "
     "RIGHT-TO-LEFT OVERRIDE)]; retype the cell, or copy it again as plain text"),
    ("claims.csv", "dpa25-08", "period", "0000",
     "column 'period' = '0000': year 0000 in '0000' does not exist; years run from 0001"),
    ("sources.csv", "dpa-2025-01-17-alliances", "published", "0000",
     "column 'published' = '0000': year 0000 in '0000' does not exist; years run from 0001"),
    ("sources.csv", "dpa-2025-01-17-alliances", "url", "javascript:alert(1)",
     "column 'url' = 'javascript:alert(1)': write a web address starting with http:// or "
     "https://, or leave it empty"),
    ("claims.csv", "dpa25-11", "period", "2090",
     "column 'period' = '2090': 66 years after its source's publication (2025-01-17); a target "
     "more than 25 years ahead cannot be judged: check the period"),
    ("claims.csv", "reu24-05", "derived", "yes",
     "column 'derived' = 'yes': not an allowed value; use one of: true, false"),
])
def test_bad_cell_gives_one_exact_line(raw, table, key, column, value, message):
    line = set_cell(raw, table, key, column, value)
    assert problems(raw) == [f"{raw}/{table}:{line}: {message}"]


@pytest.mark.parametrize("name", ["../../../../etc/hostname", "/etc/hostname", "texts/../claims.csv"])
def test_text_file_outside_the_ledger_is_refused(raw, name):
    line = set_cell(raw, "sources.csv", "dpa-2025-01-17-alliances", "text_file", name)
    assert problems(raw) == [
        f"{raw}/sources.csv:{line}: column 'text_file' = '{name}': not a file inside "
        f"{raw}/texts/; write a path inside texts/ such as 'texts/NAME.txt'; archive the source "
        "text there, verbatim, as UTF-8"]


def test_symlink_out_of_texts_and_fifo_are_refused(raw, tmp_path):
    import os

    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (raw / "texts" / "link.txt").symlink_to(outside)
    line = set_cell(raw, "sources.csv", "dpa-2025-01-17-alliances", "text_file", "texts/link.txt")
    assert problems(raw) == [f"{raw}/sources.csv:{line}: column 'text_file' = 'texts/link.txt': a "
                             f"link that leads out of {raw}/texts/; write a path inside texts/ "
                             "such as 'texts/NAME.txt'; archive the source text there, verbatim, "
                             "as UTF-8"]
    os.mkfifo(raw / "texts" / "pipe.txt")
    set_cell(raw, "sources.csv", "dpa-2025-01-17-alliances", "text_file", "texts/pipe.txt")
    [message] = problems(raw)  # returns at once: a pipe is never opened
    assert message.endswith("not a regular file (a folder, pipe or device); write a path inside "
                            "texts/ such as 'texts/NAME.txt'; archive the source text there, "
                            "verbatim, as UTF-8")


def test_nul_byte_in_a_text_is_refused(raw):
    import hashlib

    path = raw / "texts" / "dpa-2025-01-17-alliances.txt"
    data = path.read_bytes() + b"\x00"
    path.write_bytes(data)
    line = set_cell(raw, "sources.csv", "dpa-2025-01-17-alliances", "sha256",
                    hashlib.sha256(data).hexdigest())
    assert problems(raw) == [
        f"{raw}/sources.csv:{line}: column 'text_file' = 'texts/dpa-2025-01-17-alliances.txt': "
        "the text holds a NUL byte, so it is not a plain text; archive the article's text as "
        "UTF-8 plain text"]


def test_base_periods_compare_as_spans(raw, tmp_path):
    """2022-01/2022-12 is the base 2022: the chain, and so the conflict, are the same."""
    from tests.test_series import _sixfold_observed

    other = tmp_path / "other"
    shutil.copytree(raw, other)
    set_cell(raw, "claims.csv", "reu24-05", "base_period", "2022-01/2022-12")
    set_cell(raw, "claims.csv", "reu24-06", "base_period", "2022|2023-01/2023-12")
    mine = prodstats.resolve(_sixfold_observed(raw).claims)
    seed = prodstats.resolve(_sixfold_observed(other).claims)
    columns = ["scenario", "measure", "period", "value", "low", "high", "confidence"]
    assert mine[columns].equals(seed[columns])
    assert len(prodstats.conflicts(mine)) == len(prodstats.conflicts(seed)) == 1


def _with_columns(raw, extra):
    header, rows = read_rows(raw / "claims.csv")
    for row in rows:
        row.update({"supersedes": ""}, **extra.get(row["claim_id"], {}))
    write_rows(raw / "claims.csv", header, rows)


def test_revision_leaves_the_series_and_stays_in_the_claims(raw):
    # reu24-01 restates reu24-02 in the seed; here it is a statement of its own
    _with_columns(raw, {"reu24-01": {"same_as": ""}, "reu24-02": {"supersedes": "reu24-01"}})
    claims = prodstats.load(raw).claims.set_index("claim_id")
    assert claims.loc["reu24-01", "superseded_by"] == "reu24-02"
    assert claims["superseded_by"].notna().sum() == 1
    series = prodstats.resolve(claims.reset_index())
    assert not series["claim_ids"].str.contains("reu24-01").any()
    assert series["claim_ids"].str.contains("reu24-02").any()


def test_revision_cycle_and_fork_are_refused(raw):
    _with_columns(raw, {"reu24-01": {"supersedes": "reu24-02", "same_as": ""},
                        "reu24-02": {"supersedes": "reu24-01"}})
    assert [p.split(": ", 1)[1] for p in problems(raw)] == [
        "column 'supersedes' = 'reu24-02': revisions form a cycle (reu24-01 -> reu24-02 -> "
        "reu24-01); one claim of the cycle must be the first, superseding none"]
    _with_columns(raw, {"dpa25-17": {"supersedes": "dpa25-16"}, "dpa25-18": {
        "supersedes": "dpa25-16", "same_as": ""}, "dpa25-16": {"same_as": ""}})
    assert [p.split(": ", 1)[1] for p in problems(raw)] == [
        "column 'supersedes' = 'dpa25-16': dpa25-16 is already superseded by dpa25-17; "
        "supersede the latest revision (dpa25-17) instead"]


def test_derived_value_needs_notes(raw):
    _with_columns(raw, {"reu24-05": {"derived": "true", "notes": ""}})
    [message] = problems(raw)
    assert message.endswith("column 'notes': required when derived is true; say how the value "
                            "was derived from the quote (e.g. 'the same amount as claim X')")


def test_sources_without_claims_are_a_valid_ledger(tmp_path):
    raw = mini_ledger(tmp_path / "raw", [{"value": "5"}])
    header, _ = read_rows(raw / "claims.csv")
    write_rows(raw / "claims.csv", header, [])
    ledger = prodstats.load(raw)
    assert len(ledger.sources) == 1 and ledger.claims.empty


def test_ledger_error_pickles(raw):
    set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns")
    with pytest.raises(LedgerError) as caught:
        prodstats.load(raw)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.problems == caught.value.problems and str(copy) == str(caught.value)


def test_actor_names_come_from_the_actors_table(seed_ledger):
    assert seed_ledger.actor_name("UKR") == "Ukraine"
    assert seed_ledger.actor_name("unknown_slug") == "unknown_slug"


@pytest.mark.parametrize(("period", "years", "since"), [
    ("2050", 26, "the last observation of this series (2024-12-31)"),
    ("2030/2060", 36, "the last observation of this series (2024-12-31)"),  # judged at its end
    ("9999-12-31", 7975, "the last observation of this series (2024-12-31)"),
])
def test_a_target_far_after_its_series_last_observation_is_refused(tmp_path, period, years,
                                                                    since):
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2023", "value": "100"},
        {"period": "2024", "value": "120"},
        {"period": period, "value": "200", "modality": "target"},
    ])
    assert problems(raw) == [
        f"{raw}/claims.csv:4: column 'period' = '{period}': {years} years after {since}; a "
        "target more than 25 years ahead cannot be judged: check the period"]


def test_the_far_target_rule_counts_the_series_own_observations(tmp_path):
    """25 years from the end of the last observation of the same actor and indicator: 2049 is
    within reach of UKR's 2024; POL's 2045 is 30 years after POL's own 2015, whatever UKR has.
    """
    raw = mini_ledger(tmp_path / "raw", [
        {"period": "2023", "value": "100"},
        {"period": "2024", "value": "120"},
        {"period": "2049", "value": "200", "modality": "target"},
        {"period": "2015", "value": "10", "actor": "POL"},
        {"period": "2045", "value": "20", "actor": "POL", "modality": "target"},
    ])
    assert problems(raw) == [
        f"{raw}/claims.csv:6: column 'period' = '2045': 30 years after the last observation of "
        "this series (2015-12-31); a target more than 25 years ahead cannot be judged: check "
        "the period"]


def test_a_texts_folder_that_links_elsewhere_is_refused_without_a_hash(raw, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(raw / "texts", elsewhere)
    (raw / "texts").symlink_to(elsewhere)
    found = problems(raw)
    assert len(found) == 2
    assert all("a link that leads out of" in p and "hashes to" not in p for p in found), found


def test_an_unreadable_text_or_table_is_one_line(raw, monkeypatch):
    import os

    import pandas as pd

    real_open, real_read = os.open, pd.read_csv

    def deny(path, *args, **kwargs):
        if str(path).endswith("alliances.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def deny_csv(path, *args, **kwargs):
        if str(path).endswith("actors.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    monkeypatch.setattr(pd, "read_csv", deny_csv)
    assert problems(raw) == [  # the tables in the order they are read: sources first
        f"{raw}/sources.csv:3: column 'text_file' = 'texts/dpa-2025-01-17-alliances.txt': "
        "cannot be read (Permission denied); check the file's permissions",
        f"{raw}/actors.csv: cannot be read (Permission denied); check the file's permissions"]


@pytest.mark.parametrize(("column", "key", "value"), [("period", "dpa25-11", "9999"),
                                                     ("base_period", "reu24-05", "0001")])
def test_edge_years_validate_or_give_a_line_not_a_traceback(raw, tmp_path, column, key, value):
    from prodstats.build import build

    set_cell(raw, "claims.csv", key, column, value)
    found = problems(raw)
    if found:
        [line] = found
        assert f"column '{column}' = '{value}'" in line
    else:
        build(raw, tmp_path / "o", tmp_path / "c", draw=False)
        assert (tmp_path / "o" / "series.csv").is_file()


def test_a_cycle_at_the_end_of_a_long_chain_is_reported_once(raw):
    """The cycle check walks each chain once: a chain of 400 revisions whose last four form a
    cycle gives one line, at the cycle's first claim.
    """
    header, rows = read_rows(raw / "claims.csv")
    first = next(r for r in rows if r["claim_id"] == "reu24-01")
    chain = [dict(first, claim_id=f"c{k:03d}", supersedes=f"c{k - 1:03d}" if k else "", same_as="")
             for k in range(400)]
    chain[396]["supersedes"] = "c399"  # c396 -> c397 -> c398 -> c399 -> c396
    write_rows(raw / "claims.csv", header, rows + chain)
    messages = [p.split(": ", 1)[1] for p in problems(raw)]
    assert messages == [
        "column 'supersedes' = 'c399': revisions form a cycle (c396 -> c397 -> c398 -> c399 -> "
        "c396); one claim of the cycle must be the first, superseding none"]


def test_a_revision_from_an_older_source_is_refused(raw):
    """A 2024 text cannot revise what a 2025 text said (the actual-after-publication and
    superseded logic would run backwards).
    """
    _with_columns(raw, {"reu24-05": {"supersedes": "dpa25-10"}})
    assert [p.split(": ", 1)[1] for p in problems(raw)] == [
        "column 'supersedes' = 'dpa25-10': this claim's source reuters-2024-ua-joint-production "
        "(published 2023-12) is older than dpa-2025-01-17-alliances (published 2025-01-17), the "
        "source of dpa25-10; a revision comes from a later text: let dpa25-10 supersede this "
        "claim instead"]


@pytest.mark.parametrize(("base", "message"), [
    ("2022|2022", "names '2022' twice"),
    ("2022|2022-01/2022-12", "names '2022' and '2022-01/2022-12', the same period")])
def test_a_base_period_named_twice_is_refused(raw, base, message):
    """'2022|2022' would count one reading twice (five duplicated series rows before)."""
    set_cell(raw, "claims.csv", "reu24-06", "base_period", base)
    assert [p.split(": ", 1)[1] for p in problems(raw)] == [
        f"column 'base_period' = '{base}': {message}; write each alternative once (e.g. "
        "2021|2022), or a single base period"]


def test_a_capacity_that_bounds_another_capacity_is_refused(raw):
    header, rows = read_rows(raw / "indicators.csv")
    header = [*header, *(c for c in ("measures", "bounds") if c not in header)]
    base = {c: "" for c in header}
    rows += [dict(base, indicator_id="shell_capacity", description="Shell capacity",
                  canonical_unit="rounds/year", measures="capacity", bounds="shells_produced"),
             dict(base, indicator_id="plant_capacity", description="Plant capacity",
                  canonical_unit="rounds/year", measures="capacity", bounds="shell_capacity")]
    write_rows(raw / "indicators.csv", header, rows)
    assert [p.split(": ", 1)[1] for p in problems(raw)] == [
        "column 'bounds' = 'shell_capacity': 'shell_capacity' is itself a capacity (it bounds "
        "'shells_produced'); a capacity bounds an output indicator: name that output"]


def test_source_dates_accessed_and_published(raw):
    """The accessed date is a date; published is not after accessed, nor after today."""
    import datetime as dt

    today = dt.date.today().isoformat()
    header, rows = read_rows(raw / "sources.csv")
    rows[0]["accessed"] = "yesterday"
    rows[1]["published"], rows[1]["published_precision"] = "2099-01-01", "day"
    rows[1]["accessed"] = ""
    write_rows(raw / "sources.csv", header, rows)
    messages = [p.split(": ", 1)[1] for p in problems(raw) if "sources.csv" in p]
    assert messages == [
        "column 'accessed' = 'yesterday': not a date; write the day the text was archived as "
        "2025-01-17 (or 2025-01, 2025)",
        f"column 'published' = '2099-01-01': later than today ({today}); a publication date "
        "cannot be in the future: correct it"]
    rows[1]["accessed"] = "2098-12-01"
    write_rows(raw / "sources.csv", header, rows)
    assert ("column 'published' = '2099-01-01': later than the date the text was accessed "
            "(2098-12-01); a text cannot be read before it is published: correct one of the two"
            in [p.split(": ", 1)[1] for p in problems(raw)])
