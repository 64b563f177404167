"""Reads of our own companies (shared master data: every role that writes documents may read them)."""

from django.db.models import QuerySet

from keshang.core.permissions import Action

from ..models import Company, CompanyBankAccount

__all__ = ["list_companies", "list_company_bank_accounts", "default_company"]


def list_companies(*, user, action: str = Action.VIEW) -> QuerySet[Company]:
    return Company.objects.visible_to(user, action).select_related("seal")


def list_company_bank_accounts(*, user, action: str = Action.VIEW) -> QuerySet[CompanyBankAccount]:
    return CompanyBankAccount.objects.visible_to(user, action).select_related("company")


def default_company() -> Company | None:
    """The seller a new document starts with. Reference data read for every user, hence no scope."""
    return Company.objects.filter(is_active=True).order_by("-is_default", "pk").first()
