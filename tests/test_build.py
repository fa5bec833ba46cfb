"""The build: a valid Frictionless package, byte-identical rebuilds that equal what is committed,
atomic publishing, neutralised hostile text, charts written, and the notebook runs.
"""

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

import prodstats
from prodstats.build import build
from prodstats.errors import BuildError, LedgerError
from tests.conftest import LIVE_RAW, ROOT, SEED_RAW, set_cell


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One full build of the seed ledger into a private folder."""
    root = tmp_path_factory.mktemp("build")
    build(SEED_RAW, root / "processed", root / "charts")
    return root


def test_datapackage_is_valid_frictionless(built):
    from frictionless import validate

    report = validate(built / "processed" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_cli_accepts_the_committed_package():
    cli = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(cli), "validate", "data/processed/datapackage.json"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:]


def test_datapackage_declares_keys_units_and_enums(built):
    import json

    package = json.loads((built / "processed" / "datapackage.json").read_text(encoding="utf-8"))
    claims = next(r for r in package["resources"] if r["name"] == "claims")["schema"]
    assert claims["primaryKey"] == ["claim_id"]
    assert claims["foreignKeys"][0]["reference"] == {"resource": "sources", "fields": ["source_id"]}
    fields = {f["name"]: f for f in claims["fields"]}
    assert fields["confidence"]["constraints"]["enum"] == ["verified", "reported", "official", "unverified", "disputed"]
    assert "unit" in fields["value_canonical"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert len(package["sources"]) == 2


def test_rebuilds_are_byte_identical(built, tmp_path):
    build(SEED_RAW, tmp_path / "processed", tmp_path / "charts")
    assert digest(tmp_path / "processed") == digest(built / "processed")
    assert digest(tmp_path / "charts") == digest(built / "charts")


def test_a_warm_chart_cache_gives_the_same_bytes(built, tmp_path, monkeypatch):
    monkeypatch.setenv("PRODSTATS_CACHE", str(tmp_path / "cache"))
    # the same layout as `built` (data and charts side by side): the page links ../processed
    build(SEED_RAW, tmp_path / "cold" / "processed", tmp_path / "cold" / "charts")
    cached = sorted((tmp_path / "cache" / "charts").iterdir())
    assert len(cached) == 3 * len(list((built / "charts").glob("*.svg")))  # svg, png, record
    build(SEED_RAW, tmp_path / "warm" / "processed", tmp_path / "warm" / "charts")
    assert digest(tmp_path / "warm" / "charts") == digest(built / "charts")
    assert digest(tmp_path / "cold" / "charts") == digest(built / "charts")


def test_committed_outputs_are_what_a_rebuild_produces(tmp_path):
    """Holds for any ledger: what is committed is what the live ledger builds."""
    # the project's layout, so that the charts page links its CSVs the same way
    build(LIVE_RAW, tmp_path / "data" / "processed", tmp_path / "docs" / "charts")
    assert digest(ROOT / "data" / "processed") == digest(tmp_path / "data" / "processed"), \
        "data/processed differs from a rebuild: run `make` and commit the result"
    assert digest(ROOT / "docs" / "charts") == digest(tmp_path / "docs" / "charts"), \
        "docs/charts differs from a rebuild: run `make` and commit the result"
    from prodstats.publish import data_dictionary

    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == data_dictionary() + "\n"


def test_every_chart_is_written_and_not_empty(built):
    """Every chart a build's jobs name is written, as SVG (with a title and a description for
    screen readers) and as a 200 dpi PNG, and shown on the page; no series of one claim is a
    chart.
    """
    from PIL import Image

    from prodstats.charts import chart_jobs

    charts = built / "charts"
    ledger = prodstats.load(SEED_RAW)
    series = prodstats.resolve(ledger.claims)
    outcomes = prodstats.outcomes(ledger.claims, ledger.sources, series)
    jobs = chart_jobs(series, prodstats.project(series), ledger, outcomes)
    svgs = sorted(charts.glob("*.svg"))
    pngs = sorted(charts.glob("*.png"))
    assert len(svgs) == len(pngs) == len(jobs) >= 2
    for path in svgs + pngs:
        assert path.stat().st_size > 5000, path
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    for png in pngs:
        with Image.open(png) as image:
            assert image.size[0] == 1600, png  # 8 in at 200 dpi
    page = (charts / "README.md").read_text(encoding="utf-8")
    assert all(f"({p.name})" in page for p in svgs)
    svg = (charts / "ukr_defence_production_index.svg").read_text()
    assert "<dc:date>" not in svg
    assert '<title id="chart-title">Ukraine: Domestic production of arms and military ' in svg
    assert '<desc id="chart-desc">3 claims' in svg


def test_a_failing_stage_leaves_the_outputs_as_they_were(built, tmp_path, monkeypatch):
    import shutil

    out, charts = tmp_path / "processed", tmp_path / "charts"
    shutil.copytree(built / "processed", out)
    shutil.copytree(built / "charts", charts)
    (out / ".DS_Store").write_bytes(b"\0")  # what an operating system leaves is no obstacle
    before = (digest(out), digest(charts))

    import prodstats.charts

    calls = {"n": 0}
    real_save = prodstats.charts.save

    def save_then_fail(fig, stem):
        calls["n"] += 1
        if calls["n"] == 2:  # midway through the charts, after the CSVs were written
            raise OSError("disk full")
        return real_save(fig, stem)

    monkeypatch.setattr(prodstats.charts, "save", save_then_fail)
    with pytest.raises(BuildError, match="build stage 'write and publish' failed: OSError: disk full"):
        build(SEED_RAW, out, charts)
    assert (digest(out), digest(charts)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # no temp left; the locks stay
        ".charts.lock", ".processed.lock", "charts", "processed"]


def test_a_ledger_without_conflicts_or_targets_builds(tmp_path):
    """Found by the fuzzer: empty output tables must still match their schemas."""
    import pandas as pd

    from tests.conftest import mini_ledger

    raw = mini_ledger(tmp_path / "raw", [{"period": "2023", "value": "100"},
                                         {"period": "2024", "value": "120"}])
    build(raw, tmp_path / "processed", tmp_path / "charts")
    assert pd.read_csv(tmp_path / "processed" / "conflicts.csv").empty
    assert pd.read_csv(tmp_path / "processed" / "feasibility.csv").empty
    assert len(pd.read_csv(tmp_path / "processed" / "projections.csv")) > 0


def test_an_invalid_ledger_publishes_nothing(raw, tmp_path):
    set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns")
    with pytest.raises(LedgerError):
        build(raw, tmp_path / "processed", tmp_path / "charts")
    assert not (tmp_path / "processed").exists() and not (tmp_path / "charts").exists()


def test_cli_build_failure_is_one_clean_message(raw, tmp_path):
    set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns")
    done = subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw", str(raw),
                           "--out", str(tmp_path / "o"), "--charts", str(tmp_path / "c")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "unknown unit 'rouns' (did you mean 'rounds'?)" in done.stderr


def test_hostile_text_is_rejected_at_validation(raw, tmp_path):
    line = set_cell(raw, "claims.csv", "dpa25-08", "notes", "=HYPERLINK(\"http://x\",\"click\")")
    with pytest.raises(LedgerError) as err:
        build(raw, tmp_path / "processed", tmp_path / "charts")
    assert [str(p) for p in err.value.problems] == [
        f"{raw}/claims.csv:{line}: column 'notes' = '=HYPERLINK(\"http://x\",\"click\")': begins "
        "like a spreadsheet formula (=, +, -, @, tab or line break), which a spreadsheet would "
        "run; rephrase it so it starts with a letter or a digit"]
    assert not (tmp_path / "processed").exists()


def test_hostile_text_is_neutralised_in_published_csvs(seed_ledger, tmp_path):
    """Defence in depth: whatever text reaches the writer is neutralised (OWASP)."""
    from prodstats.publish import write_csv

    claims = seed_ledger.claims.copy()
    hostile = {"dpa25-08": "=HYPERLINK(\"http://x\",\"click\")", "dpa25-09": "+1+1",
               "dpa25-10": "@SUM(A1:A2)", "dpa25-11": "-2+3", "dpa25-12": "\tcmd", "dpa25-13": "\rx"}
    for cid, text in hostile.items():
        claims.loc[claims["claim_id"] == cid, "notes"] = text
    write_csv(claims, tmp_path / "claims.csv")
    with (tmp_path / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["claim_id"]: r for r in csv.DictReader(handle)}
    for cid, text in hostile.items():
        assert rows[cid]["notes"] == "'" + text.replace("\r", "\n")
    assert rows["dpa25-08"]["value"] == "2500000"  # numbers are never touched
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_neutralise_leaves_negative_numbers_alone():
    import pandas as pd

    from prodstats.publish import neutralise

    frame = pd.DataFrame({"text": ["-x", "ok", "\tq", "-", "-5", "-2+3"],
                          "number": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = neutralise(frame)
    assert out["text"].tolist() == ["'-x", "ok", "'\tq", "-", "-5", "'-2+3"]
    assert out["number"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_the_quickstart_notebook_runs():
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "docs" / "notebooks" / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "commit the notebook without outputs"
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the chart cell shows no chart"
    assert any("did you mean 'rounds'" in o.get("text", "") for o in outputs)


def test_ledger_text_reaches_charts_and_pages_literally(raw, tmp_path):
    """A '$' is drawn as a dollar (no mathtext); Markdown in a description stays text."""
    hostile = "Shells, 5 $to$ 7 [x](http://e.example/a.png) <img src=x>"
    set_cell(raw, "indicators.csv", "defence_production", "description", hostile)
    build(raw, tmp_path / "processed", tmp_path / "charts")
    svgs = [p.read_text(encoding="utf-8") for p in (tmp_path / "charts").glob("*.svg")]
    assert any("5 $to$ 7 [x](http://e.example/a.png) &lt;img src=x&gt;" in s for s in svgs)
    page = (tmp_path / "charts" / "README.md").read_text(encoding="utf-8")
    assert "5 $to$ 7 \\[x\\](http://e.example/a.png) \\<img src=x\\>" in page
    assert "[x](" not in page and "<img" not in page.replace("\\<img", "")
