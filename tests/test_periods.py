"""Period strings: years, months, days and ranges."""

from datetime import date

import pytest

from prodstats.periods import PeriodError, parse_period, split_candidates


def test_year_month_day_and_range():
    assert parse_period("2024").start == date(2024, 1, 1)
    assert parse_period("2024").end == date(2024, 12, 31)
    assert parse_period("2024-02").end == date(2024, 2, 29)
    assert parse_period("2025-01-17").precision == "day"
    rng = parse_period("2023-09/2024-01")
    assert (rng.start, rng.end, rng.precision) == (date(2023, 9, 1), date(2024, 1, 31), "range")


def test_lengths_in_years():
    assert parse_period("2024").years == 1.0
    assert parse_period("2024-03").years == pytest.approx(1 / 12)
    assert parse_period("2023/2024").years == 2.0


@pytest.mark.parametrize(("text", "message"), [
    ("2024-13", "month 13 in '2024-13' does not exist; months run 01–12"),
    ("2023-02-29", "day 29 in '2023-02-29' does not exist; 2023-02 has 28 days"),
    ("Q1 2024", "'Q1 2024' is not a period"),
    ("2025/2024", "range '2025/2024' ends before it starts"),
])
def test_bad_periods_say_what_is_wrong(text, message):
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


def test_base_candidates():
    assert split_candidates("2022|2023") == ["2022", "2023"]
    assert split_candidates(" 2022 ") == ["2022"]
