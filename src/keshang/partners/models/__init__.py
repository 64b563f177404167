"""Partners owns the 客商 master: one ``Partner`` for customers and suppliers, with its contacts,
addresses and bank accounts, the tags, industries and levels that classify partners, and the derived
keys that find them (search text) and keep them unique (name key, phone key, credit code); who owns
each partner and every move between owners and the public pool (公海), with the pool's rules; and
what suppliers have besides (profile, qualifications)."""

from .classifications import Industry, PartnerLevel, Tag
from .ownership import POOL_KINDS, Handover, HandoverKind, HandoverReason, PoolRules
from .partners import PARTNER_EDITABLE_FIELDS, Partner, PartnerKind, PartnerSource, PartnerStatus
from .parts import Address, AddressKind, BankAccount, Contact, DecisionRole
from .search import PartnerSearchGram
from .suppliers import Qualification, SupplierProfile

__all__ = [
    "Industry",
    "PartnerLevel",
    "Tag",
    "PartnerKind",
    "PartnerStatus",
    "PartnerSource",
    "PARTNER_EDITABLE_FIELDS",
    "Partner",
    "DecisionRole",
    "Contact",
    "AddressKind",
    "Address",
    "BankAccount",
    "HandoverKind",
    "HandoverReason",
    "POOL_KINDS",
    "Handover",
    "PoolRules",
    "SupplierProfile",
    "Qualification",
    "PartnerSearchGram",
]
