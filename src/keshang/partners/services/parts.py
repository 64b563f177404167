"""Every write to the parts of a partner: contacts, addresses, bank accounts. A change to a part is also
recorded against the partner (``related=``), so the partner's history tab shows it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from keshang.core import audit
from keshang.core.models import AuditAction
from keshang.core.versioning import check_version

from .. import text
from ..models import Address, BankAccount, Contact, Partner

__all__ = [
    "contact_search_text",
    "save_contact",
    "delete_contact",
    "save_address",
    "delete_address",
    "save_bank_account",
    "delete_bank_account",
]


def contact_search_text(contact: Contact) -> str:
    """What finds a contact: its name (with pinyin), mobile digits and e-mail."""
    return text.search_text(contact.name, text.phone_digits(contact.mobile), contact.email)


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
