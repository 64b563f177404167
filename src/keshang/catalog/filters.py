"""FilterSets shared by the catalog pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import ActiveFilter, ScopedFilterSet

from .models import Brand, PriceRule, PriceRuleKind, Product, ProductCategory, ProductStatus, ProductUnit, Unit, VatRate
from .selectors import category_subtree, product_search_condition

__all__ = [
    "ProductFilterSet",
    "ProductUnitFilterSet",
    "PriceRuleFilterSet",
    "CategoryFilterSet",
    "BrandFilterSet",
    "UnitFilterSet",
]


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    """A category selects its whole subtree (电子元器件 lists 电阻 and 电容 too)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", ProductCategory.objects.order_by("path"))
        kwargs.setdefault("method", lambda queryset, name, value: queryset.filter(category_subtree(value)))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda obj: f"{'　' * obj.depth}{obj.name}"
        return field


class ProductFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    category = CategoryChoiceFilter(label=_("商品分类"))
    brand = django_filters.ModelChoiceFilter(label=_("品牌"), queryset=Brand.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProductStatus.choices)
    vat_rate = django_filters.ChoiceFilter(label=_("税率"), choices=VatRate.choices)

    class Meta:
        model = Product
        fields = ["q", "category", "brand", "status", "vat_rate"]

    def search(self, queryset, name, value):
        return queryset.filter(product_search_condition(value))


class ProductUnitFilterSet(ScopedFilterSet):
    class Meta:
        model = ProductUnit
        fields = ["product", "unit"]


class PriceRuleFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("价格类型"), choices=PriceRuleKind.choices)

    class Meta:
        model = PriceRule
        fields = ["product", "kind", "partner", "partner_level"]


class CategoryFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    parent = django_filters.ModelChoiceFilter(label=_("上级分类"), queryset=ProductCategory.objects.order_by("path"))

    class Meta:
        model = ProductCategory
        fields = ["q", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class BrandFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Brand
        fields = ["q"]


class UnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="name", lookup_expr="icontains")
    is_active = ActiveFilter()

    class Meta:
        model = Unit
        fields = ["q", "is_active"]
