"""Reminders of contracts (issue 13), sent by the daily job through ``core.notifications``: a contract in force
ending within ``KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS`` working days (``core.workdays``), and a payment stage of one
due within ``KESHANG_STAGE_DUE_NOTICE_DAYS`` days, each tell the contract's owner once. The date told is kept on
the row (``expiry_notified_for``, ``due_notified_for``): the same date is never told twice; a date an amendment
moves is told again."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core.money import format_amount
from keshang.core.notifications import notify
from keshang.core.workdays import add_working_days

from ..models import Contract, PaymentStage
from .contracts import IN_FORCE

__all__ = ["send_contract_reminders", "expiry_horizon", "stage_horizon"]


def expiry_horizon(today: datetime.date) -> datetime.date:
    return add_working_days(today, getattr(settings, "KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS", 30))


def stage_horizon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=getattr(settings, "KESHANG_STAGE_DUE_NOTICE_DAYS", 7))


def _url(contract: Contract) -> str:
    return reverse("contracts:contract_detail", args=[contract.pk])


def send_contract_reminders(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Tell owners what ends or falls due soon; returns (contracts told, stages told). The job reads every
    contract (``unscoped``): it works for the system, and each reminder goes to the contract's own owner."""
    today = today or timezone.localdate()
    contracts = (
        Contract.objects.unscoped()
        .filter(status__in=IN_FORCE, end_date__gte=today, end_date__lte=expiry_horizon(today), owner__isnull=False)
        .filter(Q(expiry_notified_for__isnull=True) | ~Q(expiry_notified_for=F("end_date")))
    )
    told_contracts = 0
    for pk in contracts.values_list("pk", flat=True):
        with transaction.atomic():
            contract = Contract.objects.unscoped().select_for_update().select_related("owner").get(pk=pk)
            if contract.expiry_notified_for == contract.end_date or contract.status not in IN_FORCE:
                continue
            notify(
                recipients=[contract.owner],
                title=_("合同即将到期：%(contract)s（%(date)s）") % {"contract": contract, "date": contract.end_date},
                body=_("%(title)s 将于 %(date)s 到期，请及时续签或结束。")
                % {"title": contract.title, "date": contract.end_date},
                url=_url(contract),
            )
            contract.expiry_notified_for = contract.end_date
            contract.save(update_fields=["expiry_notified_for"])
            told_contracts += 1
    stages = (
        PaymentStage.objects.unscoped()
        .filter(
            contract__status__in=IN_FORCE,
            contract__owner__isnull=False,
            due_date__gte=today,
            due_date__lte=stage_horizon(today),
        )
        .filter(Q(due_notified_for__isnull=True) | ~Q(due_notified_for=F("due_date")))
    )
    told_stages = 0
    for pk in stages.values_list("pk", flat=True):
        with transaction.atomic():
            stage = PaymentStage.objects.unscoped().select_for_update().select_related("contract__owner").get(pk=pk)
            if stage.due_notified_for == stage.due_date:
                continue
            contract = stage.contract
            notify(
                recipients=[contract.owner],
                title=_("付款阶段即将到期：%(contract)s 第%(n)s期（%(date)s）")
                % {"contract": contract, "n": stage.position, "date": stage.due_date},
                body=_("%(name)s %(amount)s %(currency)s，到期日 %(date)s。")
                % {
                    "name": stage.name,
                    "amount": format_amount(stage.amount),
                    "currency": contract.currency,
                    "date": stage.due_date,
                },
                url=_url(contract),
            )
            stage.due_notified_for = stage.due_date
            stage.save(update_fields=["due_notified_for"])
            told_stages += 1
    return told_contracts, told_stages
