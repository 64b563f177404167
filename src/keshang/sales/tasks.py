"""Background jobs of sales, run by the Huey consumer (immediately, in-process, under tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from .services import expire_quotations

__all__ = ["expire_quotations_task"]


@db_periodic_task(local_crontab(hour=0, minute=20))
def expire_quotations_task() -> int:
    """每天 00:20: approved or sent quotations past their validity become 已过期 (services.expire_quotations)."""
    return expire_quotations()
