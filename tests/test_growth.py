"""The next source, coded as the codebook says (§11), keeps the ledger valid, builds and
publishes; it adds a revision, a monthly series and a target history.
"""

import csv
import re
import shutil
import subprocess
import sys

import pandas as pd

from prodstats.build import build
from tests.conftest import LIVE_RAW, ROOT, read_rows, write_rows

CODEBOOK = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
SECTION = CODEBOOK[CODEBOOK.index("## 11. A second worked example"):].split("\n## 12.")[0]
#: The article of §11: its blockquote, each paragraph one line.
ARTICLE = "\n\n".join(" ".join(part.split()) for part in "\n".join(
    line[1:] for line in SECTION.splitlines() if line.startswith(">")).split("\n \n")) + "\n"
SOURCE = "examplewire-2024-03-us-shells"


def _table() -> list[dict[str, str]]:
    lines = [line for line in SECTION.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _code_the_new_source(raw, tmp_path):
    text = tmp_path / "us-shells.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    command = re.search(r"add-source (.*?)\n```", SECTION, flags=re.S).group(1)
    args = [a.strip('"') for a in re.findall(r'"[^"]*"|\S+', command.replace("\\\n", " "))]
    args[0] = str(text)
    done = subprocess.run([sys.executable, "-m", "prodstats", "add-source", *args, "--raw",
                           str(raw)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with (raw / "actors.csv").open("a", encoding="utf-8") as handle:
        handle.write("us_contractor_unnamed,Unnamed U.S. contractor,company,USA\n")
    header, rows = read_rows(raw / "claims.csv")
    for cells in _table():
        row = dict.fromkeys(header, "")
        row.update(cells, source_id=SOURCE, quote_en=cells["quote"], speaker="a senior official",
                   channel="Example Wire reporting", confidence_reason="codebook §11")
        rows.append(row)
    write_rows(raw / "claims.csv", header, rows)
    with (raw / "skipped.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for span, reason in (("155 mm artillery shells", "a calibre"),
                             ("two new plants", "a count of plants, not of output"),
                             ("One contractor", "not a quantity")):
            writer.writerow([SOURCE, span, reason])


def test_a_new_source_coded_as_the_codebook_says_validates_builds_and_publishes(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(LIVE_RAW, raw)
    before = pd.read_csv(LIVE_RAW / "claims.csv", dtype=str)
    _code_the_new_source(raw, tmp_path)
    done = subprocess.run([sys.executable, "-m", "prodstats", "uncoded", str(raw), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    result = build(raw, tmp_path / "out", tmp_path / "charts")
    claims = pd.read_csv(tmp_path / "out" / "claims.csv", dtype=str)
    assert len(claims) == len(before) + 6
    assert claims.set_index("claim_id").loc["exw24-03", "superseded_by"] == "exw24-04"
    history = pd.read_csv(tmp_path / "out" / "target_history.csv")
    slipped = history[history["target_id"] == "exw24-03"]
    assert slipped["claim_id"].tolist() == ["exw24-03", "exw24-04"]
    assert slipped["slipped_months"].tolist()[1] == 12
    series = result.tables["series"]
    usa = series[(series["actor"] == "USA") & (series["indicator"] == "shells_produced")
                 & (series["measure"] == "level")]
    assert "exw24-03" not in set(usa["claim_ids"])  # superseded: out of the current series
    assert (tmp_path / "charts" / "usa_shells_produced.svg").is_file()
    assert (tmp_path / "charts" / "compare_shells_produced.svg").is_file()


def test_the_monthly_slip_is_refused_when_coded_per_year(tmp_path):
    """The codebook's warning: 'rounds/year' for a figure stated 'a month' is a 12x error."""
    raw = tmp_path / "raw"
    shutil.copytree(LIVE_RAW, raw)
    _code_the_new_source(raw, tmp_path)
    header, rows = read_rows(raw / "claims.csv")
    for row in rows:
        if row["claim_id"] == "exw24-01":
            row["unit"] = "rounds/year"
    write_rows(raw / "claims.csv", header, rows)
    done = subprocess.run([sys.executable, "-m", "prodstats", "validate", str(raw)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    [line, summary] = done.stderr.strip().splitlines()
    assert line.startswith(f"{raw}/claims.csv:") and "column 'unit' = 'rounds/year'" in line
    assert "12x" in line
