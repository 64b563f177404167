"""Org owns the company's structure — departments (a tree), users, roles and the grants that give roles their
actions and data scopes, ``OwnedModel`` (the base of every record that has an owner) — and our own companies,
the sellers and signers of documents."""

from .companies import Company, CompanyBankAccount

# KeshangUserManager: the migrations name it by this module.
from .organisation import Department, Grant, KeshangUserManager, OwnedModel, Role, User  # noqa: F401
from .tokens import ApiToken, hash_token_key

__all__ = [
    "Department",
    "User",
    "Role",
    "Grant",
    "OwnedModel",
    "Company",
    "CompanyBankAccount",
    "ApiToken",
    "hash_token_key",
]
