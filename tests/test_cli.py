"""The command line: clean messages on stderr, exit 1, never a traceback."""

import subprocess
import sys

from tests.conftest import ROOT, SEED_RAW, set_cell


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "prodstats", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_validate_the_seed():
    done = run("validate", str(SEED_RAW))
    assert done.returncode == 0
    assert "29 claims from 2 sources" in done.stdout


def test_validate_the_project_ledger_with_no_folder_given():
    """`validate` alone checks data/raw, whatever it holds: the counts are its own."""
    import csv

    raw = ROOT / "data" / "raw"
    with (raw / "claims.csv").open(encoding="utf-8") as claims, \
            (raw / "sources.csv").open(encoding="utf-8") as sources:
        n_claims, n_sources = (sum(1 for _ in csv.DictReader(f)) for f in (claims, sources))
    done = run("validate")
    assert done.returncode == 0
    assert f"{n_claims} claims from {n_sources} sources" in done.stdout


def test_validate_a_bad_ledger(raw):
    line = set_cell(raw, "claims.csv", "dpa25-08", "unit", "rouns/month")
    done = run("validate", str(raw))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{raw}/claims.csv:{line}: column 'unit' = 'rouns/month': unknown unit 'rouns' "
        "(did you mean 'rounds'?)",
        "1 problem found; nothing was written."]


def test_validate_a_missing_folder(tmp_path):
    done = run("validate", str(tmp_path / "nope"))
    assert done.returncode == 1
    assert "not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bug_in_a_build_stage_is_not_called_a_ledger_problem(raw, tmp_path,
                                                               monkeypatch, capsys):
    """A stage failing on a prodstats bug ends with what it is, not "1 problem found"."""
    import pickle

    from prodstats import build as build_module
    from prodstats.__main__ import main
    from prodstats.errors import BugError

    def broken(series, **_):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(build_module, "forecasts", broken)
    code = main(["build", "--raw", str(raw), "--out", str(tmp_path / "out"),
                 "--no-charts"])
    lines = capsys.readouterr().err.splitlines()
    assert code == 1 and not (tmp_path / "out").exists()
    assert lines[0].startswith("build stage 'projections' failed: ZeroDivisionError: division "
                               "by zero. Nothing was published")
    assert lines[-1] == "This is a bug in prodstats, not a problem of the ledger."
    error = BugError("x")
    assert isinstance(pickle.loads(pickle.dumps(error)), BugError)
