"""Reads of core's records: audit entries, currencies, exchange rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from .exceptions import ApplicationError
from .models import AuditEntry, Currency, ExchangeRate
from .permissions import Action

__all__ = ["list_audit_entries", "list_currencies", "list_exchange_rates", "get_rate_to_cny", "recent_activity"]

BASE_CURRENCY = "CNY"


def list_audit_entries(*, user, action: str = Action.VIEW):
    return AuditEntry.objects.visible_to(user, action).select_related("user", "content_type")


def recent_activity(*, user, limit: int = 10):
    """The newest entries this user may see: their own, or everyone's for auditors."""
    return list_audit_entries(user=user)[:limit]


def list_currencies(*, user, action: str = Action.VIEW):
    return Currency.objects.visible_to(user, action)


def list_exchange_rates(*, user, action: str = Action.VIEW):
    return ExchangeRate.objects.visible_to(user, action).select_related("currency")


def get_rate_to_cny(*, currency_code: str, on: datetime.date) -> Decimal:
    """CNY per unit of ``currency_code`` on ``on``: the latest rate on or before that day.

    Documents store the rate they used, so this is read once, when a document is dated; it reads
    reference data that every role may see, hence no user scope.
    """
    if currency_code == BASE_CURRENCY:
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(currency__code=currency_code, date__lte=on)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ApplicationError(
            f"缺少 {currency_code} 在 {on:%Y-%m-%d} 或之前的汇率，请先在“汇率”中录入。", code="missing_exchange_rate"
        )
    return rate
