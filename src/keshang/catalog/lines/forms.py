"""The line editor's forms: one form per line in a formset. They validate input only; ``line_inputs`` hands
the lines to the document's service as :class:`~keshang.catalog.lines.pricing.LineInput`. ``saved_lines_data``
binds saved lines as their editor posts them back, through ``LineInput.from_line`` (the one place that decides
which price was typed); ``line_data`` is how any new line (blank, picked, pasted) joins the posted formset."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keshang.core.documents.models import PriceEntry
from keshang.core.forms import ScopedFormMixin

from ..models import Product, Unit
from .pricing import LineInput

__all__ = ["PREFIX", "LineForm", "LineFormSet", "line_inputs", "line_data", "blank_line", "saved_lines_data"]

# The formset's prefix: its fields are posted as ``lines-<n>-<field>``.
PREFIX = "lines"


class LineForm(ScopedFormMixin, forms.Form):
    """One line. Whichever price field the user typed last is the one ``price_entry`` names (lines.js sets it);
    a line whose price is left to the rules (``price_auto``) is priced by them again on every change."""

    # Discontinued products are refused by the pricing with a message saying so, not as "no such choice".
    product = forms.ModelChoiceField(
        label=_("商品"), queryset=Product.objects.all(), error_messages={"required": _("请选择商品。")}
    )
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
        self.fields["description"].widget.attrs["placeholder"] = _("说明（可选）")
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

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Bootstrap's own checkbox: the shell's rule for bare checkboxes floats them into the amount beside.
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

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


def blank_line() -> dict:
    """A new empty line: exactly the form's initial values, so it counts as unchanged and is neither validated
    nor saved until something is typed into it."""
    return {name: field.initial for name, field in LineForm.base_fields.items() if field.initial is not None}


def line_data(index: int, values: dict) -> dict:
    """One line's fields as the editor posts them (``lines-<index>-<field>``): Decimals as plain figures
    (1.5, not 1.500000), True as "True" and False as nothing, like the hidden inputs the template renders."""

    def text(value) -> str:
        if value is None or value is False:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return str(value)

    return {f"{PREFIX}-{index}-{name}": text(value) for name, value in values.items()}


def saved_lines_data(lines) -> dict:
    """Saved lines bound as their editor posts them back, through ``LineInput.from_line``: a reopened document
    is priced by the same preview as after any change (line amounts, totals, prices to two places)."""
    data = {}
    count = 0
    for index, line in enumerate(lines):
        item = LineInput.from_line(line)
        data.update(
            line_data(
                index,
                {
                    "product": item.product.pk,
                    "description": item.description,
                    "quantity": item.quantity,
                    # The base unit is posted as the picker's “基本单位” (empty), as a new line has it.
                    "unit": None if line.unit_id == item.product.unit_id else line.unit_id,
                    "price_entry": item.price_entry,
                    "price_auto": item.unit_price is None,
                    "unit_price_gross": line.unit_price_gross,
                    "unit_price_net": line.unit_price_net,
                    "discount_percent": item.discount_percent,
                },
            )
        )
        count = index + 1
    return {f"{PREFIX}-TOTAL_FORMS": str(count), f"{PREFIX}-INITIAL_FORMS": str(count), **data}
