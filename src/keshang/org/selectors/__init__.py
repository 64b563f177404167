"""Every read org offers, through the data scope (STYLE.md §2)."""

from .companies import default_company, list_companies, list_company_bank_accounts
from .organisation import list_departments, list_roles, list_users
from .tokens import list_api_tokens, token_rows

__all__ = [
    "list_departments",
    "list_users",
    "list_roles",
    "list_companies",
    "list_company_bank_accounts",
    "default_company",
    "list_api_tokens",
    "token_rows",
]
