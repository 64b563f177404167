"""Background jobs of partners, run by the Huey consumer (immediately, in-process, under tests)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from . import ownership

__all__ = ["local_crontab", "recycle_idle_partners_task"]


def local_crontab(*, hour: int, minute: int):
    """A daily crontab at a wall-clock time in ``TIME_ZONE``.

    Huey matches crontabs against UTC when it runs with ``utc=True`` (its default), so 02:30 in
    Shanghai must be written 18:30. The offset is today's: zones with daylight saving drift by an
    hour for half the year, which a nightly job tolerates.
    """
    if not HUEY.utc:
        return crontab(minute=str(minute), hour=str(hour))
    local = datetime.datetime.combine(
        datetime.date.today(), datetime.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    utc = local.astimezone(datetime.UTC)
    return crontab(minute=str(utc.minute), hour=str(utc.hour))


@db_periodic_task(local_crontab(hour=2, minute=30))
def recycle_idle_partners_task() -> int:
    """每天 02:30: customers idle past the pool rules go back to the pool (see ownership.recycle_idle_partners)."""
    return ownership.recycle_idle_partners().count
