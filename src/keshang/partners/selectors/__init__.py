"""Every read partners offers, through the data scope (STYLE.md §2); callers import this package."""

from .partners import (
    list_addresses,
    list_bank_accounts,
    list_contacts,
    list_partners,
    normalise_query,
    partner_search_condition,
    search_contacts,
    search_partners,
)

__all__ = [
    "normalise_query",
    "list_partners",
    "partner_search_condition",
    "search_partners",
    "list_contacts",
    "search_contacts",
    "list_addresses",
    "list_bank_accounts",
]
