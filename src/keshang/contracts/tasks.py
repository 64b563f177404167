"""Background jobs of contracts, run by the Huey consumer (immediately, in-process, under tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from .services import expire_contracts

__all__ = ["expire_contracts_task"]


@db_periodic_task(local_crontab(hour=0, minute=25))
def expire_contracts_task() -> int:
    """每天 00:25: contracts past their end date that are not being executed become 已过期."""
    return expire_contracts()
