"""The cold chart build of a ledger, and where a chart's time goes (``make bench`` runs it on
the 10,000-claim ledger; ``python benchmarks/charts.py LEDGER`` on any).

Prints one JSON line:

- ``charts``: how many charts the build draws; ``chart_ms_wall``: the wall time of
  ``draw_all`` (every chart drawn, the chart cache off, ``PRODSTATS_CACHE=off``) over the
  charts, in ms. Goal: ≤ 100 ms a chart. ``workers``: the processes that drew them.
- ``chart_ms_cpu``: the CPU time of that build (this process and its workers) over the charts.
- ``part_ms_*``: one chart's cost by part, the mean over a sample of ``SAMPLE`` charts drawn in
  this process as the build draws them (CPU ms): ``figure`` (the data, the artists and the
  label placement), ``svg`` (drawing and writing the SVG), ``png_draw`` (Agg rasterising at
  200 dpi) and ``png_write`` (the PNG's rows compressed and written).

``draw_all`` is given what a build gives it, so it draws every chart the build draws: series,
shares, comparisons, overviews and the promise tracker's charts (from ``outcomes``, which the
benchmark left out before 4 December 2026: 1,209 charts then, 2,057 now).
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = 60


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(raw: str) -> dict:
    """Draw every chart of ``raw`` once, cold, then a sample by part."""
    os.environ["PRODSTATS_CACHE"] = "off"
    import gc

    import matplotlib
    import numpy as np

    from prodstats import charts
    from prodstats.build import compute

    result = compute(raw)
    series, projections = result.tables["series"], result.tables["projections"]
    outcomes = result.tables.get("outcomes")
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), _cpu()
        records = charts.draw_all(series, projections, result.ledger, Path(folder), outcomes)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    n = len(records)
    setting = os.environ.get("PRODSTATS_CHART_WORKERS", "")
    workers = (int(setting) if setting.isdigit() and int(setting) > 0 else os.cpu_count() or 1)
    workers = workers if n >= charts.PARALLEL_MIN else 1
    jobs = charts.chart_jobs(series, projections, result.ledger, outcomes)
    sample = random.Random(1).sample(jobs, min(SAMPLE, len(jobs)))
    parts = dict.fromkeys(("figure", "svg", "png_draw", "png_write"), 0.0)
    gc.freeze()  # as charts._draw_many does
    with matplotlib.rc_context(charts.RC):
        for job in sample:  # the steps of charts.save, one by one
            start = time.process_time()
            fig = job["draw"]()
            parts["figure"] += time.process_time() - start
            start = time.process_time()
            charts._accessible(charts._svg(fig), fig)
            parts["svg"] += time.process_time() - start
            start = time.process_time()
            canvas = charts._canvas(fig)
            canvas.draw()
            parts["png_draw"] += time.process_time() - start
            start = time.process_time()
            charts._png(np.asarray(canvas.buffer_rgba()), charts.DPI)
            parts["png_write"] += time.process_time() - start
    gc.unfreeze()
    return {"charts": n, "workers": workers, "chart_ms_wall": 1000 * wall / n,
            "chart_ms_cpu": 1000 * cpu / n,
            **{f"part_ms_{k}": 1000 * v / len(sample) for k, v in parts.items()}}


if __name__ == "__main__":
    print(json.dumps({k: round(v, 1) for k, v in measure(sys.argv[1]).items()}))
