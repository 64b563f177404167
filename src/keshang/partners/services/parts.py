"""Every write to the parts of a partner: contacts, addresses, bank accounts. A change to a part is also
recorded against the partner (``related=``), so the partner's history tab shows it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction
from keshang.core.notifications import notify
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.versioning import check_version
from keshang.org.models import Grant, User

from .. import text
from ..models import Address, BankAccount, Contact, Partner
from ..selectors.partners import BANK_ACCOUNT

__all__ = [
    "contact_search_text",
    "save_contact",
    "delete_contact",
    "save_address",
    "delete_address",
    "save_bank_account",
    "delete_bank_account",
    "confirm_bank_account",
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


# What makes an account the one finance pays: a change of any of them on the default is held for confirmation.
PAYEE_FIELDS = ("bank_name", "account_name", "account_number")


def _check_bank_right(actor, action: str) -> None:
    if actor is not None and not has_action(actor, BANK_ACCOUNT, action):
        raise ScopeViolation(_("您的角色不能录入或修改客商银行账户。"), code="bank_account_not_allowed")


def save_bank_account(
    *,
    actor,
    partner: Partner,
    account: BankAccount | None = None,
    data: dict,
    expected_version: int | None = None,
) -> BankAccount:
    """Enter or change an account (issue 12, finding 10: "add"/"change" on ``partners.bankaccount``). A new
    default, or a changed bank, name or number on the default, is held 待确认 (``pending``, not the default) until a
    second person confirms it (:func:`confirm_bank_account`); the previous default stays the default meanwhile,
    and those who may confirm are told. The system (no actor: demo data, setup) is not held."""
    _check_bank_right(actor, Action.CHANGE if account is not None else Action.ADD)
    with transaction.atomic():
        current = BankAccount.objects.select_for_update().get(pk=account.pk) if account is not None else None
        wants_default = data.get("is_default", current.pending or current.is_default if current else False)
        payee_changed = current is None or any(
            field in data and data[field] != getattr(current, field) for field in PAYEE_FIELDS
        )
        newly_default = current is None or not current.is_default
        held = actor is not None and wants_default and (newly_default or payee_changed)
        if held:
            data = {**data, "is_default": False, "pending": True, "entered_by": actor}
        elif current is not None and current.pending and not wants_default:
            data = {**data, "pending": False}  # the request to make it the default is withdrawn
        saved = _save_part(
            actor=actor,
            instance=account or BankAccount(partner=partner),
            data=data,
            exclusive_flag="is_default",
            expected_version=expected_version,
        )
        if held:
            _tell_confirmers(saved, entered_by=actor)  # in-app rows, in the same transaction as the account
    return saved


def _tell_confirmers(account: BankAccount, *, entered_by) -> None:
    """Tell those whose role may confirm (finance by default), except whoever entered it."""
    roles = [grant.role_id for grant in Grant.objects.filter(resource=BANK_ACCOUNT) if Action.APPROVE in grant.actions]
    recipients = User.objects.unscoped().filter(roles__in=roles, is_active=True).exclude(pk=entered_by.pk).distinct()
    notify(
        recipients=list(recipients),
        title=_("%(partner)s 的新默认银行账户待确认") % {"partner": account.partner},
        body=_("%(user)s 录入了 %(bank)s %(name)s，确认后才成为默认账户。")
        % {"user": entered_by, "bank": account.bank_name, "name": account.account_name},
        url=reverse("partners:partner_bank_accounts", args=[account.partner_id]),
    )


def confirm_bank_account(*, actor, account: BankAccount) -> BankAccount:
    """确认: a held account becomes the partner's default, by someone with "approve" who did not enter it."""
    if not has_action(actor, BANK_ACCOUNT, Action.APPROVE):
        raise ScopeViolation(_("您的角色不能确认客商银行账户。"), code="bank_account_confirm_not_allowed")
    with transaction.atomic():
        account = BankAccount.objects.select_for_update().get(pk=account.pk)
        if not account.pending:
            raise ApplicationError(_("该银行账户没有待确认的变更。"), code="bank_account_not_pending")
        if account.entered_by_id == actor.pk:
            raise ScopeViolation(
                _("不能确认自己录入的银行账户，请由另一位有权限的同事确认。"), code="bank_account_self_confirm"
            )
        before = audit.snapshot(account)
        BankAccount.objects.filter(partner_id=account.partner_id, is_default=True).exclude(pk=account.pk).update(
            is_default=False, version=F("version") + 1
        )
        account.is_default = True
        account.pending = False
        account.confirmed_by = actor
        account.confirmed_at = timezone.now()
        account.version += 1
        account.save()
        audit.record(actor=actor, obj=account, action=AuditAction.UPDATE, before=before, related=account.partner)
    return account


def delete_bank_account(*, actor, account: BankAccount) -> None:
    _delete_part(actor=actor, instance=account)
