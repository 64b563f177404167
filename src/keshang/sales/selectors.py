"""Every read of quotations and orders, through the data scope (STYLE.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from keshang.core.permissions import Action

from .models import Quotation, SalesOrder, SalesOrderLine, SalesOrderStatus

__all__ = ["list_quotations", "list_sales_orders", "LastPrice", "last_price", "CONFIRMED_STATES"]

CONFIRMED_STATES = (
    SalesOrderStatus.CONFIRMED,
    SalesOrderStatus.PARTIALLY_DELIVERED,
    SalesOrderStatus.DELIVERED,
    SalesOrderStatus.CLOSED,
)


def list_quotations(*, user, action: str = Action.VIEW) -> QuerySet[Quotation]:
    return Quotation.objects.visible_to(user, action).select_related("partner", "owner", "department")


def list_sales_orders(*, user, action: str = Action.VIEW) -> QuerySet[SalesOrder]:
    return SalesOrder.objects.visible_to(user, action).select_related("partner", "owner", "department")


@dataclass(frozen=True)
class LastPrice:
    """What this customer last paid for this product on a confirmed order (含税, per the line's unit)."""

    unit_price_gross: Decimal
    unit_name: str
    unit_factor: Decimal
    discount_percent: Decimal
    order_number: str
    order_date: object


def last_price(*, user, partner, product) -> LastPrice | None:
    """The "last price" memory, read through the orders the user may see."""
    line = (
        SalesOrderLine.objects.visible_to(user, Action.VIEW)
        .filter(order__partner=partner, product=product, order__status__in=CONFIRMED_STATES)
        .select_related("order", "unit")
        .order_by("-order__order_date", "-order_id", "-pk")
        .first()
    )
    if line is None:
        return None
    return LastPrice(
        unit_price_gross=line.unit_price_gross,
        unit_name=line.unit.name,
        unit_factor=line.unit_factor,
        discount_percent=line.discount_percent,
        order_number=line.order.number or "",
        order_date=line.order.order_date,
    )
