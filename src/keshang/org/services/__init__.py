"""Every write org makes (STYLE.md §2): departments, users, roles and grants; our own companies."""

from .companies import (
    COMPANY_FIELDS,
    delete_company,
    delete_company_bank_account,
    ensure_default_company,
    save_company,
    save_company_bank_account,
)
from .organisation import (
    change_own_password,
    create_department,
    create_role,
    create_user,
    delete_department,
    delete_role,
    delete_user,
    ensure_default_roles,
    model_update,
    set_role_grants,
    set_user_password,
    update_department,
    update_role,
    update_user,
)
from .tokens import authenticate_token, create_api_token, revoke_api_token, revoke_user_tokens

__all__ = [
    "model_update",
    "create_department",
    "update_department",
    "delete_department",
    "create_user",
    "update_user",
    "set_user_password",
    "change_own_password",
    "delete_user",
    "create_role",
    "update_role",
    "delete_role",
    "set_role_grants",
    "ensure_default_roles",
    "COMPANY_FIELDS",
    "delete_company",
    "delete_company_bank_account",
    "ensure_default_company",
    "save_company",
    "save_company_bank_account",
    "authenticate_token",
    "create_api_token",
    "revoke_api_token",
    "revoke_user_tokens",
]
