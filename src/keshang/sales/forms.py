"""Forms of sales: the header forms of quotations and orders (their lines are ``catalog.lines.forms``),
opportunities, their competitors and the stage settings. They validate input only; the views hand
``cleaned_data`` to the services."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keshang.core.forms import ScopedFormMixin
from keshang.core.identifiers import parse_pk
from keshang.core.models import Currency
from keshang.org.models import Company
from keshang.org.selectors import default_company
from keshang.partners.models import Contact, Partner

from .models import Competitor, Opportunity, OpportunityStage, Quotation, SalesOrder
from .services import ORDER_FIELDS, QUOTATION_FIELDS

__all__ = [
    "QuotationForm",
    "SalesOrderForm",
    "OpportunityForm",
    "CompetitorForm",
    "OpportunityStageForm",
    "MoveStageForm",
    "selected_partner",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def currency_choices() -> list[tuple[str, str]]:
    codes = Currency.objects.filter(is_active=True).order_by("code").values_list("code", "name")
    return [("CNY", _("CNY 人民币")), *((code, f"{code} {name}") for code, name in codes if code != "CNY")]


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.probability}%）"


def selected_partner(form: forms.BaseForm) -> Partner | None:
    """The customer the form is about: as posted, as given in ``initial``, or the opportunity's own, among
    the partners the field offers (the user's visible ones)."""
    field = form.fields["partner"]
    value = form.data.get(form.add_prefix("partner")) if form.is_bound else form.initial.get("partner")
    if value in (None, "") and getattr(form.instance, "partner_id", None) and not form.is_bound:
        value = form.instance.partner_id
    if isinstance(value, Partner):
        value = value.pk
    pk = parse_pk(value)
    return field.queryset.filter(pk=pk).first() if pk else None


class OpportunityForm(ScopedFormMixin, forms.ModelForm):
    """The customer picker offers the user's visible customers; the contacts those of the chosen customer
    (reloaded by htmx when the customer changes)."""

    stage = StageChoiceField(label=_("阶段"), queryset=OpportunityStage.objects.filter(is_active=True))

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "partner",
            "contacts",
            "stage",
            "expected_amount",
            "expected_close_date",
            "source",
            "owner",
            "close_reason",
            "notes",
        ]
        widgets = {
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contacts": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = self.fields["partner"].queryset.filter(is_customer=True).order_by("name")
        self.fields["partner"].widget.attrs.update(
            {
                "hx-get": reverse("sales:opportunity_contacts_field"),
                "hx-target": "#opportunity-contacts",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )
        partner = selected_partner(self)
        contacts = self.fields["contacts"].queryset
        self.fields["contacts"].queryset = contacts.filter(partner=partner) if partner else contacts.none()
        self.fields["contacts"].help_text = "" if partner else _("先选择客户，再勾选其联系人。")
        owner = self.fields["owner"]
        owner.queryset = owner.queryset.filter(is_active=True)
        owner.required = False
        owner.help_text = _("留空则为您本人。")
        if not self.instance.pk:
            owner.initial = self.user.pk
            # A new deal starts at the first open stage unless the user picks another.
            first = self.fields["stage"].queryset.filter(is_won=False, is_lost=False).first()
            self.fields["stage"].initial = first.pk if first else None
        self.fields["close_reason"].help_text = _("移动到赢单或输单阶段时必填。")
        self.fields["expected_amount"].widget.attrs.update({"step": "0.01", "min": "0"})

    def opportunity_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "contacts"}
        if data.get("owner") is None:
            data.pop("owner", None)
        return data


class CompetitorForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "offer", "strengths", "weaknesses"]
        widgets = {"strengths": forms.Textarea(attrs={"rows": 2}), "weaknesses": forms.Textarea(attrs={"rows": 2})}


class OpportunityStageForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = OpportunityStage
        fields = ["name", "order", "probability", "is_won", "is_lost", "is_active"]


class MoveStageForm(ScopedFormMixin, forms.Form):
    """移动到…: the stage, and the reason when it is a won or lost stage (the service checks that)."""

    stage = StageChoiceField(
        label=_("移动到"),
        queryset=OpportunityStage.objects.filter(is_active=True),
        error_messages={"required": _("请选择阶段。"), "invalid_choice": _("请选择启用中的阶段。")},
    )
    reason = forms.CharField(label=_("赢单/输单原因"), max_length=200, required=False)


#
# Quotations and orders: the header (the lines come from catalog.lines.forms)
#


class DocumentFormMixin(ScopedFormMixin):
    """Customers only; the contacts of the chosen customer only (reloaded by htmx when the customer changes);
    the currencies in use; ``version`` carries optimistic concurrency. ``prefill`` names what a link may
    preselect (``?partner=12`` from a customer's page)."""

    prefill = ("partner",)
    contact_options_url = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here, not declared on the class: the form's metaclass collects no fields from a plain mixin.
        self.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self.fields["currency"] = forms.ChoiceField(
            label=_("币种"),
            choices=currency_choices,
            initial="CNY",
            required=False,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        seller = self.fields["seller"]
        seller.queryset = Company.objects.filter(is_active=True)
        seller.required = False
        seller.empty_label = None
        if not self.instance.pk:
            default = default_company()
            seller.initial = default.pk if default else None
        partners = self.fields["partner"].queryset.filter(is_customer=True)
        self.fields["partner"].queryset = partners
        self.fields["partner"].widget.attrs.update(
            {
                "hx-get": reverse(self.contact_options_url),
                "hx-target": "#id_contact",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )
        partner = selected_partner(self)
        contacts = Contact.objects.visible_to(self.user).filter(partner__in=partners.values("pk"))
        self.fields["contact"].queryset = contacts.filter(partner=partner) if partner else contacts.none()
        if partner is None:
            self.fields["contact"].help_text = _("先选择客户，再选择其联系人。")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class QuotationForm(DocumentFormMixin, forms.ModelForm):
    prefill = ("partner", "opportunity")
    contact_options_url = "sales:quotation_contact_options"

    class Meta:
        model = Quotation
        fields = list(QUOTATION_FIELDS)
        widgets = {"quote_date": DATE, "valid_until": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.visible_to(self.user).filter(status="open")
        self.fields["quote_date"].initial = timezone.localdate
        self.fields["valid_until"].required = False
        self.fields["valid_until"].help_text = _("不填则为报价日期后 30 天。")


class SalesOrderForm(DocumentFormMixin, forms.ModelForm):
    contact_options_url = "sales:salesorder_contact_options"

    class Meta:
        model = SalesOrder
        fields = list(ORDER_FIELDS)
        widgets = {"order_date": DATE, "delivery_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_date"].initial = timezone.localdate
