"""Product pages on core's scoped generic views: the list (with 导入), the detail page (its tabs for unit
conversions and price rules are in ``parts``), the form with the duplicate confirmation, history with the cost
price masked, and the line editor's product dialog."""

import datetime

from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateparse import parse_date
from django.views import View

from keshang.core.importing_views import ImportUploadView
from keshang.core.permissions import Action
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedViewMixin,
)

from .. import selectors, services
from ..filters import ProductFilterSet
from ..forms import ProductForm
from ..lines.entry import list_picked_products
from ..lines.pricing import is_historical
from ..models import Product
from ..services import DuplicateProductError, ProductImporter
from ..tables import PRICE_COLUMNS, ProductTable, mask_cost, price_text

__all__ = [
    "ProductListView",
    "ProductPickView",
    "ProductDetailView",
    "ProductEditView",
    "ProductDeleteView",
    "ProductHistoryView",
    "ProductImportView",
    "urlpatterns",
]


class ProductListView(ObjectListView):
    model = Product
    selector = selectors.list_products
    table = ProductTable
    filterset = ProductFilterSet
    export_basename = "products"
    template_name = "catalog/product_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_url"] = reverse("catalog:product_import") if self.can(Action.ADD) else None
        return context


class ProductPickView(ScopedViewMixin, View):
    """htmx: the results of the line editor's product dialog — products matching ``q`` (code, name, pinyin), after
    those already ticked (``pick``), still ticked, so a second search keeps the first one's choices. Products on
    sale only, unless the document is dated in the past (``on``, the editor's document date): such a document
    records what happened and may name products discontinued since, as its lines may (``lines.is_historical``)."""

    model = Product
    limit = 20

    def get(self, request):
        on = _document_date(request.GET.get("on"))
        historical = on is not None and is_historical(on)
        picked = list_picked_products(user=request.user, product_ids=request.GET.getlist("pick"))
        found = selectors.search_products(
            user=request.user, q=request.GET.get("q", ""), limit=self.limit + 1, sellable_only=not historical
        )
        ticked = {product.pk for product in picked}
        others = [product for product in found[: self.limit] if product.pk not in ticked]
        context = {
            "products": [(product, True) for product in picked] + [(product, False) for product in others],
            "more": len(found) > self.limit,
            "limit": self.limit,
            "historical": historical,
        }
        return TemplateResponse(request, "catalog/product_pick.html", context)


def _document_date(value: str | None) -> datetime.date | None:
    """The dialog's ``on`` (YYYY-MM-DD); None (today's rule: on sale only) when it is missing or no date."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


class ProductDetailView(ObjectDetailView):
    model = Product
    selector = selectors.list_products
    template_name = "catalog/product_detail.html"
    detail_fields = (
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
        "created_by",
        "created_at",
        "updated_at",
    )

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        labels = {str(Product._meta.get_field(field).verbose_name): field for field in PRICE_COLUMNS}
        clear = self.can(Action.VIEW_SENSITIVE, obj)
        shown = []
        for name, value in rows:
            field = labels.get(str(name))
            if field == "cost_price" and not clear:
                value = mask_cost(value)
            elif field is not None:
                value = price_text(getattr(obj, field))
            shown.append((name, value))
        return shown

    def extra(self, obj):
        context = super().extra(obj)
        context["sellable"] = services.is_sellable(obj)
        return context


class ProductEditView(ObjectEditView):
    model = Product
    form_class = ProductForm
    template_name = "catalog/product_edit.html"

    def save_form(self, form):
        actor = self.request.user
        confirm = form.cleaned_data.get("confirm_duplicate", False)
        if form.instance.pk:
            return services.update_product(
                actor=actor, product=form.instance, data=form.product_data(), confirm_duplicate=confirm
            )
        return services.create_product(actor=actor, data=form.product_data(), confirm_duplicate=confirm)

    def handle_application_error(self, form, error):
        super().handle_application_error(form, error)
        if isinstance(error, DuplicateProductError):
            form.offer_confirmation()


class ProductDeleteView(ObjectDeleteView):
    model = Product

    def delete_object(self, obj):
        services.delete_product(actor=self.request.user, product=obj)


class ProductHistoryView(ObjectHistoryView):
    model = Product

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        obj = response.context_data["object"]
        if not self.can(Action.VIEW_SENSITIVE, obj):
            label = str(Product._meta.get_field("cost_price").verbose_name)
            response.context_data["entries"] = [
                (entry, [_masked_row(row) if row.label == label else row for row in rows])
                for entry, rows in response.context_data["entries"]
            ]
        return response


def _masked_row(row):
    return type(row)(row.label, mask_cost(row.before), mask_cost(row.after))


class ProductImportView(ImportUploadView):
    kind = ProductImporter.kind


urlpatterns = [
    path("products/", ProductListView.as_view(), name="product_list"),
    path("products/add/", ProductEditView.as_view(), name="product_add"),
    path("products/import/", ProductImportView.as_view(), name="product_import"),
    path("products/pick/", ProductPickView.as_view(), name="product_pick"),
    path("products/<int:pk>/", ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", ProductEditView.as_view(), name="product_edit"),
    path("products/<int:pk>/delete/", ProductDeleteView.as_view(), name="product_delete"),
    path("products/<int:pk>/history/", ProductHistoryView.as_view(), name="product_history"),
]
