"""Background jobs of partners, run by the Huey consumer (immediately, in-process, under tests). Every schedule is
in local time (TIME_ZONE, ``core.tasks.local_crontab``); importing this module registers them, which
``PartnersConfig.ready()`` does."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from . import services

__all__ = ["recycle_idle_partners_task", "remind_expiring_qualifications"]


@db_periodic_task(local_crontab(hour=2, minute=30))
def recycle_idle_partners_task() -> int:
    """每天 02:30: customers idle past the pool rules go back to the pool (services.recycle_idle_partners)."""
    return services.recycle_idle_partners().count


# 09:00, the start of the working day.
@db_periodic_task(local_crontab(hour=9, minute=0))
def remind_expiring_qualifications() -> int:
    """Daily: remind owners of suppliers' qualifications that expire in 30, 7 or 1 days."""
    return services.notify_expiring_qualifications(today=timezone.localdate())
