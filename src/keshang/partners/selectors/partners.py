"""Reads of partners and their parts, through the data scope; the partner search box."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q, QuerySet

from keshang.core.permissions import Action
from keshang.core.scope import has_action

from ..models import Address, BankAccount, Contact, Partner
from ..search import partner_text_condition

__all__ = [
    "BANK_ACCOUNT",
    "can_confirm_bank_accounts",
    "get_default_bank_account",
    "CREDIT",
    "CREDIT_FIELDS",
    "can_change_credit",
    "list_partners",
    "search_partners",
    "partner_search_condition",
    "list_contacts",
    "search_contacts",
    "list_addresses",
    "list_bank_accounts",
    "normalise_query",
]


# 信用额度与等级 (issue 12, finding 7): the level drives prices and approvals, the limit and terms what a customer may
# owe. Everyone who sees a partner reads them; only "change" on this right changes them. Not a model: a right.
CREDIT = "partners.credit"
CREDIT_FIELDS = ("level", "credit_limit", "payment_terms")


def can_change_credit(*, user) -> bool:
    """Whether ``user`` may set a partner's credit fields (:data:`CREDIT_FIELDS`); the system (no user) may."""
    return user is None or has_action(user, CREDIT, Action.CHANGE)


# Entering a partner's bank account ("add"/"change") and confirming a new default ("approve"; issue 12, finding 10).
BANK_ACCOUNT = "partners.bankaccount"


def can_confirm_bank_accounts(*, user) -> bool:
    return has_action(user, BANK_ACCOUNT, Action.APPROVE)


def get_default_bank_account(*, partner: Partner) -> BankAccount | None:
    """The account documents and prints show for ``partner``: the confirmed default only (an account waiting for
    confirmation is never the default)."""
    return BankAccount.objects.filter(partner=partner, is_default=True, pending=False).first()


def normalise_query(query: str) -> str:
    """As the search text is stored: NFKC (full-width → half-width), lower case, words split on spaces
    and punctuation."""
    text = unicodedata.normalize("NFKC", query or "").lower()
    # Punctuation separates words: 华为（深圳） finds what 华为 深圳 finds, and no query is index syntax.
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def list_partners(*, user, action: str = Action.VIEW) -> QuerySet[Partner]:
    return Partner.objects.visible_to(user, action).select_related("owner", "department", "industry", "level", "region")


def partner_search_condition(query: str) -> Q:
    """One search box: name, short name, pinyin (full or initials), credit code, phone digits, or a
    contact's name, mobile or e-mail. ``query`` is already normalised (:func:`normalise_query`)."""
    # Only ids, to be read within the caller's scoped queryset: the contacts of partners it cannot see add
    # no partner to it.
    contacts = Contact.objects.filter(search_text__contains=query).order_by().values("partner_id")
    return partner_text_condition(query, also=contacts)


def search_partners(*, user, query: str, action: str = Action.VIEW) -> QuerySet[Partner]:
    partners = list_partners(user=user, action=action)
    query = normalise_query(query)
    return partners.filter(partner_search_condition(query)) if query else partners


def list_contacts(*, user, action: str = Action.VIEW) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user, action).select_related("partner", "partner__owner")


def search_contacts(*, user, query: str, action: str = Action.VIEW) -> QuerySet[Contact]:
    contacts = list_contacts(user=user, action=action)
    query = normalise_query(query)
    if not query:
        return contacts
    return contacts.filter(Q(search_text__contains=query) | Q(partner__search_text__contains=query))


def list_addresses(*, user, action: str = Action.VIEW) -> QuerySet[Address]:
    return Address.objects.visible_to(user, action).select_related("partner", "region")


def list_bank_accounts(*, user, action: str = Action.VIEW) -> QuerySet[BankAccount]:
    return BankAccount.objects.visible_to(user, action).select_related("partner")
