"""Forms of quotations and orders: a header form and a formset of lines. They validate input only; the views
hand the cleaned data to the services as a header dict and a list of LineInput."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keshang.catalog.models import Product, ProductStatus, Unit
from keshang.core.forms import ScopedFormMixin
from keshang.partners.models import Contact

from .documents import MANUAL_PRICE, LineInput
from .models import Opportunity, PriceEntry, Quotation, SalesOrder
from .orders import ORDER_FIELDS
from .quotations import QUOTATION_FIELDS

__all__ = ["QuotationForm", "SalesOrderForm", "LineForm", "LineFormSet", "line_inputs"]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentFormMixin(ScopedFormMixin):
    """Customers only, and contacts of visible customers; ``version`` carries optimistic concurrency."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here, not declared on the class: the form's metaclass collects no fields from a plain mixin.
        self.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self.fields["partner"].queryset = self.fields["partner"].queryset.filter(is_customer=True)
        self.fields["contact"].queryset = Contact.objects.visible_to(self.user).filter(
            partner__in=self.fields["partner"].queryset.values("pk")
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class QuotationForm(DocumentFormMixin, forms.ModelForm):
    class Meta:
        model = Quotation
        fields = list(QUOTATION_FIELDS)
        widgets = {
            "quote_date": DATE,
            "valid_until": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.visible_to(self.user).filter(status="open")
        self.fields["quote_date"].initial = timezone.localdate
        self.fields["valid_until"].required = False
        self.fields["valid_until"].help_text = _("不填则为报价日期后 30 天。")


class SalesOrderForm(DocumentFormMixin, forms.ModelForm):
    class Meta:
        model = SalesOrder
        fields = list(ORDER_FIELDS)
        widgets = {"order_date": DATE, "delivery_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_date"].initial = timezone.localdate


class LineForm(ScopedFormMixin, forms.Form):
    """One line. Whichever price field the user typed last is the one ``price_entry`` names (lines.js sets it);
    an empty price takes the catalog's price for this customer."""

    product = forms.ModelChoiceField(label=_("商品"), queryset=Product.objects.filter(status=ProductStatus.ACTIVE))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("数量"), max_digits=18, decimal_places=4, min_value=Decimal("0.0001"), initial=Decimal("1")
    )
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Unit.objects.filter(is_active=True), required=False, empty_label=_("基本单位")
    )
    price_entry = forms.ChoiceField(
        choices=PriceEntry.choices, initial=PriceEntry.GROSS, widget=forms.HiddenInput(attrs={"class": "price-entry"})
    )
    # Set while the price shown is the one the catalog's rules gave (not typed): saving prices it again by the
    # rules, so the line keeps saying which rule it came from.
    price_auto = forms.BooleanField(required=False, widget=forms.HiddenInput(attrs={"class": "price-auto"}))
    unit_price_gross = forms.DecimalField(
        label=_("含税单价"), max_digits=18, decimal_places=6, min_value=Decimal("0"), required=False
    )
    unit_price_net = forms.DecimalField(
        label=_("不含税单价"), max_digits=18, decimal_places=6, min_value=Decimal("0"), required=False
    )
    discount_percent = forms.DecimalField(
        label=_("折扣率（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        initial=Decimal("0"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs["class"] = "form-select form-select-sm line-product"
        self.fields["unit_price_gross"].widget.attrs["class"] = "form-control form-control-sm price-gross"
        self.fields["unit_price_net"].widget.attrs["class"] = "form-control form-control-sm price-net"
        for name in ("description", "quantity", "discount_percent"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"

    def to_input(self) -> LineInput:
        data = self.cleaned_data
        entry = data.get("price_entry") or PriceEntry.GROSS
        price = data.get("unit_price_net") if entry == PriceEntry.NET else data.get("unit_price_gross")
        if data.get("price_auto"):
            price = None
        return LineInput(
            product=data["product"],
            quantity=data["quantity"],
            unit=data.get("unit"),
            price_entry=entry,
            unit_price=price,
            discount_percent=data.get("discount_percent") or Decimal("0"),
            description=data.get("description") or "",
        )


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            user=self.user,
        )
        self.add_fields(form, None)
        return form


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=0, can_delete=True, max_num=500)


def line_inputs(formset) -> list[LineInput]:
    """The formset's lines in order, without the ones marked deleted or left empty."""
    return [
        form.to_input()
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("product")
    ]


def initial_lines(document) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity.normalize(),
            "unit": line.unit_id,
            "price_entry": line.price_entry,
            "price_auto": line.price_source != MANUAL_PRICE,
            "unit_price_gross": line.unit_price_gross,
            "unit_price_net": line.unit_price_net,
            "discount_percent": line.discount_percent,
        }
        for line in document.lines.all()
    ]
