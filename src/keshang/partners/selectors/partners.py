"""Reads of partners and their parts, through the data scope; the partner search box."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import Lower, Replace

from keshang.core.masking import digits_of, only_clear_or_public_matches
from keshang.core.permissions import Action
from keshang.core.scope import has_action

from ..models import Address, BankAccount, Contact, Partner
from ..search import partner_text_condition
from ..text.folding import fold

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
    "filter_partners_by_search",
    "filter_contacts_by_search",
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
    """As the search text is stored (``text.fold``: NFKC, invisible characters deleted, traditional characters
    simplified, lower case), words split on spaces and punctuation."""
    text = fold(query or "")
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


def _public_text(model) -> Replace:
    """The search text without the sensitive values it holds: what a reader who sees them masked may search."""
    phone = digits_of("mobile" if model is Contact else "phone")
    text = Replace("search_text", phone, Value(""), output_field=TextField())
    return Replace(text, Lower("email"), Value(""), output_field=TextField()) if model is Contact else text


def _whole_values(typed: str) -> Q:
    """A sensitive value typed in whole, on a queryset with a ``digits`` alias (its phone's digits): a full
    phone number (7 digits or more) or a full e-mail address."""
    typed = typed.strip()
    condition = Q(pk__in=[])
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", typed))
    if len(digits) >= 7 and len(digits) >= len(typed) - 4:
        condition |= Q(digits=digits)
    if "@" in typed:
        condition |= Q(email__iexact=typed)
    return condition


def _contacts_found_publicly(query: str, typed: str) -> QuerySet:
    words = query.split()
    contacts = Contact.objects.alias(public_text=_public_text(Contact), digits=digits_of("mobile"))
    condition = Q()
    for word in words:
        condition &= Q(public_text__contains=word)
    return contacts.filter(condition | _whole_values(typed)).order_by().values("partner_id")


def filter_partners_by_search(partners: QuerySet[Partner], *, user, typed: str) -> QuerySet[Partner]:
    """``partners`` that the search box finds for ``typed``; those whose phone (and contacts' mobile and
    e-mail) ``user`` sees masked only by what they see in clear or by a whole number or address
    (:func:`keshang.core.masking.only_clear_or_public_matches`)."""
    query = normalise_query(typed)
    if not query:
        return partners
    found = partners.filter(partner_search_condition(query))
    public = Q()
    for word in query.split():
        public &= Q(public_text__contains=word)
    public |= _whole_values(typed) | Q(pk__in=_contacts_found_publicly(query, typed))
    found = found.alias(public_text=_public_text(Partner), digits=digits_of("phone"))
    return only_clear_or_public_matches(found, user=user, public=public)


def filter_contacts_by_search(contacts: QuerySet[Contact], *, user, typed: str) -> QuerySet[Contact]:
    """``contacts`` the search box finds for ``typed`` (their own text or their partner's), by the rule of
    :func:`filter_partners_by_search` for those whose values ``user`` sees masked."""
    query = normalise_query(typed)
    if not query:
        return contacts
    found = contacts.filter(Q(search_text__contains=query) | Q(partner__search_text__contains=query))
    partners = Partner.objects.alias(public_text=_public_text(Partner))
    public = Q(public_text__contains=query) | Q(
        partner__in=partners.filter(public_text__contains=query).order_by().values("pk")
    )
    whole_partners = Partner.objects.alias(digits=digits_of("phone")).filter(_whole_values(typed))
    public |= _whole_values(typed) | Q(partner__in=whole_partners.order_by().values("pk"))
    found = found.alias(public_text=_public_text(Contact), digits=digits_of("mobile"))
    return only_clear_or_public_matches(found, user=user, public=public)


def search_partners(*, user, query: str, action: str = Action.VIEW) -> QuerySet[Partner]:
    return filter_partners_by_search(list_partners(user=user, action=action), user=user, typed=query)


def list_contacts(*, user, action: str = Action.VIEW) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user, action).select_related("partner", "partner__owner")


def search_contacts(*, user, query: str, action: str = Action.VIEW) -> QuerySet[Contact]:
    return filter_contacts_by_search(list_contacts(user=user, action=action), user=user, typed=query)


def list_addresses(*, user, action: str = Action.VIEW) -> QuerySet[Address]:
    return Address.objects.visible_to(user, action).select_related("partner", "region")


def list_bank_accounts(*, user, action: str = Action.VIEW) -> QuerySet[BankAccount]:
    return BankAccount.objects.visible_to(user, action).select_related("partner")
