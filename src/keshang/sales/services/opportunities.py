"""Opportunities (商机): every write (STYLE.md §2).

An opportunity moves through configurable stages (``OpportunityStage``); every move is recorded in
``OpportunityStageChange`` (who, from, to, when) and in the audit trail. A stage flagged ``is_won`` or
``is_lost`` closes the opportunity, and closing needs a reason. The open/won/lost status follows the stage;
its moves are declared in :data:`OPPORTUNITY_WORKFLOW` like every document's.

``actor=None`` is the system (demo data, setup, jobs): it has no data scope to check.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import audit
from keshang.core.documents.workflow import Move, Workflow
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.money import quantize_amount
from keshang.core.permissions import Action
from keshang.partners.models import Partner
from keshang.partners.selectors import list_partners

from ..models import Competitor, Opportunity, OpportunityStage, OpportunityStageChange, OpportunityStatus, Quotation
from .documents import check_partner

__all__ = [
    "OPPORTUNITY_FIELDS",
    "OPPORTUNITY_WORKFLOW",
    "DEFAULT_STAGES",
    "create_opportunity",
    "update_opportunity",
    "delete_opportunity",
    "move_opportunity_stage",
    "save_competitor",
    "delete_competitor",
    "create_stage",
    "update_stage",
    "delete_stage",
    "ensure_default_stages",
    "weighted_amount",
]

# What create/update take; status and closed_at follow the stage, never typed in.
OPPORTUNITY_FIELDS = {
    "name",
    "partner",
    "stage",
    "expected_amount",
    "expected_close_date",
    "source",
    "close_reason",
    "notes",
    "owner",
    "department",
}
STAGE_FIELDS = {"name", "order", "probability", "is_won", "is_lost", "is_active"}

# (name, order, probability, is_won, is_lost): the funnel every installation starts with.
DEFAULT_STAGES = (
    ("初步接洽", 10, 10, False, False),
    ("需求确认", 20, 25, False, False),
    ("方案报价", 30, 50, False, False),
    ("商务谈判", 40, 75, False, False),
    ("赢单", 90, 100, True, False),
    ("输单", 95, 0, False, True),
)


def _is_system(actor) -> bool:
    return actor is None or not getattr(actor, "is_authenticated", False)


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    """加权金额: the expected amount at the stage's win probability, rounded to cents once."""
    return quantize_amount(amount * probability / 100)


#
# Opportunities
#


def _check_partner(*, actor, partner: Partner) -> None:
    """The customer must be one the actor can see (nobody opens a deal on someone else's hidden customer), a
    customer, and one the actor may change (:func:`~.documents.check_partner`)."""
    if not _is_system(actor) and not list_partners(user=actor, action=Action.VIEW).filter(pk=partner.pk).exists():
        raise ValidationError({"partner": _("请选择您有权查看的客户。")})
    check_partner(actor=actor, partner=partner)


def _check_contacts(partner: Partner, contacts) -> None:
    strangers = [contact for contact in contacts if contact.partner_id != partner.pk]
    if strangers:
        names = "、".join(str(contact) for contact in strangers)
        message = _("联系人“%(names)s”不属于客户“%(partner)s”。") % {"names": names, "partner": partner}
        raise ValidationError({"contacts": message})


def _check_close_reason(stage: OpportunityStage, reason: str, *, field_name: str) -> None:
    if (stage.is_won or stage.is_lost) and not (reason or "").strip():
        message = _("移动到“%(stage)s”需要填写赢单或输单原因。") % {"stage": stage}
        raise ApplicationError(message, code="close_reason_required", fields={field_name: [message]})


def _status_of(stage: OpportunityStage) -> str:
    if stage.is_won:
        return OpportunityStatus.WON
    return OpportunityStatus.LOST if stage.is_lost else OpportunityStatus.OPEN


def _apply_stage(opportunity: Opportunity, stage: OpportunityStage, *, reason: str) -> None:
    """Status, close reason and closing time follow the stage (won/lost close, any other stage reopens)."""
    was_closed = opportunity.status != OpportunityStatus.OPEN
    opportunity.stage = stage
    if stage.is_won or stage.is_lost:
        opportunity.status = _status_of(stage)
        opportunity.close_reason = reason.strip()
        if not was_closed or opportunity.closed_at is None:
            opportunity.closed_at = timezone.now()
    else:
        opportunity.status = OpportunityStatus.OPEN
        opportunity.close_reason = ""
        opportunity.closed_at = None


def _check_stage_active(stage: OpportunityStage, *, field_name: str) -> None:
    if not stage.is_active:
        message = _("阶段“%(stage)s”已停用。") % {"stage": stage}
        raise ApplicationError(message, code="inactive_stage", fields={field_name: [message]})


def _first_stage() -> OpportunityStage:
    stage = OpportunityStage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order", "pk").first()
    if stage is None:
        raise ValidationError({"stage": _("请先在“商机阶段”中设置阶段。")})
    return stage


def _record_stage_change(*, opportunity: Opportunity, from_stage, actor) -> OpportunityStageChange:
    return OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        changed_by=None if _is_system(actor) else actor,
    )


def create_opportunity(*, actor, data: dict, contacts=None) -> Opportunity:
    """Create an opportunity owned by ``data['owner']`` (the actor by default) in the owner's department,
    on a customer the actor can see, in ``data['stage']`` (the first open stage by default)."""
    unknown = set(data) - OPPORTUNITY_FIELDS
    if unknown:
        raise ValueError(f"unknown opportunity fields: {sorted(unknown)}")
    contacts = list(contacts or [])
    with transaction.atomic():
        values = dict(data)
        stage = values.pop("stage", None) or _first_stage()
        reason = values.pop("close_reason", "") or ""
        opportunity = Opportunity(**values)
        if opportunity.owner_id is None and not _is_system(actor):
            opportunity.owner = actor
        if "department" not in data and opportunity.owner_id is not None:
            opportunity.department = opportunity.owner.department
        opportunity.created_by = None if _is_system(actor) else actor
        if opportunity.partner_id is not None:
            _check_partner(actor=actor, partner=opportunity.partner)
            _check_contacts(opportunity.partner, contacts)
        _check_stage_active(stage, field_name="stage")
        _check_close_reason(stage, reason, field_name="close_reason")
        _apply_stage(opportunity, stage, reason=reason)
        opportunity.full_clean()
        opportunity.save()
        opportunity.contacts.set(contacts)
        _record_stage_change(opportunity=opportunity, from_stage=None, actor=actor)
        audit.record(actor=actor, obj=opportunity, action=AuditAction.CREATE)
    return opportunity


def update_opportunity(*, actor, opportunity: Opportunity, data: dict, contacts=None) -> Opportunity:
    """Change an opportunity's fields; a new stage is a move (history row, status, close reason).
    ``contacts=None`` leaves the contacts alone, except those no longer of the (changed) customer."""
    unknown = set(data) - OPPORTUNITY_FIELDS
    if unknown:
        raise ValueError(f"unknown opportunity fields: {sorted(unknown)}")
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        before = audit.snapshot(opportunity)
        values = dict(data)
        stage = values.pop("stage", None)
        reason = values.pop("close_reason", None)
        old_partner_id, old_owner_id, from_stage = opportunity.partner_id, opportunity.owner_id, opportunity.stage
        for name, value in values.items():
            setattr(opportunity, name, value)
        if opportunity.owner_id != old_owner_id and "department" not in data:
            opportunity.department = opportunity.owner.department
        if opportunity.partner_id != old_partner_id:
            _check_partner(actor=actor, partner=opportunity.partner)
            if _has_quotations(opportunity):
                # Its quotations are the old customer's; they would no longer match their opportunity.
                message = _("该商机已有报价单，不能更换客户。")
                raise ApplicationError(message, code="opportunity_has_quotations", fields={"partner": [message]})
        if contacts is None:
            contacts = opportunity.contacts.filter(partner=opportunity.partner_id)
        contacts = list(contacts)
        _check_contacts(opportunity.partner, contacts)
        moved = stage is not None and stage.pk != from_stage.pk
        if moved:
            _check_stage_active(stage, field_name="stage")
            _check_close_reason(stage, reason or "", field_name="close_reason")
            _apply_stage(opportunity, stage, reason=reason or "")
        elif reason is not None and opportunity.status != OpportunityStatus.OPEN:
            _check_close_reason(opportunity.stage, reason, field_name="close_reason")
            opportunity.close_reason = reason.strip()
        opportunity.full_clean()
        opportunity.save()
        opportunity.contacts.set(contacts)
        if moved:
            _record_stage_change(opportunity=opportunity, from_stage=from_stage, actor=actor)
        if before != audit.snapshot(opportunity):
            audit.record(actor=actor, obj=opportunity, action=AuditAction.UPDATE, before=before)
    return opportunity


def _has_quotations(opportunity: Opportunity) -> bool:
    # Any quotation, whoever's: a check of the opportunity's integrity, not a read shown to the actor.
    return Quotation.objects.unscoped().filter(opportunity=opportunity).exists()


def delete_opportunity(*, actor, opportunity: Opportunity) -> None:
    """Its competitors and stage history go with it. One with quotations stays (they name it): it is closed as
    won or lost instead."""
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if _has_quotations(opportunity):
            raise ApplicationError(
                _("商机“%(opportunity)s”已有报价单，不能删除；请将其关闭（赢单或输单）。")
                % {"opportunity": opportunity},
                code="opportunity_has_quotations",
            )
        audit.record(actor=actor, obj=opportunity, action=AuditAction.DELETE, before=audit.snapshot(opportunity))
        opportunity.delete()


def move_opportunity_stage(
    *, opportunity: Opportunity, stage: OpportunityStage, actor, reason: str = ""
) -> Opportunity:
    """Move to another active stage: the board's drag and drop, the detail page's "移动到…".

    Any active stage may follow any other (a lost deal can be revived); the same stage is refused, and a
    won or lost stage needs ``reason``. Writes the stage history row and an audit entry.
    """
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
        from_stage = opportunity.stage
        if stage.pk == from_stage.pk:
            message = _("商机已在“%(stage)s”阶段。") % {"stage": stage}
            raise ApplicationError(message, code="same_stage", fields={"stage": [message]})
        _check_stage_active(stage, field_name="stage")
        _check_close_reason(stage, reason, field_name="reason")
        OPPORTUNITY_WORKFLOW.check(opportunity, to=_status_of(stage))
        before = audit.snapshot(opportunity)
        _apply_stage(opportunity, stage, reason=reason)
        opportunity.full_clean()
        opportunity.save(update_fields=["stage", "status", "close_reason", "closed_at", "updated_at"])
        _record_stage_change(opportunity=opportunity, from_stage=from_stage, actor=actor)
        audit.record(
            actor=actor,
            obj=opportunity,
            action=AuditAction.STATE,
            before=before,
            message=f"{from_stage} → {stage}",
        )
    return opportunity


#
# Competitors: parts of an opportunity, recorded in its history
#


def save_competitor(*, actor, opportunity: Opportunity, competitor: Competitor | None = None, data: dict) -> Competitor:
    with transaction.atomic():
        instance = competitor or Competitor(opportunity=opportunity)
        is_new = instance.pk is None
        before = None if is_new else audit.snapshot(Competitor.objects.get(pk=instance.pk))
        for name, value in data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        if is_new or before != audit.snapshot(instance):
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                before=before,
                related=instance.opportunity,
            )
    return instance


def delete_competitor(*, actor, competitor: Competitor) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            obj=competitor,
            action=AuditAction.DELETE,
            before=audit.snapshot(competitor),
            related=competitor.opportunity,
        )
        competitor.delete()


#
# Stages (admins configure them)
#


def _check_stage_rules(stage: OpportunityStage, *, was_won: bool = False) -> None:
    """Exactly one won stage, at most one lost stage, never both on one stage, and no active open
    opportunities left in a stage being switched off."""
    errors: dict[str, str] = {}
    others = OpportunityStage.objects.exclude(pk=stage.pk)
    if stage.is_won and stage.is_lost:
        errors["is_lost"] = _("一个阶段不能既是赢单阶段又是输单阶段。")
    if stage.is_won:
        other = others.filter(is_won=True).first()
        if other is not None:
            errors["is_won"] = _("已有赢单阶段“%(stage)s”，只能有一个赢单阶段。") % {"stage": other}
        elif not stage.is_active:
            errors["is_active"] = _("赢单阶段不能停用。")
    elif was_won:
        errors["is_won"] = _("必须保留一个赢单阶段：请先把另一个阶段设为赢单阶段。")
    if stage.is_lost:
        other = others.filter(is_lost=True).first()
        if other is not None:
            errors["is_lost"] = _("已有输单阶段“%(stage)s”，最多只能有一个输单阶段。") % {"stage": other}
    if stage.pk and not stage.is_active:
        # Deliberately unscoped: a stage is shared by everyone's opportunities, not just the admin's.
        open_count = Opportunity.objects.unscoped().filter(stage=stage, status=OpportunityStatus.OPEN).count()
        if open_count:
            errors["is_active"] = _("该阶段还有 %(count)s 个进行中的商机，请先把它们移到其他阶段再停用。") % {
                "count": open_count
            }
    if errors:
        raise ValidationError(errors)


def create_stage(*, actor, data: dict) -> OpportunityStage:
    unknown = set(data) - STAGE_FIELDS
    if unknown:
        raise ValueError(f"unknown stage fields: {sorted(unknown)}")
    with transaction.atomic():
        stage = OpportunityStage(**data)
        _check_stage_rules(stage)
        stage.full_clean()
        stage.save()
        audit.record(actor=actor, obj=stage, action=AuditAction.CREATE)
    return stage


def update_stage(*, actor, stage: OpportunityStage, data: dict) -> OpportunityStage:
    unknown = set(data) - STAGE_FIELDS
    if unknown:
        raise ValueError(f"unknown stage fields: {sorted(unknown)}")
    with transaction.atomic():
        stage = OpportunityStage.objects.select_for_update().get(pk=stage.pk)
        before = audit.snapshot(stage)
        was_won = stage.is_won
        for name, value in data.items():
            setattr(stage, name, value)
        _check_stage_rules(stage, was_won=was_won)
        stage.full_clean()
        stage.save()
        if before != audit.snapshot(stage):
            audit.record(actor=actor, obj=stage, action=AuditAction.UPDATE, before=before)
    return stage


def delete_stage(*, actor, stage: OpportunityStage) -> None:
    """Only a stage no opportunity is or ever was in; the won stage stays. Others can be switched off."""
    with transaction.atomic():
        # Deliberately unscoped: whether anyone's opportunity uses the stage, not just the admin's.
        in_use = Opportunity.objects.unscoped().filter(stage=stage).count()
        in_history = OpportunityStageChange.objects.unscoped().filter(Q(from_stage=stage) | Q(to_stage=stage)).exists()
        if in_use or in_history:
            raise ApplicationError(
                _("阶段“%(stage)s”已被商机使用过（当前 %(count)s 个），不能删除；可以编辑并取消“启用”。")
                % {"stage": stage, "count": in_use},
                code="stage_in_use",
            )
        if stage.is_won:
            raise ApplicationError(_("赢单阶段不能删除：必须保留一个赢单阶段。"), code="won_stage_required")
        audit.record(actor=actor, obj=stage, action=AuditAction.DELETE, before=audit.snapshot(stage))
        stage.delete()


def ensure_default_stages() -> None:
    """The six default stages, created on the first `keshang setup` only: once any stage exists the
    admins own the list, and a renamed or deleted default must not come back."""
    with transaction.atomic():
        if OpportunityStage.objects.exists():
            return
        for name, order, probability, is_won, is_lost in DEFAULT_STAGES:
            stage = OpportunityStage.objects.create(
                name=name, order=order, probability=probability, is_won=is_won, is_lost=is_lost
            )
            audit.record(actor=None, obj=stage, action=AuditAction.CREATE, user_name="setup")


#
# The workflow, declared once. Stages are configurable, so there is one move, "移动到…" (any active stage may
# follow any other: a lost deal can be revived); its page and API action take the stage and, for a won or lost
# stage, the reason. The declaration gives the transition check, the detail page's button and the permission
# both the page and the API action ask.
#

_ALL = tuple(OpportunityStatus.values)
OPPORTUNITY_WORKFLOW = Workflow(
    resource="sales.opportunity",
    document_kwarg="opportunity",
    moves=[
        Move(
            "move",
            gettext_lazy("移动到…"),
            _ALL,
            _ALL,
            service=move_opportunity_stage,
            permission=Action.CHANGE,
            style="btn-outline-primary",
        )
    ],
)
