"""Reads of ownership (客户权限) and the public pool (公海): the pool itself, handovers, collaborators, whom a
partner may be handed to, the claimant's standing, and the customers the pool rules would take back.

The pool is a deliberate second read path beside ``visible_to``, limited to ``owner IS NULL`` rows (see
:func:`list_pool_partners`); everything else reads through the data scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least

from keshang.core.models import Collaboration
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.org.models import User

from ..models import POOL_KINDS, Handover, HandoverReason, Partner, PoolRules

__all__ = [
    "RESOURCE",
    "BATCH_LIMIT",
    "read_pool_rules",
    "ClaimStatus",
    "count_owned_customers",
    "get_claim_status",
    "list_pool_partners",
    "list_handovers",
    "list_collaborators",
    "list_assignable_owners",
    "can_release",
    "can_claim_customers",
    "CUSTOMER_POOL",
    "can_share",
    "RecycleCutoffs",
    "recycle_cutoffs",
    "list_idle_customers",
    "list_customers_due_for_recycling",
]

RESOURCE = "partners.partner"
CUSTOMER_POOL = "partners.customerpool"
# How many partners one batch of assigning, transferring or sharing may take.
BATCH_LIMIT = 500


def read_pool_rules() -> PoolRules:
    """The pool's rules as they stand, without writing: the stored row, or the defaults while there is none
    (``services.get_pool_rules`` creates it). System rules every claimant and the recycling job obey, so read
    unscoped; people read and edit them through the pool-rules pages, which check ``partners.poolrules``."""
    return PoolRules.objects.unscoped().order_by("pk").first() or PoolRules()


#
# The claimant's standing and the pool
#


@dataclass(frozen=True)
class ClaimStatus:
    """What a claimant is told on the pool page: how many customers they own and the rules."""

    owned: int
    limit: int
    cooldown_days: int

    @property
    def remaining(self) -> int | None:
        return None if not self.limit else max(self.limit - self.owned, 0)


def count_owned_customers(*, user) -> int:
    """Customers ``user`` owns, for the claim limit. Counting one's own customers is not a read of anyone's
    data, so not through a scope."""
    return Partner.objects.unscoped().filter(owner=user, is_customer=True).count()


def get_claim_status(*, user) -> ClaimStatus:
    rules = read_pool_rules()
    return ClaimStatus(
        owned=count_owned_customers(user=user), limit=rules.max_owned_customers, cooldown_days=rules.claim_cooldown_days
    )


def list_pool_partners(*, user, action: str = Action.ADD) -> QuerySet[Partner]:
    """The pool (公海): partners without an owner, for users who may claim them ("add" on partners).

    Deliberately not ``visible_to``: a rep whose scope is their own partners must still see the pool to
    claim from it. Limited to ``owner IS NULL`` rows; ``action`` (e.g. "export") must be granted too.
    Each row carries ``pooled_at``, when it last went into the pool.
    """
    if not has_action(user, RESOURCE, Action.ADD) or not has_action(user, RESOURCE, action):
        return Partner.objects.none()
    # Only the date each listed pool row went into the pool, so the handovers are read unscoped too.
    pooled = Handover.objects.filter(partner=OuterRef("pk"), kind__in=POOL_KINDS).order_by("-pk").values("created_at")
    return (
        Partner.objects.unscoped()
        .filter(owner__isnull=True)
        .select_related("industry", "level", "region", "department")
        .annotate(pooled_at=Subquery(pooled[:1]))
    )


#
# Handovers, collaborators, owners
#


def list_handovers(*, user, action: str = Action.VIEW) -> QuerySet[Handover]:
    """Handovers of the partners ``user`` may ``action`` (a handover follows its partner's scope)."""
    return Handover.objects.visible_to(user, action).select_related("partner", "from_owner", "to_owner", "created_by")


def list_collaborators(*, partner: Partner) -> QuerySet[Collaboration]:
    """The collaborators of a partner the caller has already fetched through a scoped read."""
    return Collaboration.objects.for_object(partner).select_related("user").order_by("pk")


def list_assignable_owners(*, user) -> QuerySet[User]:
    """Who ``user`` may hand partners to, or share them with: active users they can see."""
    return User.objects.visible_to(user, Action.VIEW).filter(is_active=True).select_related("department")


def can_share(*, user, partner: Partner) -> bool:
    """The owner (with "change") or a manager with "assign" on the partner; never a pool partner."""
    if partner.owner_id is None:
        return False
    if Partner.objects.visible_to(user, Action.ASSIGN).filter(pk=partner.pk).exists():
        return True
    return (
        partner.owner_id == user.pk and Partner.objects.visible_to(user, Action.CHANGE).filter(pk=partner.pk).exists()
    )


def can_claim_customers(*, user) -> bool:
    """Whether ``user`` may claim the pool's customers ("add" on :data:`CUSTOMER_POOL`); a supplier-only pool partner
    needs only "add" on partners (a purchaser claims suppliers, not the sales pool's customers)."""
    return has_action(user, CUSTOMER_POOL, Action.ADD)


def can_release(*, user, partner: Partner) -> bool:
    """放入公海 is the owner's act (with "change") or a manager's with "assign"; a collaborator's write share is
    not enough (issue 12, finding 4: release then claim would take the customer over)."""
    return can_share(user=user, partner=partner)


#
# Recycling: which owned customers the pool rules take back
#


@dataclass(frozen=True)
class RecycleCutoffs:
    """Customers not followed up since ``followup`` or without a deal since ``deal`` go back to the pool; None
    where the rule is off."""

    followup: datetime.datetime | None
    deal: datetime.datetime | None

    @property
    def active(self) -> bool:
        return self.followup is not None or self.deal is not None


def recycle_cutoffs(rules: PoolRules, *, now: datetime.datetime) -> RecycleCutoffs:
    followup_days, deal_days = rules.recycle_without_followup_days, rules.recycle_without_deal_days
    return RecycleCutoffs(
        followup=now - datetime.timedelta(days=followup_days) if followup_days else None,
        deal=now - datetime.timedelta(days=deal_days) if deal_days else None,
    )


def list_idle_customers(partners: QuerySet[Partner], cutoffs: RecycleCutoffs) -> QuerySet[Partner]:
    """The owned customers among ``partners`` that the rules take back at the cutoffs, each annotated with
    ``followup_anchor`` and ``deal_anchor``: the last follow-up and deal, "never" counting from when the owner
    got it (``owned_since``, else its creation). A customer that is also a supplier is a customer (issue 12, finding 6:
    ticking 供应商 kept a customer from the recycle)."""
    conditions = []
    if cutoffs.followup is not None:
        conditions.append(Q(followup_anchor__lt=cutoffs.followup))
    if cutoffs.deal is not None:
        conditions.append(Q(deal_anchor__lt=cutoffs.deal))
    if not conditions:
        return partners.none()
    return (
        partners.filter(owner__isnull=False, is_customer=True)
        .annotate(
            followup_anchor=Coalesce("last_followup_at", "owned_since", "created_at"),
            deal_anchor=Coalesce("last_deal_at", "owned_since", "created_at"),
        )
        .filter(reduce(or_, conditions))
    )


def list_customers_due_for_recycling(
    partners: QuerySet[Partner], rules: PoolRules, *, by: datetime.datetime, limit: int = 50
) -> list[Partner]:
    """The customers among ``partners`` that the rules will have taken back by ``by``, soonest first, each with
    ``recycle_at`` (when the first rule catches it; already past for those the next nightly run takes) and
    ``recycle_reason`` (``HandoverReason``): the home page warns their owners and managers before it happens."""
    idle = list_idle_customers(partners, recycle_cutoffs(rules, now=by))
    dues = []
    if rules.recycle_without_followup_days:
        followup_days = datetime.timedelta(days=rules.recycle_without_followup_days)
        idle = idle.annotate(followup_due=ExpressionWrapper(F("followup_anchor") + followup_days, DateTimeField()))
        dues.append("followup_due")
    if rules.recycle_without_deal_days:
        deal_days = datetime.timedelta(days=rules.recycle_without_deal_days)
        idle = idle.annotate(deal_due=ExpressionWrapper(F("deal_anchor") + deal_days, DateTimeField()))
        dues.append("deal_due")
    if not dues:
        return []
    soonest = Least(*dues) if len(dues) > 1 else F(dues[0])
    customers = list(idle.annotate(recycle_at=soonest).order_by("recycle_at", "pk")[:limit])
    for customer in customers:
        # In Python as well: the database's own datetime arithmetic may hand back text (SQLite).
        due = []
        if hasattr(customer, "followup_due"):
            due.append((customer.followup_anchor + followup_days, HandoverReason.NO_FOLLOWUP))
        if hasattr(customer, "deal_due"):
            due.append((customer.deal_anchor + deal_days, HandoverReason.NO_DEAL))
        customer.recycle_at, customer.recycle_reason = min(due)
    return customers
