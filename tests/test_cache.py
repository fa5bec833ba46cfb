"""The chart cache, tried with real builds (subprocesses): an entry is used only when its files
hash to what was recorded under its key when it was written; an emptied, swapped or odd entry is
drawn again and replaced with a one-line notice; a cache that cannot be read or written is
drawn without, and never fails the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_RAW


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(tmp: Path, cache: Path | str, name: str) -> subprocess.CompletedProcess:
    """A build of the seed ledger's charts into ``tmp/name`` with the given cache."""
    env = {**os.environ, "PRODSTATS_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-m", "prodstats", "build", "--raw", str(SEED_RAW),
                           "--no-data", "--charts", str(tmp / name)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A reference build drawn without a cache, and a cache warmed by a second build."""
    root = tmp_path_factory.mktemp("cache")
    fresh = run_build(root, "off", "fresh")
    assert fresh.returncode == 0 and fresh.stderr == "", fresh.stderr
    warmed = run_build(root, root / "warm", "warmed")
    assert warmed.returncode == 0 and warmed.stderr == "", warmed.stderr
    reference = digest(root / "fresh")
    assert digest(root / "warmed") == reference
    page = (root / "fresh" / "README.md").read_text(encoding="utf-8")
    stems = list(dict.fromkeys(re.findall(r"\]\(([^()/]+)\.svg\)", page)))  # drawn order
    by_svg = {reference[f"{stem}.svg"]: stem for stem in stems}
    charts = root / "warm" / "charts"
    stem_of = {key: by_svg[json.loads((charts / f"{key}.json").read_text())["svg"]]
               for key in entries(charts)}
    return {"root": root, "reference": reference, "stems": stems, "stem_of": stem_of,
            "charts": len(stems)}


def cache_copy(warm, tmp_path: Path) -> Path:
    shutil.copytree(warm["root"] / "warm", tmp_path / "cache")
    return tmp_path / "cache" / "charts"


def entries(charts: Path) -> list[str]:
    return sorted(p.stem for p in charts.glob("*.json"))


def assert_entries_good(charts: Path) -> None:
    for key in entries(charts):
        record = json.loads((charts / f"{key}.json").read_text(encoding="utf-8"))
        assert record["key"] == key
        for ext in ("svg", "png"):
            data = (charts / f"{key}.{ext}").read_bytes()
            assert data and hashlib.sha256(data).hexdigest() == record[ext], (key, ext)


def mismatch_line(charts: Path, count: int, first: str) -> str:
    return (f"chart cache {charts}: {count} entries did not match the hash recorded when written "
            f"(first: chart {first}); they were drawn again and replaced")


def test_a_warm_cache_is_used_silently_and_gives_the_same_bytes(warm, tmp_path):
    charts = cache_copy(warm, tmp_path)
    done = run_build(tmp_path, tmp_path / "cache", "out")
    assert done.returncode == 0 and done.stderr == ""
    assert digest(tmp_path / "out") == warm["reference"]
    assert len(entries(charts)) == warm["charts"]


@pytest.mark.parametrize("damage", ["emptied", "swapped", "records swapped too", "a folder",
                                    "no record", "a link to /dev/zero"])
def test_a_bad_entry_is_drawn_again_and_replaced_with_one_line(warm, tmp_path, damage):
    """Truncated to 0 bytes, swapped between two keys (with or without their records), an
    entry that is a folder, files without a record (an older cache), a link to a device: never
    published; one line says how many, and the entries are good afterwards.
    """
    charts = cache_copy(warm, tmp_path)
    keys = entries(charts)
    for a, b in zip(keys[0::2], keys[1::2], strict=False):
        if damage == "emptied":
            (charts / f"{a}.svg").write_bytes(b"")
            (charts / f"{b}.png").write_bytes(b"")
        elif damage.startswith("swapped") or damage.startswith("records"):
            for ext in ((".svg", ".png", ".json") if damage.startswith("records") else (".svg",)):
                (charts / f"{a}{ext}").rename(charts / "swap")
                (charts / f"{b}{ext}").rename(charts / f"{a}{ext}")
                (charts / "swap").rename(charts / f"{b}{ext}")
        elif damage == "a folder":
            for key in (a, b):
                (charts / f"{key}.svg").unlink()
                (charts / f"{key}.svg").mkdir()
        elif damage == "no record":
            for key in (a, b):
                (charts / f"{key}.json").unlink()
        else:
            for key in (a, b):
                (charts / f"{key}.png").unlink()
                (charts / f"{key}.png").symlink_to("/dev/zero")
    damaged = {warm["stem_of"][key] for key in keys[:2 * (len(keys) // 2)]}
    done = run_build(tmp_path, tmp_path / "cache", "out")
    assert done.returncode == 0, done.stderr
    assert digest(tmp_path / "out") == warm["reference"]
    first = next(stem for stem in warm["stems"] if stem in damaged)
    assert done.stderr.splitlines() == [mismatch_line(charts, len(damaged), first)]
    assert_entries_good(charts)
    assert len(entries(charts)) == warm["charts"]


@contextmanager
def read_only(folder: Path):
    """Make ``folder`` read-only even for root (chattr +i), or by its mode for other users."""
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.fail(f"cannot make {folder} read-only here (neither chattr nor chmod work)")
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
        folder.chmod(0o755)


def test_a_read_only_cache_is_drawn_without_and_never_fails_the_build(warm, tmp_path):
    charts = cache_copy(warm, tmp_path)
    keys = entries(charts)
    (charts / f"{keys[0]}.svg").write_bytes(b"")  # one entry needs writing
    with read_only(charts):
        done = run_build(tmp_path, tmp_path / "cache", "out")
    assert done.returncode == 0, done.stderr
    assert digest(tmp_path / "out") == warm["reference"]
    assert done.stderr.splitlines() == [
        f"chart cache {charts}: cannot be written (Operation not permitted); the remaining "
        "charts are drawn without it",
        f"chart cache {charts}: 1 entry did not match the hash recorded when written (first: "
        f"chart {warm['stem_of'][keys[0]]}); it was drawn again, the cache left as it was"]


def test_an_empty_read_only_cache_and_a_cache_path_that_is_a_file(warm, tmp_path):
    (tmp_path / "ro" / "charts").mkdir(parents=True)
    with read_only(tmp_path / "ro" / "charts"):
        done = run_build(tmp_path, tmp_path / "ro", "out")
    assert done.returncode == 0, done.stderr
    assert digest(tmp_path / "out") == warm["reference"]
    assert done.stderr.splitlines() == [
        f"chart cache {tmp_path / 'ro' / 'charts'}: cannot be written (Operation not "
        "permitted); the remaining charts are drawn without it"]
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    done = run_build(tmp_path, tmp_path / "file", "out2")
    assert done.returncode == 0, done.stderr
    assert digest(tmp_path / "out2") == warm["reference"]
    assert done.stderr.splitlines() == [
        f"chart cache {tmp_path / 'file' / 'charts'}: cannot be used (Not a directory); every "
        "chart is drawn afresh"]
