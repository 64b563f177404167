"""The line editor's forms: one form per line in a formset. They validate input only; ``line_inputs`` hands
the lines to the document's service as :class:`~keshang.catalog.lines.pricing.LineInput`, and
``initial_lines`` shows saved lines through ``LineInput.from_line`` (the one place that decides which price
was typed)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keshang.core.documents.models import PriceEntry
from keshang.core.forms import ScopedFormMixin

from ..models import Product, Unit
from .pricing import LineInput

__all__ = ["LineForm", "LineFormSet", "line_inputs", "initial_lines"]


class LineForm(ScopedFormMixin, forms.Form):
    """One line. Whichever price field the user typed last is the one ``price_entry`` names (lines.js sets it);
    a line whose price is left to the rules (``price_auto``) is priced by them again on every change."""

    # Discontinued products are refused by the pricing with a message saying so, not as "no such choice".
    product = forms.ModelChoiceField(label=_("商品"), queryset=Product.objects.all())
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
        return LineInput(
            product=data["product"],
            quantity=data["quantity"],
            unit=data.get("unit"),
            price_entry=entry,
            unit_price=None if data.get("price_auto") else price,
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


def initial_lines(lines) -> list[dict]:
    """Saved lines as the formset's initial data, through ``LineInput.from_line``; both prices are shown."""
    rows = []
    for line in lines:
        item = LineInput.from_line(line)
        rows.append(
            {
                "product": item.product.pk,
                "description": item.description,
                "quantity": item.quantity.normalize(),
                "unit": line.unit_id,
                "price_entry": item.price_entry,
                "price_auto": item.unit_price is None,
                "unit_price_gross": line.unit_price_gross,
                "unit_price_net": line.unit_price_net,
                "discount_percent": item.discount_percent,
            }
        )
    return rows
