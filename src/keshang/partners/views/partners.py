"""Partner pages: list, detail with tabs (overview, contacts, addresses, bank accounts, history),
forms, and the parts' inline forms; a contact's own page (fields, history and what other apps register on it,
such as its 动态) — all on core's scoped generic views."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core import views
from keshang.core.exceptions import ApplicationError
from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    PartDeleteView,
)

from .. import selectors, services
from ..filters import ContactFilterSet, PartnerFilterSet
from ..forms import AddressForm, BankAccountForm, ContactForm, PartnerForm
from ..models import Address, BankAccount, Contact, Partner
from ..services import DuplicatePartnerError
from ..tables import ContactTable, PartnerTable

#
# Partners
#


class PartnerListView(ObjectListView):
    model = Partner
    template_name = "partners/partner_list.html"
    selector = selectors.list_partners
    table = PartnerTable
    filterset = PartnerFilterSet
    export_basename = "partners"


class PartnerDetailView(ObjectDetailView):
    model = Partner
    selector = selectors.list_partners
    template_name = "partners/partner_detail.html"
    detail_fields = (
        "code",
        "kind",
        "name",
        "short_name",
        "credit_code",
        "industry",
        "level",
        "status",
        "source",
        "country",
        "region",
        "address",
        "phone",
        "phone_unverified",
        "email",
        "website",
        "tags",
        "credit_limit",
        "payment_terms",
        "owner",
        "department",
        "last_followup_at",
        "notes",
        "created_at",
    )

    def extra(self, obj):
        context = super().extra(obj)
        context["roles_display"] = obj.roles_display()
        return context


class PartnerPartsTabView(PartnerDetailView):
    """One tab listing a partner's parts (contacts, addresses or bank accounts), masked as needed."""

    part_model = None
    tab_key = ""
    template_name = "partners/partner_parts.html"

    def extra(self, obj):
        context = super().extra(obj)
        parts = list(getattr(obj, self.part_model._meta.get_field("partner").remote_field.related_name).all())
        masker = Masker(self.request.user, self.part_model).prepare(parts)
        can_change = context["edit_url"] is not None
        context.update(
            tab=self.tab_key,
            parts=[(part, {field: masker.value(part, field) for field in masker.fields}) for part in parts],
            part_name=self.part_model._meta.verbose_name,
            add_url=reverse(f"partners:{self.part_model._meta.model_name}_add", args=[obj.pk]) if can_change else None,
            part_edit_view=f"partners:{self.part_model._meta.model_name}_edit" if can_change else None,
            part_delete_view=f"partners:{self.part_model._meta.model_name}_delete" if can_change else None,
        )
        return context


class PartnerContactsView(PartnerPartsTabView):
    part_model = Contact
    tab_key = "contacts"


class PartnerAddressesView(PartnerPartsTabView):
    part_model = Address
    tab_key = "addresses"


class PartnerBankAccountsView(PartnerPartsTabView):
    part_model = BankAccount
    tab_key = "bank_accounts"

    def extra(self, obj):
        context = super().extra(obj)
        # 确认 a held default: offered to those with the right, on what someone else entered (issue 12, finding 10).
        context["can_confirm_bank_accounts"] = selectors.can_confirm_bank_accounts(user=self.request.user)
        return context


class BankAccountConfirmView(views.ScopedViewMixin, View):
    """POST 确认: a held account becomes the default (the service checks the right and the second person)."""

    model = BankAccount
    action = Action.VIEW
    http_method_names = ["post"]

    def post(self, request, pk):
        account = get_object_or_404(self.queryset, pk=pk)
        try:
            services.confirm_bank_account(actor=request.user, account=account)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确认，该账户现为默认账户。"))
        return views.redirect_after_write(request, reverse("partners:partner_bank_accounts", args=[account.partner_id]))


class PartnerEditView(ObjectEditView):
    model = Partner
    form_class = PartnerForm
    template_name = "partners/partner_edit.html"

    def save_form(self, form):
        actor = self.request.user
        confirm = form.cleaned_data.get("confirm_duplicate", False)
        tags = form.cleaned_data.get("tags")
        if form.instance.pk:
            return services.update_partner(
                actor=actor,
                partner=form.instance,
                data=form.partner_data(),
                tags=tags,
                confirm_duplicate=confirm,
                expected_version=form.expected_version(),
            )
        return services.create_partner(actor=actor, data=form.partner_data(), tags=tags, confirm_duplicate=confirm)

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["wide_fields"] = ("address", "tags", "notes")
        return response

    def handle_application_error(self, form, error):
        # The duplicate warning names the other partner and its owner: it belongs above the whole form.
        form.add_error(None, error.message)
        if isinstance(error, DuplicatePartnerError):
            if error.owned_by_others:
                form.offer_access_request()
            elif not error.blocking:
                form.offer_confirmation()


class PartnerDeleteView(ObjectDeleteView):
    model = Partner

    def delete_object(self, obj):
        services.delete_partner(actor=self.request.user, partner=obj)


class PartnerHistoryView(ObjectHistoryView):
    model = Partner


#
# Contacts (searchable on their own) and the parts' forms
#


class ContactListView(ObjectListView):
    model = Contact
    selector = selectors.list_contacts
    table = ContactTable
    filterset = ContactFilterSet
    export_basename = "contacts"


class ContactDetailView(ObjectDetailView):
    """A contact's own page. It is read like its edit page: through the partner's scope (``scope_parent``), so
    whoever may not see the partner gets a 404; sensitive fields are masked unless ``view_sensitive`` covers it."""

    model = Contact
    selector = selectors.list_contacts
    detail_fields = (
        "partner",
        "name",
        "title",
        "decision_role",
        "mobile",
        "mobile_unverified",
        "phone",
        "email",
        "wechat",
        "birthday",
        "is_primary",
        "notes",
        "created_at",
    )

    def extra(self, obj):
        context = super().extra(obj)
        context["extra_actions"] = [(obj.partner.get_absolute_url(), _("查看客商"))]
        return context


class ContactHistoryView(ObjectHistoryView):
    model = Contact


class PartEditView(views.PartEditView):
    template_name = "partners/part_edit.html"

    def get_form(self, data=None, files=None, instance=None):
        form = super().get_form(data, files, instance)
        if not form.instance.partner_id:
            form.instance.partner = self.parent  # what a new part's checks read (a contact's country)
        return form

    def save_form(self, form):
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        existing = {self.instance_argument: form.instance} if form.instance.pk else {}
        return type(self).save_service(
            actor=self.request.user,
            partner=self.parent,
            data=data,
            expected_version=form.expected_version(),
            **existing,
        )


class ContactEditView(PartEditView):
    model = Contact
    form_class = ContactForm
    tab_key = "contacts"
    save_service = services.save_contact
    instance_argument = "contact"


class ContactDeleteView(PartDeleteView):
    model = Contact
    tab_key = "contacts"
    delete_service = services.delete_contact
    instance_argument = "contact"


class AddressEditView(PartEditView):
    model = Address
    form_class = AddressForm
    tab_key = "addresses"
    save_service = services.save_address
    instance_argument = "address"


class AddressDeleteView(PartDeleteView):
    model = Address
    tab_key = "addresses"
    delete_service = services.delete_address
    instance_argument = "address"


class BankAccountEditView(PartEditView):
    model = BankAccount
    form_class = BankAccountForm
    tab_key = "bank_accounts"
    save_service = services.save_bank_account
    instance_argument = "account"

    def get_form(self, data=None, files=None, instance=None):
        form = super().get_form(data, files, instance)
        if instance is not None and data is None and not Masker(self.request.user, BankAccount).shows_clear(instance):
            # Without view_sensitive the number is not sent to the browser; it must be typed again to change it.
            form.initial["account_number"] = ""
        return form


class BankAccountDeleteView(PartDeleteView):
    model = BankAccount
    tab_key = "bank_accounts"
    delete_service = services.delete_bank_account
    instance_argument = "account"


urlpatterns = [
    path("", PartnerListView.as_view(), name="partner_list"),
    path("add/", PartnerEditView.as_view(), name="partner_add"),
    path("<int:pk>/", PartnerDetailView.as_view(), name="partner_detail"),
    path("<int:pk>/edit/", PartnerEditView.as_view(), name="partner_edit"),
    path("<int:pk>/delete/", PartnerDeleteView.as_view(), name="partner_delete"),
    path("<int:pk>/history/", PartnerHistoryView.as_view(), name="partner_history"),
    path("<int:pk>/contacts/", PartnerContactsView.as_view(), name="partner_contacts"),
    path("<int:pk>/addresses/", PartnerAddressesView.as_view(), name="partner_addresses"),
    path("<int:pk>/bank-accounts/", PartnerBankAccountsView.as_view(), name="partner_bank_accounts"),
    path("contacts/", ContactListView.as_view(), name="contact_list"),
    path("<int:partner_pk>/contacts/add/", ContactEditView.as_view(), name="contact_add"),
    path("contacts/<int:pk>/", ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/history/", ContactHistoryView.as_view(), name="contact_history"),
    path("contacts/<int:pk>/edit/", ContactEditView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", ContactDeleteView.as_view(), name="contact_delete"),
    path("<int:partner_pk>/addresses/add/", AddressEditView.as_view(), name="address_add"),
    path("addresses/<int:pk>/edit/", AddressEditView.as_view(), name="address_edit"),
    path("addresses/<int:pk>/delete/", AddressDeleteView.as_view(), name="address_delete"),
    path("<int:partner_pk>/bank-accounts/add/", BankAccountEditView.as_view(), name="bankaccount_add"),
    path("bank-accounts/<int:pk>/edit/", BankAccountEditView.as_view(), name="bankaccount_edit"),
    path("bank-accounts/<int:pk>/delete/", BankAccountDeleteView.as_view(), name="bankaccount_delete"),
    path("bank-accounts/<int:pk>/confirm/", BankAccountConfirmView.as_view(), name="bankaccount_confirm"),
]
