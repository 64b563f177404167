"""Our own companies: list, detail, edit, delete and history generated from one declaration
(``core.modelviews``), the bank accounts tab with its part pages, and the seal image the prints carry."""

from __future__ import annotations

from django.urls import path, reverse

from keshang.core.masking import Masker
from keshang.core.modelviews import ModelViews, model_urls
from keshang.core.views import ObjectDetailView, PartDeleteView, PartEditView

from .. import selectors, services
from ..filters import CompanyFilterSet
from ..forms import CompanyBankAccountForm, CompanyForm
from ..models import Company, CompanyBankAccount
from ..tables import CompanyTable

__all__ = ["COMPANY_VIEWS", "urlpatterns"]

COMPANY_VIEWS = ModelViews(
    model=Company,
    url_prefix="companies",
    selector=selectors.list_companies,
    table=CompanyTable,
    filterset=CompanyFilterSet,
    form_class=CompanyForm,
    save=services.save_company,
    delete=services.delete_company,
    export_basename="companies",
    detail_fields=(
        "name",
        "short_name",
        "credit_code",
        "legal_representative",
        "address",
        "phone",
        "email",
        "seal",
        "is_default",
        "is_active",
        "notes",
    ),
)


class CompanyBankAccountsView(ObjectDetailView):
    """The company's 银行账户 tab: account numbers masked unless the reader may see them."""

    model = Company
    selector = selectors.list_companies
    template_name = "org/company_bank_accounts.html"

    def extra(self, obj):
        context = super().extra(obj)
        accounts = list(obj.bank_accounts.all())
        masker = Masker(self.request.user, CompanyBankAccount).prepare(accounts)
        can_change = context["edit_url"] is not None
        context.update(
            tab="bank_accounts",
            accounts=[(account, masker.value(account, "account_number")) for account in accounts],
            add_url=reverse("org:companybankaccount_add", args=[obj.pk]) if can_change else None,
            can_change=can_change,
        )
        return context


class CompanyBankAccountEditView(PartEditView):
    model = CompanyBankAccount
    form_class = CompanyBankAccountForm
    tab_key = "bank_accounts"
    save_service = services.save_company_bank_account
    instance_argument = "account"


class CompanyBankAccountDeleteView(PartDeleteView):
    model = CompanyBankAccount
    tab_key = "bank_accounts"
    delete_service = services.delete_company_bank_account
    instance_argument = "account"


urlpatterns = [
    *model_urls(COMPANY_VIEWS),
    path("companies/<int:pk>/bank-accounts/", CompanyBankAccountsView.as_view(), name="company_bank_accounts"),
    path(
        "companies/<int:company_pk>/bank-accounts/add/",
        CompanyBankAccountEditView.as_view(),
        name="companybankaccount_add",
    ),
    path("bank-accounts/<int:pk>/edit/", CompanyBankAccountEditView.as_view(), name="companybankaccount_edit"),
    path("bank-accounts/<int:pk>/delete/", CompanyBankAccountDeleteView.as_view(), name="companybankaccount_delete"),
]
