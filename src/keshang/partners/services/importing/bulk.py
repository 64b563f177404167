"""Writing many new partners at once, for the import."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from keshang.core import audit, bulk
from keshang.core.context import current_request
from keshang.core.exceptions import ScopeViolation
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action

from ... import search
from ...models import Contact, Partner
from ..codes import assign_partner_codes
from ..partners import derive_partner_keys
from ..parts import contact_search_text

__all__ = ["create_partners_bulk"]


def create_partners_bulk(*, actor, partners: list[tuple[Partner, Contact | None]]) -> list[Partner]:
    """Create many new partners (each with an optional primary contact) as ``services.create_partner``
    and ``services.save_contact`` would, in a few bulk inserts.

    For importing: 100,000 rows through the per-row services would take minutes (each checks duplicates,
    validates foreign keys and writes its audit row with its own queries). The caller has already done
    per row what ``create_partner`` does before saving: fields validated with ``full_clean`` (foreign keys
    and uniqueness excluded: they come from lookups, and duplicates were checked against all partners),
    owner and department set. Here: partners without a code get one from the sequence
    (``services.assign_partner_codes``), the keys and search text are derived by the services' own function,
    the rows are inserted, the scope is re-checked in bulk (a partner the actor could not see rolls all
    back), the search bigrams are indexed in bulk, and one audit entry per partner and contact is written
    with the fields ``audit.record`` fills.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        for partner, _contact in partners:
            partner.code = (partner.code or "").strip() or None
        assign_partner_codes([partner for partner, _contact in partners])
        snapshots = []
        for partner, _contact in partners:
            partner.created_by = user
            derive_partner_keys(partner)  # the same keys and search text create_partner derives
            # Taken before the insert, when there is no pk and so no per-row query for the tags.
            snapshots.append(audit.snapshot(partner))
        bulk.insert_rows(Partner, [partner for partner, _contact in partners])
        pks = [partner.pk for partner, _contact in partners]
        if user is not None and Partner.objects.visible_to(user, Action.ADD).filter(pk__in=pks).count() != len(pks):
            raise ScopeViolation()
        search.reindex_partner_grams([partner for partner, _contact in partners])
        contacts = []
        for partner, contact in partners:
            if contact is not None:
                contact.partner = partner
                # As services.save_contact derives it.
                contact.search_text = contact_search_text(contact)
                contacts.append(contact)
        bulk.insert_rows(Contact, contacts)
        entries = []
        partner_type = ContentType.objects.get_for_model(Partner)
        contact_type = ContentType.objects.get_for_model(Contact)
        context = current_request.get()
        common = {
            "user": user,
            "user_name": user.get_username() if user else "",
            "request_id": context.request_id if context else "",
            "ip_address": context.ip_address if context else None,
            "user_agent": context.user_agent if context else "",
            "action": AuditAction.CREATE,
        }
        for (partner, _contact), after in zip(partners, snapshots, strict=True):
            after.update(
                id=partner.pk,
                created_at=audit.serialize_value(partner.created_at),
                updated_at=audit.serialize_value(partner.updated_at),
                tags=[],
            )
            entries.append(
                AuditEntry(
                    **common,
                    content_type=partner_type,
                    object_id=str(partner.pk),
                    object_repr=str(partner)[:200],
                    after=after,
                )
            )
        for contact in contacts:
            entries.append(
                AuditEntry(
                    **common,
                    content_type=contact_type,
                    object_id=str(contact.pk),
                    object_repr=str(contact)[:200],
                    after=audit.snapshot(contact),
                    related_content_type=partner_type,
                    related_object_id=str(contact.partner_id),
                )
            )
        bulk.insert_rows(AuditEntry, entries)
    return [partner for partner, _contact in partners]
