"""Sales orders made under a contract: from an approved sales contract (its lines), or call-offs of a framework
agreement (the lines the customer calls off now). A capped framework's call-offs may not exceed its amount, nor
any product's quantity, counting every order made under it that is not cancelled."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.catalog.lines.pricing import LineInput, copy_lines
from keshang.core import audit
from keshang.core.documents.totals import store_totals
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.money import format_amount
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope
from keshang.sales.models import SalesOrder, SalesOrderLine, SalesOrderStatus
from keshang.sales.services import create_sales_order
from keshang.sales.services.documents import apply_header, validation_exclusions

from ..models import Contract, ContractKind, ContractOrder, ContractStatus
from .contracts import IN_FORCE, check_contract_partner

__all__ = ["Remaining", "remaining", "has_live_order", "create_order_from_contract", "call_off", "ORDERABLE"]

S = ContractStatus
ORDERABLE = (S.APPROVED, S.SIGNING, *IN_FORCE)
CALL_OFF_FIELDS = ("contact", "order_date", "delivery_date", "delivery_address", "notes")


@dataclass(frozen=True)
class Remaining:
    """What a framework agreement has left: its amount less its live orders', and per product the quantity
    (in the product's base unit)."""

    amount: Decimal
    quantities: dict[int, Decimal]


def _live_orders(contract: Contract):
    return SalesOrder.objects.filter(contract_link__contract=contract).exclude(status=SalesOrderStatus.CANCELLED)


def has_live_order(contract: Contract) -> bool:
    return _live_orders(contract).exists()


def remaining(contract: Contract) -> Remaining:
    ordered = _live_orders(contract).aggregate(total=Sum("gross_amount"))["total"] or Decimal("0")
    left = defaultdict(Decimal)
    for line in contract.lines.all():
        left[line.product_id] += line.quantity * line.unit_factor
    lines = SalesOrderLine.objects.filter(order__in=_live_orders(contract), product__in=list(left)).values_list(
        "product_id", "quantity", "unit_factor"
    )
    for product_id, quantity, factor in lines:
        left[product_id] -= quantity * factor
    return Remaining(amount=contract.gross_amount - ordered, quantities=dict(left))


def _lock_orderable(contract: Contract, actor) -> Contract:
    contract = Contract.objects.visible_to(actor, Action.VIEW).select_for_update().get(pk=contract.pk)
    if contract.kind not in (ContractKind.SALES, ContractKind.FRAMEWORK):
        raise ApplicationError(_("只有销售合同和框架协议可以生成销售订单。"), code="not_a_sales_contract")
    if contract.status not in ORDERABLE:
        raise ApplicationError(_("合同审批通过后才能生成订单。"), code="contract_not_approved")
    check_contract_partner(actor=actor, partner=contract.partner)
    return contract


def _link(contract: Contract, order: SalesOrder, *, actor) -> None:
    ContractOrder.objects.create(contract=contract, order=order)
    if contract.status == S.EFFECTIVE:
        from .contracts import CONTRACT_WORKFLOW

        CONTRACT_WORKFLOW.move(contract, S.EXECUTING, actor=actor, message=_("订单 #%(pk)s 已生成") % {"pk": order.pk})


def create_order_from_contract(*, actor, contract: Contract) -> SalesOrder:
    """A draft order with the sales contract's lines exactly as priced there (one per contract: a framework
    agreement is called off instead)."""
    with transaction.atomic():
        contract = _lock_orderable(contract, actor)
        if contract.kind == ContractKind.FRAMEWORK:
            raise ApplicationError(_("框架协议请按次下单（调用订单）。"), code="framework_call_off")
        existing = _live_orders(contract).first()
        if existing is not None:
            raise ApplicationError(
                _("合同 %(contract)s 已生成订单 %(order)s。") % {"contract": contract, "order": existing},
                code="contract_already_ordered",
            )
        order = SalesOrder(
            seller=contract.seller,
            partner=contract.partner,
            contact=contract.contact,
            quotation=contract.quotation,
            currency=contract.currency,
            order_date=timezone.localdate(),
            payment_terms=contract.payment_terms,
            delivery_terms=contract.delivery_terms,
            notes=contract.notes,
            owner=contract.owner,
            department=contract.department,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        apply_header(order, {}, ())
        order.full_clean(exclude=validation_exclusions(order, "number"))
        order.save()
        lines = copy_lines(contract.lines.all(), order, SalesOrderLine, skip=("delivered_quantity",))
        store_totals(order, lines)
        order.save()
        audit.record(
            actor=actor, obj=order, action=AuditAction.CREATE, message=_("由合同 %(c)s 生成") % {"c": contract}
        )
        _link(contract, order, actor=actor)
        recheck_scope(user=actor, obj=order, action=Action.VIEW)
    return order


def _check_cap(contract: Contract, order: SalesOrder) -> None:
    left = remaining(contract)
    outside = [line for line in order.lines.select_related("product") if line.product_id not in left.quantities]
    if outside:
        names = "、".join(str(line.product.name) for line in outside)
        raise ApplicationError(_("商品不在框架协议中：%(names)s。") % {"names": names}, code="framework_product")
    if left.amount < 0:
        raise ApplicationError(
            _("超出框架协议剩余金额：本次 %(order)s，剩余 %(left)s。")
            % {"order": format_amount(order.gross_amount), "left": format_amount(left.amount + order.gross_amount)},
            code="framework_cap_exceeded",
        )
    over = [product_id for product_id, quantity in left.quantities.items() if quantity < 0]
    if over:
        # What was left before this order: the order's own quantity of the product added back.
        ordered = defaultdict(Decimal)
        names = {}
        for line in order.lines.select_related("product"):
            ordered[line.product_id] += line.quantity * line.unit_factor
            names[line.product_id] = line.product
        detail = "、".join(
            _("%(product)s 剩余 %(left)s")
            % {
                "product": names[product_id],
                "left": f"{(left.quantities[product_id] + ordered[product_id]).normalize():f}",
            }
            for product_id in over
        )
        raise ApplicationError(
            _("超出框架协议剩余数量：%(detail)s。") % {"detail": detail}, code="framework_cap_exceeded"
        )


def call_off(*, actor, contract: Contract, lines: list[LineInput], data: dict | None = None) -> SalesOrder:
    """A call-off order of a framework agreement: a draft order for ``lines`` at today's prices for the customer
    (the sales order's own pricing), refused when a capped agreement has not that much left."""
    with transaction.atomic():
        contract = _lock_orderable(contract, actor)
        if contract.kind != ContractKind.FRAMEWORK:
            raise ApplicationError(_("只有框架协议可以按次下单。"), code="not_a_framework")
        header = {
            "seller": contract.seller,
            "partner": contract.partner,
            "contact": contract.contact,
            "currency": contract.currency,
            "payment_terms": contract.payment_terms,
            "delivery_terms": contract.delivery_terms,
            # What a call-off may set itself; the parties and terms are the agreement's.
            **{key: value for key, value in (data or {}).items() if key in CALL_OFF_FIELDS},
        }
        order = create_sales_order(actor=actor, data=header, lines=lines)
        _link(contract, order, actor=actor)
        if contract.capped:
            _check_cap(contract, order)
    return order
