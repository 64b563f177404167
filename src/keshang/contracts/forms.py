"""Forms of contracts: the header (its lines are ``catalog.lines.forms``, as on quotations and orders), the
payment stages, signing and the call-off order. They validate input only; the views hand ``cleaned_data`` to
the services."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keshang.catalog.lines.pricing import LineInput
from keshang.core.forms import ScopedFormMixin
from keshang.org.models import User
from keshang.sales.forms import DATE, DocumentFormMixin

from .models import Contract, ContractCategory, StageTrigger
from .services import CONTRACT_FIELDS, StageInput

__all__ = ["ContractForm", "StageForm", "StageFormSet", "stage_inputs", "SignedForm", "CategoryForm", "CallOffForm"]


class ContractForm(DocumentFormMixin, forms.ModelForm):
    """The other party is a customer (sales kinds) or a supplier (the others): both are offered, and the service
    checks the pair."""

    contact_options_url = "contracts:contract_contact_options"
    prefill = ("partner", "kind")

    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        widgets = {
            "sign_date": DATE,
            "effective_date": DATE,
            "end_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partners = self.fields["partner"].queryset.model.objects.visible_to(self.user)
        self.fields["partner"].queryset = partners.filter(Q(is_customer=True) | Q(is_supplier=True))
        self.fields["partner"].label = _("对方（客户或供应商）")
        self.fields["category"].queryset = ContractCategory.objects.filter(is_active=True)
        self.fields["our_signer"].queryset = User.objects.visible_to(self.user).filter(is_active=True)
        self.fields["sign_date"].initial = timezone.localdate
        self.fields["capped"].help_text = _("仅框架协议：调用订单不得超出协议金额和各商品数量。")
        templates = self.fields["template"].queryset.filter(is_active=True)
        self.fields["template"].queryset = templates.order_by("kind", "name")
        self.fields["template"].help_text = _("留空则使用该合同类型的默认模板。")


class StageForm(ScopedFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50)
    percent = forms.DecimalField(label=_("比例（%）"), max_digits=7, decimal_places=4, required=False)
    fixed_amount = forms.DecimalField(label=_("固定金额"), max_digits=18, decimal_places=2, required=False)
    trigger = forms.ChoiceField(label=_("触发条件"), choices=StageTrigger.choices, initial=StageTrigger.SIGNED)
    days = forms.IntegerField(label=_("天数"), min_value=0, max_value=3650, initial=0)
    working_days = forms.BooleanField(label=_("按工作日"), required=False)
    fixed_date = forms.DateField(label=_("固定日期"), required=False, widget=DATE)


StageFormSet = forms.formset_factory(StageForm, extra=2, can_delete=True, max_num=24, validate_max=True)


def stage_inputs(formset) -> list[StageInput]:
    """The stages the formset describes, in order, without blank or deleted rows."""
    return [
        StageInput(
            name=data["name"],
            percent=data.get("percent"),
            fixed_amount=data.get("fixed_amount"),
            trigger=data["trigger"],
            days=data.get("days") or 0,
            working_days=bool(data.get("working_days")),
            fixed_date=data.get("fixed_date"),
        )
        for data in formset.cleaned_data
        if data and not data.get("DELETE")
    ]


class SignedForm(ScopedFormMixin, forms.Form):
    sign_date = forms.DateField(label=_("签订日期"), widget=DATE, initial=timezone.localdate)


class CategoryForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ContractCategory
        fields = ["name", "kind", "sort_order", "is_active"]


class CallOffForm(ScopedFormMixin, forms.Form):
    """A call-off of a framework agreement: a quantity per line of the agreement (blank or 0: not this time)."""

    order_date = forms.DateField(label=_("订单日期"), widget=DATE, initial=timezone.localdate)
    delivery_date = forms.DateField(label=_("交货日期"), widget=DATE, required=False)
    delivery_address = forms.CharField(label=_("收货地址"), max_length=300, required=False)

    def __init__(self, *args, contract_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contract_lines = list(contract_lines)
        for line in self.contract_lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=f"{line.product}（{line.unit}）",
                max_digits=18,
                decimal_places=4,
                min_value=0,
                required=False,
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(f"qty_{line.pk}") for line in self.contract_lines):
            raise forms.ValidationError(_("请至少填写一个商品的数量。"), code="no_lines")
        return data

    def line_inputs(self) -> list:
        return [
            LineInput(product=line.product, quantity=self.cleaned_data[f"qty_{line.pk}"], unit=line.unit)
            for line in self.contract_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        ]

    def header(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("order_date", "delivery_date", "delivery_address")}
