"""Background jobs of partners, run by the Huey consumer (immediately, in-process, under tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from . import services

__all__ = ["recycle_idle_partners_task"]


@db_periodic_task(local_crontab(hour=2, minute=30))
def recycle_idle_partners_task() -> int:
    """每天 02:30: customers idle past the pool rules go back to the pool (services.recycle_idle_partners)."""
    return services.recycle_idle_partners().count
