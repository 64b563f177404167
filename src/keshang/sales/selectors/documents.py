"""Every read of quotations and orders, through the data scope (STYLE.md §2), and the monthly sales report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth

from keshang.core.permissions import Action

from ..models import Quotation, SalesOrder, SalesOrderLine, SalesOrderStatus

__all__ = [
    "list_quotations",
    "list_sales_orders",
    "LastPrice",
    "last_prices",
    "CONFIRMED_STATES",
    "CustomerMonthSales",
    "sales_by_customer_month",
]


class AmountSum(Sum):
    """A sum of money. SQLite keeps decimals as floating point, so there the amounts are added as whole fen
    (integers: exact, whatever the number of rows) and read back with :func:`_as_amount`; PostgreSQL's numeric
    sum is exact as it is."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="SUM(CAST(ROUND(%(expressions)s * 100) AS INTEGER))", **extra_context
        )


class MonthOf(TruncMonth):
    """The first day of a date's month. SQLite stores dates as ``YYYY-MM-DD`` text, so there the month is
    its first seven characters, cut in SQLite's own code: Django's TruncMonth calls a Python function for
    every row, which made the monthly report five times slower than the query itself."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"(substr({sql}, 1, 7) || '-01')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        # A date, not the timestamp with time zone DATE_TRUNC gives: reading 10,000 of those (each with its
        # zone) took three times as long as the query.
        sql, params = compiler.compile(self.lhs)
        return f"DATE_TRUNC('month', {sql})::date", params


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


def last_prices(*, user, partner, products) -> dict[int, LastPrice]:
    """The "last price" memory of the line editor: what ``partner`` last paid for each of ``products`` on a
    confirmed order (the latest order date, then the latest order, then its last line), by product id, read in one
    query for all of them through the orders the user may see. Products never bought have no entry."""
    product_ids = {product.pk for product in products}
    if partner is None or not product_ids:
        return {}
    newest_first = Window(
        RowNumber(),
        partition_by=[F("product_id")],
        order_by=[F("order__order_date").desc(), F("order_id").desc(), F("pk").desc()],
    )
    lines = (
        SalesOrderLine.objects.visible_to(user, Action.VIEW)
        .filter(order__partner=partner, product_id__in=product_ids, order__status__in=CONFIRMED_STATES)
        .annotate(newest=newest_first)
        .filter(newest=1)
        .select_related("order", "unit")
    )
    return {
        line.product_id: LastPrice(
            unit_price_gross=line.unit_price_gross,
            unit_name=line.unit.name,
            unit_factor=line.unit_factor,
            discount_percent=line.discount_percent,
            order_number=line.order.number or "",
            order_date=line.order.order_date,
        )
        for line in lines
    }


class CustomerMonthSales(NamedTuple):
    """One customer's confirmed sales in one month (a tuple: a company-wide report makes 10,000 and more)."""

    partner_id: int
    month: datetime.date  # the first day of the month
    gross_amount: Decimal
    net_amount: Decimal
    orders: int


def sales_by_customer_month(*, user, date_from=None, date_to=None) -> list[CustomerMonthSales]:
    """Confirmed sales in CNY (价税合计 and 不含税) by customer and month of the order date, from the totals
    stored on the orders (never recomputed from lines), within the user's scope; one aggregate query."""
    orders = SalesOrder.objects.visible_to(user, Action.VIEW).filter(status__in=CONFIRMED_STATES)
    if date_from is not None:
        orders = orders.filter(order_date__gte=date_from)
    if date_to is not None:
        orders = orders.filter(order_date__lte=date_to)
    query = (
        orders.annotate(month=MonthOf("order_date"))
        .values_list("partner_id", "month")
        .annotate(gross=AmountSum("gross_amount_cny"), net=AmountSum("net_amount_cny"), count=Count("pk"))
        .order_by("partner_id", "month")
    )
    # The scoped queryset's own SQL, but its rows read with the cursor and converted here, each month once: a
    # company-wide report has 10,000 rows and more, and Django's per-value converters took longer than the query.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    months: dict = {}
    result = []
    for partner_id, month, gross, net, count in rows:
        if month not in months:
            months[month] = _as_date(month)
        result.append(CustomerMonthSales(partner_id, months[month], _as_amount(gross), _as_amount(net), count))
    return result


def _as_date(value) -> datetime.date:
    """SQLite gives the month as text, PostgreSQL as a date."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _as_amount(value) -> Decimal:
    """An :class:`AmountSum`: whole fen from SQLite, the exact numeric from PostgreSQL."""
    return value if isinstance(value, Decimal) else Decimal(value).scaleb(-2)
