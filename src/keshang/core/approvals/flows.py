"""Configuring flows (administrators): a flow with its conditions and its ordered steps, saved as one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.documents.pricecontrol import PRICE_CONTROL_TYPE
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalFlow, ApprovalStatus, ApprovalStep, ApproverKind, AuditAction
from keshang.core.permissions import Action

from .registry import get_approvable

__all__ = ["STEP_FIELDS", "step_errors", "save_flow", "delete_flow", "list_flows"]

STEP_FIELDS = ("order", "name", "kind", "role", "users", "levels_up", "same_department", "mode")


def list_flows(*, user, action: str = Action.VIEW):
    return ApprovalFlow.objects.visible_to(user, action)


def step_errors(*, kind: str, role, users) -> dict[str, str]:
    """What a step of ``kind`` is missing: a role step needs its role, a named-users step its users."""
    if kind == ApproverKind.ROLE and role is None:
        return {"role": _("按角色审批时请选择角色。")}
    if kind == ApproverKind.USER and not users:
        return {"users": _("指定人员审批时请至少选择一位人员。")}
    return {}


def _check_steps(steps: list[dict]) -> None:
    if not steps:
        raise ApplicationError(
            _("审批流程至少需要一个步骤。"), code="no_steps", fields={"steps": [_("请添加审批步骤。")]}
        )
    orders = [step.get("order") for step in steps]
    if len(set(orders)) != len(orders):
        message = _("同一流程中步骤顺序不能重复。")
        raise ApplicationError(message, code="duplicate_step_order", fields={"steps": [message]})
    for step in steps:
        errors = step_errors(kind=step.get("kind"), role=step.get("role"), users=step.get("users"))
        if errors:
            raise ValidationError(errors)


def save_flow(*, actor, flow: ApprovalFlow | None = None, steps: list[dict], **data) -> ApprovalFlow:
    """Create or change a flow and replace its steps with ``steps`` (dicts of ``STEP_FIELDS``, plus ``pk``
    for a step kept from before). Steps not listed are removed. One audit entry per changed row, the steps'
    naming the flow (they show in its history)."""
    _check_steps(steps)
    document_type = data.get("document_type", flow.document_type if flow else "")
    if document_type != PRICE_CONTROL_TYPE and get_approvable(document_type) is None:
        raise ValidationError({"document_type": _("请选择已接入审批的单据类型。")})
    departments = data.pop("departments", None)
    with transaction.atomic():
        is_new = flow is None
        flow = flow or ApprovalFlow()
        before = None if is_new else audit.snapshot(ApprovalFlow.objects.unscoped().get(pk=flow.pk))
        for field, value in data.items():
            setattr(flow, field, value)
        flow.full_clean()
        flow.save()
        if departments is not None:
            flow.departments.set(departments)
        if is_new or before != audit.snapshot(flow):
            audit.record(
                actor=actor, obj=flow, action=AuditAction.CREATE if is_new else AuditAction.UPDATE, before=before
            )
        _save_steps(actor=actor, flow=flow, steps=steps)
    return flow


def _save_steps(*, actor, flow: ApprovalFlow, steps: list[dict]) -> None:
    existing = {step.pk: step for step in ApprovalStep.objects.unscoped().filter(flow=flow)}
    kept = {step["pk"] for step in steps if step.get("pk") in existing}
    for pk, step in existing.items():
        if pk not in kept:
            audit.record(actor=actor, obj=step, action=AuditAction.DELETE, before=audit.snapshot(step), related=flow)
            step.delete()
    # Kept steps may swap places: park them out of the way first so (flow, order) stays unique throughout.
    ApprovalStep.objects.unscoped().filter(pk__in=kept).update(order=F("order") + 10000)
    for data in steps:
        data = dict(data)
        pk = data.pop("pk", None)
        users = data.pop("users", None) or []
        step = existing.get(pk) if pk in kept else None
        is_new = step is None
        if is_new:
            step = ApprovalStep(flow=flow)
            before = None
        else:
            # The snapshot before parking, so an unchanged step writes no entry.
            before = audit.snapshot(step)
            step.refresh_from_db()
        for field in STEP_FIELDS:
            if field in data and field != "users":
                setattr(step, field, data[field])
        if step.kind != ApproverKind.ROLE:
            step.role = None
        step.full_clean()
        step.save()
        step.users.set(users if step.kind == ApproverKind.USER else [])
        if is_new or before != audit.snapshot(step):
            action = AuditAction.CREATE if is_new else AuditAction.UPDATE
            audit.record(actor=actor, obj=step, action=action, before=before, related=flow)


def delete_flow(*, actor, flow: ApprovalFlow) -> None:
    """Remove a flow; refused while any of its requests is pending (finished ones keep its name)."""
    with transaction.atomic():
        if flow.requests.filter(status=ApprovalStatus.PENDING).exists():
            raise ApplicationError(
                _("流程“%(flow)s”还有审批中的单据，不能删除；可以先停用它。") % {"flow": flow}, code="flow_in_use"
            )
        audit.record(actor=actor, obj=flow, action=AuditAction.DELETE, before=audit.snapshot(flow))
        flow.delete()
