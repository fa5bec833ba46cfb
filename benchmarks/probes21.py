"""Replay the findings of issue 21 as a careless user would, against this checkout.

Each probe does what the issue's reporter did (from the shell, or in Python) and says whether
the outcome is now clean: no traceback, no hang, no silent wrong result, one clear line. Prints
one line per probe and a count; run with: python benchmarks/probes21.py [WORD …] (only the
probes whose name holds a WORD).
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"
PY = sys.executable
RESULTS: list[tuple[str, bool, str]] = []


def run(*args: str, env: dict | None = None, timeout: float = 600,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    """The command line, as a user runs it."""
    return subprocess.run([PY, "-m", "prodstats", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=timeout,
                          env={**os.environ, **(env or {})}, input=stdin)


def probe(name: str):
    """Register a probe; its function returns (clean, what was seen)."""
    def wrap(fn):
        def go():
            wanted = sys.argv[1:]
            if wanted and not any(w in name for w in wanted):
                return
            try:
                ok, seen = fn()
            except Exception as exc:  # noqa: BLE001 (a probe that breaks is not clean)
                ok, seen = False, f"probe raised {type(exc).__name__}: {exc}"
            RESULTS.append((name, ok, seen))
            print(f"{'clean' if ok else 'NOT CLEAN'}: {name}: {seen}"[:300], flush=True)
        PROBES.append(go)
        return fn
    return wrap


PROBES: list = []


def no_traceback(done: subprocess.CompletedProcess) -> bool:
    """No traceback."""
    return "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def tree(folder: Path) -> dict[str, str]:
    """Tree."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def ledger(tmp: Path, name: str = "raw") -> Path:
    """Ledger."""
    dest = tmp / name
    shutil.copytree(SEED, dest)
    return dest


TMP = Path(tempfile.mkdtemp(prefix="probes21-"))
FRESH = TMP / "fresh"


def reference() -> dict[str, str]:
    """Reference."""
    if not FRESH.exists():
        run("build", "--raw", str(SEED), "--no-data", "--charts", str(FRESH),
            env={"PRODSTATS_CACHE": "off"})
    return tree(FRESH)


def warm_cache(name: str) -> Path:
    """Warm cache."""
    cache = TMP / name
    run("build", "--raw", str(SEED), "--no-data", "--charts", str(TMP / f"{name}-w"),
        env={"PRODSTATS_CACHE": str(cache)})
    return cache / "charts"


# -- the chart cache ------------------------------------------------------------------------

@probe("cache entries truncated to 0 bytes")
def _():
    """."""
    charts = warm_cache("c1")
    for f in charts.iterdir():
        if f.suffix in (".svg", ".png"):
            f.write_bytes(b"")
    done = run("build", "--raw", str(SEED), "--no-data", "--charts", str(TMP / "o1"),
               env={"PRODSTATS_CACHE": str(charts.parent)})
    same = done.returncode == 0 and tree(TMP / "o1") == reference()
    return same and len(done.stderr.splitlines()) == 1, f"status {done.returncode}; " \
        f"charts equal a fresh build: {same}; stderr: {done.stderr.strip()[:150]}"


@probe("cache entries swapped between two keys")
def _():
    """."""
    charts = warm_cache("c2")
    svgs = sorted(charts.glob("*.svg"))
    for a, b in zip(svgs[0::2], svgs[1::2], strict=False):
        a.rename(charts / "x")
        b.rename(a)
        (charts / "x").rename(b)
    done = run("build", "--raw", str(SEED), "--no-data", "--charts", str(TMP / "o2"),
               env={"PRODSTATS_CACHE": str(charts.parent)})
    same = done.returncode == 0 and tree(TMP / "o2") == reference()
    return same, f"status {done.returncode}; charts equal a fresh build: {same}"


@probe("a cache entry that is a folder")
def _():
    """."""
    charts = warm_cache("c3")
    first = sorted(charts.glob("*.svg"))[0]
    first.unlink()
    first.mkdir()
    done = run("build", "--raw", str(SEED), "--no-data", "--charts", str(TMP / "o3"),
               env={"PRODSTATS_CACHE": str(charts.parent)})
    same = done.returncode == 0 and tree(TMP / "o3") == reference()
    return same and no_traceback(done), f"status {done.returncode}: {done.stderr.strip()[:150]}"


@probe("a read-only charts/ inside the cache")
def _():
    """."""
    charts = warm_cache("c4")
    sorted(charts.glob("*.svg"))[0].write_bytes(b"")
    charts.chmod(0o555)  # read-only for a user; for root, immutable as well
    subprocess.run(["chattr", "+i", str(charts)], check=False, capture_output=True)
    try:
        done = run("build", "--raw", str(SEED), "--no-data", "--charts", str(TMP / "o4"),
                   env={"PRODSTATS_CACHE": str(charts.parent)})
    finally:
        subprocess.run(["chattr", "-i", str(charts)], check=False, capture_output=True)
        charts.chmod(0o755)
    same = done.returncode == 0 and tree(TMP / "o4") == reference()
    return same, f"status {done.returncode}: {done.stderr.strip()[:200]}"


# -- concurrent builds ----------------------------------------------------------------------

SLOW = '''
import sys, time
import prodstats.publish as p
real = p._swap_one
def slow(out, tmp):
    """Slow."""
    time.sleep(1.5)
    return real(out, tmp)
p._swap_one = slow
from prodstats.__main__ import main
sys.exit(main(sys.argv[1:], restore=False))
'''


@probe("two builds into one --out (slow renames, second started 3-7 s later), 3 rounds")
def _():
    """."""
    lost = []
    for k in range(3):
        out = TMP / f"race{k}" / "out"
        out.parent.mkdir()
        args = ["build", "--raw", str(SEED), "--out", str(out), "--no-charts"]
        first = subprocess.Popen([PY, "-c", SLOW, *args], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(random.uniform(3, 7))
        second = subprocess.Popen([PY, "-c", SLOW, *args], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        e1, e2 = first.communicate()[1], second.communicate()[1]
        if not (out / "sources.csv").is_file() or "Traceback" in e1 + e2:
            lost.append(f"round {k}: {first.returncode}/{second.returncode} {e2[:100]}")
    return not lost, "; ".join(lost) or "the folder survived every round"


@probe("a read-only .out.old left beside --out")
def _():
    """."""
    site = TMP / "ro-old"
    out = site / "out"
    out.mkdir(parents=True)
    old = site / ".out.old"
    old.mkdir()
    (old / "a.csv").write_text("a\n")
    old.chmod(0o555)
    subprocess.run(["chattr", "+i", str(old)], check=False, capture_output=True)
    try:
        done = run("build", "--raw", str(SEED), "--out", str(out), "--no-charts")
    finally:
        subprocess.run(["chattr", "-i", str(old)], check=False, capture_output=True)
        old.chmod(0o755)
    lines = done.stderr.splitlines()
    return done.returncode == 0 and no_traceback(done) and len(lines) <= 1, \
        f"status {done.returncode}, {len(lines)} stderr line(s): {done.stderr.strip()[:150]}"


# -- add-source -----------------------------------------------------------------------------

def add(raw: Path, text: str, **opts: str) -> subprocess.CompletedProcess:
    """Add."""
    options = {"--id": "new-x", "--outlet": "X", "--published": "2024-05-01", "--title": "T",
               **opts}
    return run("add-source", text, *[x for kv in options.items() for x in kv], "--raw",
               str(raw), timeout=60)


ARTICLE = ("Die Produktion von Granaten ist 2024 auf 200000 gestiegen, sagt der Minister. Das ist "
           "nicht viel, aber es ist auch ein Anfang für die Industrie und die Armee.\n")


def add_probe(make_text, **opts):
    """Add probe."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    before = tree(raw)
    text = make_text(raw.parent)
    try:
        done = add(raw, str(text), **opts)
    except subprocess.TimeoutExpired:
        return False, "hung for 60 s"
    ok = (done.returncode == 1 and no_traceback(done) and tree(raw) == before
          and len(done.stderr.splitlines()) == 2)
    return ok, f"status {done.returncode}: {done.stderr.strip().splitlines()[0][:160]}"


def _text(folder: Path, data: bytes = ARTICLE.encode()) -> Path:
    """Text."""
    (folder / "t.txt").write_bytes(data)
    return folder / "t.txt"


@probe("add-source of a FIFO")
def _():
    """."""
    def fifo(folder):
        os.mkfifo(folder / "fifo")
        return folder / "fifo"
    return add_probe(fifo)


@probe("add-source of /dev/zero")
def _():
    """."""
    return add_probe(lambda _: "/dev/zero")


@probe("add-source with a 300-character id")
def _():
    """."""
    return add_probe(_text, **{"--id": "a" * 300})


@probe("add-source of a 20 MB text")
def _():
    """."""
    return add_probe(lambda f: _text(f, b"Granaten 2024 " * 1_500_000))


@probe("add-source with control characters in the title")
def _():
    """."""
    return add_probe(_text, **{"--title": "T\x07\x1b[31mred"})


@probe("add-source with a javascript: URL")
def _():
    """."""
    return add_probe(_text, **{"--url": "javascript:alert(1)"})


# -- interrupts -----------------------------------------------------------------------------

@probe("SIGINT at random moments of a running build (12 trials)")
def _():
    """."""
    bad = []
    for k in range(12):
        site = TMP / f"int{k}"
        site.mkdir()
        proc = subprocess.Popen([PY, "-m", "prodstats", "build", "--raw", str(SEED), "--out",
                                 str(site / "out"), "--charts", str(site / "charts")], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PRODSTATS_CACHE": "off"})
        time.sleep(random.uniform(0.2, 12))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate()
        published = (site / "out" / "sources.csv").is_file()
        leftovers = [p.name for p in site.iterdir() if ".tmp-" in p.name or ".old" in p.name]
        fine = ("Traceback" not in err and "Exception ignored" not in err and "bug" not in err
                and not leftovers and (proc.returncode == 0) == published
                and proc.returncode in (0, 130))
        if not fine:
            bad.append(f"trial {k}: status {proc.returncode}, published {published}, "
                       f"{err.strip()[:80]}")
    return not bad, "; ".join(bad) or "every trial stopped cleanly or published with status 0"


@probe("Ctrl-C during the first second (imports), 5 trials")
def _():
    """."""
    bad = []
    for k in range(5):
        proc = subprocess.Popen([PY, "-m", "prodstats", "validate", str(SEED)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.15 + 0.2 * k)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate()
        if "Traceback" in err or len(err.splitlines()) > 1:
            bad.append(f"at {0.15 + 0.2 * k:.2f} s: {err.strip().splitlines()[-1][:80]}")
    return not bad, "; ".join(bad) or "one line (or done) every time"


# -- linear time ----------------------------------------------------------------------------

@probe("uncoded and add-source of a 4.9 MB text with 250,000 figures")
def _():
    """."""
    raw = ledger(TMP, "big")
    line = ("The plant made 1,200 shells in 2023 and plans 3,400 more, officials said; "
            "output rose by 15 percent.\n")
    text = TMP / "big.txt"
    text.write_text(line * (4_900_000 // len(line)))
    start = time.perf_counter()
    done = add(raw, str(text), **{"--id": "big", "--language": "en"})
    added = time.perf_counter() - start
    start = time.perf_counter()
    unc = run("uncoded", str(raw))
    listed = time.perf_counter() - start
    return done.returncode == 0 and unc.returncode == 0 and added < 60 and listed < 60, \
        f"add-source {added:.1f} s, uncoded {listed:.1f} s"


@probe("a supersedes chain of 20,000 revisions")
def _():
    """."""
    raw = ledger(TMP, "chain")
    path = raw / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), list(reader)
    first = next(r for r in rows if r["modality"] == "target")
    rows += [dict(first, claim_id=f"ch-{k:05d}", supersedes=f"ch-{k - 1:05d}" if k else "")
             for k in range(20_000)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.DictWriter(handle, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    start = time.perf_counter()
    done = run("validate", str(raw))
    took = time.perf_counter() - start
    return done.returncode == 0 and took < 60, f"status {done.returncode} in {took:.1f} s"


# -- skipped.csv ----------------------------------------------------------------------------

def skipped_probe(make):
    """Skipped probe."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    (raw / "skipped.csv").unlink(missing_ok=True)
    make(raw / "skipped.csv")
    try:
        done = run("uncoded", str(raw), timeout=60)
    except subprocess.TimeoutExpired:
        return False, "hung"
    ok = done.returncode == 1 and no_traceback(done) and "root:" not in done.stderr \
        and len(done.stderr.splitlines()) == 2
    return ok, f"status {done.returncode}: {done.stderr.strip().splitlines()[0][:160]}"


@probe("skipped.csv as a link to /etc/passwd")
def _():
    """."""
    return skipped_probe(lambda p: p.symlink_to("/etc/passwd"))


@probe("skipped.csv as a folder")
def _():
    """."""
    return skipped_probe(lambda p: p.mkdir())


@probe("skipped.csv as a FIFO")
def _():
    """."""
    return skipped_probe(os.mkfifo)


# -- silent wrong results -------------------------------------------------------------------

def set_cell(raw: Path, table: str, key: str, column: str, value: str) -> None:
    """Set cell."""
    path = raw / table
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), list(reader)
    for row in rows:
        if row[header[0]] == key:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.DictWriter(handle, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def refused(edit, words: str):
    """Refused."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    edit(raw)
    done = run("validate", str(raw))
    first = done.stderr.strip().splitlines()[0] if done.stderr.strip() else done.stdout.strip()
    return done.returncode == 1 and words in done.stderr and no_traceback(done), first[:170]


DPA = "dpa-2025-01-17-alliances"


@probe("base_period 2021|2021 (here 2022|2022)")
def _():
    """."""
    return refused(lambda r: set_cell(r, "claims.csv", "reu24-06", "base_period", "2022|2022"),
                   "names '2022' twice")


@probe("a published date of 2099")
def _():
    """."""
    return refused(lambda r: set_cell(r, "sources.csv", DPA, "published", "2099-01-17"),
                   "later than today")


@probe("accessed = yesterday")
def _():
    """."""
    return refused(lambda r: set_cell(r, "sources.csv", DPA, "accessed", "yesterday"),
                   "not a date")


@probe("a revision from a 2024 text superseding a 2025 claim")
def _():
    """."""
    return refused(lambda r: set_cell(r, "claims.csv", "reu24-05", "supersedes", "dpa25-10"),
                   "is older than")


@probe("a capacity that bounds another capacity")
def _():
    """."""
    def edit(raw):
        path = raw / "indicators.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header, rows = list(reader.fieldnames), list(reader)
        header += [c for c in ("measures", "bounds") if c not in header]
        blank = dict.fromkeys(header, "")
        rows += [dict(blank, indicator_id="cap_a", description="A", canonical_unit="rounds/year",
                      measures="capacity", bounds="shells_produced"),
                 dict(blank, indicator_id="cap_b", description="B", canonical_unit="rounds/year",
                      measures="capacity", bounds="cap_a")]
        with path.open("w", encoding="utf-8", newline="") as handle:
            w = csv.DictWriter(handle, header, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return refused(edit, "is itself a capacity")


PYTHON_PROBES = r'''
import json, math, sys, warnings
import numpy as np, pandas as pd
import prodstats
warnings.simplefilter("error")
led = prodstats.load(sys.argv[1])
s = prodstats.resolve(led.claims, led.capacity_bounds())
one = s.query("scenario == 'all' and actor == 'UKR' and indicator == 'shells_produced'")
out = {}
def tried(name, call, good):
    """Tried."""
    try:
        call()
        out[name] = (good is None, "no error")
    except Exception as exc:
        out[name] = (good is not None and isinstance(exc, good) and type(exc) not in (KeyError,
                     AttributeError), f"{type(exc).__name__}: {str(exc)[:120]}")
from prodstats.errors import FrameError, SeriesError
tried("plot(None)", lambda: prodstats.plot(None), FrameError)
tried("plot('x')", lambda: prodstats.plot("x"), FrameError)
tried("plot(frame, ledger=5)", lambda: prodstats.plot(one, ledger=5), TypeError)
tried("resolve(claims, 'shell_capacity')", lambda: prodstats.resolve(led.claims, "cap"), TypeError)
tried("project(string frame)", lambda: prodstats.project(s.astype(str)), FrameError)
tried("plot(all-NaN series)", lambda: prodstats.plot(one.assign(value=np.nan, low=np.nan,
                                                               high=np.nan)), SeriesError)
tried("plot(infinite bounds)", lambda: prodstats.plot(one.assign(high=np.inf)), None)
obs = s[s["modality"].isin(["actual", "estimate"]) & (s["scenario"] == "all")]
most = obs.groupby(["actor", "indicator", "measure"])["period"].nunique().idxmax()
neg = s[(s["actor"] == most[0]) & (s["indicator"] == most[1]) & (s["measure"] == most[2])].copy()
neg["value"], neg["low"], neg["high"] = -neg["value"], -neg["high"], -neg["low"]
p = prodstats.project(neg)
out["negative series projected with a note"] = (bool(p["mean"].isna().all() and
    p["note"].str.contains("negative").all()), str(p["note"].iloc[0])[:100])
import os
os.environ["HOME"] = sys.argv[2]
tried("load('~/ledger')", lambda: prodstats.load("~/ledger"), None)
print(json.dumps(out))
'''


@probe("the Python API probes (plot, capacities, text frames, NaN, inf, negative, ~)")
def _():
    """."""
    import json

    home = TMP / "home"
    shutil.copytree(SEED, home / "ledger")
    done = subprocess.run([PY, "-c", PYTHON_PROBES, str(SEED), str(home)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return False, done.stderr.strip().splitlines()[-1][:200]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    bad = {k: v[1] for k, v in results.items() if not v[0]}
    return not bad, (f"{len(results)} calls, all clean" if not bad else f"not clean: {bad}")


@probe("a backtest of values near 1e300")
def _():
    """."""
    path = TMP / "huge.csv"
    rows = ["series_id,year,value,split"] + [
        f"S{s},{2000 + i},{(1 + i) * 1e299:g},{'train' if i < 8 else 'test'}"
        for s in range(4) for i in range(12)]
    path.write_text("\n".join(rows) + "\n")
    done = run("backtest", "--data", str(path), "--horizon", "4")
    text = done.stdout + done.stderr
    return ("Warning" not in text and "nan MISSED" not in text and no_traceback(done)), \
        text.strip().splitlines()[0][:170]


# -- messages -------------------------------------------------------------------------------

@probe("100,000 unknown columns")
def _():
    """."""
    raw = ledger(TMP, "wide")
    path = raw / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    extra = ",".join("x" * 390 + str(k) for k in range(100_000))
    lines = [lines[0] + "," + extra] + [line + "," * 100_000 if line else line
                                        for line in lines[1:]]
    path.write_text("\n".join(lines), encoding="utf-8")
    done = run("validate", str(raw))
    out = done.stderr.splitlines()
    return len(out) <= 15 and done.returncode == 1, f"{len(out)} lines, the last two: {out[-2:]}"


@probe("an unclosed quote")
def _():
    """."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    path = raw / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, line in enumerate(lines) if line.startswith("dpa25-01,"))
    opens = lines[k].index(',"') + 2
    closes = lines[k].index('",', opens)
    lines[k] = lines[k][:closes] + lines[k][closes + 1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    done = run("validate", str(raw))
    first = done.stderr.splitlines()[0]
    return "not closed" in first and len(done.stderr.splitlines()) == 2, first[:170]


@probe("a padded header")
def _():
    """."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    path = raw / "claims.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(" " + header.replace(",", " , ") + " \n" + rest, encoding="utf-8")
    done = run("validate", str(raw))
    return done.returncode == 0, (done.stdout + done.stderr).strip().splitlines()[0][:150]


@probe("a duplicate source id")
def _():
    """."""
    raw = ledger(Path(tempfile.mkdtemp(dir=TMP)))
    set_cell(raw, "sources.csv", DPA, "source_id", "reuters-2024-ua-joint-production")
    done = run("validate", str(raw))
    lines = done.stderr.splitlines()
    return "duplicate id" in lines[0] and len(lines) <= 22, f"{len(lines)} lines; first: " \
        f"{lines[0][-90:]}"


def main() -> None:
    """Run every probe; print the count."""
    random.seed(21)
    for go in PROBES:
        go()
    clean = sum(ok for _, ok, _ in RESULTS)
    print(f"{clean} of {len(RESULTS)} probes clean")
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
