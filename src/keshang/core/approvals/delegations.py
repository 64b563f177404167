"""Delegations (审批委托): while away, a user's new approval tasks go to a delegate.

One hop only: delegations of delegates are not followed. A delegation applies to steps that start while it is
active; tasks already assigned stay where they are."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from keshang.core import audit
from keshang.core.models import ApprovalDelegation, AuditAction
from keshang.core.permissions import Action

__all__ = ["active_delegate", "list_delegations", "save_delegation", "delete_delegation"]


def active_delegate(user, on: datetime.date | None = None):
    """Who approves for ``user`` on ``on`` (today by default): the delegate of their newest active delegation."""
    on = on or timezone.localdate()
    delegation = (
        ApprovalDelegation.objects.unscoped()
        .filter(user=user, is_active=True, starts_on__lte=on, ends_on__gte=on, delegate__is_active=True)
        .select_related("delegate")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return delegation.delegate if delegation is not None else None


def list_delegations(*, user, action: str = Action.VIEW):
    return ApprovalDelegation.objects.visible_to(user, action).select_related("user", "delegate")


def save_delegation(*, actor, delegation: ApprovalDelegation | None = None, **data) -> ApprovalDelegation:
    """Create (for ``actor`` unless ``user`` is given) or change a delegation. Tasks already assigned stay
    where they are; the delegation applies to steps that start while it is active."""
    with transaction.atomic():
        is_new = delegation is None
        delegation = delegation or ApprovalDelegation(user=data.pop("user", None) or actor)
        data.pop("user", None)
        before = None if is_new else audit.snapshot(ApprovalDelegation.objects.unscoped().get(pk=delegation.pk))
        for field, value in data.items():
            setattr(delegation, field, value)
        delegation.full_clean()
        delegation.save()
        if is_new or before != audit.snapshot(delegation):
            audit.record(
                actor=actor, obj=delegation, action=AuditAction.CREATE if is_new else AuditAction.UPDATE, before=before
            )
    return delegation


def delete_delegation(*, actor, delegation: ApprovalDelegation) -> None:
    with transaction.atomic():
        audit.record(actor=actor, obj=delegation, action=AuditAction.DELETE, before=audit.snapshot(delegation))
        delegation.delete()
