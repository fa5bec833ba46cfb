"""The command line: clean messages on stderr, exit 1, never a traceback."""

import subprocess
import sys

from tests.conftest import ROOT, set_cell


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "prodstats", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_validate_the_seed():
    done = run("validate")
    assert done.returncode == 0
    assert "29 claims from 2 sources" in done.stdout


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
