"""What partners gives the shared pages through their registries (registered in ``apps.py``): hits for the global
search (客商, 联系人), events for a partner's 动态 timeline (handovers, access requests, merges) and a contact's (its
changes), and what falls due on the home page's 到期提醒 (suppliers' qualifications, customers the pool rules are
about to take back). Every read goes through the reader's data scope; sensitive fields in a hit are masked as on
the lists."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core.deadlines import Deadline
from keshang.core.history import describe_changes
from keshang.core.masking import Masker
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action
from keshang.core.search import SearchHit
from keshang.core.timeline import TimelineEvent

from ..models import Contact, HandoverKind, Partner
from ..registry import describe_moved
from .ownership import list_customers_due_for_recycling, list_handovers, read_pool_rules
from .partners import list_contacts, list_partners, search_contacts, search_partners
from .suppliers import list_qualifications

__all__ = [
    "search_partner_hits",
    "search_contact_hits",
    "partner_handover_events",
    "partner_access_request_events",
    "partner_merge_events",
    "contact_change_events",
    "QUALIFICATION_OVERDUE_DAYS",
    "expiring_qualifications",
    "customers_due_for_recycling",
]

# How long an expired qualification stays among the reminders: as long as the expiry reminders look ahead
# (``services.EXPIRY_THRESHOLDS``). An older one has usually been replaced by a renewed certificate, entered as a
# new qualification, and would otherwise crowd the home page for good.
QUALIFICATION_OVERDUE_DAYS = 30
# Deadlines read per source at most; the home page shows the soonest twenty of all sources.
DEADLINE_LIMIT = 50


#
# Global search
#


def search_partner_hits(query: str, *, user, limit: int) -> list[SearchHit]:
    """Partners ``user`` may see that the partner search box finds (name, pinyin, code, credit code, phone digits,
    a contact's name or mobile), newest first; the phone masked unless ``view_sensitive`` covers the row."""
    partners = list(search_partners(user=user, query=query)[:limit])
    masker = Masker(user, Partner).prepare(partners)
    hits = []
    for partner in partners:
        owner = str(partner.owner) if partner.owner_id else _("公海")
        parts = [partner.code or "", partner.roles_display(), owner, masker.value(partner, "phone")]
        hits.append(
            SearchHit(
                title=partner.name, url=partner.get_absolute_url(), detail=" · ".join(part for part in parts if part)
            )
        )
    return hits


def search_contact_hits(query: str, *, user, limit: int) -> list[SearchHit]:
    """Contacts of the partners ``user`` may see, found by their name, mobile or e-mail or their partner's; the
    mobile masked unless ``view_sensitive`` covers the partner. A contact opens on its own page."""
    contacts = list(search_contacts(user=user, query=query).order_by("-pk")[:limit])
    masker = Masker(user, Contact).prepare(contacts)
    hits = []
    for contact in contacts:
        parts = [contact.partner.name, contact.title, masker.value(contact, "mobile")]
        hits.append(
            SearchHit(
                title=contact.name,
                url=contact.get_absolute_url(),
                detail=" · ".join(part for part in parts if part),
            )
        )
    return hits


#
# A partner's timeline (动态)
#


def partner_handover_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    """Every move of the partner between owners and the pool (分配, 转移, 放入公海, 领取, 自动回收), as far as
    ``user`` may see the partner (a handover follows its partner's scope)."""
    handovers = list_handovers(user=user).filter(partner=partner).exclude(kind=HandoverKind.MERGE)
    events = []
    for handover in handovers.order_by("-pk")[:limit]:
        moved = describe_moved(handover.moved)
        detail = [handover.notes, _("随之转移：%(moved)s") % {"moved": moved} if moved else ""]
        events.append(
            TimelineEvent(
                at=handover.created_at,
                kind=_("交接"),
                title=handover.describe_move(),
                url=reverse("partners:partner_handovers", args=[handover.partner_id]),
                actor=str(handover.created_by) if handover.created_by_id else _("系统"),
                detail=" · ".join(part for part in detail if part),
            )
        )
    return events


def partner_merge_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    """The duplicates merged into the partner: the merge's record says which (name and number) and what moved over."""
    merges = list_handovers(user=user).filter(partner=partner, kind=HandoverKind.MERGE).order_by("-pk")[:limit]
    return [
        TimelineEvent(
            at=handover.created_at,
            kind=_("合并"),
            title=handover.notes,
            url=reverse("partners:partner_handovers", args=[handover.partner_id]),
            actor=str(handover.created_by) if handover.created_by_id else _("系统"),
        )
        for handover in merges
    ]


def partner_access_request_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    """Colleagues who asked the owner to share the partner or hand it over (``services.request_partner_access``
    records each on the partner's audit trail), for those who may see the partner, as its history tab shows them."""
    if not list_partners(user=user).filter(pk=partner.pk).exists():
        return []
    # Issue 11: the requests are recorded as PERMISSION entries, the nearest action core has; an AuditAction of
    # their own (a request, not a change of permissions) belongs in core and would make this filter exact.
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Partner),
        object_id=str(partner.pk),
        action=AuditAction.PERMISSION,
    ).select_related("user")
    return [
        TimelineEvent(
            at=entry.created_at,
            kind=_("申请"),
            title=entry.message,
            url=reverse("partners:partner_history", args=[partner.pk]),
            actor=str(entry.user) if entry.user_id else entry.user_name,
        )
        for entry in entries.order_by("-pk")[:limit]
    ]


def contact_change_events(contact, *, user, limit: int) -> list[TimelineEvent]:
    """The contact's own changes (新建, 修改 …) from its audit entries, for those who may see it (its partner), as its
    history tab shows them; the detail names the changed fields only, so nothing sensitive is shown."""
    if not list_contacts(user=user).filter(pk=contact.pk).exists():
        return []
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).select_related("user", "content_type")
    return [
        TimelineEvent(
            at=entry.created_at,
            kind=_("联系人"),
            title=f"{entry.get_action_display()} {entry.object_repr}",
            url=reverse("partners:contact_history", args=[contact.pk]),
            actor=str(entry.user) if entry.user_id else entry.user_name,
            detail="、".join(row.label for row in describe_changes(entry, user)),
        )
        for entry in entries.order_by("-pk")[:limit]
    ]


#
# The home page's reminders (到期提醒)
#


def expiring_qualifications(*, user, today: datetime.date, until: datetime.date) -> list[Deadline]:
    """Suppliers' qualifications expiring by ``until`` (or expired within :data:`QUALIFICATION_OVERDUE_DAYS`), of the
    suppliers ``user`` may see: the buyer asks for the renewed certificate before orders stop."""
    due = (
        list_qualifications(user=user)
        .filter(
            partner__is_supplier=True,
            expires_on__lte=until,
            expires_on__gte=today - datetime.timedelta(days=QUALIFICATION_OVERDUE_DAYS),
        )
        .order_by("expires_on", "pk")[:DEADLINE_LIMIT]
    )
    return [
        Deadline(
            due=qualification.expires_on,
            kind=_("资质到期"),
            title=f"{qualification.partner} · {qualification.name}",
            url=reverse("partners:partner_supplier", args=[qualification.partner_id]),
        )
        for qualification in due
    ]


def customers_due_for_recycling(*, user, today: datetime.date, until: datetime.date) -> list[Deadline]:
    """Owned customers the pool rules will take back by the end of ``until`` (将回收到公海), among those ``user`` may
    change: the owner, and the managers whose scope holds them, can still follow up or close a deal first. Those who
    only read partners (finance, management) are not warned: it is not theirs to act on."""
    end_of_window = timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time()))
    customers = list_customers_due_for_recycling(
        list_partners(user=user, action=Action.CHANGE), read_pool_rules(), by=end_of_window, limit=DEADLINE_LIMIT
    )
    return [
        Deadline(
            due=timezone.localdate(customer.recycle_at),
            kind=_("将回收到公海"),
            title=f"{customer}（{customer.recycle_reason.label}）",
            url=customer.get_absolute_url(),
        )
        for customer in customers
    ]
