"""What comes due in contracts (issue 13), read through the reader's scope: the home page's 到期提醒 (registered
with ``core.deadlines``) and the 到期日历, a month of contracts ending and payment stages falling due."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from keshang.core.deadlines import Deadline
from keshang.core.permissions import Action

from .models import Contract, PaymentStage
from .selectors import list_contracts
from .services.contracts import IN_FORCE

__all__ = ["contract_deadlines", "CalendarEntry", "CalendarDay", "MonthCalendar", "month_calendar"]

# Contracts whose end or stages still matter: approved (being signed) or in force.
OPEN = ("approved", "signing", *IN_FORCE)


def _url(contract_id: int) -> str:
    return reverse("contracts:contract_detail", args=[contract_id])


def contract_deadlines(*, user, today: datetime.date, until: datetime.date) -> list[Deadline]:
    """Contracts in force ending by ``until``, and their payment stages due by then, that the reader may change
    (the follow-up is theirs to make)."""
    contracts = list_contracts(user=user, action=Action.CHANGE).filter(status__in=IN_FORCE)
    found = [
        Deadline(
            due=contract.end_date, kind=_("合同到期"), title=f"{contract} · {contract.partner}", url=_url(contract.pk)
        )
        for contract in contracts.filter(end_date__isnull=False, end_date__lte=until).order_by("end_date", "pk")[:50]
    ]
    stages = (
        PaymentStage.objects.visible_to(user, Action.CHANGE)
        .filter(contract__in=contracts.values("pk"), due_date__isnull=False, due_date__lte=until)
        .select_related("contract")
        .order_by("due_date", "pk")[:50]
    )
    found.extend(
        Deadline(
            due=stage.due_date,
            kind=_("付款到期"),
            title=f"{stage.contract} · {stage.name}",
            url=_url(stage.contract_id),
        )
        for stage in stages
    )
    return found


@dataclass(frozen=True)
class CalendarEntry:
    kind: str  # "end" or "stage"
    label: str
    contract: Contract
    url: str


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass(frozen=True)
class MonthCalendar:
    first: datetime.date
    weeks: list[list[CalendarDay]]
    previous: datetime.date
    next: datetime.date

    @property
    def count(self) -> int:
        return sum(len(day.entries) for week in self.weeks for day in week if day.in_month)


def month_calendar(*, user, year: int, month: int) -> MonthCalendar:
    """The month's weeks (Monday first) with the contracts the user may view that end in it and the payment
    stages of those contracts due in it (contracts approved or in force)."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    contracts = list_contracts(user=user).filter(status__in=OPEN)
    entries: dict[datetime.date, list[CalendarEntry]] = {}
    for contract in contracts.filter(end_date__range=(first, last)).order_by("end_date", "pk"):
        entries.setdefault(contract.end_date, []).append(
            CalendarEntry("end", _("%(contract)s 到期") % {"contract": contract}, contract, _url(contract.pk))
        )
    stages = (
        PaymentStage.objects.visible_to(user, Action.VIEW)
        .filter(contract__in=contracts.values("pk"), due_date__range=(first, last))
        .select_related("contract")
        .order_by("due_date", "pk")
    )
    for stage in stages:
        label = _("%(contract)s 第%(n)s期 %(name)s") % {
            "contract": stage.contract,
            "n": stage.position,
            "name": stage.name,
        }
        entries.setdefault(stage.due_date, []).append(
            CalendarEntry("stage", label, stage.contract, _url(stage.contract_id))
        )
    weeks = [
        [CalendarDay(day, day.month == month, entries.get(day, []) if day.month == month else []) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return MonthCalendar(first=first, weeks=weeks, previous=previous, next=last + datetime.timedelta(days=1))
