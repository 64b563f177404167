"""Quotations (报价): every write and the moves of their workflow (STYLE.md §2, §7), declared once in
:data:`QUOTATION_WORKFLOW`.

draft → submitted → (approval) → approved → sent → accepted / rejected / expired. Submitting gives the
number (QT202611-00001) and asks the approval engine; when no flow applies the quotation is approved at
once. Editing an approved quotation sends it back through approval, with the last approved snapshot kept
for comparison. A revision is a new draft with the same number and the next revision number; the old one
is kept read-only as "superseded". Copying makes an unrelated new draft, which must be submitted like any.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.catalog.lines.pricing import LineInput, copy_lines
from keshang.core import audit
from keshang.core.approvals import submit_for_approval
from keshang.core.documents.totals import store_totals
from keshang.core.documents.workflow import Move, Workflow, approval_moves
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalStatus, AuditAction
from keshang.core.numbering import next_number
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope

from ..models import Quotation, QuotationLine, QuotationStatus
from .documents import (
    apply_header,
    check_version,
    lock_document,
    mark_partner_deal,
    save_changed_document,
    save_new_document,
)
from .orders import create_order_from_quotation

__all__ = [
    "QUOTATION_WORKFLOW",
    "QUOTATION_FIELDS",
    "EDITABLE_STATES",
    "create_quotation",
    "update_quotation",
    "delete_quotation",
    "submit_quotation",
    "withdraw_quotation",
    "mark_quotation_sent",
    "accept_quotation",
    "reject_quotation",
    "expire_quotations",
    "copy_quotation",
    "revise_quotation",
    "quotation_approved",
]

S = QuotationStatus
EDITABLE_STATES = (S.DRAFT, S.APPROVED)
QUOTATION_FIELDS = (
    "seller",
    "partner",
    "contact",
    "opportunity",
    "currency",
    "quote_date",
    "valid_until",
    "payment_terms",
    "delivery_terms",
    "notes",
)
DEFAULT_VALIDITY = datetime.timedelta(days=30)


def _lock(quotation: Quotation, actor, action: str = Action.CHANGE) -> Quotation:
    return lock_document(quotation, actor=actor, action=action)


def _move(quotation: Quotation, to: str, *, actor, message: str = "", before: dict | None = None) -> None:
    QUOTATION_WORKFLOW.move(quotation, to, actor=actor, message=message, before=before)


def _apply(quotation: Quotation, data: dict) -> None:
    apply_header(quotation, data, QUOTATION_FIELDS)
    if quotation.opportunity_id and quotation.opportunity.partner_id != quotation.partner_id:
        raise ApplicationError(_("商机不属于所选客户。"), fields={"opportunity": [_("商机不属于所选客户。")]})
    if quotation.quote_date and not quotation.valid_until:
        quotation.valid_until = quotation.quote_date + DEFAULT_VALIDITY
    if quotation.valid_until and quotation.quote_date and quotation.valid_until < quotation.quote_date:
        message = _("有效期不能早于报价日期。")
        raise ApplicationError(message, fields={"valid_until": [message]})


def create_quotation(*, actor, data: dict, lines: list[LineInput], historic: bool = False) -> Quotation:
    """A draft quotation dated within the open period (``historic``: the system recording past business)."""
    with transaction.atomic():
        quotation = Quotation()
        data = {"quote_date": timezone.localdate(), **data}
        save_new_document(
            quotation, QuotationLine, actor=actor, data=data, lines=lines, apply=_apply, historic=historic
        )
    return quotation


def update_quotation(
    *, actor, quotation: Quotation, data: dict, lines: list[LineInput], expected_version: int | None = None
) -> Quotation:
    """Change a draft, or an approved quotation, which then goes back for approval."""
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        check_version(quotation, expected_version)
        if quotation.status not in EDITABLE_STATES:
            raise ApplicationError(
                _("“%(state)s”状态的报价单不能修改，请使用“修订”。") % {"state": quotation.get_status_display()},
                code="not_editable",
            )
        was_approved = quotation.status == S.APPROVED
        save_changed_document(quotation, QuotationLine, actor=actor, data=data, lines=lines, apply=_apply)
        if was_approved:
            _submit(quotation, actor=actor, message=_("批准后被修改，重新提交审批"))
    return quotation


def delete_quotation(*, actor, quotation: Quotation) -> None:
    with transaction.atomic():
        quotation = _lock(quotation, actor, Action.DELETE)
        if quotation.status != S.DRAFT or quotation.number:
            raise ApplicationError(_("只能删除未提交过的报价草稿；已编号的报价单请保留以备查。"), code="not_deletable")
        before = audit.snapshot(quotation)
        pk = quotation.pk
        quotation.delete()
        quotation.pk = pk  # the audit row names the deleted document
        audit.record(actor=actor, obj=quotation, action=AuditAction.DELETE, before=before)


def _submit(quotation: Quotation, *, actor, message: str) -> None:
    """Number the quotation if new, ask the engine, and land in submitted or (no flow applies) approved."""
    before = audit.snapshot(quotation)
    if not quotation.number:
        # Numbered for the day it is submitted, never a typed date (issue 12, finding 13).
        quotation.number = next_number("QT", on=timezone.localdate())
    quotation.submitted_at = timezone.now()
    request = submit_for_approval(obj=quotation, actor=actor)
    if request is None or request.status == ApprovalStatus.APPROVED:
        if quotation.status == S.APPROVED:
            # Edited after approval and no flow applies any more: it stays approved, as edited.
            quotation.save()
            audit.record(actor=actor, obj=quotation, action=AuditAction.STATE, before=before, message=message)
            return
        quotation.approved_at = timezone.now()
        _move(quotation, S.APPROVED, actor=actor, before=before, message=message or _("无需审批，自动批准"))
    else:
        _move(quotation, S.SUBMITTED, actor=actor, before=before, message=message or _("提交审批"))


def submit_quotation(*, actor, quotation: Quotation) -> Quotation:
    """Number the quotation and ask for approval (approved at once when no flow applies)."""
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        QUOTATION_WORKFLOW.check(quotation, to=S.SUBMITTED)
        if not quotation.lines.exists():
            raise ApplicationError(_("报价单没有明细，不能提交。"), code="no_lines")
        _submit(quotation, actor=actor, message="")
    return quotation


def withdraw_quotation(*, actor, quotation: Quotation) -> Quotation:
    """The submitter takes a quotation back from approval to change it."""
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        QUOTATION_WORKFLOW.withdraw_from_approval(quotation, actor=actor)
    return quotation


def _simple_move(quotation: Quotation, to: str, *, actor, stamp: str | None, message: str = "") -> Quotation:
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        before = audit.snapshot(quotation)
        if stamp:
            setattr(quotation, stamp, timezone.now())
        _move(quotation, to, actor=actor, before=before, message=message)
        if to == S.ACCEPTED:
            mark_partner_deal(quotation)
    return quotation


def mark_quotation_sent(*, actor, quotation: Quotation) -> Quotation:
    """The approved quotation went out to the customer."""
    return _simple_move(quotation, S.SENT, actor=actor, stamp="sent_at")


def accept_quotation(*, actor, quotation: Quotation, reason: str = "") -> Quotation:
    """The customer accepted: a deal, and the quotation may become an order."""
    return _simple_move(quotation, S.ACCEPTED, actor=actor, stamp="closed_at", message=reason)


def reject_quotation(*, actor, quotation: Quotation, reason: str = "") -> Quotation:
    """The customer said no; ``reason`` (why) goes into the audit trail."""
    return _simple_move(quotation, S.REJECTED, actor=actor, stamp="closed_at", message=reason)


def expire_quotations(*, on: datetime.date | None = None) -> int:
    """The daily job: approved or sent quotations past their validity expire. Runs for the system."""
    on = on or timezone.localdate()
    count = 0
    # The job acts for the company, not a user: every quotation past its date expires.
    overdue = Quotation.objects.unscoped().filter(status__in=(S.APPROVED, S.SENT), valid_until__lt=on)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            quotation = Quotation.objects.unscoped().select_for_update().get(pk=pk)
            if quotation.status in (S.APPROVED, S.SENT) and quotation.valid_until < on:
                _move(quotation, S.EXPIRED, actor=None, message=_("超过有效期"))
                count += 1
    return count


def _clone(quotation: Quotation, *, actor, **overrides) -> Quotation:
    """An exact copy, figures and all (a revision: the same date, rate and prices until it is edited)."""
    clone = Quotation(
        **{field: getattr(quotation, field) for field in QUOTATION_FIELDS},
        exchange_rate=quotation.exchange_rate,
        owner=actor if getattr(actor, "pk", None) else quotation.owner,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    clone.department = clone.owner.department
    for name, value in overrides.items():
        setattr(clone, name, value)
    clone.full_clean(exclude=["number", "revised_from"])
    clone.save()
    store_totals(clone, copy_lines(quotation.lines.all(), clone, QuotationLine))
    clone.save()
    return clone


def copy_quotation(*, actor, quotation: Quotation) -> Quotation:
    """A new draft for today with the same customer, terms and lines, owned by the actor, made as any new
    quotation is: a price the rules gave is given again by today's rules, a typed price stays as typed, a product
    discontinued since is refused (naming its line), the rate is today's. It must be submitted (and approved, if
    a flow applies) like any new quotation."""
    with transaction.atomic():
        source = _lock(quotation, actor, Action.VIEW)
        today = timezone.localdate()
        data = {field: getattr(source, field) for field in QUOTATION_FIELDS}
        data.update(quote_date=today, valid_until=today + DEFAULT_VALIDITY)
        lines = [LineInput.from_line(line) for line in source.lines.select_related("product", "unit")]
        clone = Quotation()
        message = _("复制自 %(source)s") % {"source": source}
        save_new_document(clone, QuotationLine, actor=actor, data=data, lines=lines, apply=_apply, message=message)
        recheck_scope(user=actor, obj=clone)
    return clone


def revise_quotation(*, actor, quotation: Quotation) -> Quotation:
    """The next revision: a draft with the same number and revision + 1; the old one becomes read-only."""
    with transaction.atomic():
        source = _lock(quotation, actor)
        QUOTATION_WORKFLOW.check(source, to=S.SUPERSEDED)
        revision = _clone(
            source,
            actor=actor,
            number=source.number,
            revision=source.revision + 1,
            revised_from=source,
            owner=source.owner,
            department=source.department,
        )
        _move(source, S.SUPERSEDED, actor=actor, message=_("已修订为 %(revision)s") % {"revision": revision})
        audit.record(
            actor=actor, obj=revision, action=AuditAction.CREATE, message=_("修订自 %(source)s") % {"source": source}
        )
        recheck_scope(user=actor, obj=revision)
    return revision


#
# What the approval engine calls back
#


def quotation_approved(quotation: Quotation, actor) -> None:
    quotation.approved_at = timezone.now()
    _move(quotation, S.APPROVED, actor=actor, message=_("审批通过"))


#
# The workflow, declared once: the transition check, the buttons, the move pages and the API actions
#

QUOTATION_WORKFLOW = Workflow(
    resource="sales.quotation",
    document_kwarg="quotation",
    pending=S.SUBMITTED,
    moves=[
        Move(
            "submit",
            gettext_lazy("提交"),
            (S.DRAFT,),
            (S.SUBMITTED, S.APPROVED),
            service=submit_quotation,
            style="btn-primary",
        ),
        *approval_moves(pending=S.SUBMITTED, approved=S.APPROVED, withdraw=withdraw_quotation),
        Move("resubmit", gettext_lazy("修改后重新审批"), (S.APPROVED,), (S.SUBMITTED,)),
        Move(
            "send",
            gettext_lazy("标记为已发送"),
            (S.APPROVED,),
            (S.SENT,),
            service=mark_quotation_sent,
            style="btn-outline-primary",
        ),
        Move(
            "accept",
            gettext_lazy("客户已接受"),
            (S.SENT,),
            (S.ACCEPTED,),
            service=accept_quotation,
            style="btn-success",
        ),
        Move(
            "reject",
            gettext_lazy("客户已拒绝"),
            (S.SENT,),
            (S.REJECTED,),
            service=reject_quotation,
            reason="optional",
            style="btn-outline-danger",
        ),
        Move("expire", gettext_lazy("过期"), (S.APPROVED, S.SENT), (S.EXPIRED,)),
        Move(
            "to_order",
            gettext_lazy("转为销售订单"),
            (S.ACCEPTED,),
            service=create_order_from_quotation,
            permission=Action.VIEW,
            creates="sales.salesorder",
            allowed=lambda quotation: quotation.live_order() is None,
            style="btn-success",
        ),
        Move(
            "revise",
            gettext_lazy("修订"),
            (S.APPROVED, S.SENT, S.REJECTED, S.EXPIRED),
            (S.SUPERSEDED,),
            service=revise_quotation,
        ),
        Move(
            "copy",
            gettext_lazy("复制"),
            tuple(S.values),
            service=copy_quotation,
            permission=Action.VIEW,
            creates="sales.quotation",
        ),
    ],
)
