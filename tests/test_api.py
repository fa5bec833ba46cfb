"""The public Python API checks its input (issue #12): a frame it cannot use is a FrameError
that says what to call; a parameter out of range is a ValueError that gives the range; an
empty input gives an empty, typed output with the right columns.
"""

import pickle

import pandas as pd
import pytest

import prodstats
from prodstats.errors import FrameError, ProdstatsError
from prodstats.forecast import FEASIBILITY_COLUMNS, PROJECTION_COLUMNS, default_horizon
from prodstats.schemas import CONFLICT_COLUMNS, SERIES_COLUMNS
from tests.conftest import SEED_RAW

FROM_RESOLVE = "needs the series from prodstats.resolve(ledger.claims)"
FROM_LOAD = "needs the claims of a validated ledger, prodstats.load(...).claims"


@pytest.fixture(scope="module")
def series(seed_ledger):
    return prodstats.resolve(seed_ledger.claims)


def test_a_frame_without_a_column_names_it_and_what_to_call(series):
    with pytest.raises(FrameError) as caught:
        prodstats.project(series.drop(columns=["t", "reading"]))
    assert str(caught.value) == (f"project() {FROM_RESOLVE}; this frame lacks the columns "
                                 "'reading', 't'")
    with pytest.raises(FrameError) as caught:
        prodstats.feasibility(series.drop(columns="claim_ids"))
    assert str(caught.value) == f"feasibility() {FROM_RESOLVE}; this frame lacks the column 'claim_ids'"
    with pytest.raises(FrameError) as caught:
        prodstats.conflicts(series.drop(columns="low"))
    assert str(caught.value) == f"conflicts() {FROM_RESOLVE}; this frame lacks the column 'low'"


def test_the_claims_are_not_a_series_and_a_series_is_not_claims(seed_ledger, series):
    with pytest.raises(FrameError) as caught:
        prodstats.project(seed_ledger.claims)
    assert str(caught.value) == (
        f"project() {FROM_RESOLVE}; this frame lacks the columns 'scenario', 'measure', "
        "'reading', 'reading_consistent', 't', 'low', 'high', 'claim_ids'")
    with pytest.raises(FrameError) as caught:
        prodstats.resolve(series)
    assert str(caught.value).startswith(f"resolve() {FROM_LOAD}; this frame lacks the columns "
                                        "'claim_id', 'kind', 'base_period', ")


def test_claims_read_straight_from_the_csv_are_not_a_loaded_ledger():
    raw = pd.read_csv(SEED_RAW / "claims.csv", dtype=str)
    with pytest.raises(FrameError) as caught:
        prodstats.resolve(raw)
    assert str(caught.value) == (
        f"resolve() {FROM_LOAD}; this frame lacks the columns 'canonical_unit', "
        "'value_canonical', 'low_canonical', 'high_canonical', 'value_basis', 'said', "
        "'statement_id', 'superseded_by', 'scope', 'period_years'")


@pytest.mark.parametrize("function", [prodstats.resolve, prodstats.conflicts, prodstats.project,
                                      prodstats.feasibility])
def test_a_frame_with_no_columns_is_refused(function):
    with pytest.raises(FrameError, match=r"^\w+\(\) needs .*; this frame lacks the columns '"):
        function(pd.DataFrame())


def test_something_other_than_a_frame_is_refused(seed_ledger):
    with pytest.raises(FrameError) as caught:
        prodstats.resolve(seed_ledger)
    assert str(caught.value) == (f"resolve() {FROM_LOAD}; got a prodstats.ledger.Ledger, not a "
                                 "pandas DataFrame")
    with pytest.raises(FrameError, match="got a builtins.list, not a pandas DataFrame"):
        prodstats.project([])


def test_a_frame_error_is_a_prodstats_error_and_a_value_error_and_pickles(series):
    with pytest.raises(FrameError) as caught:
        prodstats.project(series.drop(columns="t"))
    error = caught.value
    assert isinstance(error, ProdstatsError) and isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is FrameError and str(again) == str(error)
    assert (again.function, again.missing) == ("project()", ("t",))


@pytest.mark.parametrize("draws", [0, -5, 1.5, True, "100", None])
def test_draws_out_of_range(series, draws):
    for function in (prodstats.project, prodstats.feasibility):
        with pytest.raises(ValueError) as caught:
            function(series, draws=draws)
        assert str(caught.value) == (f"draws must be an integer >= 1 (draws per reading); got "
                                     f"{draws!r}")
        assert not isinstance(caught.value, FrameError)


@pytest.mark.parametrize("levels", [(150,), (0,), (100,), (80, -1), (), "80", 80, (True,),
                                    (float("nan"),)])
def test_levels_out_of_range(series, levels):
    with pytest.raises(ValueError) as caught:
        prodstats.project(series, levels=levels)
    assert str(caught.value) == (
        "levels must be a non-empty tuple of interval levels in percent, each strictly between "
        f"0 and 100, e.g. (80, 95); got {levels!r}")


@pytest.mark.parametrize("horizon", [2030.0, "2030", 0, 10000, True])
def test_horizon_out_of_range(series, horizon):
    with pytest.raises(ValueError) as caught:
        prodstats.project(series, horizon=horizon)
    assert str(caught.value) == (
        "horizon must be the last year to project, an integer from 1 to 9999 (or None for each "
        f"series' own); got {horizon!r}")


def test_other_levels_get_their_own_columns_and_one_draw_works(series):
    proj = prodstats.project(series, levels=(50, 99.5), draws=1, min_observed=2)
    assert proj.columns.tolist() == [*PROJECTION_COLUMNS[:7], "pi50_low", "pi50_high",
                                     "pi99.5_low", "pi99.5_high", *PROJECTION_COLUMNS[11:]]
    done = proj.dropna(subset=["mean"])
    assert not done.empty and done["pi50_low"].notna().all()
    assert (done["pi99.5_low"] <= done["pi50_low"]).all()


def test_empty_inputs_give_empty_typed_outputs(seed_ledger):
    series = prodstats.resolve(seed_ledger.claims.iloc[:0])
    assert series.columns.tolist() == SERIES_COLUMNS and series.empty
    assert series["t"].dtype == "float64" and series["reading_consistent"].dtype == "bool"
    assert series["actor"].dtype == "str"
    conflicts = prodstats.conflicts(series)
    assert conflicts.columns.tolist() == CONFLICT_COLUMNS and conflicts.empty
    proj = prodstats.project(series)
    assert proj.columns.tolist() == PROJECTION_COLUMNS and proj.empty
    assert proj["mean"].dtype == "float64" and proj["pi95_high"].dtype == "float64"
    assert proj["n_points"].dtype == "int64" and proj["period"].dtype == "str"
    feas = prodstats.feasibility(series)
    assert feas.columns.tolist() == FEASIBILITY_COLUMNS and feas.empty
    assert feas["prob_reach"].dtype == "float64" and feas["claim_id"].dtype == "str"
    with pytest.raises(ValueError, match="default_horizon\\(\\) needs at least one point"):
        default_horizon(series)


def test_outputs_keep_their_types_when_there_are_rows(series):
    proj = prodstats.project(series, draws=100)
    assert proj.dtypes.to_dict() == prodstats.project(series.iloc[:0]).dtypes.to_dict()
    feas = prodstats.feasibility(series, draws=100)
    assert feas.dtypes.to_dict() == prodstats.feasibility(series.iloc[:0]).dtypes.to_dict()


@pytest.fixture(scope="module")
def one_series(seed_ledger):
    series = prodstats.resolve(seed_ledger.claims, seed_ledger.capacity_bounds())
    return series.query("scenario == 'all' and actor == 'UKR' and indicator == 'shells_produced'")


@pytest.mark.parametrize(("args", "kwargs", "error", "message"), [
    ((None,), {}, FrameError, "plot() needs the rows of one series from "
     "prodstats.resolve(ledger.claims); got a builtins.NoneType, not a pandas DataFrame"),
    (("x",), {}, FrameError, "plot() needs the rows of one series from "
     "prodstats.resolve(ledger.claims); got a builtins.str, not a pandas DataFrame"),
    ((), {"ledger": 5}, TypeError, "plot(): ledger must be the prodstats.Ledger of "
     "prodstats.load(), or None; got 5 (int)"),
    ((), {"projections": "p"}, FrameError, "plot()'s projections needs the frame of "
     "prodstats.project(series), or None; got a builtins.str, not a pandas DataFrame"),
    ((), {"scenario": 1}, TypeError, "plot(): scenario is a name such as 'all' or "
     "'no_unverified'; got 1 (int)"),
])
def test_plot_checks_its_input(one_series, args, kwargs, error, message):
    """Before, plot(None), plot('x') and plot(frame, ledger=5) ended in raw TypeError,
    KeyError or AttributeError from inside.
    """
    with pytest.raises(error) as caught:
        prodstats.plot(*(args or (one_series,)), **kwargs)
    assert str(caught.value) == message


def test_frames_of_text_are_refused_by_name(one_series, series):
    """A frame read from a CSV as text failed deep in numpy; now the column is named."""
    text = ("a frame whose column 't' holds str values, not numbers (read from a CSV as text? "
            "convert it with pd.to_numeric, or call the function that makes the frame)")
    with pytest.raises(FrameError) as caught:
        prodstats.project(series.astype(str))
    assert str(caught.value) == ("project() needs the series from "
                                 f"prodstats.resolve(ledger.claims); got {text}")
    with pytest.raises(FrameError) as caught:
        prodstats.plot(one_series.astype(str))
    assert str(caught.value) == ("plot() needs the rows of one series from "
                                 f"prodstats.resolve(ledger.claims); got {text}")


def test_a_string_is_not_a_collection_of_capacity_ids(seed_ledger, series):
    for call in (lambda: prodstats.resolve(seed_ledger.claims, "shell_capacity"),
                 lambda: prodstats.conflicts(series, "shell_capacity")):
        with pytest.raises(TypeError) as caught:
            call()
        assert str(caught.value).endswith(
            "capacities takes a collection of ids (such as ledger.capacity_bounds()), not the "
            "string 'shell_capacity'; for one id, write ['shell_capacity']")


def test_an_all_missing_series_is_refused_and_infinite_bounds_are_drawn(one_series,
                                                                         seed_ledger):
    import numpy as np

    from prodstats.errors import SeriesError

    with pytest.raises(SeriesError) as caught:
        prodstats.plot(one_series.assign(value=np.nan, low=np.nan, high=np.nan))
    assert str(caught.value) == (
        "plot(): the series has no finite value, low or high to draw (all missing or "
        "infinite); check the filter, or the values of the frame")
    fig = prodstats.plot(one_series.assign(high=np.inf), ledger=seed_ledger)
    top = fig.axes[0].get_ylim()[1]
    assert np.isfinite(top) and top == pytest.approx(1.15 * one_series["value"].max())


def test_load_expands_the_home_folder(tmp_path, monkeypatch):
    import shutil

    from tests.conftest import SEED_RAW

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(SEED_RAW, tmp_path / "ledger")
    assert len(prodstats.load("~/ledger").claims) == len(prodstats.load(SEED_RAW).claims)
