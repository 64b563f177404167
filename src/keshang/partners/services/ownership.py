"""Who owns a customer (客户权限): assigning, transferring and releasing partners, issue 3. The pool (claiming,
rules, recycling) is in ``pool``, sharing in ``sharing``; both move partners through :func:`move_partner`.

Every move of a partner between owners and the pool is one service here, and each leaves a
:class:`~keshang.partners.models.Handover` (客户交接) with what moved along, an audit entry on the
partner and, where someone gains or loses a customer, a notification.

Decisions, so that pages, API and jobs agree:

* **Assign** (分配) gives a partner an owner, from the pool or from another owner, without a formal
  handover; **transfer** (转移) moves an owned partner to another owner and needs a reason and notes.
  Both need the "assign" action within the actor's scope, and the new owner must be an active user
  the actor can see (``org.user`` "view"). The partner's department follows its new owner.
* **The pool** is every partner without an owner. Everyone granted "add" on partners may claim, so
  everyone with "add" sees the whole pool through ``selectors.list_pool_partners``, a deliberate second read
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

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction
from keshang.core.notifications import notify
from keshang.core.permissions import Action

from ..models import Handover, HandoverKind, HandoverReason, Partner
from ..registry import count_moved
from ..selectors.ownership import BATCH_LIMIT, can_release, list_assignable_owners, list_collaborators

__all__ = [
    "assign_partners",
    "assign_partner",
    "transfer_partners",
    "transfer_partner",
    "release_partner",
    "move_partner",
    "move_partners",
    "notify_previous_owners",
    "lock_partners",
    "remove_collaborators",
    "checked_partner_ids",
    "field_error",
    "partner_url",
]


def field_error(field_name: str, message, *, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field_name: [str(message)]})


def _check_new_owner(*, actor, owner) -> None:
    if owner is None or not owner.is_active:
        raise field_error("owner", _("请选择在职的负责人。"), code="invalid_owner")
    if not list_assignable_owners(user=actor).filter(pk=owner.pk).exists():
        raise field_error("owner", _("只能交给您权限范围内的用户。"), code="owner_out_of_scope")


def _check_reason(reason: str, *, required: bool) -> None:
    if required and not reason:
        raise field_error("reason", _("请选择交接原因。"), code="reason_required")
    if reason and reason not in HandoverReason.values:
        raise field_error("reason", _("交接原因无效。"), code="invalid_reason")


def move_partner(
    partner: Partner, *, kind: str, to_owner, actor, reason: str = "", notes: str = "", now=None
) -> Handover:
    """Move one locked partner to ``to_owner`` (None: the pool), recording the handover and the audit."""
    now = now or timezone.now()
    before = audit.snapshot(partner)
    from_owner = partner.owner
    moved = count_moved(partner)
    partner.owner = to_owner
    if to_owner is not None:
        partner.department = to_owner.department
        partner.owned_since = now
    else:
        partner.owned_since = None
    partner.full_clean()
    partner.save(update_fields=["owner", "department", "owned_since", "updated_at"])
    if to_owner is None:
        remove_collaborators(partner, actor=actor)
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
        message=handover.describe_move(),
    )
    return handover


def move_partners(
    partners: Iterable[Partner], *, kind: str, to_owner, actor, reason: str = "", notes: str = "", now=None
) -> list[Handover]:
    """Move locked partners (see :func:`move_partner`) and tell their previous owners, grouped by owner."""
    now = now or timezone.now()
    handovers = [
        move_partner(partner, kind=kind, to_owner=to_owner, actor=actor, reason=reason, notes=notes, now=now)
        for partner in partners
    ]
    notify_previous_owners(handovers=handovers, actor=actor)
    return handovers


def notify_previous_owners(*, handovers: Iterable[Handover], actor) -> None:
    """The one place that tells an owner they lost customers (issue 12, finding 4): whatever took them (assign,
    transfer, release by a manager, recycling, merge), unless they did it themselves. One notification per
    previous owner; no link, since a rep whose scope is their own partners can no longer open them."""
    by_former: dict = defaultdict(list)
    for handover in handovers:
        former = handover.from_owner
        if former is not None and former != actor and former != handover.to_owner:
            by_former[former].append(handover)
    for former, theirs in by_former.items():
        kind, to_owner = theirs[0].kind, theirs[0].to_owner
        values = {"count": len(theirs), "owner": to_owner, "actor": actor}
        if kind == HandoverKind.TRANSFER:
            title = _("您的 %(count)s 个客户已转交给%(owner)s") % values
        elif kind == HandoverKind.ASSIGN:
            title = _("您的 %(count)s 个客户已分配给%(owner)s") % values
        elif kind == HandoverKind.RECYCLE:
            title = _("您的 %(count)s 个客户因长期未跟进或未成交已自动回收到公海") % values
        elif kind == HandoverKind.MERGE:
            title = _("您的 %(count)s 个客户已被%(actor)s合并") % values
        else:
            title = _("您的 %(count)s 个客户已被%(actor)s放入公海") % values
        names = "、".join(str(handover.partner) for handover in theirs[:20]) + ("…" if len(theirs) > 20 else "")
        notify(recipients=[former], title=title, body=names)


def remove_collaborators(partner: Partner, *, actor) -> None:
    for collaboration in list_collaborators(partner=partner):
        audit.record(
            actor=actor,
            obj=collaboration,
            action=AuditAction.DELETE,
            before=audit.snapshot(collaboration),
            related=partner,
        )
        collaboration.delete()


def lock_partners(queryset: QuerySet[Partner], ids) -> list[Partner]:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the owner join.
    return list(queryset.filter(pk__in=ids).select_related("owner").select_for_update(of=("self",)).order_by("pk"))


def checked_partner_ids(partners: Iterable) -> list[int]:
    ids = sorted({partner.pk if isinstance(partner, Partner) else int(partner) for partner in partners})
    if not ids:
        raise field_error("ids", _("请至少选择一个客商。"), code="no_partners")
    if len(ids) > BATCH_LIMIT:
        raise field_error("ids", _("一次最多处理 %(limit)s 个客商。") % {"limit": BATCH_LIMIT}, code="too_many")
    return ids


def partner_url(partner: Partner) -> str:
    return reverse("partners:partner_detail", args=[partner.pk])


def _hand_over(*, actor, partners: Iterable, owner, kind: str, reason: str, notes: str) -> list[Handover]:
    reason, notes = reason or "", (notes or "").strip()
    _check_reason(reason, required=kind == HandoverKind.TRANSFER)
    if kind == HandoverKind.TRANSFER and not notes:
        raise field_error("notes", _("请填写交接说明。"), code="notes_required")
    ids = checked_partner_ids(partners)
    with transaction.atomic():
        _check_new_owner(actor=actor, owner=owner)
        rows = lock_partners(Partner.objects.visible_to(actor, Action.ASSIGN), ids)
        if len(rows) != len(ids):
            raise field_error("ids", _("部分客商不存在或不在您的权限范围内。"), code="not_found")
        for partner in rows:
            if kind == HandoverKind.TRANSFER and partner.owner_id is None:
                message = _("“%(name)s”在公海中，请使用分配。") % {"name": partner}
                raise field_error("ids", message, code="in_pool")
            if partner.owner_id == owner.pk:
                message = _("“%(name)s”的负责人已是%(owner)s。") % {"name": partner, "owner": owner}
                raise field_error("owner", message, code="same_owner")
        handovers = move_partners(rows, kind=kind, to_owner=owner, actor=actor, reason=reason, notes=notes)
        _notify_handovers(actor=actor, owner=owner, handovers=handovers, kind=kind)
    return handovers


def _notify_handovers(*, actor, owner, handovers: list[Handover], kind: str) -> None:
    assigned = kind == HandoverKind.ASSIGN
    if owner != actor:
        if len(handovers) == 1:
            partner = handovers[0].partner
            title = (_("客户“%(name)s”已分配给您") if assigned else _("客户“%(name)s”已转交给您")) % {"name": partner}
            url = partner_url(partner)
        else:
            count = {"count": len(handovers)}
            title = (_("%(count)s 个客户已分配给您") if assigned else _("%(count)s 个客户已转交给您")) % count
            url = f"{reverse('partners:partner_list')}?owner={owner.pk}"
        notify(recipients=[owner], title=title, body=_handover_body(handovers, actor=actor), url=url)


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
    """放入公海: the owner (with "change") or a manager with "assign" on it gives it up, never a collaborator
    (a write share is not ownership: release then claim would take the customer over). A manager's release tells
    the owner."""
    _check_reason(reason or "", required=False)
    with transaction.atomic():
        rows = lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), [partner.pk])
        if not rows:
            raise ScopeViolation()
        partner = rows[0]
        if partner.owner_id is None:
            raise ApplicationError(_("该客商已在公海中。"), code="in_pool")
        if not can_release(user=actor, partner=partner):
            raise ScopeViolation(_("只有负责人或有分配权限的主管可以将客户放入公海。"), code="release_not_owner")
        return move_partners(
            [partner], kind=HandoverKind.RELEASE, to_owner=None, actor=actor, reason=reason or "", notes=notes or ""
        )[0]
