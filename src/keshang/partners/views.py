"""Partner pages: list, detail with tabs (overview, contacts, addresses, bank accounts, history),
forms, and the parts' inline forms — all on core's scoped generic views."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView

from . import selectors, services
from .filters import ContactFilterSet, PartnerFilterSet
from .forms import AddressForm, BankAccountForm, ContactForm, PartnerForm
from .models import Address, BankAccount, Contact, Partner
from .services import DuplicatePartnerError
from .tables import ContactTable, PartnerTable

#
# Partners
#


class PartnerListView(ObjectListView):
    model = Partner
    selector = selectors.list_partners
    table = PartnerTable
    filterset = PartnerFilterSet
    export_basename = "partners"


class PartnerDetailView(ObjectDetailView):
    model = Partner
    selector = selectors.list_partners
    template_name = "partners/partner_detail.html"
    detail_fields = (
        "kind",
        "name",
        "short_name",
        "credit_code",
        "industry",
        "level",
        "status",
        "source",
        "region",
        "address",
        "phone",
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
                actor=actor, partner=form.instance, data=form.partner_data(), tags=tags, confirm_duplicate=confirm
            )
        return services.create_partner(actor=actor, data=form.partner_data(), tags=tags, confirm_duplicate=confirm)

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["wide_fields"] = ("address", "tags", "notes")
        return response

    def handle_application_error(self, form, error):
        super().handle_application_error(form, error)
        if isinstance(error, DuplicatePartnerError) and not error.blocking:
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


class PartEditView(ObjectEditView):
    """Add (``partner_pk`` in the URL) or edit (``pk``) one part of a partner: changing a part is
    changing the partner, so it takes the partner's "change" grant and scope."""

    template_name = "partners/part_edit.html"
    tab_key = ""

    def get_action(self) -> str:
        return Action.CHANGE

    def get_partner(self, obj=None):
        if obj is not None:
            return obj.partner
        partners = selectors.list_partners(user=self.request.user, action=Action.CHANGE)
        return get_object_or_404(partners, pk=self.kwargs["partner_pk"])

    def get(self, request, *args, **kwargs):
        self.partner = self.get_partner(self.get_object() if "pk" in kwargs else None)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.partner = self.get_partner(self.get_object() if "pk" in kwargs else None)
        return super().post(request, *args, **kwargs)

    # The part's service and the keyword it takes the existing row by (save_contact(contact=…)).
    save_service = None
    instance_argument = ""

    def save_form(self, form):
        existing = {self.instance_argument: form.instance} if form.instance.pk else {}
        return type(self).save_service(
            actor=self.request.user, partner=self.partner, data=form.cleaned_data, **existing
        )

    def success_url(self, obj) -> str:
        return reverse(f"partners:partner_{self.tab_key}", args=[obj.partner_id])

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data.update(
            partner=self.partner, cancel_url=reverse(f"partners:partner_{self.tab_key}", args=[self.partner.pk])
        )
        return response


class PartDeleteView(ObjectDeleteView):
    tab_key = ""
    delete_service = None
    instance_argument = ""

    def get_action(self) -> str:
        return Action.CHANGE

    def delete_object(self, obj):
        type(self).delete_service(actor=self.request.user, **{self.instance_argument: obj})

    def get(self, request, *args, **kwargs):
        self.partner_pk = self.get_object().partner_id
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.partner_pk = self.get_object().partner_id
        return super().post(request, *args, **kwargs)

    def reverse_or_none(self, view: str, **kwargs):
        # Cancel, and after deleting (or failing to), go back to the partner's tab, not a list of parts.
        if view in ("list", "detail") and getattr(self, "partner_pk", None):
            return reverse(f"partners:partner_{self.tab_key}", args=[self.partner_pk])
        return super().reverse_or_none(view, **kwargs)


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
