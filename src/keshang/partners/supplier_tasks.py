"""Periodic job of the suppliers feature, registered with Huey when ``suppliers.register()`` imports it."""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from . import suppliers


# 09:00 where the company is (TIME_ZONE), the start of the working day; every schedule is in local time.
@db_periodic_task(local_crontab(hour=9, minute=0))
def remind_expiring_qualifications() -> int:
    """Daily: remind owners of suppliers' qualifications that expire in 30, 7 or 1 days."""
    return suppliers.notify_expiring_qualifications(today=timezone.localdate())
