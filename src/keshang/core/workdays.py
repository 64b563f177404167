"""Working days (工作日) in mainland China: weekends off, 法定节假日 off and 调休 Saturdays and Sundays on, from the
``chinese-calendar`` tables (the State Council's notice for each year). Contracts count payment and reminder dates
in them; finance and service deadlines will too.

The tables cover the years published so far. For a year they do not cover yet (the notice for next year comes out
in November or December), Monday to Friday are counted as working days: a date that far ahead is an estimate
either way, and refusing to compute it would stop a contract from being saved. :func:`is_estimate` says when that
was the case, so a page can say "预计".
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar

__all__ = ["is_working_day", "add_working_days", "add_days", "is_estimate"]


@lru_cache(maxsize=4096)
def _official(day: datetime.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_estimate(day: datetime.date) -> bool:
    """True when ``day``'s year is not in the published tables (weekdays are then taken as working days)."""
    return _official(day) is None


def is_working_day(day: datetime.date) -> bool:
    official = _official(day)
    return day.weekday() < 5 if official is None else official


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted; 0 gives ``start``, or the
    next working day when ``start`` is a day off, since nothing falls due on a holiday). Negative counts back."""
    step = 1 if days >= 0 else -1
    day = start
    if days == 0:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        return day
    remaining = abs(days)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def add_days(start: datetime.date, days: int, *, working: bool) -> datetime.date:
    """``days`` after ``start``: working days when ``working``, else calendar days."""
    return add_working_days(start, days) if working else start + datetime.timedelta(days=days)
