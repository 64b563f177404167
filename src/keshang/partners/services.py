"""Every write to partners and their contacts, addresses and bank accounts (STYLE.md §2).

Each service validates, derives the duplicate keys and search text, saves in one transaction and
writes the audit trail. Changes to a partner's parts are also recorded against the partner, so the
partner's history tab shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, NumberSequence
from keshang.core.numbering import format_number, next_number
from keshang.core.versioning import check_version

from . import text
from .models import PARTNER_EDITABLE_FIELDS, Address, BankAccount, Contact, Partner
from .search import index_partner_grams
from .suppliers import delete_supplier_records

__all__ = [
    "derive_partner_keys",
    "record_partner_deal",
    "contact_search_text",
    "code_prefix",
    "assign_partner_codes",
    "DUPLICATES_BLOCK_OTHERS",
    "DUPLICATES_WARN",
    "DUPLICATES_BLOCK",
    "DUPLICATE_POLICIES",
    "DuplicateMatch",
    "DuplicatePartnerError",
    "duplicate_policy",
    "duplicate_error",
    "find_duplicates",
    "create_partner",
    "update_partner",
    "delete_partner",
    "save_contact",
    "delete_contact",
    "save_address",
    "delete_address",
    "save_bank_account",
    "delete_bank_account",
]

# Tags are set after saving. phone_unverified comes only from an import that chose to keep unreadable numbers.
PARTNER_FIELDS = {*PARTNER_EDITABLE_FIELDS, "owner", "department", "phone_unverified"} - {"tags"}


#
# Duplicate control (查重, 防撞单)
#

# What KESHANG_PARTNER_DUPLICATES may say. Whatever it says, a repeated credit code is refused.
DUPLICATES_BLOCK_OTHERS = "block_others"  # the default: refuse a copy of someone else's partner, warn otherwise
DUPLICATES_WARN = "warn"  # warn about every suspected duplicate; the user may confirm and save
DUPLICATES_BLOCK = "block"  # refuse every suspected duplicate
DUPLICATE_POLICIES = (DUPLICATES_BLOCK_OTHERS, DUPLICATES_WARN, DUPLICATES_BLOCK)

# The partner fields duplicate control compares, and how the reason reads.
_REASONS = {
    "code": gettext_lazy("编号相同"),  # the importer's: a code is unique, so the services refuse it as a field
    "credit_code": gettext_lazy("统一社会信用代码相同"),
    "name": gettext_lazy("名称相同"),
    "phone": gettext_lazy("电话相同"),
}


@dataclass(frozen=True)
class DuplicateMatch:
    """What a user may learn about a duplicate they cannot open: its name and its owner, nothing else.
    ``matched`` are the fields that matched (``credit_code``, ``name``, ``phone``); ``owner_pk`` decides
    whose record it is and is never shown."""

    pk: int
    name: str
    owner_name: str
    matched: tuple[str, ...]
    owner_pk: int | None = None

    @property
    def reason(self) -> str:
        return "、".join(str(_REASONS[field]) for field in self.matched)

    @property
    def same_credit_code(self) -> bool:
        return "credit_code" in self.matched

    def owned_by_other_than(self, owner_pk: int | None) -> bool:
        """Someone else's: owned (not in the pool) by another user than ``owner_pk``."""
        return self.owner_pk is not None and self.owner_pk != owner_pk

    def describe(self) -> str:
        owner = self.owner_name or _("公海")
        return _("“%(name)s”（负责人：%(owner)s，%(reason)s）") % {
            "name": self.name,
            "owner": owner,
            "reason": self.reason,
        }


class DuplicatePartnerError(ApplicationError):
    """A suspected duplicate. ``code`` tells API clients what they may do next:

    * ``duplicate_partner``: a warning; sending ``confirm_duplicate`` saves anyway;
    * ``duplicate_partner_owned``: refused, someone else owns the partner; ask them to share it or hand it
      over (``request-access``, :mod:`.access_requests`);
    * ``duplicate_partner_blocked``: refused (same credit code, or the ``block`` policy).

    ``fields`` names the fields that matched, each with the message.
    """

    def __init__(self, matches: list[DuplicateMatch], *, blocking: bool, owned_by_others: bool = False):
        self.matches = matches
        self.blocking = blocking or owned_by_others
        self.owned_by_others = owned_by_others
        names = "；".join(match.describe() for match in matches[:5])
        if owned_by_others:
            code = "duplicate_partner_owned"
            message = _("已有他人负责的相同客商：%(names)s。不能重复建立，可以向负责人申请共享或转给您。")
        elif blocking:
            code = "duplicate_partner_blocked"
            message = _("已存在相同的客商：%(names)s。")
        else:
            code = "duplicate_partner"
            message = _("可能与已有客商重复：%(names)s。确认无误可勾选“仍然保存”。")
        message = message % {"names": names}
        matched = dict.fromkeys(field for match in matches for field in match.matched)
        super().__init__(message, code=code, fields={field: [message] for field in matched})


def duplicate_policy() -> str:
    """``KESHANG_PARTNER_DUPLICATES`` (see :data:`DUPLICATE_POLICIES`); checks.py refuses other values."""
    return getattr(settings, "KESHANG_PARTNER_DUPLICATES", DUPLICATES_BLOCK_OTHERS)


def find_duplicates(
    *, name: str = "", credit_code: str = "", phone: str = "", exclude_pk: int | None = None
) -> list[DuplicateMatch]:
    """Partners sharing a name key, credit code or phone key (``phone`` is a key already), among ALL partners.

    Deliberately unscoped: 防撞单 only works if a rep learns that a customer they cannot see is
    already owned; what they learn is limited to :class:`DuplicateMatch` (name and owner).
    """
    matched: dict[int, list[str]] = {}
    checks = [
        ("credit_code", "credit_code", credit_code or ""),
        ("name", "name_key", text.name_key(name) if name else ""),
        ("phone", "phone_key", phone or ""),
    ]
    for field, column, value in checks:
        if not value:
            continue
        rows = Partner.objects.unscoped().filter(**{column: value})
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        for pk in rows.values_list("pk", flat=True)[:20]:
            matched.setdefault(pk, []).append(field)
    if not matched:
        return []
    partners = Partner.objects.unscoped().filter(pk__in=matched).select_related("owner").order_by("pk")
    return [
        DuplicateMatch(
            pk=p.pk,
            name=p.name,
            owner_name=str(p.owner) if p.owner else "",
            matched=tuple(matched[p.pk]),
            owner_pk=p.owner_id,
        )
        for p in partners
    ]


def duplicate_error(
    matches: list[DuplicateMatch], *, owner_pk: int | None, confirmed: bool = False
) -> DuplicatePartnerError | None:
    """What the policy makes of ``matches`` for a partner owned by ``owner_pk`` (None: the pool): the error to
    raise, or None when it may be saved (no matches, or a warning the user has ``confirmed``)."""
    if not matches:
        return None
    policy = duplicate_policy()
    theirs = [match for match in matches if match.owned_by_other_than(owner_pk)]
    if theirs and policy != DUPLICATES_WARN:
        return DuplicatePartnerError(theirs, blocking=True, owned_by_others=True)
    if any(match.same_credit_code for match in matches):
        # Decided on the matched key, not on the (translated) reason text.
        return DuplicatePartnerError(matches, blocking=True, owned_by_others=bool(theirs))
    if policy == DUPLICATES_BLOCK:
        return DuplicatePartnerError(matches, blocking=True)
    return None if confirmed else DuplicatePartnerError(matches, blocking=False)


def _check_duplicates(partner: Partner, *, confirm_duplicate: bool) -> None:
    matches = find_duplicates(
        name=partner.name, credit_code=partner.credit_code or "", phone=partner.phone_key, exclude_pk=partner.pk
    )
    error = duplicate_error(matches, owner_pk=partner.owner_id, confirmed=confirm_duplicate)
    if error is not None:
        raise error


#
# Partners
#


def derive_partner_keys(partner: Partner) -> None:
    """Normalise what people type and derive the keys that find and de-duplicate the partner.

    A phone kept unverified by an import has no key: it could not be read, so it compares with nothing."""
    partner.code = (partner.code or "").strip() or None
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


def code_prefix(partner: Partner) -> str:
    """C for customers (and partners that are both), S for suppliers only: C202611-00042, S202611-00007."""
    return "C" if partner.is_customer else "S"


def assign_partner_codes(partners: list[Partner], *, on=None) -> None:
    """Give each partner without a code the next one of its sequence (core.numbering), in the caller's
    transaction. A number someone already typed as a code (or that ``partners`` type themselves) is
    passed over. Numbers are taken a block at a time and checked in one query per round: an import of
    100,000 partners cannot afford a sequence update per partner."""
    typed = {partner.code for partner in partners if partner.code}
    waiting = [partner for partner in partners if not partner.code]
    while waiting:
        by_prefix: dict[str, list[Partner]] = {}
        for partner in waiting:
            by_prefix.setdefault(code_prefix(partner), []).append(partner)
        proposed = {
            code: partner
            for prefix, group in by_prefix.items()
            for code, partner in zip(_reserve_numbers(prefix, len(group), on=on), group, strict=True)
        }
        taken = typed | set(Partner.objects.unscoped().filter(code__in=proposed).values_list("code", flat=True))
        waiting = []
        for code, partner in proposed.items():
            if code in taken:
                waiting.append(partner)
            else:
                partner.code = code


_NUMBER = re.compile(r"(\d+)-(\d+)")


def _reserve_numbers(doc_type: str, count: int, *, on=None) -> list[str]:
    """``count`` consecutive numbers of ``doc_type``: the first from core.numbering, which creates the period's
    sequence row if needed and locks it for this transaction, the others by moving that row on past them in
    one update while it is still locked."""
    with transaction.atomic():
        first = next_number(doc_type, on=on)
        period, value = _NUMBER.fullmatch(first.removeprefix(doc_type)).groups()
        if count > 1:
            NumberSequence.objects.filter(doc_type=doc_type, period=period).update(
                last_value=F("last_value") + count - 1
            )
    return [format_number(doc_type, period, int(value) + offset) for offset in range(count)]


def contact_search_text(contact: Contact) -> str:
    """What finds a contact: its name (with pinyin), mobile digits and e-mail."""
    return text.search_text(contact.name, text.phone_digits(contact.mobile), contact.email)


def _identity(partner: Partner) -> tuple:
    """What duplicate control compares; edits that leave it alone are not re-checked."""
    return partner.name_key, partner.phone_key, partner.credit_code


def _set_tags(partner: Partner, tags) -> None:
    if tags is not None:
        partner.tags.set(tags)


def create_partner(*, actor, data: dict, tags=None, confirm_duplicate: bool = False) -> Partner:
    """Create a partner owned by ``data['owner']`` (the actor by default) in the owner's department."""
    unknown = set(data) - PARTNER_FIELDS
    if unknown:
        raise ValueError(f"unknown partner fields: {sorted(unknown)}")
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
        _check_duplicates(partner, confirm_duplicate=confirm_duplicate)
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
            _check_duplicates(partner, confirm_duplicate=confirm_duplicate)
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


#
# Parts of a partner: contacts, addresses, bank accounts
#


def _save_part(
    *, actor, instance, data: dict, exclusive_flag: str | None = None, scope_of_flag=(), expected_version=None
):
    """Create or update one part of a partner; at most one row per partner (and ``scope_of_flag``)
    carries ``exclusive_flag`` (primary contact, default address), so setting it clears the others.
    An update applies ``data`` to the row read under its lock, refused if it is no longer at
    ``expected_version`` (:class:`~keshang.core.versioning.VersionConflict`)."""
    with transaction.atomic():
        is_new = instance.pk is None
        before = None
        if not is_new:
            instance = type(instance).objects.select_for_update().get(pk=instance.pk)
            check_version(instance, expected_version)
            before = audit.snapshot(instance)
        mobile_before = getattr(instance, "mobile", None)
        for field, value in data.items():
            setattr(instance, field, value)
        if isinstance(instance, Contact):
            if instance.mobile != mobile_before and not data.get("mobile_unverified"):
                instance.mobile_unverified = False  # as a partner's phone: a number typed now is checked
            instance.search_text = contact_search_text(instance)
        if exclusive_flag and getattr(instance, exclusive_flag):
            others = type(instance).objects.filter(partner=instance.partner, **{exclusive_flag: True})
            for field in scope_of_flag:
                others = others.filter(**{field: getattr(instance, field)})
            if instance.pk:
                others = others.exclude(pk=instance.pk)
            # A new version for them too: a form still showing the flag set must not set it back silently.
            others.update(**{exclusive_flag: False}, version=F("version") + 1)
        instance.full_clean()
        changed = is_new or before != audit.snapshot(instance)
        if changed and not is_new:
            instance.version += 1
        instance.save()
        if changed:
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                before=before,
                related=instance.partner,
            )
    return instance


def _delete_part(*, actor, instance) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            obj=instance,
            action=AuditAction.DELETE,
            before=audit.snapshot(instance),
            related=instance.partner,
        )
        instance.delete()


def save_contact(
    *, actor, partner: Partner, contact: Contact | None = None, data: dict, expected_version: int | None = None
) -> Contact:
    return _save_part(
        actor=actor,
        instance=contact or Contact(partner=partner),
        data=data,
        exclusive_flag="is_primary",
        expected_version=expected_version,
    )


def delete_contact(*, actor, contact: Contact) -> None:
    _delete_part(actor=actor, instance=contact)


def save_address(
    *, actor, partner: Partner, address: Address | None = None, data: dict, expected_version: int | None = None
) -> Address:
    return _save_part(
        actor=actor,
        instance=address or Address(partner=partner),
        data=data,
        exclusive_flag="is_default",
        scope_of_flag=("kind",),
        expected_version=expected_version,
    )


def delete_address(*, actor, address: Address) -> None:
    _delete_part(actor=actor, instance=address)


def save_bank_account(
    *,
    actor,
    partner: Partner,
    account: BankAccount | None = None,
    data: dict,
    expected_version: int | None = None,
) -> BankAccount:
    return _save_part(
        actor=actor,
        instance=account or BankAccount(partner=partner),
        data=data,
        exclusive_flag="is_default",
        expected_version=expected_version,
    )


def delete_bank_account(*, actor, account: BankAccount) -> None:
    _delete_part(actor=actor, instance=account)


def record_partner_deal(*, partner_id: int, at) -> None:
    """A later app reports a deal with this customer (a confirmed order, an accepted quotation): 最近成交 moves
    forward, never back. A derived date, not an edit of the partner: no version bump, no audit entry of its own
    (the document's entry records the deal)."""
    Partner.objects.unscoped().filter(pk=partner_id).filter(
        Q(last_deal_at__isnull=True) | Q(last_deal_at__lt=at)
    ).update(last_deal_at=at)
