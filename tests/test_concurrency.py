"""Concurrent builds and signals, with real processes: one build at a time per output folder;
an interrupt is raised where the build polls for it, never lost in a callback; a signal after
publication ends in status 0; a Ctrl-C during the imports ends in one line; what an earlier
build left and cannot be removed is reported in one line and skipped.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_RAW
from tests.test_publish import temps

#: Runs the command line with a patch applied first (argv: the patch's name, then the command).
HARNESS = '''
import os, signal, sys, time, weakref
from pathlib import Path
import prodstats.publish as publish
kind, marker = sys.argv[1], Path(sys.argv[2])
if kind == "slow-swap":  # the publish step takes 3 s; the marker says it began
    real_swap = publish._swap_one
    def swap(out, tmp):
        marker.touch()
        time.sleep(1.5)
        result = real_swap(out, tmp)
        time.sleep(1.5)
        return result
    publish._swap_one = swap
elif kind == "signal-after-publish":
    real_publish = publish.publish
    def publish_then_signal(outputs):
        real_publish(outputs)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
    publish.publish = publish_then_signal
elif kind == "signal-in-callback":  # a SIGINT handled inside a weakref callback, mid-drawing
    import prodstats.charts as charts
    real_save = charts.save
    class Thing:
        pass
    def save(fig, stem):
        thing = Thing()
        def callback(_ref):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs here, inside the callback
                pass
        ref = weakref.ref(thing, callback)
        del thing
        marker.touch()
        return real_save(fig, stem)
    charts.save = save
from prodstats.__main__ import main
sys.exit(main(sys.argv[3:], restore=False))
'''


def harness(kind: str, marker: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HARNESS, kind, str(marker), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build_args(raw: Path, out: Path, charts: Path) -> list[str]:
    return ["build", "--raw", str(raw), "--out", str(out), "--charts", str(charts)]


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never reached the step"
        time.sleep(0.02)


def test_a_second_build_during_the_publish_step_stops_in_one_line(tmp_path):
    """A build slowed in its publish step (each rename delayed), a second build into the same
    --out started while it publishes: the second stops at once, the first publishes, the folder
    is complete, nothing is left behind; after the first, a build runs.
    """
    out, charts = tmp_path / "out", tmp_path / "charts"
    marker = tmp_path / "publishing"
    first = harness("slow-swap", marker, *build_args(SEED_RAW, out, charts))
    wait_for(marker, first)
    second = subprocess.run([sys.executable, "-m", "prodstats", *build_args(
        SEED_RAW, out, tmp_path / "charts2")], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=300)
    assert second.returncode == 1
    assert second.stderr.splitlines() == [
        f"{out}: another build (process {first.pid}) is writing --out right now; wait until it "
        "ends, then run this build again", "1 problem found; nothing was written."]
    assert first.poll() is None  # the first was still publishing when the second ended
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert (out / "sources.csv").is_file() and (charts / "README.md").is_file()
    assert not (tmp_path / "charts2").exists()
    assert not temps(tmp_path)
    again = subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw", str(SEED_RAW),
                            "--out", str(out), "--no-charts"], cwd=ROOT, capture_output=True,
                           text=True, check=False, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""


def test_a_signal_after_publication_ends_in_status_0(tmp_path):
    out, charts = tmp_path / "out", tmp_path / "charts"
    proc = harness("signal-after-publish", tmp_path / "m", *build_args(SEED_RAW, out, charts))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert stdout.startswith("built sources (2 rows)")
    assert stderr.splitlines() == [f"SIGINT came after the build was published: {out}, {charts} "
                                   "are complete; exit status 0"]


def test_a_signal_inside_a_callback_during_drawing_is_not_lost(tmp_path):
    """The handler runs inside a weakref callback while a chart is drawn: the build stops at
    its next check, publishes nothing and ends with one line and status 130.
    """
    out, charts = tmp_path / "out", tmp_path / "charts"
    proc = harness("signal-in-callback", tmp_path / "m", *build_args(SEED_RAW, out, charts))
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert stderr.splitlines() == [
        "interrupted by SIGINT: the build stopped before publishing; the output folders are as "
        "they were and no temporary folder is left"]
    assert not out.exists() and not charts.exists()
    assert not temps(tmp_path)


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has its own SIGTERM handler yet (Python installs none by default)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    mask = int(next(line for line in status.splitlines() if line.startswith("SigCgt:"))
               .split()[1], 16)
    return bool(mask & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_ctrl_c_during_the_imports_ends_in_one_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "prodstats", "validate", str(SEED_RAW)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _catches_sigterm(proc.pid):  # the first moment prodstats handles signals
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert (proc.returncode, stdout, stderr) == (
        130, "", "interrupted by SIGINT; nothing was written\n")


def test_what_an_earlier_build_left_and_cannot_be_removed_is_one_line(tmp_path):
    """A read-only .out.old (its files cannot be removed) and a stale temporary folder: one
    line each, skipped; the build publishes.
    """
    from tests.test_cache import read_only

    out = tmp_path / "out"
    out.mkdir()  # an empty folder: the .old is no swap cut short, only left over
    old = tmp_path / ".out.old"
    old.mkdir()
    (old / "claims.csv").write_text("a\n", encoding="utf-8")
    stale = tmp_path / ".out.tmp-999999999-x"
    stale.mkdir()
    (stale / "half.csv").write_text("half\n", encoding="utf-8")
    with read_only(old), read_only(stale):
        done = subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw",
                               str(SEED_RAW), "--out", str(out), "--no-charts"], cwd=ROOT,
                              capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"{old}: left by an earlier build, cannot be removed (Operation not permitted); "
        "skipped it; remove it by hand",
        f"{stale}: left by an earlier build, cannot be removed (Operation not permitted); "
        "skipped it; remove it by hand"]
    assert (out / "sources.csv").is_file()
    shutil.rmtree(old)
    shutil.rmtree(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]
