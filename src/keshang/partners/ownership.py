"""Partners: who owns a customer (客户权限) and the public pool (公海), issue 3.

Every move of a partner between owners and the pool is one service here, and each leaves a
:class:`~keshang.partners.models.Handover` (客户交接) with what moved along, an audit entry on the
partner and, where someone gains or loses a customer, a notification.

Decisions, so that pages, API and jobs agree:

* **Assign** (分配) gives a partner an owner, from the pool or from another owner, without a formal
  handover; **transfer** (转移) moves an owned partner to another owner and needs a reason and notes.
  Both need the "assign" action within the actor's scope, and the new owner must be an active user
  the actor can see (``org.user`` "view"). The partner's department follows its new owner.
* **The pool** is every partner without an owner. Everyone granted "add" on partners may claim, so
  everyone with "add" sees the whole pool through :func:`list_pool_partners`, a deliberate second read
  path beside ``visible_to`` limited to ``owner IS NULL`` rows; its pages and API show name,
  classification and region, and phone/e-mail only as the ``Masker`` allows (``view_sensitive`` on the
  row), which is how Chinese CRMs keep reps from harvesting the pool. :func:`claim_partner` re-checks
  everything under ``select_for_update``.
* **Release** and **recycling** keep the partner's department, so the department's managers still see
  (and can assign) what their team let go, and remove its collaborators: a pool customer belongs to
  nobody, and an old owner's team must not keep reading it. A transfer keeps the collaborators (the
  team around the customer stays; the new owner may remove them).
* **Sharing** (协作人) is for the owner (with "change" on the partner) or a manager with "assign" on it;
  collaborators cannot share further.
* **The claim limit** counts customers only (``is_customer``); claiming a supplier-only partner is not
  limited. The cool-down applies to partners the claimant released or that were recycled from them.
* **Recycling** takes customers that are not also suppliers: a supplier relationship is purchasing's,
  and an idle customer side says nothing about it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction, Collaboration
from keshang.core.notifications import notify
from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
from keshang.core.scope import has_action
from keshang.org.models import User

from .models import Handover, HandoverKind, HandoverReason, Partner, PoolRules

__all__ = [
    "register",
    "register_handover_counter",
    "describe_moved",
    "get_pool_rules",
    "update_pool_rules",
    "ClaimStatus",
    "get_claim_status",
    "list_pool_partners",
    "list_handovers",
    "list_collaborators",
    "list_assignable_owners",
    "can_share",
    "assign_partners",
    "assign_partner",
    "transfer_partners",
    "transfer_partner",
    "release_partner",
    "claim_partner",
    "share_partners",
    "share_partner",
    "unshare_partner",
    "RecycleResult",
    "recycle_idle_partners",
]

RESOURCE = "partners.partner"
# Moves that put a partner into the pool: what the claim cool-down and "进入公海时间" look at.
POOL_KINDS = (HandoverKind.RELEASE, HandoverKind.RECYCLE)
RECYCLE_BATCH = 200
BATCH_LIMIT = 500


#
# What moves along with a partner: later modules report their counts (orders, follow-ups…)
#


@dataclass(frozen=True)
class HandoverCounter:
    name: str
    label: str
    count: Callable[[Partner], int]


_handover_counters: dict[str, HandoverCounter] = {}


def register_handover_counter(name: str, counter: Callable[[Partner], int], *, label=None) -> None:
    """``counter(partner)`` says how many of a module's records move with the partner (``moved[name]``)."""
    _handover_counters[name] = HandoverCounter(name=name, label=label or name, count=counter)


def _count_moved(partner: Partner) -> dict[str, int]:
    return {counter.name: counter.count(partner) for counter in _handover_counters.values()}


def describe_moved(moved: dict | None) -> str:
    """``{"contacts": 3}`` as people read it: 联系人 3."""
    labels = {counter.name: counter.label for counter in _handover_counters.values()}
    return "、".join(f"{labels.get(name, name)} {count}" for name, count in (moved or {}).items() if count)


def _count_contacts(partner: Partner) -> int:
    return partner.contacts.count()


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


#
# Selectors
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


def _owned_customers(user) -> QuerySet[Partner]:
    # Counting the claimant's own customers for the limit is not a read of anyone's data.
    return Partner.objects.unscoped().filter(owner=user, is_customer=True)


def get_claim_status(*, user) -> ClaimStatus:
    rules = get_pool_rules()
    return ClaimStatus(
        owned=_owned_customers(user).count(), limit=rules.max_owned_customers, cooldown_days=rules.claim_cooldown_days
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


#
# Moving a partner between owners and the pool (the one place that changes an existing owner)
#


def _field_error(field_name: str, message, *, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [str(message)]})


def _check_new_owner(*, actor, owner) -> None:
    if owner is None or not owner.is_active:
        raise _field_error("owner", _("请选择在职的负责人。"), code="invalid_owner")
    if not list_assignable_owners(user=actor).filter(pk=owner.pk).exists():
        raise _field_error("owner", _("只能交给您权限范围内的用户。"), code="owner_out_of_scope")


def _check_reason(reason: str, *, required: bool) -> None:
    if required and not reason:
        raise _field_error("reason", _("请选择交接原因。"), code="reason_required")
    if reason and reason not in HandoverReason.values:
        raise _field_error("reason", _("交接原因无效。"), code="invalid_reason")


def _describe(handover: Handover) -> str:
    """The audit entry's message: 转移：张三 → 李四（员工离职）."""
    source = str(handover.from_owner) if handover.from_owner_id else str(_("公海"))
    target = str(handover.to_owner) if handover.to_owner_id else str(_("公海"))
    reason = f"（{handover.get_reason_display()}）" if handover.reason else ""
    return f"{handover.get_kind_display()}：{source} → {target}{reason}"


def _move(partner: Partner, *, kind: str, to_owner, actor, reason: str = "", notes: str = "", now=None) -> Handover:
    """Move one locked partner to ``to_owner`` (None: the pool), recording the handover and the audit."""
    now = now or timezone.now()
    before = audit.snapshot(partner)
    from_owner = partner.owner
    moved = _count_moved(partner)
    partner.owner = to_owner
    if to_owner is not None:
        partner.department = to_owner.department
        partner.owned_since = now
    else:
        partner.owned_since = None
    partner.full_clean()
    partner.save(update_fields=["owner", "department", "owned_since", "updated_at"])
    if to_owner is None:
        _remove_collaborators(partner, actor=actor)
    handover = Handover(
        partner=partner,
        kind=kind,
        from_owner=from_owner,
        to_owner=to_owner,
        reason=reason,
        notes=notes,
        moved=moved,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    handover.full_clean()
    handover.save()
    audit.record(
        actor=actor,
        obj=partner,
        action=AuditAction.UPDATE,
        before=before,
        message=_describe(handover),
    )
    return handover


def _remove_collaborators(partner: Partner, *, actor) -> None:
    for collaboration in list_collaborators(partner=partner):
        audit.record(
            actor=actor,
            obj=collaboration,
            action=AuditAction.DELETE,
            before=audit.snapshot(collaboration),
            related=partner,
        )
        collaboration.delete()


def _lock_partners(queryset: QuerySet[Partner], ids) -> list[Partner]:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the owner join.
    return list(queryset.filter(pk__in=ids).select_related("owner").select_for_update(of=("self",)).order_by("pk"))


def _partner_ids(partners: Iterable) -> list[int]:
    ids = sorted({partner.pk if isinstance(partner, Partner) else int(partner) for partner in partners})
    if not ids:
        raise _field_error("ids", _("请至少选择一个客商。"), code="no_partners")
    if len(ids) > BATCH_LIMIT:
        raise _field_error("ids", _("一次最多处理 %(limit)s 个客商。") % {"limit": BATCH_LIMIT}, code="too_many")
    return ids


def _partner_url(partner: Partner) -> str:
    return reverse("partners:partner_detail", args=[partner.pk])


def _hand_over(*, actor, partners: Iterable, owner, kind: str, reason: str, notes: str) -> list[Handover]:
    reason, notes = reason or "", (notes or "").strip()
    _check_reason(reason, required=kind == HandoverKind.TRANSFER)
    if kind == HandoverKind.TRANSFER and not notes:
        raise _field_error("notes", _("请填写交接说明。"), code="notes_required")
    ids = _partner_ids(partners)
    with transaction.atomic():
        _check_new_owner(actor=actor, owner=owner)
        rows = _lock_partners(Partner.objects.visible_to(actor, Action.ASSIGN), ids)
        if len(rows) != len(ids):
            raise _field_error("ids", _("部分客商不存在或不在您的权限范围内。"), code="not_found")
        for partner in rows:
            if kind == HandoverKind.TRANSFER and partner.owner_id is None:
                message = _("“%(name)s”在公海中，请使用分配。") % {"name": partner}
                raise _field_error("ids", message, code="in_pool")
            if partner.owner_id == owner.pk:
                message = _("“%(name)s”的负责人已是%(owner)s。") % {"name": partner, "owner": owner}
                raise _field_error("owner", message, code="same_owner")
        now = timezone.now()
        handovers = [
            _move(partner, kind=kind, to_owner=owner, actor=actor, reason=reason, notes=notes, now=now)
            for partner in rows
        ]
        _notify_handovers(actor=actor, owner=owner, handovers=handovers, kind=kind)
    return handovers


def _notify_handovers(*, actor, owner, handovers: list[Handover], kind: str) -> None:
    assigned = kind == HandoverKind.ASSIGN
    if owner != actor:
        if len(handovers) == 1:
            partner = handovers[0].partner
            title = (_("客户“%(name)s”已分配给您") if assigned else _("客户“%(name)s”已转交给您")) % {"name": partner}
            url = _partner_url(partner)
        else:
            count = {"count": len(handovers)}
            title = (_("%(count)s 个客户已分配给您") if assigned else _("%(count)s 个客户已转交给您")) % count
            url = f"{reverse('partners:partner_list')}?owner={owner.pk}"
        notify(recipients=[owner], title=title, body=_handover_body(handovers, actor=actor), url=url)
    if kind != HandoverKind.TRANSFER:
        return
    by_former: dict = defaultdict(list)
    for handover in handovers:
        if handover.from_owner_id and handover.from_owner != actor:
            by_former[handover.from_owner].append(handover)
    for former, theirs in by_former.items():
        names = "、".join(str(handover.partner) for handover in theirs[:10])
        title = _("您的 %(count)s 个客户已转交给%(owner)s") % {"count": len(theirs), "owner": owner}
        # No link: a rep whose scope is their own partners can no longer open them.
        notify(recipients=[former], title=title, body=names)


def _handover_body(handovers: list[Handover], *, actor) -> str:
    first = handovers[0]
    lines = ["、".join(str(handover.partner) for handover in handovers[:10])]
    if first.reason:
        lines.append(_("原因：%(reason)s") % {"reason": first.get_reason_display()})
    if first.notes:
        lines.append(_("交接说明：%(notes)s") % {"notes": first.notes})
    lines.append(_("操作人：%(actor)s") % {"actor": actor})
    return "\n".join(lines)


def assign_partners(*, actor, partners: Iterable, owner, reason: str = "", notes: str = "") -> list[Handover]:
    """分配: give partners (from the pool or another owner) to ``owner``; all or none."""
    return _hand_over(actor=actor, partners=partners, owner=owner, kind=HandoverKind.ASSIGN, reason=reason, notes=notes)


def assign_partner(*, actor, partner: Partner, owner, reason: str = "", notes: str = "") -> Handover:
    return assign_partners(actor=actor, partners=[partner], owner=owner, reason=reason, notes=notes)[0]


def transfer_partners(*, actor, partners: Iterable, owner, reason: str, notes: str) -> list[Handover]:
    """转移 (客户交接): owned partners to ``owner``, with a reason and notes; all or none.

    The new owner is bounded by whom the actor can see; the partner may leave the actor's own scope,
    which is the point of handing it over (so no ``recheck_scope`` after the move).
    """
    return _hand_over(
        actor=actor, partners=partners, owner=owner, kind=HandoverKind.TRANSFER, reason=reason, notes=notes
    )


def transfer_partner(*, actor, partner: Partner, owner, reason: str, notes: str) -> Handover:
    return transfer_partners(actor=actor, partners=[partner], owner=owner, reason=reason, notes=notes)[0]


def release_partner(*, actor, partner: Partner, reason: str = "", notes: str = "") -> Handover:
    """放入公海: the owner (or whoever may change the partner) gives it up; nobody is notified."""
    _check_reason(reason or "", required=False)
    with transaction.atomic():
        rows = _lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), [partner.pk])
        if not rows:
            raise ScopeViolation()
        partner = rows[0]
        if partner.owner_id is None:
            raise ApplicationError(_("该客商已在公海中。"), code="in_pool")
        return _move(
            partner, kind=HandoverKind.RELEASE, to_owner=None, actor=actor, reason=reason or "", notes=notes or ""
        )


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
        _check_cooldown(actor=actor, partner=partner, days=rules.claim_cooldown_days, now=now)
        if partner.is_customer and rules.max_owned_customers:
            owned = _owned_customers(actor).count()
            if owned >= rules.max_owned_customers:
                raise ApplicationError(
                    _("您已拥有 %(owned)s 个客户，达到每人最多 %(limit)s 个的上限，不能再领取。")
                    % {"owned": owned, "limit": rules.max_owned_customers},
                    code="claim_limit",
                )
        return _move(partner, kind=HandoverKind.CLAIM, to_owner=actor, actor=actor, now=now)


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
# Sharing (协作人)
#


def share_partners(*, actor, partners: Iterable, user, can_write: bool = False) -> list[Collaboration]:
    """Share partners with ``user`` (read, or read and write); sharing again changes the access."""
    ids = _partner_ids(partners)
    with transaction.atomic():
        if user is None or not user.is_active or not list_assignable_owners(user=actor).filter(pk=user.pk).exists():
            raise _field_error("user", _("只能与您权限范围内的在职用户共享。"), code="invalid_user")
        rows = _lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), ids)
        if len(rows) != len(ids):
            raise _field_error("ids", _("部分客商不存在或不在您的权限范围内。"), code="not_found")
        shared = []
        for partner in rows:
            if not can_share(user=actor, partner=partner):
                raise ScopeViolation(_("只有负责人或有分配权限的主管可以共享“%(name)s”。") % {"name": partner})
            if partner.owner_id == user.pk:
                raise _field_error("user", _("%(user)s 已是该客商的负责人。") % {"user": user}, code="is_owner")
            shared.append(_share(actor=actor, partner=partner, user=user, can_write=can_write))
        changed = [collaboration for collaboration, is_change in shared if is_change]
        if changed and user != actor:
            partner = rows[0]
            title = (
                _("%(actor)s 与您共享了客商“%(name)s”") % {"actor": actor, "name": partner}
                if len(rows) == 1
                else _("%(actor)s 与您共享了 %(count)s 个客商") % {"actor": actor, "count": len(rows)}
            )
            notify(recipients=[user], title=title, url=_partner_url(partner))
    return [collaboration for collaboration, _changed in shared]


def _share(*, actor, partner: Partner, user, can_write: bool) -> tuple[Collaboration, bool]:
    """(collaboration, whether anything changed) for one locked partner."""
    collaboration = list_collaborators(partner=partner).filter(user=user).first()
    if collaboration is not None and collaboration.can_write == can_write:
        return collaboration, False
    before = audit.snapshot(collaboration) if collaboration is not None else None
    if collaboration is None:
        collaboration = Collaboration(
            content_type=ContentType.objects.get_for_model(Partner), object_id=partner.pk, user=user
        )
    collaboration.can_write = can_write
    collaboration.full_clean()
    collaboration.save()
    audit.record(
        actor=actor,
        obj=collaboration,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        before=before,
        related=partner,
    )
    return collaboration, True


def share_partner(*, actor, partner: Partner, user, can_write: bool = False) -> Collaboration:
    return share_partners(actor=actor, partners=[partner], user=user, can_write=can_write)[0]


def unshare_partner(*, actor, partner: Partner, user) -> None:
    with transaction.atomic():
        rows = _lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), [partner.pk])
        if not rows or not can_share(user=actor, partner=rows[0]):
            raise ScopeViolation(_("只有负责人或有分配权限的主管可以管理协作人。"))
        collaboration = list_collaborators(partner=rows[0]).filter(user=user).first()
        if collaboration is None:
            raise _field_error("user", _("该用户不是协作人。"), code="not_collaborator")
        audit.record(
            actor=actor,
            obj=collaboration,
            action=AuditAction.DELETE,
            before=audit.snapshot(collaboration),
            related=rows[0],
        )
        collaboration.delete()


#
# Automatic recycling (a nightly job, see tasks.py)
#


@dataclass
class RecycleResult:
    count: int = 0
    by_owner: dict[int, list[str]] = field(default_factory=dict)


def _recycle_candidates(
    rules: PoolRules, now
) -> tuple[QuerySet[Partner], datetime.datetime | None, datetime.datetime | None]:
    followup_cutoff = (
        now - datetime.timedelta(days=rules.recycle_without_followup_days)
        if rules.recycle_without_followup_days
        else None
    )
    deal_cutoff = (
        now - datetime.timedelta(days=rules.recycle_without_deal_days) if rules.recycle_without_deal_days else None
    )
    conditions = []
    if followup_cutoff is not None:
        conditions.append(Q(followup_anchor__lt=followup_cutoff))
    if deal_cutoff is not None:
        conditions.append(Q(deal_anchor__lt=deal_cutoff))
    if not conditions:
        return Partner.objects.none(), None, None
    # The job acts for the system on every owner's customers, so it reads them unscoped.
    candidates = (
        Partner.objects.unscoped()
        .filter(owner__isnull=False, is_customer=True, is_supplier=False)
        .annotate(
            followup_anchor=Coalesce("last_followup_at", "owned_since", "created_at"),
            deal_anchor=Coalesce("last_deal_at", "owned_since", "created_at"),
        )
        .filter(reduce(or_, conditions))
    )
    return candidates, followup_cutoff, deal_cutoff


def recycle_idle_partners(*, now=None) -> RecycleResult:
    """Move to the pool every owned customer not followed up for N days or without a deal for M days.

    "Never" counts from when the owner got it (``owned_since``, else its creation). One query finds
    the candidates; they are moved in batches, each re-checked under lock (someone may have followed
    up meanwhile). Each former owner gets one notification summing up what they lost.
    """
    now = now or timezone.now()
    rules = get_pool_rules()
    candidates, followup_cutoff, deal_cutoff = _recycle_candidates(rules, now)
    ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    result = RecycleResult()
    owners: dict[int, User] = {}
    for start in range(0, len(ids), RECYCLE_BATCH):
        with transaction.atomic():
            for partner in _lock_partners(candidates, ids[start : start + RECYCLE_BATCH]):
                no_followup = followup_cutoff is not None and partner.followup_anchor < followup_cutoff
                reason = HandoverReason.NO_FOLLOWUP if no_followup else HandoverReason.NO_DEAL
                owner = owners.setdefault(partner.owner_id, partner.owner)
                _move(partner, kind=HandoverKind.RECYCLE, to_owner=None, actor=None, reason=reason, now=now)
                result.by_owner.setdefault(owner.pk, []).append(partner.name)
                result.count += 1
    if result.by_owner:
        with transaction.atomic():
            for owner_id, names in result.by_owner.items():
                notify(
                    recipients=[owners[owner_id]],
                    title=_("您的 %(count)s 个客户因长期未跟进或未成交已自动回收到公海") % {"count": len(names)},
                    body="、".join(names[:20]) + ("…" if len(names) > 20 else ""),
                    url=reverse("partners:pool_list"),
                )
    return result


#
# Registration (called from PartnersConfig.ready())
#


def ensure_pool_rules() -> None:
    get_pool_rules()


def register() -> None:
    """Menu items, detail tabs, the pool-rules resource and the contact counter of this feature."""
    from keshang.core.registry import (
        DetailTab,
        MenuItem,
        register_detail_tab,
        register_menu_item,
        register_setup_step,
    )

    register_resource(
        Resource(
            "partners.poolrules",
            gettext_lazy("公海规则"),
            actions=(Action.VIEW, Action.CHANGE),
            defaults={
                Persona.ADMIN: ((Action.VIEW, Action.CHANGE), Scope.ALL),
                Persona.SALES_MANAGER: ((Action.VIEW,), Scope.ALL),
                Persona.MANAGEMENT: ((Action.VIEW,), Scope.ALL),
            },
        )
    )
    # Claimants ("add") take from the pool; those who only read partners (管理层) see it read-only.
    register_menu_item(MenuItem("partners", gettext_lazy("公海"), "partners:pool_list", RESOURCE, order=30))
    register_menu_item(
        MenuItem("partners", gettext_lazy("客户交接"), "partners:handover_list", RESOURCE, Action.ASSIGN, order=40)
    )
    register_menu_item(
        MenuItem(
            "partners", gettext_lazy("批量转移"), "partners:partner_batch_transfer", RESOURCE, Action.ASSIGN, order=45
        )
    )
    register_menu_item(
        MenuItem("partners", gettext_lazy("公海规则"), "partners:poolrules_detail", "partners.poolrules", order=50)
    )
    register_detail_tab(
        "partners.partner", DetailTab("collaborators", gettext_lazy("协作人"), "partners:partner_collaborators", 80)
    )
    register_detail_tab(
        "partners.partner", DetailTab("handovers", gettext_lazy("交接记录"), "partners:partner_handovers", 90)
    )
    register_handover_counter("contacts", _count_contacts, label=gettext_lazy("联系人"))
    register_setup_step(ensure_pool_rules, order=30)
