"""The catalog's simple masters — the category tree, brands and units — each declared once with
``core.modelviews``: list, add, detail, edit, delete and history pages (and, in ``api.masters``, the viewset)
from one :class:`ModelViews`. A category's and a brand's page links to its products."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keshang.core.modelviews import ModelViews, model_urls
from keshang.core.views import ObjectDetailView

from .. import selectors, services
from ..filters import BrandFilterSet, CategoryFilterSet, UnitFilterSet
from ..forms import BrandForm, CategoryForm, UnitForm
from ..models import Brand, ProductCategory, Unit
from ..tables import BrandTable, CategoryTable, UnitTable

__all__ = ["CATEGORY_VIEWS", "BRAND_VIEWS", "UNIT_VIEWS", "urlpatterns"]


class ObjectWithProductsView(ObjectDetailView):
    """A detail page with a link to the product list filtered by this record (``product_filter``), with the count
    the selector annotated."""

    product_filter = ""

    def extra(self, obj):
        context = super().extra(obj)
        products = reverse("catalog:product_list") + f"?{self.product_filter}={obj.pk}"
        context["extra_actions"] = [(products, _("查看商品（%(count)s）") % {"count": obj.product_count})]
        return context


class CategoryProductsView(ObjectWithProductsView):
    product_filter = "category"


class BrandProductsView(ObjectWithProductsView):
    product_filter = "brand"


CATEGORY_VIEWS = ModelViews(
    model=ProductCategory,
    url_prefix="categories",
    selector=selectors.list_categories,
    table=CategoryTable,
    filterset=CategoryFilterSet,
    form_class=CategoryForm,
    save=services.save_category,
    delete=services.delete_category,
    export_basename="product-categories",
    detail_fields=("name", "code", "parent", "order"),
    detail_view=CategoryProductsView,
)

BRAND_VIEWS = ModelViews(
    model=Brand,
    url_prefix="brands",
    selector=selectors.list_brands,
    table=BrandTable,
    filterset=BrandFilterSet,
    form_class=BrandForm,
    save=services.save_brand,
    delete=services.delete_brand,
    export_basename="brands",
    detail_fields=("name",),
    detail_view=BrandProductsView,
)

UNIT_VIEWS = ModelViews(
    model=Unit,
    url_prefix="units",
    selector=selectors.list_units,
    table=UnitTable,
    filterset=UnitFilterSet,
    form_class=UnitForm,
    save=services.save_unit,
    delete=services.delete_unit,
    export_basename="units",
    detail_fields=("name", "is_active"),
)

urlpatterns = [*model_urls(CATEGORY_VIEWS), *model_urls(BRAND_VIEWS), *model_urls(UNIT_VIEWS)]
