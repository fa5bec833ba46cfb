"""prodstats.workers: a stage computed in a forked child gives what it gives in the parent,
raises what it raises, and a cancelled child is stopped.
"""

from __future__ import annotations

import os
import time

import pytest

from prodstats import workers
from prodstats.build import compute
from prodstats.errors import SeriesError
from tests.conftest import ROOT

THREE = ROOT / "tests" / "fixtures" / "three_sources"


@pytest.fixture
def always_fork(monkeypatch):
    """Fork for every size (the fixtures are small), unless the machine cannot."""
    monkeypatch.setattr(workers, "MIN_SIZE", 0)
    monkeypatch.delenv("PRODSTATS_WORKERS", raising=False)
    monkeypatch.delenv("PRODSTATS_DEBUG", raising=False)
    if not workers.forking(0):
        pytest.skip("this machine has one core or no os.fork")


def test_a_build_with_its_projections_in_a_worker_gives_the_same_tables(always_fork,
                                                                         monkeypatch):
    forked = compute(THREE)
    monkeypatch.setenv("PRODSTATS_WORKERS", "1")
    serial = compute(THREE)
    assert list(forked.tables) == list(serial.tables)  # the same tables, in the same order
    for name, table in serial.tables.items():
        assert forked.tables[name].equals(table), name
        assert (forked.tables[name].dtypes == table.dtypes).all(), name
    assert not forked.tables["projections"].empty


def _fails(message: str):
    raise SeriesError(message)


def test_an_error_in_the_worker_is_raised_by_result_as_it_was_raised(always_fork):
    job = workers.beside(1, _fails, "no series to project")
    assert job._pid is not None  # it did run in a child
    with pytest.raises(SeriesError, match="^no series to project$"):
        job.result()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def _fails_oddly():
    raise _Unpicklable("odd failure")


def test_an_error_that_does_not_pickle_still_reaches_the_parent_with_its_message(always_fork):
    with pytest.raises(RuntimeError, match="_Unpicklable: odd failure"):
        workers.beside(1, _fails_oddly).result()


def test_a_value_comes_back_and_a_cancelled_worker_is_stopped(always_fork):
    assert workers.beside(1, sorted, [3, 1, 2]).result() == [1, 2, 3]
    job = workers.beside(1, time.sleep, 600)
    pid = job._pid
    job.cancel()
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process
        os.kill(pid, 0)
    job.cancel()  # a second cancel does nothing


def test_small_inputs_and_the_switches_run_in_the_calling_process(monkeypatch):
    monkeypatch.delenv("PRODSTATS_WORKERS", raising=False)
    monkeypatch.delenv("PRODSTATS_DEBUG", raising=False)
    assert not workers.forking(workers.MIN_SIZE - 1)
    job = workers.beside(workers.MIN_SIZE - 1, os.getpid)
    assert job._pid is None and job.result() == os.getpid()
    monkeypatch.setenv("PRODSTATS_WORKERS", "1")
    assert not workers.forking(10**9)
    monkeypatch.setenv("PRODSTATS_WORKERS", "2")
    monkeypatch.setenv("PRODSTATS_DEBUG", "1")  # a failure shows its whole traceback
    assert not workers.forking(10**9)


def test_csvs_written_by_two_processes_are_the_bytes_one_process_writes(always_fork,
                                                                       monkeypatch, tmp_path):
    from prodstats.build import _other_half, build

    forked = build(THREE, tmp_path / "forked", draw=False)
    assert 0 < len(_other_half(forked.tables)) < len(forked.tables)  # both processes wrote
    monkeypatch.setenv("PRODSTATS_WORKERS", "1")
    build(THREE, tmp_path / "serial", draw=False)
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "forked").iterdir())
    assert "series.csv" in names
    for name in names:
        assert (tmp_path / "forked" / name).read_bytes() == (
            tmp_path / "serial" / name).read_bytes(), name
