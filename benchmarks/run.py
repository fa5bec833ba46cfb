"""Speed and memory of the whole build (``make bench``). Prints a table; the last line is JSON.

Each measurement runs in a fresh interpreter; times are medians of several runs. The goals are
ratios, so that a busy or slower machine moves both sides:

- ``build_10k_over_import``: ``prodstats build --no-charts`` of 10,000 synthetic claims spread
  over many series, over importing the five dependencies (pandas, pint, pandera, statsmodels,
  matplotlib). Goal ≤ 2.
- ``build_100k_over_10k``: the same build at 100,000 claims over the one at 10,000. Goal ≤ 12
  (near-linear).
- ``peak_gb_100k``: peak memory of that 100,000-claim build, its worker process included
  (proportional set sizes, sampled), GB. Goal ≤ 1.
- ``ambiguous_50_over_import``: the seed ledger plus 50 ratio claims whose base is ambiguous
  (``2022|2023``) on one series, built, over the import floor. Goal ≤ 2; and
  ``ambiguous_50_visible``: every one of the 100 alternative bases is a reading in series.csv.
- ``charts_redrawn_after_one_source`` / ``charts_changed``: after adding one source (5 claims on
  Ukraine's shells) to the 10,000-claim ledger, how many charts a build draws again (their
  inputs changed; the rest come from the chart cache) and how many charts show the new claims
  (that series, the shells compared across actors, and Ukraine's overview).
  Goal: ``charts_redrawn_are_the_changed`` = 1.
- ``build_100k_over_import``: the 100,000-claim build over the import floor. Goal ≤ 4.
- ``quote_check_per_s``: distinct quotes checked a second by the quote check
  (``prodstats.quotecheck.quote_problems``) on the 100,000-claim ledger, every quote distinct
  (``quote_check_distinct_share`` = 1). Goal ≥ 40,000.
- ``load_100k_over_arrow_read``: ``prodstats.load`` of 100,000 claims over
  ``pandas.read_csv(engine="pyarrow")`` of the same claims.csv. Goal ≤ 6.
- ``chart_ms_10k``: the cold chart build of the 10,000-claim ledger (every chart drawn, the
  chart cache off), wall ms a chart. Goal ≤ 100. ``chart_ms_cpu_10k`` is its CPU time a chart
  (all processes), and ``chart_part_ms_*`` one chart's cost by part (``benchmarks/charts.py``).

- The static site (``build --site``) of the 10,000-claim ledger:
  ``site_build_over_no_charts``: ``build --no-charts --site`` over ``build --no-charts``. Goal ≤ 2.
  ``site_mb``: the page's HTML, styles, scripts and data, the archived source texts (loaded
  per source) and the downloadable CSVs apart (both printed too). Goal ≤ 5.
  ``site_open_s``: the page opened in headless Chromium (Debian's, driven by Playwright) until
  the claims table is drawn, and again until the first chart is drawn; the slower of the two.
  Goal ≤ 2.

``PRODSTATS_BENCH_RUNS`` sets the runs per measurement (default 3); ``PRODSTATS_BENCH_ONLY=site``
runs the site's measurements alone, ``PRODSTATS_BENCH_ONLY=build100k`` the import floor and the
100,000-claim build alone (each run a floor and a build, one after the other).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PRODSTATS_BENCH_CACHE",
                            Path(tempfile.gettempdir()) / "prodstats-bench-2"))
RUNS = int(os.environ.get("PRODSTATS_BENCH_RUNS", "3"))
PY = sys.executable

sys.path.insert(0, str(ROOT / "benchmarks"))


def _py(code: str) -> dict:
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    if done.returncode:
        raise SystemExit(f"benchmark step failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tree_peak_gb(code: str) -> float:
    """The peak memory of ``code``'s process and its children together, GB: the sum of their
    proportional set sizes (a page two processes share counts half in each, so a forked
    worker's pages shared with its parent count once), sampled every 50 ms. A run of its own:
    the sampling takes a little CPU.
    """
    proc = subprocess.Popen([PY, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        total = 0
        for pid in [proc.pid, *_children(proc.pid)]:
            try:
                with Path(f"/proc/{pid}/smaps_rollup").open(encoding="ascii") as rollup:
                    total += next(int(line.split()[1]) for line in rollup
                                  if line.startswith("Pss:"))
            except (OSError, StopIteration):  # it has just ended
                pass
        peak = max(peak, total)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr.read().decode()[-3000:]}")
    return peak / 2**20  # kB → GB


def _children(pid: int) -> list[int]:
    try:
        with Path(f"/proc/{pid}/task/{pid}/children").open(encoding="ascii") as listed:
            return [int(c) for c in listed.read().split()]
    except OSError:
        return []


def _median(code: str, key: str = "s", runs: int = RUNS) -> tuple[float, dict]:
    results = sorted((_py(code) for _ in range(runs)), key=lambda r: r[key])
    return results[len(results) // 2][key], results[len(results) // 2]


# CPU time (user + system) is printed beside wall time: on a shared machine wall time moves
# with the others' load, CPU time much less.
IMPORT_FIVE = """
import json, resource, time; t = time.perf_counter(); u = resource.getrusage(resource.RUSAGE_SELF)
import pandas, pint, pandera.pandas, statsmodels.api, matplotlib.pyplot
v = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"s": time.perf_counter() - t,
                  "cpu": v.ru_utime + v.ru_stime - u.ru_utime - u.ru_stime}))"""
# The build as `make data` runs it, in a fresh interpreter: imports, load, series,
# projections, CSVs. CPU is the process's and its worker's (prodstats.workers: a large build
# projects in a forked child); "peak_gb" is the process's alone (the memory of the two together
# is sampled by _tree_peak_gb).
BUILD = """
import json, resource, sys, time
t = time.perf_counter(); u = resource.getrusage(resource.RUSAGE_SELF)
from prodstats.__main__ import main
code = main(["build", "--raw", {raw!r}, "--out", {out!r}, "--no-charts"])
v = resource.getrusage(resource.RUSAGE_SELF); w = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"s": time.perf_counter() - t, "code": code,
                   "peak_gb": v.ru_maxrss / 2**20,
                   "cpu": v.ru_utime + v.ru_stime - u.ru_utime - u.ru_stime
                          + w.ru_utime + w.ru_stime}}))"""
READ = """
import json, time, pandas as pd; t = time.perf_counter()
pd.read_csv({path!r}, engine="pyarrow"); print(json.dumps({{"s": time.perf_counter() - t}}))"""
LOAD = """
import json, time
import prodstats
t = time.perf_counter(); ledger = prodstats.load({path!r})
print(json.dumps({{"s": time.perf_counter() - t}}))"""
# The quote check alone (prodstats.quotecheck.quote_problems) on a ledger's claims, each
# with its source's language, as validate calls it; the pint registry is warmed first.
QUOTES = """
import json, time
import pandas as pd
from prodstats.quotecheck import quote_problems
claims = pd.read_csv({claims!r}, dtype=str, keep_default_na=False)
sources = pd.read_csv({sources!r}, dtype=str, keep_default_na=False)
claims["language"] = claims["source_id"].map(dict(zip(sources["source_id"], sources["language"])))
quote_problems(pd.DataFrame([dict(quote="warm-up 1", value=1, unit="rounds/year",
                                  qualifier="exact", kind="level", period="2024")]))
t = time.perf_counter(); found = quote_problems(claims); s = time.perf_counter() - t
print(json.dumps({{"s": s, "rate": len(claims) / s, "distinct": int(claims["quote"].nunique()),
                   "problems": len(found)}}))"""

COLD_CHARTS = """
import json, sys; sys.path.insert(0, "benchmarks")
from charts import measure
print(json.dumps(measure({raw!r})))"""
CHARTS = """
import json, prodstats
from prodstats.build import compute
from prodstats.charts import chart_keys
keys = {{}}
for raw in ({a!r}, {b!r}):
    result = compute(raw)
    keys[raw] = chart_keys(result.tables["series"], result.tables["projections"], result.ledger)
a, b = keys[{a!r}], keys[{b!r}]
print(json.dumps({{"redrawn": sorted(k for k, v in b.items() if a.get(k) != v)}}))"""


SITE_BUILD = BUILD.replace('"--no-charts"]', '"--no-charts", "--site", {site!r}]')
# Open the site from file:// in a fresh page per view; the page marks when a view is drawn.
SITE_OPEN = """
import json, shutil
from pathlib import Path
from playwright.sync_api import sync_playwright
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
out = {{}}
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
    for view, drawn in (("claims", "#claims-table tbody tr"), ("series", "#series-chart svg")):
        page = browser.new_page(viewport={{"width": 1280, "height": 900}})
        page.goto((Path({site!r}) / "index.html").as_uri() + "#" + view)
        page.wait_for_selector(drawn)
        mark = "prodstats:drawn:" + view
        while not page.evaluate("n => performance.getEntriesByName(n).length", mark):
            page.wait_for_timeout(10)  # (wait_for_function would need eval, which CSP forbids)
        out[view] = page.evaluate("n => performance.getEntriesByName(n)[0].startTime",
                                  mark) / 1000
        page.close()
    browser.close()
out["s"] = max(out["claims"], out["series"])
print(json.dumps(out))"""


def site_sizes(site: Path) -> dict[str, float]:
    """MB of the page (HTML, styles, scripts, data), of its source texts and its downloads."""
    sizes = {"page": 0, "texts": 0, "downloads": 0}
    for path in site.rglob("*"):
        if path.is_file():
            part = path.relative_to(site).parts
            kind = ("texts" if part[:2] == ("data", "texts") else
                    "downloads" if part[0] == "downloads" else "page")
            sizes[kind] += path.stat().st_size
    return {k: v / 1e6 for k, v in sizes.items()}


def measure_site(scratch: Path, figures: dict[str, float], no_charts: float | None) -> list:
    """The three goals of the static site, for the 10,000-claim ledger; rows for the table."""
    raw = synthetic(10_000)
    if no_charts is None:
        no_charts, _ = _median(BUILD.format(raw=str(raw), out=str(scratch / "o10000")))
    site = scratch / "site10000"
    with_site, _ = _median(SITE_BUILD.format(raw=str(raw), out=str(scratch / "os"),
                                             site=str(site)))
    figures["site_build_over_no_charts"] = with_site / no_charts
    sizes = site_sizes(site)
    figures["site_mb"] = sizes["page"]
    rows = [("build --no-charts --site, 10,000 claims", f"{with_site:.2f} s",
             f"{figures['site_build_over_no_charts']:.2f} × build --no-charts "
             f"({no_charts:.2f} s) (goal ≤ 2)"),
            ("site size: page, scripts and data", f"{sizes['page']:.2f} MB",
             f"goal ≤ 5 MB; besides: source texts {sizes['texts']:.2f} MB, downloadable CSVs "
             f"{sizes['downloads']:.2f} MB")]
    if not shutil.which("chromium"):
        rows.append(("site opened in Chromium", "not measured",
                     "no chromium on this machine: apt-get install -y chromium"))
        return rows
    opened, info = _median(SITE_OPEN.format(site=str(site)))
    figures["site_open_s"] = opened
    rows.append(("site opened until claims table / chart", f"{opened:.2f} s",
                 f"claims {info['claims']:.2f} s, first chart {info['series']:.2f} s "
                 "(goal ≤ 2 s each)"))
    return rows


def measure_100k(scratch: Path, figures: dict[str, float]) -> list:
    """The import floor and the 100,000-claim build, in turn, ``RUNS`` times; the medians."""
    raw = synthetic(100_000)
    floors, builds = [], []
    for run in range(RUNS):
        floors.append(_py(IMPORT_FIVE))
        builds.append(_py(BUILD.format(raw=str(raw), out=str(scratch / f"o{run}"))))
    floor = {k: sorted(f[k] for f in floors)[RUNS // 2] for k in ("s", "cpu")}
    build = {k: sorted(b[k] for b in builds)[RUNS // 2] for k in ("s", "cpu")}
    build["peak_gb"] = _tree_peak_gb(BUILD.format(raw=str(raw), out=str(scratch / "mem")))
    figures["build_100k_over_import"] = build["s"] / floor["s"]
    figures["build_100k_cpu_over_import_cpu"] = build["cpu"] / floor["cpu"]
    figures["peak_gb_100k"] = build["peak_gb"]
    return [("import of the five dependencies (floor)", f"{floor['s']:.2f} s",
             f"CPU {floor['cpu']:.2f} s"),
            ("build --no-charts, 100,000 / floor", f"{build['s']:.2f} s",
             f"{figures['build_100k_over_import']:.2f} × floor (goal ≤ 4); CPU "
             f"{build['cpu']:.2f} s, {figures['build_100k_cpu_over_import_cpu']:.2f} × the "
             "floor's CPU"),
            ("peak memory, 100,000 claims", f"{build['peak_gb']:.2f} GB", "goal ≤ 1 GB")]


def synthetic(n: int) -> Path:
    """A synthetic ledger of n claims (generated once, then reused)."""
    folder = CACHE / f"ledger-{n}"
    if not (folder / "claims.csv").is_file():
        print(f"generating {n:,} synthetic claims in {folder} …", flush=True)
        from synth import generate

        generate(folder, n, seed=1, per_source=100 if n >= 100_000 else 20)
    return folder


def ambiguous(count: int = 50) -> Path:
    """The project's ledger plus ``count`` ratio claims with base 2022|2023 on one series."""
    folder = CACHE / f"ambiguous-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "data" / "raw", folder)
    quotes = [f"Die Produktion stieg um das {k + 2},{k % 10}-Fache." for k in range(count)]
    _add_source(folder, "bench-ambiguous", quotes, [
        {"actor": "UKR", "indicator": "defence_production", "kind": "ratio", "period": "2024",
         "value": f"{k + 2}.{k % 10}", "unit": "dimensionless", "base_period": "2022|2023",
         "derived": "true", "notes": "benchmark claim"} for k in range(count)])
    return folder


def _add_source(folder: Path, sid: str, quotes: list[str], claims: list[dict]) -> None:
    """Append one source (its text holds the quotes) and its claims to a ledger."""
    text = ("\n".join(quotes) + "\n").encode()
    (folder / "texts" / f"{sid}.txt").write_bytes(text)
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    row = dict.fromkeys(header, "")
    row.update(source_id=sid, outlet="Bench", title="Bench", title_origin="descriptive",
               language="de", published="2025", published_precision="year",
               published_basis="stated", text_file=f"texts/{sid}.txt",
               sha256=hashlib.sha256(text).hexdigest())
    with (folder / "sources.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerow(row)
    with (folder / "claims.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with (folder / "claims.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        for number, (quote, cells) in enumerate(zip(quotes, claims, strict=True)):
            row = dict.fromkeys(header, "")
            row.update(claim_id=f"{sid}-{number:03d}", source_id=sid, quote=quote,
                       quote_en="benchmark", channel="benchmark", modality="actual",
                       qualifier="exact", confidence="official", confidence_reason="benchmark",
                       **cells)
            writer.writerow(row)


def one_more_source(base: Path) -> Path:
    """The 10,000-claim ledger plus one source with five claims about one actor."""
    folder = CACHE / "ledger-10000-plus-one"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    quotes = [f"output reached {1000 + k} rounds in 202{k}" for k in range(5)]
    _add_source(folder, "bench-one-more", quotes, [
        {"actor": "UKR", "indicator": "shells_produced", "kind": "level", "period": f"202{k}",
         "value": str(1000 + k), "unit": "rounds"} for k in range(5)])
    return folder


def main() -> None:
    """Run every measurement and print the table and the JSON line."""
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}; {RUNS} runs each")
    figures: dict[str, float] = {}
    scratch = Path(tempfile.mkdtemp(prefix="prodstats-bench-"))
    if os.environ.get("PRODSTATS_BENCH_ONLY") == "build100k":
        try:
            _print(measure_100k(scratch, figures), figures)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    if os.environ.get("PRODSTATS_BENCH_ONLY") == "site":
        try:
            _print(measure_site(scratch, figures, None), figures)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    try:
        floor, floor_info = _median(IMPORT_FIVE)
        builds, cpu = {}, {}
        for n in (10_000, 100_000):
            raw = synthetic(n)
            builds[n], info = _median(BUILD.format(raw=str(raw), out=str(scratch / f"o{n}")),
                                      runs=RUNS if n < 100_000 else 1)
            figures[f"peak_gb_{n // 1000}k"] = _tree_peak_gb(
                BUILD.format(raw=str(raw), out=str(scratch / f"mem{n}")))
            cpu[n] = info["cpu"]
        figures["build_10k_over_import"] = builds[10_000] / floor
        figures["build_100k_over_10k"] = builds[100_000] / builds[10_000]
        figures["build_100k_over_import"] = builds[100_000] / floor
        figures["build_100k_cpu_over_import_cpu"] = cpu[100_000] / floor_info["cpu"]
        big = synthetic(100_000)
        _, quotes = _median(QUOTES.format(claims=str(big / "claims.csv"),
                                          sources=str(big / "sources.csv")))
        figures["quote_check_per_s"] = quotes["rate"]
        figures["quote_check_distinct_share"] = quotes["distinct"] / 100_000
        amb, _ = _median(BUILD.format(raw=str(ambiguous()), out=str(scratch / "amb")))
        figures["ambiguous_50_over_import"] = amb / floor
        with (scratch / "amb" / "series.csv").open(encoding="utf-8") as handle:
            readings = {row["reading"] for row in csv.DictReader(handle)}
        wanted = {f"bench-ambiguous-{k:03d}:base={b}" for k in range(50) for b in (2022, 2023)}
        figures["ambiguous_50_visible"] = float(wanted <= readings)
        base = synthetic(10_000)
        redrawn = _py(CHARTS.format(a=str(base), b=str(one_more_source(base))))["redrawn"]
        # The new claims are about Ukraine's shells: that chart, the shells compared across
        # actors, and Ukraine's overview.
        changed = ["compare_shells_produced", "overview_ukr", "ukr_shells_produced"]
        figures["charts_redrawn_after_one_source"] = len(redrawn)
        figures["charts_changed"] = len(changed)
        figures["charts_redrawn_are_the_changed"] = float(redrawn == changed)
        cold = _py(COLD_CHARTS.format(raw=str(base)))  # once: it takes minutes
        figures["chart_ms_10k"] = cold["chart_ms_wall"]
        figures["chart_ms_cpu_10k"] = cold["chart_ms_cpu"]
        figures.update({f"chart_{k}": v for k, v in cold.items() if k.startswith("part_ms_")})
        claims = synthetic(100_000) / "claims.csv"
        read, _ = _median(READ.format(path=str(claims)))
        load, _ = _median(LOAD.format(path=str(claims.parent)))
        figures["load_100k_over_arrow_read"] = load / read
        site_rows = measure_site(scratch, figures, builds[10_000])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rows = [
        ("import of the five dependencies (floor)", f"{floor:.2f} s",
         f"CPU {floor_info['cpu']:.2f} s"),
        ("build --no-charts, 10,000 claims", f"{builds[10_000]:.2f} s",
         f"{figures['build_10k_over_import']:.2f} × floor (goal ≤ 2)"),
        ("build --no-charts, 100,000 claims", f"{builds[100_000]:.2f} s",
         f"{figures['build_100k_over_10k']:.2f} × 10k (goal ≤ 12)"),
        ("build --no-charts, 100,000 / floor", f"{builds[100_000]:.2f} s",
         f"{figures['build_100k_over_import']:.2f} × floor (goal ≤ 4); CPU "
         f"{cpu[100_000]:.2f} s, {figures['build_100k_cpu_over_import_cpu']:.2f} × the "
         "floor's CPU"),
        ("quote check, 100,000 distinct quotes", f"{quotes['s']:.2f} s",
         f"{figures['quote_check_per_s']:,.0f} quotes/s (goal ≥ 40,000); "
         f"{quotes['problems']} refused"),
        ("peak memory, 100,000 claims", f"{figures['peak_gb_100k']:.2f} GB", "goal ≤ 1 GB"),
        ("50 ambiguous-base claims on one series", f"{amb:.2f} s",
         f"{figures['ambiguous_50_over_import']:.2f} × floor (goal ≤ 2); all 100 bases "
         f"visible: {bool(figures['ambiguous_50_visible'])}"),
        ("charts redrawn after one more source", f"{len(redrawn)}",
         f"{', '.join(redrawn)}; changed: {', '.join(changed)}"),
        ("load 100,000 claims / pyarrow read", f"{load:.2f} s / {read:.2f} s",
         f"{figures['load_100k_over_arrow_read']:.2f} (goal ≤ 6)"),
        (f"cold chart build, 10,000 claims ({cold['charts']:,} charts)",
         f"{cold['chart_ms_wall'] * cold['charts'] / 1000:.1f} s",
         f"{cold['chart_ms_wall']:.0f} ms a chart (goal ≤ 100), {cold['workers']} processes, "
         f"{cold['chart_ms_cpu']:.0f} ms CPU a chart"),
        ("one chart by part (CPU ms)", "",
         ", ".join(f"{k.removeprefix('part_ms_')} {v:.0f}" for k, v in cold.items()
                   if k.startswith("part_ms_"))),
    ]
    _print(rows + site_rows, figures)


def _print(rows: list, figures: dict[str, float]) -> None:
    for name, value, goal in rows:
        print(f"{name:<42}{value:>18}   {goal}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}, sort_keys=True))


if __name__ == "__main__":
    main()
