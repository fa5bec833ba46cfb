"""`python -m prodstats add-source`: a new English text archived, listed, coded, validated."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

import prodstats
from prodstats.addsource import add_source
from prodstats.errors import LedgerError
from prodstats.quotecheck import quote_problems
from tests.conftest import ROOT, read_rows, write_rows

NEW_ID = "examplewire-2024-03-us-shells"
#: A short article on U.S. 155 mm shell output, written for this test (monthly rates, "early
#: 2024", "before the war", "by the end of 2025", a slipped deadline, a company's figures).
ARTICLE = (
    "WASHINGTON (Example Wire) - The U.S. Army now makes about 40,000 155 mm artillery shells "
    "a month, up from 14,000 before the war in Ukraine, a senior official said on Tuesday.\n"
    "\n"
    "The Army's goal of 100,000 rounds a month by the end of 2025 may slip into 2026, the "
    "official said, because two new plants in Texas and Kansas are running late. Output has "
    "almost tripled since early 2023.\n"
    "\n"
    "One contractor said it alone could deliver 20,000 shells a month next year. Its figures "
    "could not be independently verified.\n")
TODO = [
    f"texts/{NEW_ID}.txt:1:59: '40,000'",
    f"texts/{NEW_ID}.txt:1:66: '155'",
    f"texts/{NEW_ID}.txt:1:107: '14,000'",
    f"texts/{NEW_ID}.txt:3:20: '100,000'",
    f"texts/{NEW_ID}.txt:3:109: 'two'",
    f"texts/{NEW_ID}.txt:3:180: 'tripled'",
    f"texts/{NEW_ID}.txt:5:1: 'One'",
    f"texts/{NEW_ID}.txt:5:44: '20,000'",
]


def run(*args):
    return subprocess.run([sys.executable, "-m", "prodstats", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "us-shells.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def snapshot(raw):
    """Every file of a ledger folder and its bytes."""
    return {p.relative_to(raw): p.read_bytes() for p in sorted(raw.rglob("*")) if p.is_file()}


def test_add_a_source_then_code_it(raw, article):
    done = run("add-source", str(article), "--raw", str(raw), "--id", NEW_ID,
               "--outlet", "Example Wire", "--published", "2024-03",
               "--title", "U.S. Army shell output", "--authors", "A. Writer")
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()
    assert done.stdout.splitlines() == [
        f"added {NEW_ID}: texts/{NEW_ID}.txt, sha256 {digest}, sources.csv line 4, language en "
        "(told from the text; pass --language otherwise)",
        "to code (8 figures; each becomes a claim or a row of skipped.csv):", *TODO]
    assert (raw / "texts" / f"{NEW_ID}.txt").read_bytes() == article.read_bytes()
    header, rows = read_rows(raw / "sources.csv")
    assert header[0] == "source_id" and header[-1] == "sha256"
    assert rows[-1] == {
        "source_id": NEW_ID, "outlet": "Example Wire", "wire_agency": "",
        "title": "U.S. Army shell output", "title_origin": "original", "authors": "A. Writer",
        "editors": "", "language": "en", "published": "2024-03", "published_precision": "month",
        "published_basis": "stated", "published_note": "", "url": "", "accessed": "",
        "text_file": f"texts/{NEW_ID}.txt", "sha256": digest}
    ledger = prodstats.load(raw)  # a source without claims validates
    assert len(ledger.sources) == 3 and ledger.texts[NEW_ID] == ARTICLE

    # Code two of the figures as claims; skip the calibre; the rest stays on the to-do list
    header, claims = read_rows(raw / "claims.csv")
    base = dict.fromkeys(header, "") | dict(
        source_id=NEW_ID, speaker="", channel="Example Wire reporting", actor="USA",
        indicator="shells_produced", kind="level", confidence="official",
        confidence_reason="A senior official, as reported.")
    claims += [
        base | dict(claim_id="exw24-01", quote="about 40,000 155 mm artillery shells a month",
                    quote_en="about 40,000 155 mm artillery shells a month", modality="actual",
                    period="2024-03", value="40000", unit="rounds/month", qualifier="about"),
        base | dict(claim_id="exw24-02", quote="goal of 100,000 rounds a month by the end of 2025",
                    quote_en="goal of 100,000 rounds a month by the end of 2025",
                    modality="target", period="2025-12", value="100000", unit="rounds/month",
                    qualifier="exact")]
    write_rows(raw / "claims.csv", header, claims)
    with (raw / "skipped.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{NEW_ID},155 mm artillery shells,a calibre\n")
    ledger = prodstats.load(raw)
    assert quote_problems(ledger.claims) == []  # dpa25-09 is marked derived
    new = ledger.claims[ledger.claims["source_id"] == NEW_ID]
    assert quote_problems(new) == []
    done = run("uncoded", str(raw))
    assert done.returncode == 0
    assert done.stdout.splitlines() == [TODO[2], *TODO[4:]]
    # The 12x error: the same claim with a yearly unit is refused
    wrong = new.assign(unit=["rounds/year", "rounds/month"])
    assert [p[:3] for p in quote_problems(wrong)] == [(0, "unit", "rounds/year")]


def test_refusals_write_nothing(raw, article):
    add_source(article, NEW_ID, "Example Wire", "2024-03", "Shells", raw=raw)
    before = snapshot(raw)
    copy = article.with_name("copy.txt")
    copy.write_bytes(ARTICLE.encode("utf-8"))
    other = article.with_name("other.txt")
    other.write_text("The Army makes 40,000 shells a month, the official said of the plan.",
                     encoding="utf-8")
    cases = [
        # an existing id (and so its text file name)
        (dict(text_path=other, source_id=NEW_ID), [
            f"{raw}/sources.csv:4: source_id '{NEW_ID}' exists already; choose another --id"]),
        # identical text content under another id
        (dict(text_path=copy, source_id="another-id"), [
            f"{copy}: the same text is archived already as texts/{NEW_ID}.txt (source "
            f"'{NEW_ID}', {raw}/sources.csv:4); code it there"]),
        # a date that is not one, an id that is not one
        (dict(text_path=other, source_id="Other ID", published="2024-13"), [
            "--id: 'Other ID': use lower-case ASCII letters, digits and hyphens, e.g. "
            "'reuters-2024-03-us-shells'",
            "--published: '2024-13' is not a date; write 2025-01-17, 2024-01 or 2024 (ASCII "
            "digits)"]),
        (dict(text_path=other, source_id="ok-id", published="２０２４"), [
            "--published: '２０２４' is not a date; write 2025-01-17, 2024-01 or 2024 (ASCII "
            "digits)"]),
        (dict(text_path=article.with_name("nope.txt"), source_id="ok-id"), [
            f"{article.with_name('nope.txt')}: no such file; pass the text file to archive"]),
        (dict(text_path=other, source_id="ok-id", published_basis="inferred"), [
            "--published-note: empty, but the date is inferred; say how you worked it out "
            "(e.g. \"the treaty signed 'heute' was signed on 17 January 2025\")"]),
        (dict(text_path=other, source_id="ok-id", title="=HYPERLINK(1)"), [
            "--title: '=HYPERLINK(1)' begins like a spreadsheet formula; start it with a word"]),
    ]
    for changes, expected in cases:
        args = dict(outlet="Example Wire", published="2024-03", title="Shells", raw=raw) | changes
        with pytest.raises(LedgerError) as caught:
            add_source(**args)
        assert str(caught.value).splitlines() == sorted(expected), changes
        assert snapshot(raw) == before


def test_a_stray_text_file_is_not_overwritten(raw, article):
    (raw / "texts" / f"{NEW_ID}.txt").write_text("someone else's draft", encoding="utf-8")
    before = snapshot(raw)
    done = run("add-source", str(article), "--raw", str(raw), "--id", NEW_ID, "--outlet", "X",
               "--published", "2024", "--title", "T")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{raw}/texts/{NEW_ID}.txt: exists already, though no source names it; move it away or "
        "choose another --id", "1 problem found; nothing was written."]
    assert snapshot(raw) == before


def test_a_language_that_cannot_be_told(raw, tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("40.000 / 14.000 / 100.000", encoding="utf-8")
    with pytest.raises(LedgerError, match="cannot tell whether the text is German, English, French or Spanish"):
        add_source(path, "short-one", "X", "2024", "T", raw=raw)
    added = add_source(path, "short-one", "X", "2024", "T", raw=raw, language="uk")
    assert (added.language, added.language_guessed, added.line) == ("uk", False, 4)


def test_line_endings_and_column_order_are_kept(raw, article):
    path = raw / "sources.csv"
    header, rows = read_rows(path)
    order = [header[-1], *header[:-1]]  # sha256 first
    frame = pd.DataFrame(rows, columns=header)[order]
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8"))
    add_source(article, NEW_ID, "Example Wire", "2024-03", "Shells", raw=raw)
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 4
    new_header, new_rows = read_rows(path)
    assert new_header == order
    assert new_rows[-1]["sha256"] == hashlib.sha256(article.read_bytes()).hexdigest()


def test_a_text_file_name_taken_by_another_source(raw, article):
    old = raw / "texts" / "reuters-2024-ua-joint-production.txt"
    old.rename(raw / "texts" / f"{NEW_ID}.txt")
    header, rows = read_rows(raw / "sources.csv")
    rows[0]["text_file"] = f"texts/{NEW_ID}.txt"
    write_rows(raw / "sources.csv", header, rows)
    before = snapshot(raw)
    with pytest.raises(LedgerError) as caught:
        add_source(article, NEW_ID, "Example Wire", "2024-03", "Shells", raw=raw)
    assert str(caught.value) == (
        f"{raw}/sources.csv:2: text_file 'texts/{NEW_ID}.txt' is taken by "
        "'reuters-2024-ua-joint-production'; choose another --id")
    assert snapshot(raw) == before


def _refused(raw, text, **options) -> list[str]:
    before = snapshot(raw)
    fields = {"source_id": "new-2024", "outlet": "Example Wire", "published": "2024-03-05",
              "title": "Shells", **options}
    with pytest.raises(LedgerError) as caught:
        add_source(text, raw=raw, **fields)
    assert snapshot(raw) == before  # nothing written
    return str(caught.value).splitlines()


def test_add_source_checks_the_text_before_reading_it(raw, article, tmp_path):
    """A pipe, a device, a text over the size limit are refused at once, never read; a text
    with a NUL byte is not a plain text.
    """
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _refused(raw, fifo) == [
        f"{fifo}: not a regular file (a folder, pipe or device); pass a readable text file"]
    assert _refused(raw, "/dev/zero") == [
        "/dev/zero: not a regular file (a folder, pipe or device); pass a readable text file"]
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: 20 MB, never read
    assert _refused(raw, big) == [
        f"{big}: 20,000,000 bytes, more than the 5,000,000 allowed for a source text; archive "
        "only the article's text"]
    nul = tmp_path / "nul.txt"
    nul.write_bytes(ARTICLE.encode() + b"\x00")
    assert _refused(raw, nul) == [f"{nul}: holds a NUL byte, so it is not a plain text; archive "
                                  "the article's text as UTF-8 plain text"]


def test_add_source_refuses_what_validation_would_refuse_before_writing(raw, article):
    """A 300-character id, a title with control characters, a javascript: URL, a publication
    date after the access date: refused with one line each, the ledger untouched.
    """
    assert _refused(raw, article, source_id="a" * 300) == [
        "--id: 300 characters, more than 100; a source id names its text file, so keep it "
        "short, e.g. 'reuters-2024-03-us-shells'"]
    assert _refused(raw, article, title="Shells\x07\x1b[31m", url="javascript:alert(1)") == [
        "--title: 'Shells\\x07\\x1b[31m': holds invisible control characters ['\\x07' (U+0007 "
        "control character), '\\x1b' (U+001B control character)]; retype the cell, or copy it "
        "again as plain text",
        "--url: 'javascript:alert(1)': write a web address starting with http:// or https://, "
        "or leave it empty"]
    assert _refused(raw, article, accessed="2024-03-01") == [
        "--published: '2024-03-05': later than the date the text was accessed (2024-03-01); "
        "a text cannot be read before it is published: correct one of the two"]
