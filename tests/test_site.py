"""The static site's writer (prodstats/site.py) and its place in the build. The page itself is
tested in a real browser: tests/browser/.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from prodstats import site
from prodstats.__main__ import main
from prodstats.build import build
from prodstats.errors import BuildError
from prodstats.uncoded import Skip
from tests.browser.hostile import QUOTE, SPEAKER, hostile_ledger
from tests.conftest import SEED_RAW

ASSETS = site.ASSETS


def payload(folder: Path) -> dict:
    text = (folder / "data" / "site.js").read_text(encoding="utf-8")
    assert text.startswith("window.PRODSTATS_DATA = ") and text.endswith(";\n")
    return json.loads(text[len("window.PRODSTATS_DATA = "):-2])


def rows(data: dict, name: str) -> list[dict]:
    """A table of the page's data as rows, decoded as app.js decodes it."""
    t = data["tables"][name]
    cells = {c: (d if isinstance(d, list) else [d["dict"][i] for i in d["codes"]])
             for c, d in t["data"].items()}
    return [{c: cells[c][i] for c in t["columns"]} for i in range(t["n"])]


def texts(folder: Path) -> dict[str, dict]:
    """The source texts of a site, read back from their script files."""
    found = {}
    for path in sorted((folder / "data" / "texts").glob("*.js")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            sid, body = re.fullmatch(r'window\.PRODSTATS_TEXTS\[(".*?")\] = (.*);', line).groups()
            found[json.loads(sid)] = json.loads(body)
    return found


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    result = build(SEED_RAW, base / "out", draw=False, site=base / "site")
    return base, result


# ------------------------------------------------------------------------------ marks

def test_marks_cut_the_text_at_every_quote_and_skipped_span():
    text = "Sie bauen 40 Drohnen und 3 Werke, sagt er am 5. Mai."
    claims = [("a-1", "40 Drohnen"), ("a-2", "40 Drohnen und 3 Werke"), ("a-3", "not there")]
    skips = [Skip("src", "am 5. Mai", "a date", 2)]
    assert site.marks(text, claims, skips) == [
        [0, 10, [], ""], [10, 20, ["a-1", "a-2"], ""], [20, 32, ["a-2"], ""],
        [32, 42, [], ""], [42, 51, [], "a date"], [51, 52, [], ""]]


def test_a_quote_across_a_line_break_is_found_and_offsets_count_as_javascript_does():
    text = "🚀 Das Werk stellte\n  1.200 Drohnen her."
    assert site.locate(text, "stellte 1.200 Drohnen") == (11, 34)
    segments = site.marks(text, [("c", "stellte 1.200 Drohnen")], [])
    # the rocket is two UTF-16 code units: JavaScript's slice() counts it so
    assert segments[1][:3] == [12, 35, ["c"]]
    assert text.encode("utf-16-le")[24:70].decode("utf-16-le") == "stellte\n  1.200 Drohnen"
    assert site.locate(text, "") is None and site.locate(text, None) is None


def test_a_quote_of_fragments_marks_each_fragment():
    """Found by a new user: a quote joined with ' … ' (as the quote check advises) passed
    validate but was marked nowhere on the source page, so its figure looked uncoded.
    """
    text = "EU plants make 5,000 shells a day. Of these, roughly 2,000 go to Ukraine."
    segments = site.marks(text, [("c", "shells a day … roughly 2,000")], [])
    marked = [text[a:b] for a, b, ids, _ in segments if ids == ["c"]]
    assert marked == ["shells a day", "roughly 2,000"]
    assert site.marks(text, [("c", "shells a day … not there")], []) == [[0, len(text), [], ""]]


# ------------------------------------------------------------------------------ the site

def test_build_writes_the_page_its_data_vendored_scripts_and_downloads(seed_site):
    base, result = seed_site
    folder = base / "site"
    assert (folder / "index.html").read_text(encoding="utf-8").startswith(site.MARKER + "\n")
    for name in ("app.js", "app.css", "vendor/d3.min.js", "vendor/plot.umd.min.js",
                 "vendor/LICENSE-d3.txt", "vendor/LICENSE-plot.txt", "vendor/VERSIONS.md"):
        assert (folder / name).is_file(), name
    data = payload(folder)
    assert set(data["tables"]) == set(site.SHOWN) & set(result.tables)
    shown = rows(data, "claims")
    assert [c["claim_id"] for c in shown] == result.tables["claims"]["claim_id"].tolist()
    assert [c["quote"] for c in shown] == result.tables["claims"]["quote"].tolist()
    assert [c["value"] for c in shown] == [None if pd.isna(v) else v
                                          for v in result.tables["claims"]["value"]]
    series = rows(data, "series")
    assert len(series) == len(result.tables["series"])
    assert {r["claim_ids"] for r in series} == {None if pd.isna(v) else v
                                                for v in result.tables["series"]["claim_ids"]}
    # the downloads are the --out folder's files, byte for byte
    for name in [f"{n}.csv" for n in result.tables] + ["datapackage.json"]:
        assert (folder / "downloads" / name).read_bytes() == (base / "out" / name).read_bytes()
    assert {d["name"] for d in data["downloads"]} == {f"{n}.csv" for n in result.tables}
    # every source text, with its quotes marked
    found = texts(folder)
    assert set(found) == set(result.ledger.texts) == set(data["texts"])
    for sid, doc in found.items():
        assert doc["text"] == result.ledger.texts[sid]
        marked = {c for seg in doc["segments"] for c in seg[2]}
        assert marked == set(result.tables["claims"].query("source_id == @sid")["claim_id"])
    skipped = {seg[3] for doc in found.values() for seg in doc["segments"] if seg[3]}
    assert "an article number (Article 112 of the Basic Law)" in skipped


def test_the_vendored_scripts_are_the_registry_files_named_in_versions():
    versions = (ASSETS / "vendor" / "VERSIONS.md").read_text(encoding="utf-8")
    for name in ("d3.min.js", "plot.umd.min.js"):
        digest = hashlib.sha256((ASSETS / "vendor" / name).read_bytes()).hexdigest()
        assert f"| `{name}` |" in versions and digest in versions, name


def test_the_page_loads_only_its_own_scripts_and_allows_no_inline_script_or_eval():
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'none'"
    assert re.findall(r"<script[^>]*>", page) == [
        f'<script defer src="{s}">' for s in (
            "vendor/d3.min.js", "vendor/plot.umd.min.js", "data/site.js", "app.js")]
    assert not re.search(r"(?i)cdn|unpkg|jsdelivr|googleapis|https?://", page)
    app = (ASSETS / "app.js").read_text(encoding="utf-8").replace(
        '"http://www.w3.org/2000/svg"', "SVG_NAMESPACE")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "new Function", "setTimeout(\"", "http://", "https://"):
        assert risky not in app, risky


def test_two_builds_give_the_same_site_bytes(seed_site, tmp_path):
    base, _ = seed_site
    build(SEED_RAW, tmp_path / "out", draw=False, site=tmp_path / "site")
    first = {p.relative_to(base / "site"): p.read_bytes()
             for p in sorted((base / "site").rglob("*")) if p.is_file()}
    second = {p.relative_to(tmp_path / "site"): p.read_bytes()
              for p in sorted((tmp_path / "site").rglob("*")) if p.is_file()}
    assert first == second


def test_a_site_is_rebuilt_in_place_and_a_foreign_file_is_refused(tmp_path):
    dest = tmp_path / "site"
    build(SEED_RAW, tmp_path / "out", draw=False, site=dest)
    build(SEED_RAW, tmp_path / "out", draw=False, site=dest)  # an earlier build's: replaced
    assert (dest / "index.html").is_file()
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(SEED_RAW, tmp_path / "out", draw=False, site=dest)
    assert str(err.value) == (
        f"{dest}: --site holds 'notes.txt', which no build writes, and a build replaces the "
        "whole folder. Pass a new or empty folder, or one an earlier build wrote")
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    (other / "index.html").write_text("<!doctype html><p>my page</p>", encoding="utf-8")
    with pytest.raises(BuildError, match="--site holds 'index.html', which no build writes"):
        build(SEED_RAW, tmp_path / "out", draw=False, site=other)
    with pytest.raises(BuildError) as err:
        build(SEED_RAW, tmp_path / "out", draw=False, site=tmp_path / "out")
    assert "--out and --site are the same folder" in str(err.value)


def test_the_command_line_writes_a_site_without_the_csv_folder(tmp_path, capsys):
    code = main(["build", "--raw", str(SEED_RAW), "--no-data", "--no-charts",
                 "--site", str(tmp_path / "site")])
    assert code == 0
    data = payload(tmp_path / "site")
    assert rows(data, "sources")[0]["source_id"] == "reuters-2024-ua-joint-production"
    # no --out folder this time: the site writes its downloads itself
    assert (tmp_path / "site" / "downloads" / "claims.csv").read_text(encoding="utf-8") \
        .startswith("claim_id,source_id,quote,")
    assert not (tmp_path / "project" / "data" / "processed").exists()


def test_hostile_text_reaches_the_page_only_inside_json_strings(tmp_path):
    raw = hostile_ledger(tmp_path / "raw")
    build(raw, tmp_path / "out", draw=False, site=tmp_path / "site")
    script = (tmp_path / "site" / "data" / "site.js").read_text(encoding="utf-8")
    assert "<script" not in script and "<img" not in script and "</" not in script
    data = payload(tmp_path / "site")
    claim = next(c for c in rows(data, "claims") if c["claim_id"] == "hos25-01")
    assert claim["quote"] == QUOTE and claim["speaker"] == SPEAKER
    for path in (tmp_path / "site" / "data" / "texts").glob("*.js"):
        assert "<" not in path.read_text(encoding="utf-8")
    assert texts(tmp_path / "site")["hostile-2025-html"]["text"].count("<script>") == 1


def test_a_broken_skip_table_is_said_on_the_page_not_fatal(raw, tmp_path):
    with (raw / "skipped.csv").open("a", encoding="utf-8") as handle:
        handle.write("no-such-source,some span,a reason\n")
    build(raw, tmp_path / "out", draw=False, site=tmp_path / "site")
    error = payload(tmp_path / "site")["skipped_error"]
    assert error.startswith("skipped.csv has problems (")
    assert "no-such-source" in error


def test_columns_send_repeated_values_once_and_whole_numbers_as_integers():
    frame = pd.DataFrame({"unit": ["rounds"] * 40 + ["drones"] * 40,
                          "value": [1.0, 2.5, float("nan"), 1e20] * 20,
                          "id": [f"c{i}" for i in range(80)]})
    frame["unit"] = frame["unit"].astype("string")
    out = site._columns(frame)
    assert out["data"]["unit"] == {"dict": ["rounds", "drones"], "codes": [0] * 40 + [1] * 40}
    assert out["data"]["value"]["dict"] == [1, 2.5, None, 1e20]
    assert out["data"]["id"][:2] == ["c0", "c1"]
    assert site._columns(frame.head(3), digits=2)["data"]["value"] == [1, 2.5, None]
