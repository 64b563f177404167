"""Asking the owner of a customer for it (申请共享 / 申请转移), issue 11.

Duplicate control refuses a copy of a partner someone else owns (撞单, ``services.duplicate_error``) and
names only that partner and its owner. The rep who was refused may then ask the owner, from the same form
or API call, to share the partner with them or to hand it over:

* the request names the partner the way the refused save did (name, credit code, phone), never by id:
  what a rep may ask about is exactly what duplicate control told them, so nobody can probe partners by
  number. Every partner those details match that someone else owns is asked about;
* the owner gets a notification whose link opens the page that grants it, with the requester filled in:
  the 协作人 tab for a share (the owner may share, ``selectors.can_share``), the 转移 page for a handover
  when the owner may transfer it, else the 协作人 tab too, and then the owner's manager, who usually holds
  "assign", is asked as well. Granting goes through the existing ownership services, with their checks;
* each request is recorded on the partner's audit trail (the owner sees who asked and when); the
  requester learns nothing new, and an unread identical request is not sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction
from keshang.core.notifications import list_notifications, notify
from keshang.core.permissions import Action
from keshang.core.scope import has_action

from .. import text
from ..models import Partner
from .duplicates import find_duplicates

__all__ = ["AccessKind", "AccessRequest", "request_partner_access"]

RESOURCE = "partners.partner"


class AccessKind(models.TextChoices):
    SHARE = "share", gettext_lazy("申请共享")
    TRANSFER = "transfer", gettext_lazy("申请转给我")


_TITLES = {
    AccessKind.SHARE: gettext_lazy("%(requester)s 申请共享客商“%(name)s”"),
    AccessKind.TRANSFER: gettext_lazy("%(requester)s 申请接手客商“%(name)s”"),
}


@dataclass(frozen=True)
class AccessRequest:
    """One partner asked about: as much as the requester was told, its name and its owner."""

    name: str
    owner_name: str


def _link(partner: Partner, *, kind: str, requester, approver) -> str:
    """The page where ``approver`` grants the request, the requester already chosen."""
    if kind == AccessKind.TRANSFER and _may_assign(approver, partner):
        return f"{reverse('partners:partner_transfer', args=[partner.pk])}?{urlencode({'owner': requester.pk})}"
    return f"{reverse('partners:partner_collaborators', args=[partner.pk])}?{urlencode({'user': requester.pk})}"


def _may_assign(user, partner: Partner) -> bool:
    return Partner.objects.visible_to(user, Action.ASSIGN).filter(pk=partner.pk).exists()


def _approvers(partner: Partner, *, kind: str) -> list:
    """The owner; for a handover the owner cannot make, their manager too if the manager can."""
    owner = partner.owner
    approvers = [owner]
    if kind == AccessKind.TRANSFER and not _may_assign(owner, partner):
        manager = owner.manager
        if manager is not None and _may_assign(manager, partner):
            approvers.append(manager)
    return approvers


def request_partner_access(
    *, actor, kind: str, name: str = "", credit_code: str = "", phone: str = "", country: str = "CN", note: str = ""
) -> list[AccessRequest]:
    """Ask the owners of the partners that ``name``, ``credit_code`` or ``phone`` (read in ``country``) match,
    and that someone else owns, to share them with ``actor`` or hand them over. Only someone who may add
    partners may ask. Raises ApplicationError ``no_owned_duplicate`` when no such partner matches."""
    if not has_action(actor, RESOURCE, Action.ADD):
        raise ScopeViolation(_("您没有新建客商的权限。"))
    if kind not in AccessKind.values:
        message = _("请选择申请共享或申请转给我。")
        raise ApplicationError(message, code="invalid_access", fields={"access": [message]})
    credit_code = text.normalize_credit_code(credit_code)
    phone_key = text.normalize_phone(phone, country) if phone else ""
    matches = find_duplicates(name=name, credit_code=credit_code, phone=phone_key)
    theirs = [match for match in matches if match.owned_by_other_than(actor.pk)]
    if not theirs:
        raise ApplicationError(_("没有找到他人负责的相同客商。"), code="no_owned_duplicate")
    note = note.strip()
    requested = []
    with transaction.atomic():
        # Deliberately unscoped, as find_duplicates is: the requester cannot see these partners; they are
        # told nothing beyond the names and owners duplicate control already named.
        partners = Partner.objects.unscoped().filter(pk__in=[match.pk for match in theirs]).select_related("owner")
        for partner in partners.order_by("pk"):
            message = str(_TITLES[kind]) % {"requester": actor, "name": partner}
            for approver in _approvers(partner, kind=kind):
                url = _link(partner, kind=kind, requester=actor, approver=approver)
                if list_notifications(user=approver).unread().filter(url=url, title=message).exists():
                    continue  # asked already, and not yet read
                body = [
                    _("申请人：%(user)s（%(department)s）") % {"user": actor, "department": actor.department or "-"}
                ]
                if note:
                    body.append(_("说明：%(note)s") % {"note": note})
                notify(recipients=[approver], title=message, body="\n".join(body), url=url)
            audit.record_event(actor=actor, obj=partner, action=AuditAction.PERMISSION, message=message)
            requested.append(AccessRequest(name=partner.name, owner_name=str(partner.owner)))
    return requested
