"""Quotations (报价): every write and the moves of their state machine (STYLE.md §2, §7).

draft → submitted → (approval) → approved → sent → accepted / rejected / expired. Submitting gives the
number (QT202611-00001) and asks the approval engine; when no flow applies the quotation is approved at
once. Editing an approved quotation sends it back through approval, with the last approved snapshot kept
for comparison. A revision is a new draft with the same number and the next revision number; the old one
is kept read-only as "superseded". Copying makes an unrelated new draft, which must be submitted like any.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from keshang.core import audit
from keshang.core.approvals import Approvable, cancel_approval, register_approvable, submit_for_approval
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalStatus, AuditAction
from keshang.core.numbering import next_number
from keshang.core.permissions import Action
from keshang.core.registry import DetailTab, register_detail_tab
from keshang.core.scope import recheck_scope

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
from .models import Quotation, QuotationLine, QuotationStatus

__all__ = [
    "QUOTATION_TRANSITIONS",
    "QUOTATION_FIELDS",
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
    "register",
]

S = QuotationStatus
QUOTATION_TRANSITIONS = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.APPROVED),  # no flow applies
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.DRAFT),  # rejected, returned or withdrawn
    (S.APPROVED, S.SUBMITTED),  # edited after approval
    (S.APPROVED, S.SENT),
    (S.SENT, S.ACCEPTED),
    (S.SENT, S.REJECTED),
    (S.APPROVED, S.EXPIRED),
    (S.SENT, S.EXPIRED),
    (S.APPROVED, S.SUPERSEDED),
    (S.SENT, S.SUPERSEDED),
    (S.REJECTED, S.SUPERSEDED),
    (S.EXPIRED, S.SUPERSEDED),
}
EDITABLE = {S.DRAFT, S.APPROVED}
QUOTATION_FIELDS = (
    "partner",
    "contact",
    "opportunity",
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
    move_document(quotation, to, actor=actor, allowed=QUOTATION_TRANSITIONS, message=message, before=before)


def _apply(quotation: Quotation, data: dict) -> None:
    apply_header(quotation, data, QUOTATION_FIELDS)
    if quotation.opportunity_id and quotation.opportunity.partner_id != quotation.partner_id:
        raise ApplicationError(_("商机不属于所选客户。"), fields={"opportunity": [_("商机不属于所选客户。")]})
    if quotation.quote_date and not quotation.valid_until:
        quotation.valid_until = quotation.quote_date + DEFAULT_VALIDITY
    if quotation.valid_until and quotation.quote_date and quotation.valid_until < quotation.quote_date:
        message = _("有效期不能早于报价日期。")
        raise ApplicationError(message, fields={"valid_until": [message]})


def create_quotation(*, actor, data: dict, lines: list[LineInput]) -> Quotation:
    with transaction.atomic():
        quotation = Quotation(created_by=actor if getattr(actor, "pk", None) else None)
        data = {"quote_date": timezone.localdate(), **data}
        _apply(quotation, data)
        quotation.owner = data.get("owner") or actor
        quotation.department = data.get("department") or quotation.owner.department
        quotation.full_clean(exclude=validation_exclusions(quotation, "number"))
        quotation.save()
        saved = replace_lines(
            quotation, QuotationLine, lines, partner=quotation.partner, on=quotation.quote_date, new=True
        )
        store_totals(quotation, saved)
        quotation.save()
        audit.record(actor=actor, obj=quotation, action=AuditAction.CREATE)
    return quotation


def update_quotation(
    *, actor, quotation: Quotation, data: dict, lines: list[LineInput], expected_version: int | None = None
) -> Quotation:
    """Change a draft, or an approved quotation, which then goes back for approval."""
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        check_version(quotation, expected_version)
        if quotation.status not in EDITABLE:
            raise ApplicationError(
                _("“%(state)s”状态的报价单不能修改，请使用“修订”。") % {"state": quotation.get_status_display()},
                code="not_editable",
            )
        before = audit.snapshot(quotation)
        was_approved = quotation.status == S.APPROVED
        _apply(quotation, data)
        quotation.full_clean(exclude=validation_exclusions(quotation, "number"))
        saved = replace_lines(quotation, QuotationLine, lines, partner=quotation.partner, on=quotation.quote_date)
        store_totals(quotation, saved)
        quotation.version += 1
        quotation.save()
        audit.record(actor=actor, obj=quotation, action=AuditAction.UPDATE, before=before)
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
        quotation.number = next_number("QT", on=quotation.quote_date)
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
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        check_transition(quotation, to=S.SUBMITTED, allowed=QUOTATION_TRANSITIONS)
        if not quotation.lines.exists():
            raise ApplicationError(_("报价单没有明细，不能提交。"), code="no_lines")
        _submit(quotation, actor=actor, message="")
    return quotation


def withdraw_quotation(*, actor, quotation: Quotation) -> Quotation:
    """The submitter takes a quotation back from approval to change it."""
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        check_transition(quotation, to=S.DRAFT, allowed=QUOTATION_TRANSITIONS)
        cancel_approval(obj=quotation, actor=actor)
        _move(quotation, S.DRAFT, actor=actor, message=_("撤回审批"))
    return quotation


def _simple_move(quotation: Quotation, to: str, *, actor, stamp: str | None, message: str = "") -> Quotation:
    with transaction.atomic():
        quotation = _lock(quotation, actor)
        before = audit.snapshot(quotation)
        if stamp:
            setattr(quotation, stamp, timezone.now())
        _move(quotation, to, actor=actor, before=before, message=message)
    return quotation


def mark_quotation_sent(*, actor, quotation: Quotation) -> Quotation:
    return _simple_move(quotation, S.SENT, actor=actor, stamp="sent_at")


def accept_quotation(*, actor, quotation: Quotation, reason: str = "") -> Quotation:
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
    lines = list(quotation.lines.all())
    clone = Quotation(
        **{field: getattr(quotation, field) for field in QUOTATION_FIELDS},
        owner=actor if getattr(actor, "pk", None) else quotation.owner,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    clone.department = clone.owner.department
    for name, value in overrides.items():
        setattr(clone, name, value)
    clone.full_clean(exclude=["number", "revised_from"])
    clone.save()
    for line in lines:
        line.pk = None
        line.quotation = clone
    QuotationLine.objects.bulk_create(lines)
    store_totals(clone, lines)
    clone.save()
    return clone


def copy_quotation(*, actor, quotation: Quotation) -> Quotation:
    """A new draft with the same customer, terms and lines, owned by the actor; it must be submitted (and
    approved, if a flow applies) like any new quotation."""
    with transaction.atomic():
        source = _lock(quotation, actor, Action.VIEW)
        today = timezone.localdate()
        clone = _clone(source, actor=actor, quote_date=today, valid_until=today + DEFAULT_VALIDITY)
        audit.record(
            actor=actor, obj=clone, action=AuditAction.CREATE, message=_("复制自 %(source)s") % {"source": source}
        )
    return clone


def revise_quotation(*, actor, quotation: Quotation) -> Quotation:
    """The next revision: a draft with the same number and revision + 1; the old one becomes read-only."""
    with transaction.atomic():
        source = _lock(quotation, actor)
        check_transition(source, to=S.SUPERSEDED, allowed=QUOTATION_TRANSITIONS)
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
# What the approval engine is told and what it calls back
#


def _approved(quotation: Quotation, actor) -> None:
    quotation.approved_at = timezone.now()
    _move(quotation, S.APPROVED, actor=actor, message=_("审批通过"))


def _sent_back(message):
    def callback(quotation: Quotation, actor, comment: str = "") -> None:
        _move(quotation, S.DRAFT, actor=actor, message=f"{message}：{comment}" if comment else str(message))

    return callback


def register() -> None:
    register_detail_tab(
        "partners.partner",
        DetailTab("quotations", pgettext_lazy("plural", "报价单"), "sales:partner_quotations", 50, "sales.quotation"),
    )
    register_approvable(
        Approvable(
            model_label="sales.quotation",
            verbose_name=gettext_lazy("报价单"),
            facts=document_facts,
            snapshot=document_snapshot,
            url=lambda quotation: reverse("sales:quotation_detail", args=[quotation.pk]),
            on_approved=_approved,
            on_rejected=_sent_back(gettext_lazy("审批驳回")),
            on_returned=_sent_back(gettext_lazy("退回修改")),
        )
    )
