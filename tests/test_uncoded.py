"""`python -m prodstats uncoded`: the coder's to-do list, on the seed ledger and broken copies."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import prodstats
from prodstats.errors import LedgerError
from prodstats.uncoded import find_uncoded, read_skipped, uncoded
from tests.conftest import ROOT, read_rows, write_rows

DPA = "dpa-2025-01-17-alliances"
REUTERS = "reuters-2024-ua-joint-production"

#: Every figure of the dpa text (dates aside), as `uncoded` lists it when no claim covers it.
DPA_FIGURES = [
    "20", "Milliardenhöhe", "6,6 Milliarden", "drei Milliarden", "100", "15", "2,5 Millionen",
    "versechsfacht", "3.000", "30.000", "ein Drittel", "eins", "drei", "40 Prozent",
    "30 Prozent", "Milliardenhilfen", "drei Milliarden", "drei Milliarden", "112", "zehn",
    "fünf", "fünf", "24", "sechs"]
REUTERS_FIGURES = ["Dutzende", "Dutzende", "250", "zwei", "155", "verdreifacht", "Sechsfache"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "prodstats", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def drop_claims(raw, source_id=None):
    """Remove the claims of one source (or all claims) from a copy of the ledger."""
    header, rows = read_rows(raw / "claims.csv")
    write_rows(raw / "claims.csv", header,
               [r for r in rows if source_id is not None and r["source_id"] != source_id])


def test_the_committed_ledger_lists_nothing():
    done = run("uncoded", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]"]
    assert done.stderr == "nothing uncoded: every figure is coded or skipped with a reason\n"


@pytest.mark.parametrize(("source_id", "expected"), [(DPA, DPA_FIGURES),
                                                     (REUTERS, REUTERS_FIGURES)])
def test_removing_a_sources_claims_lists_every_figure(raw, source_id, expected):
    drop_claims(raw, source_id)
    header, rows = read_rows(raw / "skipped.csv")
    write_rows(raw / "skipped.csv", header, [r for r in rows if r["source_id"] != source_id])
    done = run("uncoded", str(raw), "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout.splitlines()[-1])
    assert [item["text"] for item in listed] == expected
    assert {item["source_id"] for item in listed} == {source_id}
    text = (raw / "texts" / f"{source_id}.txt").read_text(encoding="utf-8")
    assert all(text[item["start"]:item["end"]] == item["text"] for item in listed)
    # Plain lines: texts/<file>:<line>:<column>: '<span>', one per figure, before the JSON
    lines = done.stdout.splitlines()[:-1]
    assert len(lines) == len(expected)
    for line, item in zip(lines, listed, strict=True):
        before = text[:item["start"]]
        number, column = before.count("\n") + 1, item["start"] - before.rfind("\n")
        assert line == f"texts/{source_id}.txt:{number}:{column}: '{item['text']}'"


def test_plain_output(raw):
    drop_claims(raw, REUTERS)
    done = run("uncoded", str(raw))
    assert done.returncode == 0
    assert done.stdout.splitlines()[:3] == [
        f"texts/{REUTERS}.txt:1:48: 'Dutzende'", f"texts/{REUTERS}.txt:5:12: 'Dutzende'",
        f"texts/{REUTERS}.txt:7:125: '250'"]


def test_a_ledger_without_claims_lists_every_figure(raw):
    drop_claims(raw)
    (raw / "skipped.csv").unlink()
    found = uncoded(raw)  # a ledger with sources and no claims is valid
    assert [u.text for u in found] == REUTERS_FIGURES + DPA_FIGURES  # in sources.csv order


def test_no_claims_and_no_skips_list_every_figure(seed_ledger):
    """The listing itself, without the load: sources with texts and no claims at all."""
    sources = [{"source_id": s, "text_file": f"texts/{s}.txt", "language": "de"}
               for s in (REUTERS, DPA)]
    found = find_uncoded(sources, [], seed_ledger.texts, [])
    assert [u.text for u in found] == REUTERS_FIGURES + DPA_FIGURES


def test_a_quote_covers_only_what_is_inside_it(raw):
    drop_claims(raw, REUTERS)
    header, rows = read_rows(raw / "claims.csv")
    # A quote cut in the middle of "2,5 Millionen" does not cover it
    row = next(r for r in rows if r["claim_id"] == "dpa25-08")
    row["quote"] = "etwa 2,5"
    row["derived"], row["notes"] = "true", "the quote is cut on purpose by the test"
    write_rows(raw / "claims.csv", header, rows)
    ledger = prodstats.load(raw)
    found = find_uncoded([{"source_id": DPA, "text_file": "t", "language": "de"}],
                         ledger.claims[["source_id", "quote"]].to_dict("records"),
                         ledger.texts, read_skipped(raw / "skipped.csv", ledger.texts))
    assert [u.text for u in found] == ["2,5 Millionen"]


def test_a_missing_skip_table_is_empty(raw):
    (raw / "skipped.csv").unlink()
    assert [u.text for u in uncoded(raw)] == ["eins", "112"]


def test_a_bad_skip_table(raw):
    (raw / "skipped.csv").write_text(
        "source_id,span,reason\n"
        "dpa-2025-01-17-aliances,x,y\n"
        f"{DPA},Artikel 113,an article number\n"
        f"{DPA},Artikel 112,\n"
        f"{DPA},Grundgesetzes,a law\n"
        f"{DPA},Artikel 112,an article number\n"
        f"{DPA},Artikel 112,an article number again\n", encoding="utf-8")
    done = run("uncoded", str(raw))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    path = raw / "skipped.csv"
    assert done.stderr.splitlines() == [
        f"{path}:2: column 'source_id' = 'dpa-2025-01-17-aliances': no such source (did you "
        "mean 'dpa-2025-01-17-alliances'?); use a source_id of sources.csv",
        f"{path}:3: column 'span' = 'Artikel 113': not found in the text of {DPA}; copy the span "
        "verbatim from the text file (same quotation marks, dashes, spaces)",
        f"{path}:4: column 'reason' = '': empty; say why the figure is not a claim (e.g. 'a "
        "calibre', 'a page number', 'not a quantity')",
        f"{path}:5: column 'span' = 'Grundgesetzes': covers no figure the reader finds; delete "
        "the row (see python -m prodstats uncoded)",
        f"{path}:6: column 'span' = 'Artikel 112': the same span of {DPA} as line 4; delete one "
        "of the two rows",
        f"{path}:7: column 'span' = 'Artikel 112': the same span of {DPA} as line 4; delete one "
        "of the two rows",
        "6 problems found; nothing was written."]


def test_a_skip_table_with_a_wrong_header(raw):
    (raw / "skipped.csv").write_text("source,span,reason\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        uncoded(raw)
    assert str(caught.value) == (f"{raw / 'skipped.csv'}:1: the header is 'source,span,reason'; "
                                 "it must be exactly source_id,span,reason")


def test_an_unusable_folder(tmp_path):
    done = run("uncoded", str(tmp_path / "nope"))
    assert done.returncode == 1
    assert "not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_skip_reason_like_a_formula(raw):
    with (raw / "skipped.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{DPA},von 24 Stunden,=HYPERLINK(1)\n")
    with pytest.raises(LedgerError) as caught:
        uncoded(raw)
    assert str(caught.value) == (
        f"{raw / 'skipped.csv'}:4: column 'reason' = '=HYPERLINK(1)': begins like a spreadsheet "
        "formula; start it with a word (for a span: one word earlier in the text)")


def test_line_and_column_from_one_pass_agree_with_counting():
    """Line and column of a figure by binary search over the line breaks (one pass per text):
    the same as counting the line breaks before it.
    """
    import random

    from prodstats.uncoded import _line_column, _newlines

    rng = random.Random(7)
    text = "".join(rng.choice("ab\n") for _ in range(5000))
    newlines = _newlines(text)
    for offset in [0, 1, len(text) - 1, *rng.sample(range(len(text)), 300)]:
        line = text.count("\n", 0, offset) + 1
        assert _line_column(newlines, offset) == (line, offset - text.rfind("\n", 0, offset))


def test_skipped_csv_is_read_under_the_rules_of_the_other_tables(raw):
    """A link out of the ledger (never read, never echoed), a folder, a pipe: one line each."""
    import os

    skipped = raw / "skipped.csv"
    skipped.unlink(missing_ok=True)
    skipped.symlink_to("/etc/passwd")
    with pytest.raises(LedgerError) as caught:
        uncoded(raw)
    assert str(caught.value) == (f"{skipped}: a link that leads out of {raw}/; copy the file "
                                 "into the ledger folder itself")
    assert "/bin/" not in str(caught.value)  # nothing of /etc/passwd is echoed
    skipped.unlink()
    for make in (skipped.mkdir, lambda: os.mkfifo(skipped)):
        make()
        with pytest.raises(LedgerError) as caught:
            uncoded(raw)
        assert str(caught.value) == (f"{skipped}: not a regular file (a folder, pipe or device); "
                                     "save the table there as a CSV file")
        skipped.rmdir() if skipped.is_dir() else skipped.unlink()
