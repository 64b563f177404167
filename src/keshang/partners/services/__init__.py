"""Every write partners makes (STYLE.md §2), each in one transaction and audited; callers import this package.

``partners`` the partner itself, ``duplicates`` duplicate control (防撞单), ``codes`` partner codes, ``parts``
contacts, addresses and bank accounts, ``ownership`` assigning, transferring and releasing, ``pool`` the
public pool (rules, claiming, recycling), ``sharing`` collaborators, ``merging`` the merge of duplicates,
``suppliers`` profiles and qualifications with ``reminders`` of their expiry, ``classifications`` the lists
that classify partners, ``access_requests`` asking an owner for a partner, ``importing`` the partner import."""

from .access_requests import AccessKind, AccessRequest, request_partner_access
from .classifications import delete_classification, save_classification
from .codes import assign_partner_codes, code_prefix
from .duplicates import (
    DUPLICATE_POLICIES,
    DUPLICATES_BLOCK,
    DUPLICATES_BLOCK_OTHERS,
    DUPLICATES_WARN,
    DuplicateMatch,
    DuplicatePartnerError,
    check_partner_duplicates,
    duplicate_error,
    duplicate_policy,
    find_duplicates,
)
from .importing import PartnerImporter, create_partners_bulk
from .merging import MergeError, merge_partners
from .ownership import assign_partner, assign_partners, release_partner, transfer_partner, transfer_partners
from .partners import (
    PARTNER_FIELDS,
    check_credit_fields,
    check_customer_flag,
    create_partner,
    delete_partner,
    derive_partner_keys,
    record_partner_deal,
    update_partner,
)
from .parts import (
    confirm_bank_account,
    contact_search_text,
    delete_address,
    delete_bank_account,
    delete_contact,
    save_address,
    save_bank_account,
    save_contact,
)
from .pool import (
    RecycleResult,
    claim_partner,
    ensure_pool_rules,
    get_pool_rules,
    recycle_idle_partners,
    update_pool_rules,
)
from .reminders import EXPIRY_THRESHOLDS, expiry_threshold, notify_expiring_qualifications
from .sharing import share_partner, share_partners, unshare_partner
from .suppliers import (
    RATING_FIELDS,
    delete_qualification,
    delete_supplier_records,
    save_qualification,
    save_supplier_profile,
)

__all__ = [
    # partners
    "PARTNER_FIELDS",
    "check_credit_fields",
    "check_customer_flag",
    "derive_partner_keys",
    "create_partner",
    "update_partner",
    "delete_partner",
    "record_partner_deal",
    # duplicates
    "DUPLICATES_BLOCK_OTHERS",
    "DUPLICATES_WARN",
    "DUPLICATES_BLOCK",
    "DUPLICATE_POLICIES",
    "DuplicateMatch",
    "DuplicatePartnerError",
    "duplicate_policy",
    "find_duplicates",
    "duplicate_error",
    "check_partner_duplicates",
    # codes
    "code_prefix",
    "assign_partner_codes",
    # parts
    "contact_search_text",
    "save_contact",
    "delete_contact",
    "save_address",
    "delete_address",
    "save_bank_account",
    "delete_bank_account",
    "confirm_bank_account",
    # ownership
    "assign_partners",
    "assign_partner",
    "transfer_partners",
    "transfer_partner",
    "release_partner",
    # pool
    "get_pool_rules",
    "ensure_pool_rules",
    "update_pool_rules",
    "claim_partner",
    "RecycleResult",
    "recycle_idle_partners",
    # sharing
    "share_partners",
    "share_partner",
    "unshare_partner",
    # merging
    "MergeError",
    "merge_partners",
    # suppliers
    "RATING_FIELDS",
    "save_supplier_profile",
    "save_qualification",
    "delete_qualification",
    "delete_supplier_records",
    "EXPIRY_THRESHOLDS",
    "expiry_threshold",
    "notify_expiring_qualifications",
    # classification lists
    "save_classification",
    "delete_classification",
    # access requests
    "AccessKind",
    "AccessRequest",
    "request_partner_access",
    # importing
    "PartnerImporter",
    "create_partners_bulk",
]
