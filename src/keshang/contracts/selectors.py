"""Every read of contracts, through the data scope (STYLE.md §2): the list, the orders made under a contract,
its execution figures and what a framework agreement has left."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from keshang.core.money import line_amount, sum_amounts
from keshang.core.permissions import Action
from keshang.sales.models import SalesOrder, SalesOrderLine, SalesOrderStatus
from keshang.sales.selectors import list_sales_orders

from .models import Contract, ContractCategory
from .registry import execution_sources

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)

__all__ = ["list_contracts", "stages_paid", "list_categories", "orders_of", "ExecutionRow", "execution_of"]


def list_contracts(*, user, action: str = Action.VIEW) -> QuerySet[Contract]:
    """With ``collected`` (what the orders made under each contract have been paid) for the list's 回款 columns."""
    collected = (
        SalesOrder.objects.filter(contract_link__contract=OuterRef("pk"))
        .exclude(status=SalesOrderStatus.CANCELLED)
        .values("contract_link__contract")
        .annotate(total=Sum("paid_amount"))
        .values("total")
    )
    return (
        Contract.objects.visible_to(user, action)
        .select_related("partner", "owner", "department", "seller", "category")
        .prefetch_related("payment_stages")
        .annotate(collected=Coalesce(Subquery(collected, output_field=MONEY), ZERO, output_field=MONEY))
    )


def stages_paid(contract: Contract, collected: Decimal) -> tuple[int, int]:
    """(stages covered by what was collected, in their order; all stages)."""
    stages = list(contract.payment_stages.all())
    paid, running = 0, Decimal("0")
    for stage in stages:
        running += stage.amount
        if running > collected:
            break
        paid += 1
    return paid, len(stages)


def list_categories(*, kind: str = "") -> QuerySet[ContractCategory]:
    """Reference data every contract author reads."""
    categories = ContractCategory.objects.filter(is_active=True)
    return categories.filter(kind__in=("", kind)) if kind else categories


def orders_of(contract: Contract, *, user) -> QuerySet[SalesOrder]:
    """The orders made under ``contract`` that ``user`` may view (a rep sees the contract's orders they may see)."""
    return list_sales_orders(user=user).filter(contract_link__contract=contract).order_by("-pk")


@dataclass(frozen=True)
class ExecutionRow:
    label: str
    amount: Decimal
    percent: Decimal | None


def execution_of(contract: Contract, *, user) -> list[ExecutionRow]:
    """执行情况: ordered, shipped and collected against the contract (from the orders made under it), then what
    later apps register (invoiced …); each with its share of the contract amount."""
    orders = list(
        SalesOrder.objects.filter(contract_link__contract=contract)
        .exclude(status=SalesOrderStatus.CANCELLED)
        .values_list("pk", "gross_amount", "paid_amount")
    )
    delivered = SalesOrderLine.objects.filter(order_id__in=[pk for pk, _gross, _paid in orders]).values_list(
        "delivered_quantity", "unit_price_gross", "discount_percent"
    )
    # Summed here, in Decimal: each delivered line rounded once as its invoice will be (SQLite's SUM is floating
    # point, and rounding the sum of unrounded lines is not the sum of the lines).
    rows = [
        (_("已下单"), sum_amounts(gross for _pk, gross, _paid in orders)),
        (_("已发货"), sum_amounts(line_amount(*line) for line in delivered)),
        (_("已收款"), sum_amounts(paid for _pk, _gross, paid in orders)),
    ]
    for source in execution_sources():
        amount = source.amount(contract, user=user)
        if amount is not None:
            rows.append((str(source.label), amount))
    total = contract.gross_amount
    return [
        ExecutionRow(label, amount, (amount * 100 / total).quantize(Decimal("0.1")) if total else None)
        for label, amount in rows
    ]
