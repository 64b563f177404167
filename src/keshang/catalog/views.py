"""Catalog pages on core's scoped generic views: products (list, detail with tabs for unit conversions,
price rules, images and history; forms with the duplicate confirmation; the line editor's product dialog), the
parts' inline forms, and the category tree, brands and units."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from keshang.core.importing_views import ImportUploadView
from keshang.core.permissions import Action
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    PartDeleteView,
    PartEditView,
    ScopedViewMixin,
)

from . import selectors, services
from .filters import BrandFilterSet, CategoryFilterSet, ProductFilterSet, UnitFilterSet
from .forms import BrandForm, CategoryForm, PriceRuleForm, ProductForm, ProductUnitForm, UnitForm
from .importing import ProductImporter
from .lines.entry import list_picked_products
from .models import Brand, PriceRule, Product, ProductCategory, ProductUnit, Unit
from .pricing import describe_rule
from .services import DuplicateProductError
from .tables import PRICE_COLUMNS, BrandTable, CategoryTable, ProductTable, UnitTable, mask_cost, price_text

#
# Products
#


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
    """htmx: the results of the line editor's product dialog — products on sale matching ``q`` (code, name,
    pinyin), after those already ticked (``pick``), still ticked, so a second search keeps the first one's
    choices."""

    model = Product
    limit = 20

    def get(self, request):
        picked = list_picked_products(user=request.user, product_ids=request.GET.getlist("pick"))
        found = selectors.search_products(
            user=request.user, q=request.GET.get("q", ""), limit=self.limit + 1, sellable_only=True
        )
        ticked = {product.pk for product in picked}
        others = [product for product in found[: self.limit] if product.pk not in ticked]
        context = {
            "products": [(product, True) for product in picked] + [(product, False) for product in others],
            "more": len(found) > self.limit,
            "limit": self.limit,
        }
        return TemplateResponse(request, "catalog/product_pick.html", context)


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


#
# Parts of a product: unit conversions and price rules
#


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


#
# Categories, brands, units
#


class CategoryListView(ObjectListView):
    model = ProductCategory
    selector = selectors.list_categories
    table = CategoryTable
    filterset = CategoryFilterSet
    export_basename = "product-categories"


class CategoryDetailView(ObjectDetailView):
    model = ProductCategory
    selector = selectors.list_categories
    detail_fields = ("name", "code", "parent", "order")

    def extra(self, obj):
        context = super().extra(obj)
        products = reverse("catalog:product_list") + f"?category={obj.pk}"
        context["extra_actions"] = [(products, _("查看商品（%(count)s）") % {"count": obj.product_count})]
        return context


class CategoryEditView(ObjectEditView):
    model = ProductCategory
    form_class = CategoryForm

    def save_form(self, form):
        if form.instance.pk:
            return services.update_category(actor=self.request.user, category=form.instance, data=form.cleaned_data)
        return services.create_category(actor=self.request.user, data=form.cleaned_data)


class CategoryDeleteView(ObjectDeleteView):
    model = ProductCategory

    def delete_object(self, obj):
        services.delete_category(actor=self.request.user, category=obj)


class CategoryHistoryView(ObjectHistoryView):
    model = ProductCategory


class BrandListView(ObjectListView):
    model = Brand
    selector = selectors.list_brands
    table = BrandTable
    filterset = BrandFilterSet
    export_basename = "brands"


class BrandDetailView(ObjectDetailView):
    model = Brand
    selector = selectors.list_brands
    detail_fields = ("name",)

    def extra(self, obj):
        context = super().extra(obj)
        products = reverse("catalog:product_list") + f"?brand={obj.pk}"
        context["extra_actions"] = [(products, _("查看商品（%(count)s）") % {"count": obj.product_count})]
        return context


class BrandEditView(ObjectEditView):
    model = Brand
    form_class = BrandForm

    def save_form(self, form):
        if form.instance.pk:
            return services.update_brand(actor=self.request.user, brand=form.instance, data=form.cleaned_data)
        return services.create_brand(actor=self.request.user, data=form.cleaned_data)


class BrandDeleteView(ObjectDeleteView):
    model = Brand

    def delete_object(self, obj):
        services.delete_brand(actor=self.request.user, brand=obj)


class BrandHistoryView(ObjectHistoryView):
    model = Brand


class UnitListView(ObjectListView):
    model = Unit
    selector = selectors.list_units
    table = UnitTable
    filterset = UnitFilterSet
    export_basename = "units"


class UnitDetailView(ObjectDetailView):
    model = Unit
    selector = selectors.list_units
    detail_fields = ("name", "is_active")


class UnitEditView(ObjectEditView):
    model = Unit
    form_class = UnitForm

    def save_form(self, form):
        if form.instance.pk:
            return services.update_unit(actor=self.request.user, unit=form.instance, data=form.cleaned_data)
        return services.create_unit(actor=self.request.user, data=form.cleaned_data)


class UnitDeleteView(ObjectDeleteView):
    model = Unit

    def delete_object(self, obj):
        services.delete_unit(actor=self.request.user, unit=obj)


class UnitHistoryView(ObjectHistoryView):
    model = Unit
