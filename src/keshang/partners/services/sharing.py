"""Sharing a partner (协作人): for the owner (with "change" on the partner) or a manager with "assign" on it;
collaborators cannot share further. A transfer keeps the collaborators; release and recycling remove them."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ScopeViolation
from keshang.core.models import AuditAction, Collaboration
from keshang.core.notifications import notify
from keshang.core.permissions import Action

from ..models import Partner
from ..selectors.ownership import can_share, list_assignable_owners, list_collaborators
from .ownership import checked_partner_ids, field_error, lock_partners, partner_url

__all__ = ["share_partners", "share_partner", "unshare_partner"]


def share_partners(*, actor, partners: Iterable, user, can_write: bool = False) -> list[Collaboration]:
    """Share partners with ``user`` (read, or read and write); sharing again changes the access."""
    ids = checked_partner_ids(partners)
    with transaction.atomic():
        if user is None or not user.is_active or not list_assignable_owners(user=actor).filter(pk=user.pk).exists():
            raise field_error("user", _("只能与您权限范围内的在职用户共享。"), code="invalid_user")
        rows = lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), ids)
        if len(rows) != len(ids):
            raise field_error("ids", _("部分客商不存在或不在您的权限范围内。"), code="not_found")
        shared = []
        for partner in rows:
            if not can_share(user=actor, partner=partner):
                raise ScopeViolation(_("只有负责人或有分配权限的主管可以共享“%(name)s”。") % {"name": partner})
            if partner.owner_id == user.pk:
                raise field_error("user", _("%(user)s 已是该客商的负责人。") % {"user": user}, code="is_owner")
            shared.append(_share(actor=actor, partner=partner, user=user, can_write=can_write))
        changed = [collaboration for collaboration, is_change in shared if is_change]
        if changed and user != actor:
            partner = rows[0]
            title = (
                _("%(actor)s 与您共享了客商“%(name)s”") % {"actor": actor, "name": partner}
                if len(rows) == 1
                else _("%(actor)s 与您共享了 %(count)s 个客商") % {"actor": actor, "count": len(rows)}
            )
            notify(recipients=[user], title=title, url=partner_url(partner))
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
        rows = lock_partners(Partner.objects.visible_to(actor, Action.CHANGE), [partner.pk])
        if not rows or not can_share(user=actor, partner=rows[0]):
            raise ScopeViolation(_("只有负责人或有分配权限的主管可以管理协作人。"))
        collaboration = list_collaborators(partner=rows[0]).filter(user=user).first()
        if collaboration is None:
            raise field_error("user", _("该用户不是协作人。"), code="not_collaborator")
        audit.record(
            actor=actor,
            obj=collaboration,
            action=AuditAction.DELETE,
            before=audit.snapshot(collaboration),
            related=rows[0],
        )
        collaboration.delete()
