"""Every read partners offers, through the data scope (STYLE.md §2); callers import this package."""

from .ownership import (
    BATCH_LIMIT,
    ClaimStatus,
    RecycleCutoffs,
    can_share,
    count_owned_customers,
    get_claim_status,
    list_assignable_owners,
    list_collaborators,
    list_handovers,
    list_idle_customers,
    list_pool_partners,
    read_pool_rules,
    recycle_cutoffs,
    recycle_due,
)
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
    # ownership and the pool
    "BATCH_LIMIT",
    "read_pool_rules",
    "ClaimStatus",
    "count_owned_customers",
    "get_claim_status",
    "list_pool_partners",
    "list_handovers",
    "list_collaborators",
    "list_assignable_owners",
    "can_share",
    "RecycleCutoffs",
    "recycle_cutoffs",
    "list_idle_customers",
    "recycle_due",
]
