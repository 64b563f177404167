"""Periodic job of the suppliers feature, registered with Huey when ``suppliers.register()`` imports it."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import suppliers


# Huey's schedule is in UTC: 01:00 UTC is 09:00 in China, the start of the working day.
@db_periodic_task(crontab(minute="0", hour="1"))
def remind_expiring_qualifications() -> int:
    """Daily: remind owners of suppliers' qualifications that expire in 30, 7 or 1 days."""
    return suppliers.notify_expiring_qualifications(today=timezone.localdate())
