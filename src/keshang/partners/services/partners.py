"""Every write to a partner itself (STYLE.md §2): create, update, delete, and the deal date later apps report.

Each service validates, derives the duplicate keys and search text, checks duplicate control, saves in one
transaction and writes the audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ScopeViolation
from keshang.core.models import AuditAction
from keshang.core.permissions import Action
from keshang.core.versioning import check_version

from .. import text
from ..models import PARTNER_EDITABLE_FIELDS, Partner
from ..search import index_partner_grams
from ..selectors.partners import CREDIT_FIELDS, can_change_credit
from .codes import assign_partner_codes
from .duplicates import check_partner_duplicates
from .suppliers import delete_supplier_records

__all__ = [
    "PARTNER_FIELDS",
    "check_credit_fields",
    "check_customer_flag",
    "derive_partner_keys",
    "create_partner",
    "update_partner",
    "delete_partner",
    "record_partner_deal",
]

# Tags are set after saving. phone_unverified comes only from an import that chose to keep unreadable numbers.
PARTNER_FIELDS = {*PARTNER_EDITABLE_FIELDS, "owner", "department", "phone_unverified"} - {"tags"}


def derive_partner_keys(partner: Partner) -> None:
    """Normalise what people type and derive the keys that find and de-duplicate the partner.

    A phone kept unverified by an import has no key: it could not be read, so it compares with nothing."""
    partner.code = (partner.code or "").strip() or None
    # Stored as typed but without invisible characters (issue 12, finding 11): what a list shows is the name.
    partner.name = text.strip_invisible(partner.name or "").strip()
    partner.short_name = text.strip_invisible(partner.short_name or "").strip()
    partner.credit_code = text.normalize_credit_code(partner.credit_code or "") or None
    if partner.phone and not partner.phone_unverified:
        partner.phone_key = text.normalize_phone(partner.phone, partner.country or "CN")
    else:
        partner.phone_key = ""
    partner.name_key = text.name_key(partner.name)
    partner.search_text = text.search_text(
        partner.name,
        partner.short_name,
        partner.credit_code or "",
        text.phone_digits(partner.phone),
        partner.code or "",
    )


def _identity(partner: Partner) -> tuple:
    """What duplicate control compares; edits that leave it alone are not re-checked."""
    return partner.name_key, partner.phone_key, partner.credit_code


def _set_tags(partner: Partner, tags) -> None:
    if tags is not None:
        partner.tags.set(tags)


def _credit_value(partner_or_data, field: str):
    """A credit field's value to compare: the level by its key, whether given as a level, a key or ``level_id``."""
    if isinstance(partner_or_data, dict):
        if field == "level" and "level" not in partner_or_data:
            return partner_or_data.get("level_id")
        value = partner_or_data.get(field)
    else:
        value = getattr(partner_or_data, "level_id" if field == "level" else field)
    return getattr(value, "pk", value)


def check_credit_fields(*, actor, partner: Partner, data: dict) -> None:
    """Refuse a change of 信用额度、级别 or 付款条件 by someone without "change" on ``partners.credit`` (issue 12,
    finding 7). ``partner`` holds the values before the change (a new one: the defaults); sending them unchanged
    is no change."""
    if can_change_credit(user=actor):
        return
    given = [field for field in CREDIT_FIELDS if field in data or (field == "level" and "level_id" in data)]
    if any(_credit_value(data, field) != _credit_value(partner, field) for field in given):
        message = _("您的角色不能修改信用额度与级别（信用额度、级别、付款条件）。")
        raise ScopeViolation(message, code="credit_fields_not_allowed")


def check_customer_flag(*, actor, partner: Partner, data: dict) -> None:
    """Taking 客户 off an owned customer is a manager's act ("assign" on it; issue 12, finding 6): a rep who could
    turn a customer into a supplier and back would hold more than the claim limit and keep it from the nightly
    recycle. Adding the flag, and every flag of an unowned or new partner, stays free."""
    if not partner.is_customer or data.get("is_customer", True) or partner.owner_id is None or actor is None:
        return
    if not Partner.objects.visible_to(actor, Action.ASSIGN).filter(pk=partner.pk).exists():
        message = _("只有有分配权限的主管可以取消客商的“客户”身份。")
        raise ScopeViolation(message, code="customer_flag_not_allowed")


def create_partner(*, actor, data: dict, tags=None, confirm_duplicate: bool = False) -> Partner:
    """Create a partner owned by ``data['owner']`` (the actor by default) in the owner's department."""
    unknown = set(data) - PARTNER_FIELDS
    if unknown:
        raise ValueError(f"unknown partner fields: {sorted(unknown)}")
    check_credit_fields(actor=actor, partner=Partner(), data=data)
    with transaction.atomic():
        partner = Partner(**data)
        if "owner" not in data:
            partner.owner = actor
        if "department" not in data and partner.owner is not None:
            partner.department = partner.owner.department
        if partner.owner is not None:
            partner.owned_since = timezone.now()
        partner.created_by = actor if getattr(actor, "is_authenticated", False) else None
        partner.code = (partner.code or "").strip() or None
        assign_partner_codes([partner])
        derive_partner_keys(partner)
        # Before full_clean: its unique check on the credit code would refuse without naming the owner.
        check_partner_duplicates(partner, confirm_duplicate=confirm_duplicate)
        partner.full_clean()
        partner.save()
        index_partner_grams(partner)
        _set_tags(partner, tags)
        audit.record(actor=actor, obj=partner, action=AuditAction.CREATE)
    return partner


def update_partner(
    *,
    actor,
    partner: Partner,
    data: dict,
    tags=None,
    confirm_duplicate: bool = False,
    expected_version: int | None = None,
) -> Partner:
    """Apply ``data``; ``expected_version`` is the version the user started editing from, and a save based
    on an older one is refused (:class:`~keshang.core.versioning.VersionConflict`) instead of overwriting.
    A code cleared here stays empty: only a new partner is given one from the sequence."""
    unknown = set(data) - PARTNER_FIELDS
    if unknown:
        raise ValueError(f"unknown partner fields: {sorted(unknown)}")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        check_version(partner, expected_version)
        check_credit_fields(actor=actor, partner=partner, data=data)
        check_customer_flag(actor=actor, partner=partner, data=data)
        before = audit.snapshot(partner)
        identity_before = _identity(partner)
        search_text_before = partner.search_text
        phone_before = partner.phone
        for field, value in data.items():
            setattr(partner, field, value)
        if partner.phone != phone_before and not data.get("phone_unverified"):
            partner.phone_unverified = False  # a number typed now is checked like any other
        derive_partner_keys(partner)
        if _identity(partner) != identity_before:
            check_partner_duplicates(partner, confirm_duplicate=confirm_duplicate)
        partner.full_clean()
        # Tags before the comparison, so that a change of tags alone is a new version too.
        _set_tags(partner, tags)
        changed = before != audit.snapshot(partner)
        if changed:
            partner.version += 1
        partner.save()
        if partner.search_text != search_text_before:
            index_partner_grams(partner)
        if changed:
            audit.record(actor=actor, obj=partner, action=AuditAction.UPDATE, before=before)
    return partner


def delete_partner(*, actor, partner: Partner) -> None:
    """Stored files (qualifications, attachments) go too: the database cascade alone would orphan them."""
    with transaction.atomic():
        delete_supplier_records(actor=actor, partner=partner)
        audit.record(actor=actor, obj=partner, action=AuditAction.DELETE, before=audit.snapshot(partner))
        partner.delete()


def record_partner_deal(*, partner_id: int, at) -> None:
    """A later app reports a deal with this customer (a confirmed order, an accepted quotation): 最近成交 moves
    forward, never back. A derived date, not an edit of the partner: no version bump, no audit entry of its own
    (the document's entry records the deal)."""
    Partner.objects.unscoped().filter(pk=partner_id).filter(
        Q(last_deal_at__isnull=True) | Q(last_deal_at__lt=at)
    ).update(last_deal_at=at)
