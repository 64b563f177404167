"""Delegations (审批委托): while away, a user's new approval tasks go to a delegate.

One hop only: delegations of delegates are not followed. A delegation applies to steps that start while it is
active; tasks already assigned stay where they are.

Who may be a delegate (issue 12, finding 12). Flows name approvers three ways: by role, by named users and by
the submitter's manager chain, so "the same roles" cannot be the rule. What every approver of a document type
has in common is the *approve* action on that type's resource; so a delegate must hold ``approve`` on every
approvable document type the delegator holds it on, at a scope at least as wide (a superuser holds it on all, at
"all"), and on at least one type at all. This is checked when the delegation is saved, when a step assigns a
task to the delegate (one who no longer qualifies leaves the task with the approver), and when the delegate
decides: on that document's type, at the delegator's scope, or any scope when the delegator approves it
without a grant (a named user or a manager)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalDelegation, AuditAction
from keshang.core.permissions import Action, Scope

from .registry import approvables

__all__ = [
    "DELEGATE_LACKS_RIGHTS",
    "active_delegate",
    "delegate_may_approve",
    "check_delegate_rights",
    "list_delegations",
    "save_delegation",
    "delete_delegation",
]

DELEGATE_LACKS_RIGHTS = "delegate_lacks_rights"


def _approve_scope(user, document_type: str) -> str | None:
    if user.is_superuser:
        return Scope.ALL
    return user.grant_scope(document_type, Action.APPROVE)


def delegate_may_approve(*, user, delegate, document_type: str) -> bool:
    """Whether ``delegate`` may approve ``document_type`` (a model label) in ``user``'s stead, today."""
    if not delegate.is_active:
        return False
    held = _approve_scope(delegate, document_type)
    if held is None:
        return False
    needed = _approve_scope(user, document_type)
    return needed is None or Scope.widest(held, needed) == held


def check_delegate_rights(*, user, delegate) -> None:
    """Refuse a delegate who lacks ``user``'s approve rights (see the module's docstring)."""
    types = approvables()
    missing = [
        approvable.verbose_name
        for label, approvable in types.items()
        if _approve_scope(user, label) is not None
        and not delegate_may_approve(user=user, delegate=delegate, document_type=label)
    ]
    if not missing and not any(_approve_scope(delegate, label) is not None for label in types):
        missing = [_("任何单据")]
    if missing:
        message = _("代理审批人“%(delegate)s”没有相应的审批权限（%(types)s），不能作为代理审批人。") % {
            "delegate": delegate,
            "types": "、".join(str(name) for name in missing),
        }
        raise ApplicationError(message, code=DELEGATE_LACKS_RIGHTS, fields={"delegate": [message]})


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
        if delegation.is_active:
            check_delegate_rights(user=delegation.user, delegate=delegation.delegate)
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
