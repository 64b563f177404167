"""The parts of a product on its detail page: the 单位换算 and 价格规则 tabs, and the parts' inline add, edit and
delete pages (changing a part is changing the product)."""

from django.urls import path, reverse

from keshang.core.views import PartDeleteView, PartEditView

from .. import services
from ..forms import PriceRuleForm, ProductUnitForm
from ..models import PriceRule, ProductUnit
from ..selectors import describe_rule
from ..tables import price_text
from .products import ProductDetailView

__all__ = [
    "ProductUnitsView",
    "ProductPriceRulesView",
    "ProductUnitEditView",
    "ProductUnitDeleteView",
    "PriceRuleEditView",
    "PriceRuleDeleteView",
    "urlpatterns",
]


class ProductPartsTabView(ProductDetailView):
    """One tab listing a product's parts (unit conversions or price rules), with inline add/edit/delete."""

    part_model = None
    tab_key = ""
    template_name = "catalog/product_parts.html"

    def parts(self, obj) -> list:
        raise NotImplementedError

    def extra(self, obj):
        context = super().extra(obj)
        can_change = context["edit_url"] is not None
        name = self.part_model._meta.model_name
        context.update(
            tab=self.tab_key,
            parts=self.parts(obj),
            part_name=self.part_model._meta.verbose_name,
            part_add_url=reverse(f"catalog:{name}_add", args=[obj.pk]) if can_change else None,
            part_edit_view=f"catalog:{name}_edit" if can_change else None,
            part_delete_view=f"catalog:{name}_delete" if can_change else None,
        )
        return context


class ProductUnitsView(ProductPartsTabView):
    part_model = ProductUnit
    tab_key = "units"

    def parts(self, obj):
        return list(obj.units.select_related("unit"))


class ProductPriceRulesView(ProductPartsTabView):
    part_model = PriceRule
    tab_key = "prices"

    def parts(self, obj):
        rules = obj.price_rules.select_related("partner", "partner_level").order_by("kind", "min_quantity", "pk")
        return [(rule, describe_rule(rule), price_text(rule.price)) for rule in rules]


class ProductPartEditView(PartEditView):
    template_name = "catalog/part_edit.html"


class ProductUnitEditView(ProductPartEditView):
    model = ProductUnit
    form_class = ProductUnitForm
    tab_key = "units"
    save_service = services.save_product_unit
    instance_argument = "product_unit"


class ProductUnitDeleteView(PartDeleteView):
    model = ProductUnit
    tab_key = "units"
    delete_service = services.delete_product_unit
    instance_argument = "product_unit"


class PriceRuleEditView(ProductPartEditView):
    model = PriceRule
    form_class = PriceRuleForm
    tab_key = "prices"
    save_service = services.save_price_rule
    instance_argument = "rule"


class PriceRuleDeleteView(PartDeleteView):
    model = PriceRule
    tab_key = "prices"
    delete_service = services.delete_price_rule
    instance_argument = "rule"


urlpatterns = [
    path("products/<int:pk>/units/", ProductUnitsView.as_view(), name="product_units"),
    path("products/<int:pk>/prices/", ProductPriceRulesView.as_view(), name="product_prices"),
    path("products/<int:product_pk>/units/add/", ProductUnitEditView.as_view(), name="productunit_add"),
    path("product-units/<int:pk>/edit/", ProductUnitEditView.as_view(), name="productunit_edit"),
    path("product-units/<int:pk>/delete/", ProductUnitDeleteView.as_view(), name="productunit_delete"),
    path("products/<int:product_pk>/prices/add/", PriceRuleEditView.as_view(), name="pricerule_add"),
    path("price-rules/<int:pk>/edit/", PriceRuleEditView.as_view(), name="pricerule_edit"),
    path("price-rules/<int:pk>/delete/", PriceRuleDeleteView.as_view(), name="pricerule_delete"),
]
