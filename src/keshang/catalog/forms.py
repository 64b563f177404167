"""Forms validate input only; the views hand ``cleaned_data`` to the services."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.forms import ScopedFormMixin
from keshang.core.permissions import Action
from keshang.core.scope import has_action

from .models import Brand, PriceRule, Product, ProductCategory, ProductUnit, Unit

__all__ = ["ProductForm", "ProductUnitForm", "PriceRuleForm", "CategoryForm", "BrandForm", "UnitForm"]

PRODUCT_FORM_FIELDS = [
    "code",
    "name",
    "specification",
    "category",
    "brand",
    "unit",
    "barcode",
    "vat_rate",
    "list_price",
    "min_price",
    "cost_price",
    "status",
    "description",
]


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories in tree order, indented by depth, so the choice shows where a category sits."""

    def label_from_instance(self, obj):
        return f"{'　' * obj.depth}{obj.name}"


class ProductForm(ScopedFormMixin, forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        label=_("仍然保存（我已确认不是重复商品）"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Product
        fields = PRODUCT_FORM_FIELDS
        field_classes = {"category": CategoryChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inactive units are not offered, unless the product already uses one.
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(
            Q(is_active=True) | Q(pk=self.instance.unit_id)
        )
        self.fields["category"].queryset = self.fields["category"].queryset.order_by("path")
        if not has_action(self.user, "catalog.product", Action.VIEW_SENSITIVE):
            # Who may not see the cost price may not overwrite it either: the field is not sent to them.
            del self.fields["cost_price"]
        if self.data.get("confirm_duplicate"):
            self.offer_confirmation()

    def offer_confirmation(self) -> None:
        """Show the “save anyway” box after a duplicate warning."""
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})

    def validate_unique(self):
        # The service checks the code and names the product that holds it; Django's message would not.
        pass

    def product_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in PRODUCT_FORM_FIELDS if field in self.cleaned_data}


class ProductUnitForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ProductUnit
        fields = ["unit", "factor", "barcode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = self.instance.unit_id if self.instance.pk else None
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(Q(is_active=True) | Q(pk=used))


class PriceRuleForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PriceRule
        fields = ["kind", "partner_level", "partner", "min_quantity", "price", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "price": _("每基本单位的含税单价。"),
            "min_quantity": _("按基本单位计；0 表示不限数量。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = self.fields["partner"].queryset.filter(is_customer=True).order_by("name")
        self.fields["partner"].help_text = _("仅“客户专属价”填写。")
        self.fields["partner_level"].help_text = _("仅“客户级别价”填写。")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "customer" and not cleaned.get("partner"):
            self.add_error("partner", _("客户专属价须选择客户。"))
        if kind == "level" and not cleaned.get("partner_level"):
            self.add_error("partner_level", _("客户级别价须选择客户级别。"))
        return cleaned

    def _post_clean(self):
        # The kind/target constraint is the service's to enforce after it clears the other target.
        if self.cleaned_data.get("kind") != "customer":
            self.cleaned_data["partner"] = None
        if self.cleaned_data.get("kind") != "level":
            self.cleaned_data["partner_level"] = None
        super()._post_clean()


class CategoryForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "code", "parent", "order"]
        field_classes = {"parent": CategoryChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = self.fields["parent"].queryset.order_by("path")
        if self.instance.pk:
            # Not itself nor anything below it: the tree would have a loop.
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents


class BrandForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Brand
        fields = ["name"]


class UnitForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "is_active"]
