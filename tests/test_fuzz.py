"""Property-based: mutate the seed ledger's cells and structure; every outcome must be a valid
build or a clean LedgerError, never a crash.

`make test` runs a few examples; `make fuzz` runs 10,000 (PRODSTATS_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prodstats
from prodstats.build import Build, write_data
from prodstats.errors import LedgerError
from tests.conftest import SEED_RAW

EXAMPLES = int(os.environ.get("PRODSTATS_FUZZ_EXAMPLES", "25"))
TABLES = ["claims.csv", "sources.csv", "indicators.csv"]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


SEED = {name: _read(SEED_RAW / name) for name in TABLES}

NASTY = ["", " ", "nan", "NaN", "inf", "-inf", "-1", "1e400", "0", "=1+1", "@x", "2024-13",
         "2022|2023", "2023|2022", "rouns", "rounds/month", "percent", "dimensionless", "USD/year",
         "дюжина", "\u00a0", "\t", "a,b", 'q"q', "x\ny", "NA", "null", "0.5", "3.000", "1.5",
         "18", "2025", "2025/2024", "2023-09/2024-01", "ratio", "share", "level", "dozens",
         "billions", "target", "disputed", "unverified", "UKR", "defence_production",
         "reu24-05", "dpa-2025-01-17-alliances", "texts/none.txt", "0" * 64, "1e-300",
         # issue 12: names that lead out of the ledger, hostile text, edge years
         "../../../../etc/passwd", "/etc/hostname", "/dev/zero", "texts/", "texts/../claims.csv",
         "texts/a\x00b.txt", "javascript:alert(1)", "0000", "9999", "0001", "9999-12-31",
         "5 $to$ 7", "$\\frac{1}{0}$", "[x](http://e.example)", "![i](http://e.example/a.png)",
         "<img src=x>", "a\u202eb", "\u2066", "\x00"]
CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=24),
                 st.integers(-10**7, 10**7).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))


@st.composite
def mutation(draw):
    """One edit of the seed ledger: a cell, a row, a column, the header, or raw bytes."""
    table = draw(st.sampled_from(TABLES))
    rows = SEED[table]
    kind = draw(st.sampled_from(["cell"] * 6 + ["drop_row", "dup_row", "drop_col", "add_col",
                                                "rename_col", "swap_rows", "truncate", "text"]))
    return (kind, table, draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1)),
            draw(CELL), draw(st.integers(0, 5000)))


def _apply(raw: Path, edit: tuple) -> None:  # noqa: C901 (one branch per kind of edit)
    kind, table, row, col, value, cut = edit
    rows = [list(r) for r in _read(raw / table)]
    if kind == "text":  # edit a source text: quotes or hashes must catch it
        path = raw / "texts" / "dpa-2025-01-17-alliances.txt"
        text = path.read_text(encoding="utf-8")
        path.write_text(text[:cut % len(text)] + value + text[cut % len(text):], encoding="utf-8")
        return
    if kind == "truncate":
        data = (raw / table).read_bytes()
        (raw / table).write_bytes(data[: cut % (len(data) + 1)])
        return
    if not rows:  # an earlier edit emptied the file; nothing left to edit
        return
    row = min(row, len(rows) - 1)
    col = min(col, max(len(rows[row]) - 1, 0))
    if not rows[row]:
        return
    if kind == "cell":
        rows[row][col] = value
    elif kind == "drop_row":
        del rows[row]
    elif kind == "dup_row":
        rows.insert(row, list(rows[row]))
    elif kind == "swap_rows" and len(rows) > 2:
        other = 1 + cut % (len(rows) - 1)
        rows[row], rows[other] = rows[other], rows[row]
    elif kind == "drop_col":
        for r in rows:
            if col < len(r):
                del r[col]
    elif kind == "add_col":
        for r in rows:
            r.insert(col, value)
    elif kind == "rename_col" and col < len(rows[0]):  # the header may be shorter (a '\r' cell)
        rows[0][col] = value
    with (raw / table).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _pipeline(raw: Path, out: Path) -> str:
    """Everything a build does; returns 'valid' or 'clean error'. Anything else raises."""
    try:
        ledger = prodstats.load(raw)
    except LedgerError as err:
        assert err.problems, "a LedgerError must carry at least one problem"
        for p in err.problems:
            assert "\n" not in str(p).split(": ", 1)[0], p
        return "clean error"
    series = prodstats.resolve(ledger.claims)
    result = Build(ledger)
    result.tables.update(sources=ledger.sources, claims=ledger.claims, series=series,
                         conflicts=prodstats.conflicts(series),
                         projections=prodstats.project(series, draws=100),
                         feasibility=prodstats.feasibility(series, draws=100))
    out.mkdir()
    write_data(result, out)  # checks every output against its schema; a failure is a bug
    picked = series[series["scenario"] == "all"]
    if not picked.empty:
        first = picked.iloc[0]
        rows = picked[(picked["actor"] == first["actor"]) & (picked["indicator"] == first["indicator"])
                      & (picked["measure"] == first["measure"])]
        prodstats.plot(rows, result.tables["projections"], ledger=ledger).savefig(
            io.BytesIO(), format="png")
    return "valid"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_mutated_ledgers_build_or_fail_cleanly(edits):
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        shutil.copytree(SEED_RAW, raw)
        for edit in edits:
            _apply(raw, edit)
        assert _pipeline(raw, Path(tmp) / "out") in ("valid", "clean error")


# ---------------------------------------------------------------------------------------------
# Output paths: any --out/--charts either is refused in one line before anything is touched,
# or is a layout that cannot overwrite the ledger or another output.
# ---------------------------------------------------------------------------------------------

PLACES = ["raw", "raw/texts", "raw/claims.csv", ".", "out", "out/sub", "charts", "charts/sub",
          "afile", "filelink", "rawlink", "outlink", "home", "new.v2", "raw/../out"]


class _Stop(Exception):
    pass


@settings(max_examples=max(EXAMPLES, 40), deadline=None, derandomize=EXAMPLES <= 100)
@given(st.sampled_from(PLACES), st.sampled_from(PLACES), st.booleans(), st.booleans())
def test_output_paths_are_refused_or_safe(out, charts, data, draw):
    import hashlib

    import prodstats.build
    from prodstats.errors import BuildError

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(SEED_RAW, site / "raw")
        (site / "out").mkdir()
        (site / "out" / "claims.csv").write_text("old\n", encoding="utf-8")
        (site / "afile").write_text("x\n", encoding="utf-8")
        (site / "filelink").symlink_to(site / "afile")
        (site / "rawlink").symlink_to(site / "raw")
        (site / "outlink").symlink_to(site / "out")
        (site / "home" / "Documents").mkdir(parents=True)

        def tree():  # (a build leaves its lock files, .NAME.lock, beside its outputs)
            return {p.relative_to(site).as_posix(): p.is_symlink() or p.is_dir()
                    or hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*")
                    if not p.name.endswith(".lock")}

        before = tree()
        real_compute = prodstats.build.compute

        def stop(raw):
            raise _Stop

        prodstats.build.compute = stop
        try:
            prodstats.build.build(site / "raw", site / out, site / charts, data=data, draw=draw)
        except BuildError as err:
            assert "\n" not in str(err) and str(err).startswith("/"), err
        except _Stop:  # accepted: the layout must be safe
            ledger = (site / "raw").resolve()
            dests = [(site / p).resolve() for p, on in ((out, data), (charts, draw)) if on]
            for dest in dests:
                assert dest != ledger and ledger not in dest.parents and dest not in \
                    ledger.parents, dest
                assert not dest.exists() or dest.is_dir(), dest
            if len(dests) == 2:
                a, b = dests
                assert a != b and a not in b.parents and b not in a.parents, dests
        finally:
            prodstats.build.compute = real_compute
        assert tree() == before
