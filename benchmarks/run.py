"""Speed and memory benchmarks (``make bench``). Prints a table; the last line is one JSON object.

Every measurement runs in a fresh interpreter, five times (three for the build); the median is
reported. Ratios, not seconds, are the goals, so that a busy or slower machine moves both sides.

- import_ratio: ``import prodstats`` over ``import pandas, pint, pandera`` + building a pint
  UnitRegistry. Goal ≤ 1.15.
- load_ratio_<n>: ``prodstats.load`` (read, validate, check every quote and hash, convert units)
  of n synthetic claims, over ``pandas.read_csv(engine="pyarrow")`` of the same claims.csv.
  Goal at 1M ≤ 4.
- peak_rss_ratio_<n>: peak resident memory that loading adds (peak RSS minus RSS after the
  imports) over the size of claims.csv. Goal at 1M ≤ 3. The absolute peak is printed too.
- build_ratio: ``make`` of the seed ledger (into a scratch folder) over importing its five
  dependencies (pandas, pint, pandera, statsmodels, matplotlib). Goal ≤ 1.5.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PRODSTATS_BENCH_CACHE", Path(tempfile.gettempdir()) / "prodstats-bench"))
SIZES = [int(s) for s in os.environ.get("PRODSTATS_BENCH_SIZES", "10000,100000,1000000").split(",")]
PY = sys.executable


def _py(code: str) -> dict:
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(code: str, key: str, runs: int = 5) -> tuple[float, dict]:
    results = [_py(code) for _ in range(runs)]
    results.sort(key=lambda r: r[key])
    return results[len(results) // 2][key], results[len(results) // 2]


IMPORT_PRODSTATS = """
import json, time; t = time.perf_counter(); import prodstats
print(json.dumps({"s": time.perf_counter() - t}))"""
IMPORT_BASE = """
import json, time; t = time.perf_counter(); import pandas, pint, pandera.pandas
pint.UnitRegistry(); print(json.dumps({"s": time.perf_counter() - t}))"""
READ = """
import json, time, pandas as pd; t = time.perf_counter()
pd.read_csv({path!r}, engine="pyarrow"); print(json.dumps({{"s": time.perf_counter() - t}}))"""
LOAD = """
import json, resource, time
def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
import prodstats
base = rss_mb(); t = time.perf_counter(); ledger = prodstats.load({path!r})
s = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"s": s, "peak_mb": peak, "base_mb": base, "rows": len(ledger.claims)}}))"""
IMPORT_FIVE = """
import json, time; t = time.perf_counter()
import pandas, pint, pandera.pandas, statsmodels.api, matplotlib.pyplot
print(json.dumps({"s": time.perf_counter() - t}))"""


def ledger(n: int) -> Path:
    folder = CACHE / f"ledger-{n}"
    if not (folder / "claims.csv").is_file():
        print(f"generating {n:,} synthetic claims in {folder} …", flush=True)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synth import generate

        generate(folder, n, seed=1, per_source=100 if n >= 100_000 else 20)
    return folder


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    figures: dict[str, float] = {}
    imp, _ = _median(IMPORT_PRODSTATS, "s", 5)
    base, _ = _median(IMPORT_BASE, "s", 5)
    figures["import_ratio"] = imp / base
    print(f"\n{'measure':<34}{'prodstats':>12}{'reference':>12}{'ratio':>8}{'goal':>8}")
    print(f"{'import':<34}{imp:>11.3f}s{base:>11.3f}s{imp / base:>8.2f}{'≤1.15':>8}")
    for n in SIZES:
        folder = ledger(n)
        csv_mb = (folder / "claims.csv").stat().st_size / 2**20
        read, _ = _median(READ.format(path=str(folder / "claims.csv")), "s")
        load, info = _median(LOAD.format(path=str(folder)), "s")
        tag = {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}.get(n, str(n))
        figures[f"load_ratio_{tag}"] = load / read
        figures[f"peak_rss_ratio_{tag}"] = (info["peak_mb"] - info["base_mb"]) / csv_mb
        goal = "≤4" if n == 1_000_000 else ""
        print(f"{'load ' + f'{n:,}' + ' claims':<34}{load:>11.3f}s{read:>11.3f}s"
              f"{load / read:>8.2f}{goal:>8}")
        print(f"{'  peak RSS added / CSV size':<34}{info['peak_mb'] - info['base_mb']:>10.0f}MB"
              f"{csv_mb:>10.0f}MB{figures[f'peak_rss_ratio_{tag}']:>8.2f}"
              f"{'≤3' if n == 1_000_000 else '':>8}")
        print(f"{'  (absolute peak RSS)':<34}{info['peak_mb']:>10.0f}MB")
    with tempfile.TemporaryDirectory() as scratch:
        cmd = ["make", "--no-print-directory", f"OUT={scratch}/processed", f"CHARTS={scratch}/charts"]
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            runs.append(time.perf_counter() - t)
    build = statistics.median(runs)
    five, _ = _median(IMPORT_FIVE, "s")
    figures["build_ratio"] = build / five
    print(f"{'make (seed ledger, full build)':<34}{build:>11.3f}s{five:>11.3f}s{build / five:>8.2f}"
          f"{'≤1.5':>8}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}, sort_keys=True))


if __name__ == "__main__":
    main()
