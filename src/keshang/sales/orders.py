"""Sales orders (销售订单): every write and the moves of their state machine (STYLE.md §2, §7).

draft → submitted → (approval) → confirmed → partially delivered → delivered → closed, and cancelled.
Confirming asks the approval engine first: when a flow applies the order waits in "submitted" and the
final approval confirms it; otherwise it is confirmed at once. Either way the number (SO202611-00042) is
given on confirmation, never on a draft. Delivery and payment status are derived from what inventory and
finance report through ``record_delivery`` and ``record_payment``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from keshang.core import audit
from keshang.core.approvals import Approvable, cancel_approval, register_approvable, submit_for_approval
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalStatus, AuditAction
from keshang.core.money import quantize_amount, to_decimal
from keshang.core.numbering import next_number
from keshang.core.permissions import Action
from keshang.core.registry import DetailTab, register_demo_loader, register_detail_tab, register_setup_step

from .documents import (
    LineInput,
    apply_header,
    check_transition,
    check_version,
    document_facts,
    document_snapshot,
    lock_document,
    move_document,
    replace_lines,
    store_totals,
    validation_exclusions,
)
from .models import (
    DeliveryStatus,
    PaymentStatus,
    Quotation,
    QuotationStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)

__all__ = [
    "ORDER_TRANSITIONS",
    "ORDER_FIELDS",
    "create_sales_order",
    "create_order_from_quotation",
    "update_sales_order",
    "delete_sales_order",
    "confirm_sales_order",
    "withdraw_sales_order",
    "cancel_sales_order",
    "close_sales_order",
    "record_delivery",
    "record_payment",
    "register",
]

S = SalesOrderStatus
ORDER_TRANSITIONS = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.CONFIRMED),  # no flow applies
    (S.SUBMITTED, S.CONFIRMED),
    (S.SUBMITTED, S.DRAFT),  # rejected, returned or withdrawn
    (S.CONFIRMED, S.PARTIALLY_DELIVERED),
    (S.CONFIRMED, S.DELIVERED),
    (S.PARTIALLY_DELIVERED, S.DELIVERED),
    (S.DELIVERED, S.CLOSED),
    (S.DRAFT, S.CANCELLED),
    (S.SUBMITTED, S.CANCELLED),
    (S.CONFIRMED, S.CANCELLED),
}
ORDER_FIELDS = (
    "partner",
    "contact",
    "order_date",
    "delivery_date",
    "delivery_address",
    "payment_terms",
    "delivery_terms",
    "notes",
)


def _lock(order: SalesOrder, actor, action: str = Action.CHANGE) -> SalesOrder:
    return lock_document(order, actor=actor, action=action)


def _move(order: SalesOrder, to: str, *, actor, message: str = "", before: dict | None = None) -> None:
    move_document(order, to, actor=actor, allowed=ORDER_TRANSITIONS, message=message, before=before)


def _apply(order: SalesOrder, data: dict) -> None:
    apply_header(order, data, ORDER_FIELDS)
    if order.delivery_date and order.order_date and order.delivery_date < order.order_date:
        message = _("交货日期不能早于订单日期。")
        raise ApplicationError(message, fields={"delivery_date": [message]})


def create_sales_order(*, actor, data: dict, lines: list[LineInput], quotation: Quotation | None = None) -> SalesOrder:
    with transaction.atomic():
        order = SalesOrder(created_by=actor if getattr(actor, "pk", None) else None, quotation=quotation)
        _apply(order, {"order_date": timezone.localdate(), **data})
        order.owner = data.get("owner") or actor
        order.department = data.get("department") or order.owner.department
        order.full_clean(exclude=validation_exclusions(order, "number"))
        order.save()
        saved = replace_lines(order, SalesOrderLine, lines, partner=order.partner, on=order.order_date, new=True)
        store_totals(order, saved)
        order.save()
        audit.record(actor=actor, obj=order, action=AuditAction.CREATE)
    return order


def create_order_from_quotation(*, actor, quotation: Quotation) -> SalesOrder:
    """A draft order with the accepted quotation's customer, terms and lines, exactly as priced there."""
    with transaction.atomic():
        quotation = Quotation.objects.visible_to(actor, Action.VIEW).select_for_update().get(pk=quotation.pk)
        if quotation.status != QuotationStatus.ACCEPTED:
            raise ApplicationError(_("只有客户已接受的报价单才能转为订单。"), code="quotation_not_accepted")
        order = SalesOrder(
            partner=quotation.partner,
            contact=quotation.contact,
            quotation=quotation,
            order_date=timezone.localdate(),
            payment_terms=quotation.payment_terms,
            delivery_terms=quotation.delivery_terms,
            notes=quotation.notes,
            owner=quotation.owner,
            department=quotation.department,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        order.full_clean(exclude=validation_exclusions(order, "number"))
        order.save()
        copied_fields = [
            field.name
            for field in SalesOrderLine._meta.concrete_fields
            if field.name not in ("id", "order", "delivered_quantity")
        ]
        lines = [
            SalesOrderLine(order=order, **{name: getattr(line, name) for name in copied_fields})
            for line in quotation.lines.all()
        ]
        SalesOrderLine.objects.bulk_create(lines)
        store_totals(order, lines)
        order.save()
        audit.record(
            actor=actor, obj=order, action=AuditAction.CREATE, message=_("由报价单 %(q)s 生成") % {"q": quotation}
        )
    return order


def update_sales_order(
    *, actor, order: SalesOrder, data: dict, lines: list[LineInput], expected_version: int | None = None
) -> SalesOrder:
    with transaction.atomic():
        order = _lock(order, actor)
        check_version(order, expected_version)
        if order.status != S.DRAFT:
            raise ApplicationError(_("只有草稿订单可以修改；已确认的订单请取消后重新下单。"), code="not_editable")
        before = audit.snapshot(order)
        _apply(order, data)
        order.full_clean(exclude=validation_exclusions(order, "number"))
        saved = replace_lines(order, SalesOrderLine, lines, partner=order.partner, on=order.order_date)
        store_totals(order, saved)
        order.version += 1
        order.save()
        audit.record(actor=actor, obj=order, action=AuditAction.UPDATE, before=before)
    return order


def delete_sales_order(*, actor, order: SalesOrder) -> None:
    with transaction.atomic():
        order = _lock(order, actor, Action.DELETE)
        if order.status != S.DRAFT:
            raise ApplicationError(_("只能删除草稿订单；其他订单请取消。"), code="not_deletable")
        before = audit.snapshot(order)
        pk = order.pk
        order.delete()
        order.pk = pk  # the audit row names the deleted document
        audit.record(actor=actor, obj=order, action=AuditAction.DELETE, before=before)


def _confirm(order: SalesOrder, *, actor, message: str, before: dict | None = None) -> None:
    before = before if before is not None else audit.snapshot(order)
    order.number = order.number or next_number("SO", on=order.order_date)
    order.confirmed_at = timezone.now()
    order.confirmed_by = actor if getattr(actor, "pk", None) else None
    # Only the number and the stamps changed since the draft was validated; the related rows are unchanged, and
    # the number is the sequence's next (unique by construction, and by the column's constraint).
    order.full_clean(
        exclude=["owner", "department", "created_by", "partner", "contact", "quotation", "confirmed_by"],
        validate_unique=False,
    )
    _move(order, S.CONFIRMED, actor=actor, before=before, message=message)


def confirm_sales_order(*, actor, order: SalesOrder) -> SalesOrder:
    """Confirm a draft: through approval when a flow applies (the order then waits in "submitted"), else now.
    Confirming twice, or confirming an order waiting for approval, is refused."""
    with transaction.atomic():
        order = _lock(order, actor)
        if order.status != S.DRAFT:
            raise ApplicationError(
                _("订单当前状态为“%(state)s”，不能确认。") % {"state": order.get_status_display()},
                code="invalid_transition",
            )
        if not order.lines.exists():
            raise ApplicationError(_("订单没有明细，不能确认。"), code="no_lines")
        before = audit.snapshot(order)
        order.submitted_at = timezone.now()
        request = submit_for_approval(obj=order, actor=actor)
        if request is None or request.status == ApprovalStatus.APPROVED:
            _confirm(order, actor=actor, before=before, message=_("无需审批，直接确认"))
        else:
            _move(order, S.SUBMITTED, actor=actor, before=before, message=_("提交审批"))
    return order


def withdraw_sales_order(*, actor, order: SalesOrder) -> SalesOrder:
    with transaction.atomic():
        order = _lock(order, actor)
        check_transition(order, to=S.DRAFT, allowed=ORDER_TRANSITIONS)
        cancel_approval(obj=order, actor=actor)
        _move(order, S.DRAFT, actor=actor, message=_("撤回审批"))
    return order


def cancel_sales_order(*, actor, order: SalesOrder, reason: str) -> SalesOrder:
    if not (reason or "").strip():
        raise ApplicationError(_("请填写取消原因。"), fields={"reason": [_("请填写取消原因。")]})
    with transaction.atomic():
        order = _lock(order, actor)
        check_transition(order, to=S.CANCELLED, allowed=ORDER_TRANSITIONS)
        if order.status == S.SUBMITTED:
            cancel_approval(obj=order, actor=actor)
        before = audit.snapshot(order)
        order.cancelled_at = timezone.now()
        order.cancel_reason = reason.strip()[:200]
        _move(order, S.CANCELLED, actor=actor, before=before, message=order.cancel_reason)
    return order


def close_sales_order(*, actor, order: SalesOrder) -> SalesOrder:
    with transaction.atomic():
        order = _lock(order, actor)
        before = audit.snapshot(order)
        order.closed_at = timezone.now()
        _move(order, S.CLOSED, actor=actor, before=before)
    return order


def record_delivery(*, actor, order: SalesOrder, quantities: dict[int, Decimal]) -> SalesOrder:
    """Inventory reports shipped quantities per line (positive ships, negative returns); the order's delivery
    status and state follow from the totals."""
    with transaction.atomic():
        order = _lock(order, actor)
        if order.status not in (S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED):
            raise ApplicationError(_("只有已确认的订单可以发货。"), code="not_deliverable")
        before = audit.snapshot(order)
        lines = {line.pk: line for line in order.lines.select_for_update()}
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise ApplicationError(_("明细不属于该订单。"), code="invalid_line")
            delivered = line.delivered_quantity + to_decimal(quantity)
            if delivered < 0 or delivered > line.quantity:
                raise ApplicationError(
                    _("第 %(line)s 行发货数量超出范围。") % {"line": line.position}, code="invalid_quantity"
                )
            line.delivered_quantity = delivered
        SalesOrderLine.objects.bulk_update(lines.values(), ["delivered_quantity"])
        if all(line.delivered_quantity >= line.quantity for line in lines.values()):
            order.delivery_status = DeliveryStatus.FULL
        elif any(line.delivered_quantity for line in lines.values()):
            order.delivery_status = DeliveryStatus.PARTIAL
        else:
            order.delivery_status = DeliveryStatus.NONE
        target = {
            DeliveryStatus.FULL: S.DELIVERED,
            DeliveryStatus.PARTIAL: S.PARTIALLY_DELIVERED,
            DeliveryStatus.NONE: S.CONFIRMED,
        }[order.delivery_status]
        if target != order.status:
            _move(order, target, actor=actor, before=before)
        else:
            order.save()
            audit.record(actor=actor, obj=order, action=AuditAction.UPDATE, before=before)
    return order


def record_payment(*, actor, order: SalesOrder, amount) -> SalesOrder:
    """Finance reports money received (negative: refunded); the payment status is derived from the total."""
    with transaction.atomic():
        order = _lock(order, actor)
        if order.status in (S.DRAFT, S.SUBMITTED, S.CANCELLED):
            raise ApplicationError(_("未确认或已取消的订单不能登记收款。"), code="not_payable")
        before = audit.snapshot(order)
        order.paid_amount = quantize_amount(order.paid_amount + to_decimal(amount))
        if order.paid_amount < 0:
            raise ApplicationError(_("已收金额不能为负数。"), code="invalid_amount")
        if order.paid_amount == 0:
            order.payment_status = PaymentStatus.NONE
        elif order.paid_amount < order.gross_amount:
            order.payment_status = PaymentStatus.PARTIAL
        elif order.paid_amount == order.gross_amount:
            order.payment_status = PaymentStatus.FULL
        else:
            order.payment_status = PaymentStatus.OVERPAID
        order.save()
        audit.record(actor=actor, obj=order, action=AuditAction.UPDATE, before=before)
    return order


#
# What the approval engine is told and what it calls back
#


def _approved(order: SalesOrder, actor) -> None:
    _confirm(order, actor=actor, message=_("审批通过，订单确认"))


def _sent_back(message):
    def callback(order: SalesOrder, actor, comment: str = "") -> None:
        _move(order, S.DRAFT, actor=actor, message=f"{message}：{comment}" if comment else str(message))

    return callback


def register() -> None:
    from .documents_demo import ensure_default_flows, load_document_demo

    register_setup_step(ensure_default_flows, order=50)
    register_demo_loader(load_document_demo, order=50)
    register_detail_tab(
        "partners.partner",
        DetailTab("orders", pgettext_lazy("plural", "销售订单"), "sales:partner_orders", 60, "sales.salesorder"),
    )
    register_approvable(
        Approvable(
            model_label="sales.salesorder",
            verbose_name=gettext_lazy("销售订单"),
            facts=document_facts,
            snapshot=document_snapshot,
            url=lambda order: reverse("sales:salesorder_detail", args=[order.pk]),
            on_approved=_approved,
            on_rejected=_sent_back(gettext_lazy("审批驳回")),
            on_returned=_sent_back(gettext_lazy("退回修改")),
        )
    )
