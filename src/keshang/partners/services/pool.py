"""The public pool (公海): its rules (one row), claiming from it, and the nightly recycling of idle customers.

* **The claim limit** counts every held customer (``is_customer``, whatever its other flag and however it was
  acquired); claiming a supplier-only partner is not limited. Taking 客户 off an owned customer needs "assign"
  (``services.check_customer_flag``), so flags cannot be flipped to dodge the limit (issue 12, finding 6).
  The cool-down applies to partners the claimant released or that were recycled from them.
* **Recycling** takes idle customers, suppliers too (``selectors.list_idle_customers``), keeps their
  department (its managers still see and can assign what their team let go) and removes their collaborators.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.org.models import User

from ..models import POOL_KINDS, Handover, HandoverKind, HandoverReason, Partner, PoolRules
from ..selectors.ownership import (
    RESOURCE,
    can_claim_customers,
    count_owned_customers,
    list_idle_customers,
    recycle_cutoffs,
)
from .ownership import lock_partners, move_partner, move_partners

__all__ = [
    "get_pool_rules",
    "ensure_pool_rules",
    "update_pool_rules",
    "claim_partner",
    "RecycleResult",
    "recycle_idle_partners",
]

RECYCLE_BATCH = 200


#
# Pool rules (one row)
#


def get_pool_rules() -> PoolRules:
    """The pool's one row of rules, created with the defaults when missing.

    Read by every claim and by the recycling job on the system's behalf, so not through a scope;
    people read and edit it through the pool-rules pages, which check ``partners.poolrules``.
    """
    rules = PoolRules.objects.unscoped().order_by("pk").first()
    if rules is not None:
        return rules
    try:
        # A savepoint with a fixed pk: of two first uses at once, the loser reads the winner's row.
        with transaction.atomic():
            rules = PoolRules(pk=1)
            rules.full_clean(validate_unique=False)
            rules.save(force_insert=True)
            audit.record(actor=None, obj=rules, action=AuditAction.CREATE)
    except IntegrityError:
        rules = PoolRules.objects.unscoped().get(pk=1)
    return rules


def update_pool_rules(*, actor, data: dict) -> PoolRules:
    fields = {
        "max_owned_customers",
        "claim_cooldown_days",
        "recycle_without_followup_days",
        "recycle_without_deal_days",
    }
    unknown = set(data) - fields
    if unknown:
        raise ValueError(f"unknown pool rule fields: {sorted(unknown)}")
    with transaction.atomic():
        rules = PoolRules.objects.unscoped().select_for_update().get(pk=get_pool_rules().pk)
        before = audit.snapshot(rules)
        for name, value in data.items():
            setattr(rules, name, value)
        rules.full_clean()
        rules.save()
        if before != audit.snapshot(rules):
            audit.record(actor=actor, obj=rules, action=AuditAction.UPDATE, before=before)
    return rules


def ensure_pool_rules() -> None:
    """A setup step: the row exists after every ``keshang setup``."""
    get_pool_rules()


#
# Claiming
#


def claim_partner(*, actor, partner: Partner, now=None) -> Handover:
    """从公海领取: the pool partner becomes the actor's, within the claim limit and the cool-down.

    The claimant's user row is locked before counting, so one user's simultaneous claims queue and the
    limit holds (SQLite serialises writers anyway); the partner row is locked so one claimant wins.
    """
    if not has_action(actor, RESOURCE, Action.ADD):
        raise ScopeViolation(_("您没有领取公海客户的权限。"))
    now = now or timezone.now()
    with transaction.atomic():
        rules = get_pool_rules()
        User.objects.select_for_update().get(pk=actor.pk)
        # Pool partners are outside an own-scope rep's visible_to; the owner check right below is the scope.
        partner = Partner.objects.unscoped().select_for_update().get(pk=partner.pk)
        if partner.owner_id is not None:
            raise ApplicationError(_("该客户已被他人领取。"), code="already_claimed")
        if partner.is_customer and not can_claim_customers(user=actor):
            raise ScopeViolation(_("您的角色不能领取公海中的客户。"), code="claim_customer_not_allowed")
        _check_cooldown(actor=actor, partner=partner, days=rules.claim_cooldown_days, now=now)
        if partner.is_customer and rules.max_owned_customers:
            owned = count_owned_customers(user=actor)
            if owned >= rules.max_owned_customers:
                raise ApplicationError(
                    _("您已拥有 %(owned)s 个客户，达到每人最多 %(limit)s 个的上限，不能再领取。")
                    % {"owned": owned, "limit": rules.max_owned_customers},
                    code="claim_limit",
                )
        return move_partner(partner, kind=HandoverKind.CLAIM, to_owner=actor, actor=actor, now=now)


def _check_cooldown(*, actor, partner: Partner, days: int, now) -> None:
    if not days:
        return
    released = (
        Handover.objects.filter(
            partner=partner, from_owner=actor, kind__in=POOL_KINDS, created_at__gt=now - datetime.timedelta(days=days)
        )
        .order_by("-created_at")
        .first()
    )
    if released is None:
        return
    until = timezone.localtime(released.created_at + datetime.timedelta(days=days))
    raise ApplicationError(
        _("您在 %(days)s 天内放弃过该客户，%(month)s 月 %(day)s 日后才能再次领取。")
        % {"days": days, "month": until.month, "day": until.day},
        code="claim_cooldown",
    )


#
# Automatic recycling (a nightly job, see tasks.py)
#


@dataclass
class RecycleResult:
    count: int = 0
    by_owner: dict[int, list[str]] = field(default_factory=dict)


def recycle_idle_partners(*, now=None) -> RecycleResult:
    """Move to the pool every owned customer not followed up for N days or without a deal for M days.

    "Never" counts from when the owner got it (``owned_since``, else its creation). One query finds
    the candidates; they are moved in batches, each re-checked under lock (someone may have followed
    up meanwhile). Each former owner gets one notification summing up what they lost.
    """
    now = now or timezone.now()
    rules = get_pool_rules()
    cutoffs = recycle_cutoffs(rules, now=now)
    # The job acts for the system on every owner's customers, so it reads them unscoped.
    candidates = list_idle_customers(Partner.objects.unscoped(), cutoffs)
    ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    result = RecycleResult()
    for start in range(0, len(ids), RECYCLE_BATCH):
        with transaction.atomic():
            by_reason: dict[str, list[Partner]] = {}
            for partner in lock_partners(candidates, ids[start : start + RECYCLE_BATCH]):
                no_followup = cutoffs.followup is not None and partner.followup_anchor < cutoffs.followup
                reason = HandoverReason.NO_FOLLOWUP if no_followup else HandoverReason.NO_DEAL
                by_reason.setdefault(reason, []).append(partner)
                result.by_owner.setdefault(partner.owner_id, []).append(partner.name)
                result.count += 1
            # move_partners tells each former owner (one notification per owner and reason in a batch).
            for reason, partners in by_reason.items():
                move_partners(partners, kind=HandoverKind.RECYCLE, to_owner=None, actor=None, reason=reason, now=now)
    return result
