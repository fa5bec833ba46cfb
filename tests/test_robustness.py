"""A corpus of broken ledgers: each exits non-zero with one clear line naming the file, row and
column, never a traceback, and writes nothing. And what spreadsheets write is accepted.

Each broken ledger is the seed ledger with one named mutation, so the corpus stays valid as the
seed ledger grows; ``CASES`` lists them with the line each must produce.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import prodstats
from tests.conftest import ROOT, SEED_RAW


def _seed_line(claim_id: str) -> int:
    """The file line of a seed claim (its record's first line)."""
    from prodstats.read import record_lines

    ids = pd.read_csv(SEED_RAW / "claims.csv", dtype=str)["claim_id"].tolist()
    return record_lines(SEED_RAW / "claims.csv")[ids.index(claim_id)]


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        path = raw / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def write_bytes(file: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        path = raw / file
        path.write_bytes(make(path.read_bytes()))
    return mutate


def delete(file: str) -> Callable[[Path], None]:
    return lambda raw: (raw / file).unlink()


def cell(file: str, key: str, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell of the row whose first column is ``key``."""
    from tests.conftest import set_cell

    return lambda raw: set_cell(raw, file, key, column, value)


def text_file(make: Callable[[Path, Path], None], name: str = "texts/odd.txt"
              ) -> Callable[[Path], None]:
    """Make ``raw/NAME`` with ``make(path, raw)`` and point the dpa source's text_file at it."""
    def mutate(raw: Path) -> None:
        make(raw / name, raw)
        cell("sources.csv", DPA, "text_file", name)(raw)
    return mutate


def _outside(path: Path, raw: Path) -> None:
    """A link from inside the ledger to a copy of a file outside it."""
    outside = raw.parent / f"outside-{path.name}"
    shutil.copy(SEED_RAW / "texts" / f"{DPA}.txt", outside)
    path.unlink(missing_ok=True)
    path.symlink_to(outside)


def _fifo(path: Path, raw: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


DPA = "dpa-2025-01-17-alliances"


def _unclosed_quote(raw: Path) -> None:
    """The closing quote of claim dpa25-01's first quoted cell deleted."""
    path = raw / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, line in enumerate(lines) if line.startswith("dpa25-01,"))
    opens = lines[k].index(',"') + 2
    closes = lines[k].index('",', opens)
    lines[k] = lines[k][:closes] + lines[k][closes + 1:]
    path.write_text("\n".join(lines), encoding="utf-8")


SHELLS = _seed_line("dpa25-08")  # "etwa 2,5 Millionen …", value 2500000 rounds, about
SHARE = _seed_line("dpa25-13")
RATIO = _seed_line("reu24-05")
V = ",2500000,rounds,about,"

# name → (mutation, file the message names, line or None, column or None, words it must contain)
CASES: dict[str, tuple] = {
    # files
    "empty file": (write_bytes("claims.csv", lambda b: b""), "claims.csv", None, None,
                   "file is empty; expected a header line"),
    "sources header only": (write_bytes("sources.csv", lambda b: b.split(b"\n")[0] + b"\n"),
                            "sources.csv", None, None, "the file has a header but no rows"),
    "latin-1 bytes": (write_bytes("claims.csv", lambda b: b.decode().encode("latin-1", "replace")),
                      "claims.csv", 2, None, "not valid UTF-8"),
    "semicolon delimiter": (write_bytes("claims.csv", lambda b: b.replace(b",", b";")),
                            "claims.csv", 1, None, "columns are separated by ';'"),
    "missing column": (replace("claims.csv", "claim_id,source_id,quote,quote_en,", "claim_id,source_id,quote,"),
                       "claims.csv", 1, "quote_en", "required column is missing"),
    "extra unknown column": (replace("claims.csv", ",notes\n", ",notes,comment\n"), "claims.csv", 1,
                             "comment", "unknown column"),
    "column twice": (write_bytes("claims.csv", lambda b: b.replace(b",notes\n", b",notes,notes\n", 1)
                                 .replace(b"\n", b",\n").replace(b",notes,notes,\n", b",notes,notes\n")),
                     "claims.csv", 1, "notes", "appears twice in the header"),
    "ragged row": (replace("claims.csv", V, ",2500000,rounds,extra,about,"), "claims.csv", SHELLS,
                   None, "this row has 25 cells but the header has 24"),
    "sources file missing": (delete("sources.csv"), "sources.csv", None, None, "file not found"),
    "same_as an unknown claim": (cell("claims.csv", "reu24-01", "same_as", "reu24-2"),
                                 "claims.csv", _seed_line("reu24-01"), "same_as",
                                 "no such claim (did you mean 'reu24-02'?)"),
    "same_as across series": (cell("claims.csv", "dpa25-02", "same_as", "dpa25-04"), "claims.csv",
                              _seed_line("dpa25-02"), "same_as", "a restatement is of the same "
                                                                 "statement"),
    "same_as cycle": (cell("claims.csv", "reu24-02", "same_as", "reu24-01"), "claims.csv",
                      _seed_line("reu24-01"), "same_as", "restatements form a cycle"),
    "verified for the outlet's voice": (cell("claims.csv", "dpa25-05", "confidence", "verified"),
                                        "claims.csv", _seed_line("dpa25-05"), "confidence",
                                        "write 'reported'"),
    "unknown scope": (cell("indicators.csv", "war_duration", "scope", "background"),
                      "indicators.csv", None, "scope", "use one of: production, context"),
    "indicators empty": (write_bytes("indicators.csv", lambda b: b""), "indicators.csv", None, None,
                         "file is empty"),
    # numbers
    "huge number": (replace("claims.csv", V, ",1e400,rounds,about,"), "claims.csv", SHELLS, "value",
                    "not a finite figure below 1e15"),
    "NaN": (replace("claims.csv", V, ",NaN,rounds,about,"), "claims.csv", SHELLS, "value",
            "not a finite number"),
    "inf": (replace("claims.csv", V, ",inf,rounds,about,"), "claims.csv", SHELLS, "value",
            "not a finite number"),
    "negative count": (replace("claims.csv", V, ",-2500000,rounds,about,"), "claims.csv", SHELLS,
                       "value", "a level cannot be negative"),
    "decimal comma": (replace("claims.csv", V, ",\"2,5\",rounds,about,"), "claims.csv", SHELLS, "value",
                      "expected a number"),
    "thousands separator": (replace("claims.csv", V, ",2.500.000,rounds,about,"), "claims.csv",
                            SHELLS, "value", "thousands separator"),
    "negative bound on a scale word": (replace("claims.csv", ",contracts,dozens,,,,official,", ",contracts,dozens,-1,,,official,"),
                                       "claims.csv", 2, "value_low", "a level cannot be negative"),
    "upper bound below the rule's lower": (replace("claims.csv", ",contracts,dozens,,,,official,", ",contracts,dozens,,-1,,official,"),
                                           "claims.csv", 2, "value_high", "a level cannot be negative"),
    "crossed bounds": (replace("claims.csv", ",contracts,dozens,,,,official,", ",contracts,dozens,50,30,,official,"),
                       "claims.csv", 2, "value_high", "below value_low (50)"),
    "share above one": (replace("claims.csv", ",0.3333,dimensionless,about,", ",1.5,dimensionless,about,"),
                        "claims.csv", SHARE, "value", "a share must lie in 0–1"),
    # dates and periods
    "month 13": (replace("claims.csv", ",2025-01,0.3333,", ",2025-13,0.3333,"), "claims.csv", SHARE,
                 "period", "month 13 in '2025-13' does not exist"),
    "base after period": (replace("claims.csv", ",dimensionless,exact,,,2022,", ",dimensionless,exact,,,2024,"),
                          "claims.csv", RATIO, "base_period", "does not come before the period"),
    "ratio without base": (replace("claims.csv", ",dimensionless,exact,,,2022,", ",dimensionless,exact,,,,"),
                           "claims.csv", RATIO, "base_period", "a ratio needs the period"),
    "publication date vs precision": (replace("sources.csv", ",2025-01-17,day,", ",2025-01,day,"),
                                      "sources.csv", 3, "published", "written to month precision"),
    # references and ids
    "unknown source": (replace("claims.csv", "dpa25-08,dpa-2025-01-17-alliances", "dpa25-08,dpa-2025-01-18"),
                       "claims.csv", SHELLS, "source_id", "no such source in sources.csv"),
    "unknown indicator": (replace("claims.csv", ",UKR,shells_produced,", ",UKR,shell_produced,"),
                          "claims.csv", SHELLS, "indicator", "did you mean 'shells_produced'"),
    "duplicate id": (replace("claims.csv", "dpa25-09,", "dpa25-08,"), "claims.csv", SHELLS + 1,
                     "claim_id", "duplicate id, first used on line"),
    "quote with look-alike letter": (replace("claims.csv", "etwa 2,5 Millionen", "etwа 2,5 Millionen"),
                                     "claims.csv", SHELLS, "quote", "look-alike characters"),
    "unknown vocabulary": (replace("claims.csv", ",rounds,about,", ",rounds,approx,"), "claims.csv",
                           SHELLS, "qualifier", "not an allowed value"),
    # text
    "formula-like note": (replace("claims.csv", "'im vergangenen Jahr': 2024.", "=1+1"), "claims.csv",
                          SHELLS, "notes", "begins like a spreadsheet formula"),
    "100 kB quote": (replace("claims.csv", "etwa 2,5 Millionen Mörser- und Artilleriegeschosse", "Granate " * 12500),
                     "claims.csv", SHELLS, "quote", "not found in the text"),
    "unit with look-alike": (replace("claims.csv", V, ",2500000,rоunds,about,"), "claims.csv", SHELLS,
                             "unit", "non-ASCII look-alike characters"),
    "unknown unit": (replace("claims.csv", V, ",2500000,rouns,about,"), "claims.csv", SHELLS, "unit",
                     "did you mean 'rounds'"),
    "unit of the wrong kind": (replace("claims.csv", V, ",2500000,drones,about,"), "claims.csv", SHELLS,
                               "unit", "has dimension [drone]"),
    # sources
    "source text missing": (delete("texts/dpa-2025-01-17-alliances.txt"), "sources.csv", 3,
                            "text_file", "no such file"),
    "source text changed": (replace("texts/dpa-2025-01-17-alliances.txt", "2,5 Millionen", "3,5 Millionen"),
                            "sources.csv", 3, "sha256", "the text was changed since it was coded"),
    "indicator with bad unit": (replace("indicators.csv", "missiles/year", "missles/year"), "indicators.csv",
                                None, "canonical_unit", "unknown unit 'missles'"),
    # files outside the ledger, hostile names and cells (issue 12)
    "text_file up and out": (cell("sources.csv", DPA, "text_file", "../../../../etc/passwd"),
                             "sources.csv", 3, "text_file", "not a file inside"),
    "text_file absolute": (cell("sources.csv", DPA, "text_file", "/etc/hostname"), "sources.csv",
                           3, "text_file", "not a file inside"),
    "text_file a device": (cell("sources.csv", DPA, "text_file", "/dev/zero"), "sources.csv", 3,
                           "text_file", "not a file inside"),
    "text_file a link out": (text_file(_outside), "sources.csv", 3, "text_file",
                             "a link that leads out of"),
    "text_file a pipe": (text_file(_fifo), "sources.csv", 3, "text_file", "not a regular file"),
    "text_file a folder": (cell("sources.csv", DPA, "text_file", "texts/"), "sources.csv", 3,
                           "text_file", "not a regular file"),
    "text_file with a NUL byte": (cell("sources.csv", DPA, "text_file", "texts/a\x00b.txt"),
                                  "sources.csv", 3, "text_file", "invisible control characters"),
    "claims.csv a link out": (lambda raw: _outside(raw / "claims.csv", raw), "claims.csv", None,
                              None, "a link that leads out of"),
    "claims.csv a pipe": (lambda raw: _fifo(raw / "claims.csv", raw), "claims.csv", None, None,
                          "not a regular file"),
    "period 0000": (cell("claims.csv", "dpa25-08", "period", "0000"), "claims.csv", SHELLS,
                    "period", "year 0000 in '0000' does not exist"),
    "base period 0000": (cell("claims.csv", "reu24-05", "base_period", "0000"), "claims.csv",
                         RATIO, "base_period", "year 0000 in '0000' does not exist"),
    "publication date 0000": (cell("sources.csv", DPA, "published", "0000"), "sources.csv", 3,
                              "published", "year 0000 in '0000' does not exist"),
    "actual figure in 9999": (cell("claims.csv", "dpa25-08", "period", "9999"), "claims.csv",
                              SHELLS, "period", "starts after the source was published"),
    "javascript url": (cell("sources.csv", DPA, "url", "javascript:alert(1)"), "sources.csv", 3,
                       "url", "starting with http:// or https://"),
    "NUL in a description": (cell("indicators.csv", "shells_produced", "description", "a\x00b"),
                             "indicators.csv", 3, "description", "invisible control characters"),
    "bidi override in a title": (cell("sources.csv", DPA, "title", "abc\u202edef"), "sources.csv",
                                 3, "title", "RIGHT-TO-LEFT OVERRIDE"),
    "bidi isolate in a quote": (cell("claims.csv", "dpa25-08", "quote_en", "a\u2066b"),
                                "claims.csv", SHELLS, "quote_en", "LEFT-TO-RIGHT ISOLATE"),
    # issue 21: the real cause named, silent wrong results refused
    "unclosed quote": (_unclosed_quote, "claims.csv", _seed_line("dpa25-01"), None,
                       "a double quote opens a cell on this line and is not closed"),
    "base period twice": (cell("claims.csv", "reu24-06", "base_period", "2022|2022"),
                          "claims.csv", _seed_line("reu24-06"), "base_period",
                          "names '2022' twice; write each alternative once"),
    "revision from an older source": (cell("claims.csv", "reu24-05", "supersedes", "dpa25-10"),
                                      "claims.csv", RATIO, "supersedes",
                                      "is older than dpa-2025-01-17-alliances (published "
                                      "2025-01-17), the source of dpa25-10"),
    "published in the future": (cell("sources.csv", DPA, "published", "2099-01-17"),
                                "sources.csv", 3, "published", "later than today"),
    "published after accessed": (cell("sources.csv", DPA, "accessed", "2025-01-10"),
                                 "sources.csv", 3, "published", "later than the date the text "
                                 "was accessed (2025-01-10)"),
    "accessed not a date": (cell("sources.csv", DPA, "accessed", "yesterday"), "sources.csv", 3,
                            "accessed", "not a date; write the day the text was archived"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_ledger_gives_one_clear_line(name, tmp_path):
    mutate, file, line, column, words = CASES[name]
    raw = tmp_path / "raw"
    shutil.copytree(SEED_RAW, raw)
    mutate(raw)
    out, charts = tmp_path / "out", tmp_path / "charts"
    done = subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw", str(raw), "--out",
                           str(out), "--charts", str(charts)], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "1 problem found; nothing was written.", lines
    [message] = lines[:-1]
    where = f"{raw}/{file}" + (f":{line}" if line else "")
    assert message.startswith(where + ":"), message
    if column:
        assert f"column '{column}'" in message, message
    assert words in message, message
    assert not out.exists() and not charts.exists()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def _spreadsheet_variant(raw: Path) -> None:
    """What a spreadsheet writes: BOM, CRLF, quoted line breaks kept, trailing blank lines."""
    for name in ("claims.csv", "sources.csv", "indicators.csv"):
        data = (raw / name).read_bytes().replace(b"\n", b"\r\n")
        (raw / name).write_bytes(codecs.BOM_UTF8 + data + b"\r\n\r\n")


def test_spreadsheet_output_is_accepted_and_gives_the_same_tables(raw, tmp_path):
    # A note with a line break inside a quoted cell, in both versions.
    text = (raw / "claims.csv").read_text(encoding="utf-8")
    text = text.replace("'im vergangenen Jahr': 2024.", "\"'im vergangenen Jahr':\n2024.\"", 1)
    (raw / "claims.csv").write_text(text, encoding="utf-8")
    clean = prodstats.load(raw)
    sheet = tmp_path / "sheet"
    shutil.copytree(raw, sheet)
    _spreadsheet_variant(sheet)
    assert (sheet / "claims.csv").read_bytes().startswith(codecs.BOM_UTF8)
    from_sheet = prodstats.load(sheet)
    for table in ("sources", "indicators", "claims"):  # CRLF inside a cell is read as LF
        pd.testing.assert_frame_equal(getattr(from_sheet, table), getattr(clean, table))
    note = clean.claims.set_index("claim_id").loc["dpa25-08", "notes"]
    assert note == "'im vergangenen Jahr':\n2024."


def test_line_numbers_count_quoted_line_breaks(raw):
    text = (raw / "claims.csv").read_text(encoding="utf-8")
    text = text.replace("'im vergangenen Jahr': 2024.", "\"line one\nline two\"", 1)
    text = text.replace(",0.3333,dimensionless,about,", ",1.5,dimensionless,about,")
    (raw / "claims.csv").write_text(text, encoding="utf-8")
    from tests.conftest import problems

    [message] = problems(raw)
    assert message.startswith(f"{raw}/claims.csv:{SHARE + 1}: column 'value'")


def test_a_padded_header_is_read_like_padded_cells(raw):
    """' claim_id , source_id , …' gave 38 lines; header names are stripped like cells."""
    path = raw / "claims.csv"
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path.write_text(" " + header.replace(",", " , ") + " \n" + rest, encoding="utf-8")
    assert len(prodstats.load(raw).claims) == len(prodstats.load(SEED_RAW).claims)


def test_the_real_cause_comes_first_and_repeated_lines_are_counted(raw):
    """A duplicate source id (its knock-on lines in claims.csv were listed before it); 23
    claims of the source it hid give ten lines and one that counts the rest.
    """
    from tests.conftest import read_rows, write_rows

    header, rows = read_rows(raw / "sources.csv")
    rows[1]["source_id"] = rows[0]["source_id"]
    write_rows(raw / "sources.csv", header, rows)
    with pytest.raises(prodstats.LedgerError) as caught:
        prodstats.load(raw)
    lines = str(caught.value).splitlines()
    assert lines[0] == (f"{raw}/sources.csv:3: column 'source_id' = "
                        "'reuters-2024-ua-joint-production': duplicate id, first used on line 2; "
                        "give each source its own id")
    missing = [line for line in lines if "no such source in sources.csv" in line]
    assert len(missing) == 10
    assert lines[-1] == f"{raw}/claims.csv: and 13 more lines with the same message (lines 18-30)"
    assert len(caught.value.problems) == 30  # every problem is kept for the API


def test_thousands_of_unknown_columns_are_counted_not_listed(raw):
    path = raw / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    extra = [f"{'x' * 390}{k:05d}" for k in range(5000)]
    lines = [lines[0] + "," + ",".join(extra)] + [
        line + "," * len(extra) if line else line for line in lines[1:]]
    path.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "prodstats", "validate", str(raw)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    out = done.stderr.splitlines()
    assert len(out) == 12 and all(len(line) < 500 for line in out), out
    assert out[0].startswith(f"{raw}/claims.csv:1: column '{'x' * 59}…': unknown column; "
                             "remove it or rename it (allowed: claim_id, source_id,")
    assert out[-2:] == [f"{raw}/claims.csv: and 4,990 more lines with the same message (line 1)",
                        "5,000 problems found; nothing was written."]
