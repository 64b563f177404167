"""Background jobs of contracts, run by the Huey consumer (immediately, in-process, under tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from keshang.core.tasks import local_crontab

from .services import expire_contracts, remind_unused_links
from .services.reminders import send_contract_reminders

__all__ = ["expire_contracts_task", "remind_sign_links_task", "contract_reminders_task"]


@db_periodic_task(local_crontab(hour=0, minute=25))
def expire_contracts_task() -> int:
    """每天 00:25: contracts past their end date that are not being executed become 已过期."""
    return expire_contracts()


@db_periodic_task(local_crontab(hour=9, minute=5))
def remind_sign_links_task() -> int:
    """每天 09:05: the creator of a signing link unused for KESHANG_SIGN_LINK_REMIND_DAYS days is reminded, once."""
    return remind_unused_links()


@db_periodic_task(local_crontab(hour=7, minute=40))
def contract_reminders_task() -> tuple[int, int]:
    """每天 07:40: owners are told once of contracts ending and payment stages falling due soon (issue 13)."""
    return send_contract_reminders()
