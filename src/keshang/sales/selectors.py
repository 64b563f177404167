"""Every read of quotations and orders, through the data scope (STYLE.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from keshang.core.permissions import Action

from .models import Quotation, SalesOrder, SalesOrderLine, SalesOrderStatus

__all__ = [
    "list_quotations",
    "list_sales_orders",
    "LastPrice",
    "last_price",
    "CONFIRMED_STATES",
    "CustomerMonthSales",
    "sales_by_customer_month",
]

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


@dataclass(frozen=True)
class CustomerMonthSales:
    partner_id: int
    month: object  # the first day of the month
    gross_amount: Decimal
    net_amount: Decimal
    orders: int


def sales_by_customer_month(*, user, date_from=None, date_to=None) -> list[CustomerMonthSales]:
    """Confirmed sales (价税合计 and 不含税) by customer and month of the order date, from the totals stored
    on the orders (never recomputed from lines), within the user's scope; one aggregate query."""
    orders = SalesOrder.objects.visible_to(user, Action.VIEW).filter(status__in=CONFIRMED_STATES)
    if date_from is not None:
        orders = orders.filter(order_date__gte=date_from)
    if date_to is not None:
        orders = orders.filter(order_date__lte=date_to)
    rows = (
        orders.annotate(month=TruncMonth("order_date"))
        .values("partner_id", "month")
        .annotate(gross=Sum("gross_amount"), net=Sum("net_amount"), count=Count("pk"))
        .order_by("partner_id", "month")
    )
    return [
        CustomerMonthSales(
            partner_id=row["partner_id"],
            month=row["month"],
            gross_amount=row["gross"],
            net_amount=row["net"],
            orders=row["count"],
        )
        for row in rows
    ]
