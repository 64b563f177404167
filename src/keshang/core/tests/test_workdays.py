"""Working days follow the State Council's calendar: holidays off, 调休 weekend days on."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from keshang.core.workdays import add_days, add_working_days, is_estimate, is_working_day

D = datetime.date


def test_national_day_week_is_off_and_the_swapped_saturday_is_a_working_day():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked (调休)
    assert not is_working_day(D(2025, 10, 1))
    assert not is_working_day(D(2025, 10, 8))
    assert is_working_day(D(2025, 9, 28))
    assert is_working_day(D(2025, 10, 11))
    assert not is_working_day(D(2025, 10, 12))


def test_counting_working_days_skips_the_holiday_and_counts_the_swapped_day():
    # 5 working days after Tuesday 30 September 2025: 9 (Thu), 10 (Fri), 11 (Sat, 调休), 13, 14 October
    assert add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)


def test_zero_working_days_from_a_day_off_is_the_next_working_day():
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)


def test_calendar_days_are_plain_days():
    assert add_days(D(2025, 9, 30), 5, working=False) == D(2025, 10, 5)
    assert add_days(D(2025, 9, 30), 5, working=True) == D(2025, 10, 14)


def test_a_year_beyond_the_published_tables_counts_weekdays_and_says_it_is_an_estimate():
    far = D(2099, 3, 6)  # a Friday
    assert is_estimate(far)
    assert not is_estimate(D(2025, 10, 1))
    assert is_working_day(far)
    assert not is_working_day(D(2099, 3, 7))
    assert add_working_days(far, 1) == D(2099, 3, 9)


@given(st.dates(min_value=D(2010, 1, 1), max_value=D(2030, 12, 31)), st.integers(min_value=1, max_value=40))
def test_n_working_days_later_is_a_working_day_with_exactly_n_working_days_in_between(start, days):
    end = add_working_days(start, days)
    assert is_working_day(end)
    between = [start + datetime.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(day) for day in between) == days
    assert add_working_days(end, -days) <= start
