"""The forked quote search: same answers as in-process, and no child left behind."""

import os
import sys

import numpy as np
import pytest

import prodstats.claims as claims_module
from prodstats import load
from prodstats.errors import LedgerError
from prodstats.parallel import Forked
from tests.conftest import set_cell

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork on Linux")


def _pid_and_double(x):
    return os.getpid(), 2 * x


@linux_only
def test_result_comes_from_a_child_process():
    with Forked(_pid_and_double, 21) as pending:
        pid, value = pending.result()
    assert value == 42 and pid != os.getpid()


def test_disabled_runs_in_process():
    with Forked(_pid_and_double, 21, enabled=False) as pending:
        assert pending.result() == (os.getpid(), 42)


def _fails():
    raise ZeroDivisionError("in the child and again here")


def test_a_failing_child_falls_back_to_the_parent():
    with Forked(_fails) as pending, pytest.raises(ZeroDivisionError, match="again here"):
        pending.result()


@linux_only
def test_close_reaps_an_uncollected_child():
    pending = Forked(_pid_and_double, 1)
    pid = pending._pid
    pending.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("fork", [True, False])
def test_load_finds_the_same_bad_quotes_with_and_without_fork(raw, fork, monkeypatch):
    monkeypatch.setattr(claims_module, "FORK_MIN_ROWS", 0 if fork else 10**9)
    set_cell(raw, "claims.csv", "dpa25-03", "quote", "nicht im Text")
    set_cell(raw, "claims.csv", "reu24-02", "quote", "auch nicht")
    with pytest.raises(LedgerError) as caught:
        load(raw)
    bad = [p for p in caught.value.problems if p.column == "quote"]
    assert sorted(p.found for p in bad) == ["auch nicht", "nicht im Text"]
    assert all("not found in the text" in p.message for p in bad)


def test_load_with_fork_equals_load_without(raw, monkeypatch):
    monkeypatch.setattr(claims_module, "FORK_MIN_ROWS", 0)
    forked = load(raw).claims
    monkeypatch.setattr(claims_module, "FORK_MIN_ROWS", 10**9)
    plain = load(raw).claims
    assert forked.equals(plain)
    assert np.isfinite(forked["value_canonical"]).all()
