"""Sales orders (销售订单): every write and the moves of their workflow (STYLE.md §2, §7), declared once in
:data:`ORDER_WORKFLOW`.

draft → submitted → (approval) → confirmed → partially delivered → delivered → closed, and cancelled.
Confirming asks the approval engine first: when a flow applies the order waits in "submitted" and the
final approval confirms it; otherwise it is confirmed at once. Either way the number (SO202611-00042) is
given on confirmation, never on a draft. Delivered quantities and the paid amount are never typed or
counted up here: inventory and finance report what their records add up to through
:func:`sync_order_fulfilment`, and the order's delivery and payment status follow from those totals.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.catalog.lines.pricing import LineInput, copy_lines
from keshang.core import audit
from keshang.core.approvals import cancel_approval, submit_for_approval
from keshang.core.documents.totals import store_totals
from keshang.core.documents.workflow import Move, Workflow, approval_moves
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalStatus, AuditAction
from keshang.core.money import quantize_amount, to_decimal
from keshang.core.numbering import next_number
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope

from ..models import (
    DeliveryStatus,
    PaymentStatus,
    Quotation,
    QuotationStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from .documents import (
    apply_header,
    check_partner,
    check_version,
    lock_document,
    mark_partner_deal,
    save_changed_document,
    save_new_document,
    validation_exclusions,
)

__all__ = [
    "ORDER_WORKFLOW",
    "ORDER_FIELDS",
    "create_sales_order",
    "create_order_from_quotation",
    "update_sales_order",
    "delete_sales_order",
    "confirm_sales_order",
    "withdraw_sales_order",
    "cancel_sales_order",
    "close_sales_order",
    "sync_order_fulfilment",
    "order_approved",
]

S = SalesOrderStatus
ORDER_FIELDS = (
    "seller",
    "partner",
    "contact",
    "currency",
    "order_date",
    "delivery_date",
    "delivery_address",
    "payment_terms",
    "delivery_terms",
    "notes",
)
DELIVERABLE = (S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED)


def _lock(order: SalesOrder, actor, action: str = Action.CHANGE) -> SalesOrder:
    return lock_document(order, actor=actor, action=action)


def _move(order: SalesOrder, to: str, *, actor, message: str = "", before: dict | None = None) -> None:
    ORDER_WORKFLOW.move(order, to, actor=actor, message=message, before=before)


def _apply(order: SalesOrder, data: dict) -> None:
    apply_header(order, data, ORDER_FIELDS)
    if order.delivery_date and order.order_date and order.delivery_date < order.order_date:
        message = _("交货日期不能早于订单日期。")
        raise ApplicationError(message, fields={"delivery_date": [message]})


def create_sales_order(
    *, actor, data: dict, lines: list[LineInput], quotation: Quotation | None = None, historic: bool = False
) -> SalesOrder:
    """A draft order dated within the open period (``historic``: the system recording past business)."""
    with transaction.atomic():
        order = SalesOrder(quotation=quotation)
        data = {"order_date": timezone.localdate(), **data}
        save_new_document(order, SalesOrderLine, actor=actor, data=data, lines=lines, apply=_apply, historic=historic)
    return order


def create_order_from_quotation(*, actor, quotation: Quotation) -> SalesOrder:
    """A draft order with the accepted quotation's customer, terms and lines, exactly as priced there. One
    accepted quotation makes one order; another only after that one is cancelled (checked under the quotation's
    row lock, so two people converting it at once make one order)."""
    with transaction.atomic():
        quotation = Quotation.objects.visible_to(actor, Action.VIEW).select_for_update().get(pk=quotation.pk)
        if quotation.status != QuotationStatus.ACCEPTED:
            raise ApplicationError(_("只有客户已接受的报价单才能转为订单。"), code="quotation_not_accepted")
        existing = quotation.live_order()
        if existing is not None:
            raise ApplicationError(
                _("报价单 %(quotation)s 已生成订单 %(order)s；如需重新下单，请先取消该订单。")
                % {"quotation": quotation, "order": existing},
                code="quotation_already_ordered",
            )
        check_partner(actor=actor, partner=quotation.partner)
        order = SalesOrder(
            seller=quotation.seller,
            partner=quotation.partner,
            contact=quotation.contact,
            quotation=quotation,
            currency=quotation.currency,
            order_date=timezone.localdate(),
            payment_terms=quotation.payment_terms,
            delivery_terms=quotation.delivery_terms,
            notes=quotation.notes,
            owner=quotation.owner,
            department=quotation.department,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        # The prices are those the customer accepted; the seller, contact and currency are checked again and the
        # rate is the order date's, as on any new order (its CNY amounts are what approval flows compare).
        apply_header(order, {}, ())
        order.full_clean(exclude=validation_exclusions(order, "number"))
        order.save()
        lines = copy_lines(quotation.lines.all(), order, SalesOrderLine, skip=("delivered_quantity",))
        store_totals(order, lines)
        order.save()
        audit.record(
            actor=actor, obj=order, action=AuditAction.CREATE, message=_("由报价单 %(q)s 生成") % {"q": quotation}
        )
        recheck_scope(user=actor, obj=order, action=Action.VIEW)
    return order


def update_sales_order(
    *, actor, order: SalesOrder, data: dict, lines: list[LineInput], expected_version: int | None = None
) -> SalesOrder:
    with transaction.atomic():
        order = _lock(order, actor)
        check_version(order, expected_version)
        if order.status != S.DRAFT:
            raise ApplicationError(_("只有草稿订单可以修改；已确认的订单请取消后重新下单。"), code="not_editable")
        save_changed_document(order, SalesOrderLine, actor=actor, data=data, lines=lines, apply=_apply)
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
    # Numbered for the day it is confirmed, never a typed date (issue 12, finding 13).
    order.number = order.number or next_number("SO", on=timezone.localdate())
    order.confirmed_at = timezone.now()
    order.confirmed_by = actor if getattr(actor, "pk", None) else None
    # Only the number and the stamps changed since the draft was validated; the related rows are unchanged, and
    # the number is the sequence's next (unique by construction, and by the column's constraint).
    order.full_clean(
        exclude=["owner", "department", "created_by", "seller", "partner", "contact", "quotation", "confirmed_by"],
        validate_unique=False,
    )
    _move(order, S.CONFIRMED, actor=actor, before=before, message=message)
    mark_partner_deal(order)


def confirm_sales_order(*, actor, order: SalesOrder) -> SalesOrder:
    """Confirm a draft: through approval when a flow applies (the order then waits in "submitted"), else now.
    Confirming twice, or confirming an order waiting for approval, is refused."""
    with transaction.atomic():
        order = _lock(order, actor)
        ORDER_WORKFLOW.check_move(order, ORDER_WORKFLOW.get("confirm"))
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
    """The submitter takes an order back from approval to change it."""
    with transaction.atomic():
        order = _lock(order, actor)
        ORDER_WORKFLOW.withdraw_from_approval(order, actor=actor)
    return order


def cancel_sales_order(*, actor, order: SalesOrder, reason: str) -> SalesOrder:
    """Cancel an order not yet shipped, saying why; an order waiting for approval leaves the approvers' inbox."""
    if not (reason or "").strip():
        raise ApplicationError(
            _("请填写取消原因。"), code="reason_required", fields={"reason": [_("请填写取消原因。")]}
        )
    with transaction.atomic():
        order = _lock(order, actor)
        ORDER_WORKFLOW.check(order, to=S.CANCELLED)
        if order.status == S.SUBMITTED:
            cancel_approval(obj=order, actor=actor)
        before = audit.snapshot(order)
        order.cancelled_at = timezone.now()
        order.cancel_reason = reason.strip()[:200]
        _move(order, S.CANCELLED, actor=actor, before=before, message=order.cancel_reason)
    return order


def close_sales_order(*, actor, order: SalesOrder) -> SalesOrder:
    """Close a delivered order: nothing more happens on it."""
    with transaction.atomic():
        order = _lock(order, actor)
        before = audit.snapshot(order)
        order.closed_at = timezone.now()
        _move(order, S.CLOSED, actor=actor, before=before)
    return order


def _delivery_status(lines) -> str:
    if all(line.delivered_quantity >= line.quantity for line in lines):
        return DeliveryStatus.FULL
    if any(line.delivered_quantity for line in lines):
        return DeliveryStatus.PARTIAL
    return DeliveryStatus.NONE


def _payment_status(paid: Decimal, due: Decimal) -> str:
    if paid == 0:
        return PaymentStatus.NONE
    if paid < due:
        return PaymentStatus.PARTIAL
    return PaymentStatus.FULL if paid == due else PaymentStatus.OVERPAID


def sync_order_fulfilment(
    *, actor, order: SalesOrder, delivered: dict[int, Decimal] | None = None, paid: Decimal | None = None
) -> SalesOrder:
    """The seam inventory and finance report through: ``delivered`` maps line ids to the quantity their records
    now add up to (shipped less returned), ``paid`` is what the receipts allocated to the order add up to. Totals,
    not increments, so reporting twice changes nothing; the order's status follows from them."""
    with transaction.atomic():
        order = _lock(order, actor)
        if order.status not in DELIVERABLE:
            raise ApplicationError(_("只有已确认的订单可以登记发货或收款。"), code="not_fulfillable")
        before = audit.snapshot(order)
        if delivered is not None:
            lines = {line.pk: line for line in order.lines.select_for_update()}
            for line_id, quantity in delivered.items():
                line = lines.get(line_id)
                if line is None:
                    raise ApplicationError(_("明细不属于该订单。"), code="invalid_line")
                quantity = to_decimal(quantity)
                if quantity < 0 or quantity > line.quantity:
                    raise ApplicationError(
                        _("第 %(line)s 行发货数量超出范围。") % {"line": line.position}, code="invalid_quantity"
                    )
                line.delivered_quantity = quantity
            SalesOrderLine.objects.bulk_update(lines.values(), ["delivered_quantity"])
            order.delivery_status = _delivery_status(lines.values())
        if paid is not None:
            paid = quantize_amount(paid)
            if paid < 0:
                raise ApplicationError(_("已收金额不能为负数。"), code="invalid_amount")
            order.paid_amount = paid
            order.payment_status = _payment_status(paid, order.gross_amount)
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


#
# What the approval engine calls back
#


def order_approved(order: SalesOrder, actor) -> None:
    _confirm(order, actor=actor, message=_("审批通过，订单确认"))


#
# The workflow, declared once: the transition check, the buttons, the move pages and the API actions
#

ORDER_WORKFLOW = Workflow(
    resource="sales.salesorder",
    document_kwarg="order",
    pending=S.SUBMITTED,
    moves=[
        # "Submit" and "confirm" are one move: confirming asks for approval when a flow applies.
        Move(
            "confirm",
            gettext_lazy("确认订单"),
            (S.DRAFT,),
            (S.SUBMITTED, S.CONFIRMED),
            service=confirm_sales_order,
            style="btn-primary",
            api_aliases=("submit",),
        ),
        *approval_moves(pending=S.SUBMITTED, approved=S.CONFIRMED, withdraw=withdraw_sales_order),
        Move(
            "deliver",
            gettext_lazy("发货"),
            DELIVERABLE,
            (S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED),
        ),
        Move(
            "close",
            gettext_lazy("关闭"),
            (S.DELIVERED,),
            (S.CLOSED,),
            service=close_sales_order,
            confirm=True,
        ),
        Move(
            "cancel",
            gettext_lazy("取消订单"),
            (S.DRAFT, S.SUBMITTED, S.CONFIRMED),
            (S.CANCELLED,),
            service=cancel_sales_order,
            reason="required",
            style="btn-outline-danger",
        ),
    ],
)
