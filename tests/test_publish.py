"""Output paths and publishing: every refused layout is one line and leaves every file as it
was (ledger and earlier outputs byte-identical, no temporary folder); the layouts that work
publish; a failed swap puts back what it swapped; SIGINT and SIGTERM stop a build cleanly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prodstats.errors import PublishError
from prodstats.publish import Output, clean_stale, markdown_text, publish
from tests.conftest import ROOT, SEED_RAW


def tree(folder: Path) -> dict[str, str]:
    """Every file's sha256 and every link's target under ``folder`` (links not followed)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[key] = f"-> {path.readlink()}"
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[key] = "folder"
    return out


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".tmp-" in p.name or p.name.endswith(".old")]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prodstats", "build", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def site(tmp_path) -> Path:
    """A ledger copy ``R``, an earlier output folder ``old`` and a plain file ``afile``."""
    shutil.copytree(SEED_RAW, tmp_path / "R")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "claims.csv").write_text("from an earlier build\n", encoding="utf-8")
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "filelink").symlink_to(tmp_path / "afile")
    (tmp_path / "rawlink").symlink_to(tmp_path / "R")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "Documents").mkdir()
    (tmp_path / "mine").mkdir()  # a folder of the user's own files, no subfolder
    (tmp_path / "mine" / "my-analysis.xlsx").write_bytes(b"PK")
    (tmp_path / "mine" / "claims.csv").write_text("mine\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("# My notes\n", encoding="utf-8")
    (tmp_path / "notes" / "figure.png").write_bytes(b"png")
    return tmp_path


# name → (--out, --charts, path the line names, what it says); paths relative to the site
RULES = {
    "out is the ledger": ("R", "c", "R", "--out is the ledger folder (--raw); a build would "
                          "replace the ledger with its outputs. Pass another folder, such as "
                          "data/processed or docs/charts"),
    "charts is the ledger": ("o", "R", "R", "--charts is the ledger folder (--raw); a build "
                             "would replace the ledger with its outputs. Pass another folder, "
                             "such as data/processed or docs/charts"),
    "charts inside the ledger (texts/)": ("o", "R/texts", "R/texts", "--charts lies inside the "
                                          "ledger folder {R} (--raw), which holds only what "
                                          "people edit. Pass a folder outside it"),
    "out holds the ledger": (".", "c", ".", "--out holds the ledger folder {R} (--raw); "
                             "publishing it would replace the ledger. Pass a folder that does "
                             "not hold the ledger"),
    "out is a link to the ledger": ("rawlink", "c", "R", "--out is the ledger folder (--raw); a "
                                    "build would replace the ledger with its outputs. Pass "
                                    "another folder, such as data/processed or docs/charts"),
    "charts equal to out": ("old", "old", "old", "--out and --charts are the same folder; one "
                            "would replace the other. Pass two different folders, such as "
                            "data/processed and docs/charts"),
    "charts inside out": ("old", "old/charts", "old/charts", "--charts lies inside --out "
                          "({old}); publishing one would replace the other. Pass folders side "
                          "by side, such as data/processed and docs/charts"),
    "out inside charts": ("old/data", "old", "old", "--charts holds --out ({old}/data); "
                          "publishing one would replace the other. Pass folders side by side, "
                          "such as data/processed and docs/charts"),
    "out is a file": ("afile", "c", "afile", "--out exists and is not a folder; pass a folder, "
                      "or move the file away"),
    "out is a link to a file": ("filelink", "c", "afile", "--out exists and is not a folder; "
                                "pass a folder, or move the file away"),
    "out holds other folders": ("home", "c", "home", "--out holds 'Documents', which no build "
                                "writes, and a build replaces the whole folder. Pass a new or "
                                "empty folder, or one an earlier build wrote"),
    "out holds files of its own": ("mine", "c", "mine", "--out holds 'my-analysis.xlsx', which "
                                   "no build writes, and a build replaces the whole folder. Pass "
                                   "a new or empty folder, or one an earlier build wrote"),
    "charts holds a page of its own": ("o", "notes", "notes", "--charts holds 'README.md', "
                                       "which no build writes, and a build replaces the whole "
                                       "folder. Pass a new or empty folder, or one an earlier "
                                       "build wrote"),
}


@pytest.mark.parametrize("name", list(RULES))
def test_a_refused_output_path_is_one_line_and_changes_nothing(site, name):
    out, charts, where, says = RULES[name]
    before = tree(site)
    done = cli("--raw", str(site / "R"), "--out", str(site / out), "--charts", str(site / charts))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    place = (site / where).resolve()
    says = says.format(R=(site / "R").resolve(), old=(site / "old").resolve())
    assert done.stderr.splitlines() == [f"{place}: {says}", "1 problem found; nothing was written."]
    assert tree(site) == before
    assert not temps(site)


def test_refused_before_the_ledger_is_read(site):
    """A broken ledger and a refused path: the path is reported (nothing was read)."""
    (site / "R" / "claims.csv").write_bytes(b"")
    done = cli("--raw", str(site / "R"), "--out", str(site / "R"), "--charts", str(site / "c"))
    assert done.returncode == 1
    assert "--out is the ledger folder" in done.stderr


def test_dotted_names_links_and_stale_temp_folders(site):
    """--out named out.v2 through a link: published into the link's folder, the link kept;
    what earlier interrupted builds left is removed, a cut-short swap's .old put back.
    """
    from prodstats.build import build

    real = site / "out.v2"
    real.mkdir()
    (real / "stale.csv").write_text("old\n", encoding="utf-8")  # a table of an earlier build
    (real / "datapackage.json").write_text("{}\n", encoding="utf-8")
    (site / "outlink").symlink_to(real)
    for name in (".out.v2.tmp-abcdef12", ".charts.d.tmp-1x", ".out.v2.old"):
        (site / name).mkdir()
        (site / name / "half.csv").write_text("half\n", encoding="utf-8")
    (site / ".charts.d.old").mkdir()  # charts.d itself is missing: its swap was cut short
    (site / ".charts.d.old" / "README.md").write_text("charts\n", encoding="utf-8")
    ledger = tree(site / "R")
    build(site / "R", site / "outlink", site / "charts.d")
    assert (site / "outlink").is_symlink() and (real / "datapackage.json").is_file()
    assert not (real / "stale.csv").exists()
    assert (site / "charts.d" / "README.md").read_text(encoding="utf-8").startswith("# Charts")
    assert not temps(site)
    assert tree(site / "R") == ledger


def test_clean_stale_keeps_a_running_builds_temp_folder(tmp_path):
    mine = tmp_path / f".out.tmp-{os.getppid()}-abc"  # the parent process is alive
    mine.mkdir()
    gone = tmp_path / ".out.tmp-abc"
    gone.mkdir()
    assert clean_stale(tmp_path / "out") == ["removed .out.tmp-abc"]
    assert mine.is_dir()


def _fill(text: str):
    def fill(folder: Path) -> None:
        (folder / "a.csv").write_text(text, encoding="utf-8")
    return fill


def _file(name: str, text: str):
    def fill(folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")
    return fill


def test_publish_writes_folders_with_any_name_and_explicit_files(tmp_path):
    outputs = [Output(tmp_path / "out.v2", _fill("new\n"), name="--out"),
               Output(tmp_path / "docs" / "dict.md", _file("dict.md", "# new\n"), file=True)]
    publish(outputs)
    assert (tmp_path / "out.v2" / "a.csv").read_text(encoding="utf-8") == "new\n"
    assert (tmp_path / "docs" / "dict.md").read_text(encoding="utf-8") == "# new\n"
    assert not temps(tmp_path)


def test_a_failed_swap_puts_back_what_was_swapped(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.csv").write_text("old\n", encoding="utf-8")
    before = tree(tmp_path)
    real = Path.replace

    def fail_on_b(self, target):
        if Path(target) == tmp_path / "b" and ".tmp-" in self.name:
            raise OSError(28, "No space left on device", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", fail_on_b)
    with pytest.raises(PublishError) as caught:
        publish([Output(tmp_path / "a", _fill("new\n"), name="--out"),
                 Output(tmp_path / "b", _fill("new\n"), name="--charts")])
    assert str(caught.value) == (
        f"build stage 'publish' failed: No space left on device ({tmp_path / 'b'}); every output "
        "(--out, --charts) was put back as it was. Check the space and permissions of the "
        "output folders")
    assert caught.value.outcome == "nothing was changed."
    assert tree(tmp_path) == before
    assert not temps(tmp_path)


def test_a_swap_that_cannot_be_undone_says_so(tmp_path, monkeypatch):
    import pickle

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    real = Path.replace

    def fail(self, target):
        if Path(target) == tmp_path / "b" and ".tmp-" in self.name:
            raise OSError(5, "Input/output error", str(target))
        if self == tmp_path / "a" and ".tmp-" in Path(target).name:  # the undo of a
            raise OSError(5, "Input/output error", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(PublishError) as caught:
        publish([Output(tmp_path / "a", _fill("new\n"), name="--out"),
                 Output(tmp_path / "b", _fill("new\n"), name="--charts")])
    assert "--out could not be put back and hold the new build, --charts as they were" in str(
        caught.value)
    assert caught.value.outcome == "some outputs were replaced (see above)."
    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)


def test_markdown_text_makes_links_images_and_html_inert():
    hostile = "5 $to$ 7 [click](javascript:alert(1)) ![x](http://e.example/a.png) <img src=x>"
    text = markdown_text(hostile + "\n# heading")
    for inert in ("\\[click\\]", "\\!\\[x\\]", "\\<img", "\\# heading"):
        assert inert in text, text
    assert "\n" not in text
    assert text.replace("\\", "") == hostile + " # heading"


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_build_cleanly(tmp_path, signum, status):
    """The end state is asserted, not the timing: no traceback, no temporary folder, the ledger
    as it was, each output either as it was or complete.
    """
    raw, out, charts = tmp_path / "raw", tmp_path / "out", tmp_path / "charts"
    shutil.copytree(SEED_RAW, raw)
    earlier = {"out": ("old.csv", "datapackage.json"), "charts": ("old.svg", "README.md")}
    for name, folder in (("out", out), ("charts", charts)):  # what an earlier build wrote
        folder.mkdir()
        for file in earlier[name]:
            (folder / file).write_text("# Charts\n\nGenerated by an earlier build\n",
                                       encoding="utf-8")
    before = {"raw": tree(raw), "out": tree(out), "charts": tree(charts)}
    proc = subprocess.Popen([sys.executable, "-m", "prodstats", "build", "--raw", str(raw),
                             "--out", str(out), "--charts", str(charts)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not temps(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.02)  # until it writes (a temporary folder exists) or ends
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr
    if proc.returncode == status:
        [line] = stderr.splitlines()
        assert line.startswith(f"interrupted by {signal.Signals(signum).name}"), line
    else:  # it ended before the signal came
        assert proc.returncode == 0, stderr
    assert not temps(tmp_path)
    assert tree(raw) == before["raw"]
    for name, folder in (("out", out), ("charts", charts)):
        now = tree(folder)
        complete = ("sources.csv" in now if name == "out" else "ukr_shells_produced.svg" in now)
        assert now == before[name] or (complete and earlier[name][0] not in now), (name, now)


def test_write_csv_writes_what_pandas_writes_for_every_kind_of_column(tmp_path):
    """The CSV writer prepares its cells itself (faster than pandas' formatter); for nullable
    numbers and flags, dates, times, categories and mixed columns it writes the same bytes.
    """
    import io

    import numpy as np
    import pandas as pd

    from prodstats.publish import write_csv

    frame = pd.DataFrame({
        "i": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([True, None, False],
                                                                dtype="boolean"),
        "d": pd.to_datetime(["2024-01-01", None, "2024-03-01 12:00"], format="ISO8601"),
        "t": pd.to_timedelta(["1D", None, "2h"]), "o": [1.5, None, "x"],
        "f": [1 / 3, np.nan, 2.5e15], "s": pd.array(["a,b", None, 'say "x"'], dtype="str"),
        "c": pd.Categorical(["x", None, "y"]), "n": [1, 2, 3], "flag": [True, False, True]})
    write_csv(frame, tmp_path / "out.csv")
    expected = io.StringIO()
    frame.to_csv(expected, index=False, lineterminator="\n", float_format="%.12g")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == expected.getvalue()
