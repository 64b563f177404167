"""Reminders and deadlines (到期提醒): each app registers what comes due in its records — quotations about to
expire, supplier qualifications running out, customers about to return to the pool, later contracts, payments
and tasks — and the home page shows the reader's, soonest first. Sources read through the reader's data scope."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .permissions import Action
from .scope import has_action

__all__ = ["Deadline", "DeadlineSource", "register_deadline_source", "deadlines_for", "DEADLINE_DAYS"]

# How far ahead the home page looks.
DEADLINE_DAYS = 14


@dataclass(frozen=True)
class Deadline:
    due: datetime.date
    kind: str  # the badge: 报价到期, 资质到期 …
    title: str
    url: str = ""

    def days_left(self, today: datetime.date) -> int:
        return (self.due - today).days


@dataclass(frozen=True)
class DeadlineSource:
    """``deadlines(user=, today=, until=)`` gives what falls due up to ``until`` (overdue ones too) within the
    user's scope; ``resource`` is what the reader needs "view" on for the source to be asked."""

    key: str
    resource: str
    deadlines: Callable


_sources: list[DeadlineSource] = []


def register_deadline_source(source: DeadlineSource) -> None:
    if any(existing.key == source.key for existing in _sources):
        raise ValueError(f"deadline source {source.key!r} registered twice")
    _sources.append(source)


def deadlines_for(*, user, today: datetime.date, days: int = DEADLINE_DAYS, limit: int = 20) -> list[Deadline]:
    until = today + datetime.timedelta(days=days)
    found = []
    for source in _sources:
        if has_action(user, source.resource, Action.VIEW):
            found.extend(source.deadlines(user=user, today=today, until=until))
    found.sort(key=lambda item: (item.due, item.title))
    return found[:limit]
