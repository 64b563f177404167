"""Every read of the catalog, through ``visible_to`` (STYLE.md §2). The catalog is unscoped master data:
a grant opens all rows, no grant none."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from keshang.core.permissions import Action
from keshang.core.search import SearchHit
from keshang.partners.selectors import normalise_query

from .models import Brand, PriceRule, Product, ProductCategory, ProductStatus, ProductUnit, Unit

__all__ = [
    "list_products",
    "search_products",
    "product_search_hits",
    "product_search_condition",
    "list_product_units",
    "list_price_rules",
    "list_categories",
    "category_subtree",
    "list_brands",
    "list_units",
]


def list_products(*, user, action: str = Action.VIEW) -> QuerySet[Product]:
    return Product.objects.visible_to(user, action).select_related("unit", "category", "brand")


def product_search_condition(query: str) -> Q:
    """Code prefix, exact barcode, or every word of the query in the search text (name with its pinyin and
    initials, specification, code): "电阻 0603" finds 贴片电阻 with spec "0603 10KΩ", "tpdz" finds it too."""
    raw = (query or "").strip()
    if not raw:
        return Q()
    words = Q()
    for word in normalise_query(raw).split():
        words &= Q(search_text__contains=word)
    return Q(code__istartswith=raw) | Q(barcode=raw) | words


def search_products(*, user, q: str, limit: int = 20, sellable_only: bool = False) -> list[Product]:
    """The product picker of the line editor: best matches first (code prefix, then the rest by code)."""
    products = list_products(user=user)
    if sellable_only:
        products = products.filter(status=ProductStatus.ACTIVE)
    if (q or "").strip():
        products = products.filter(product_search_condition(q))
    raw = (q or "").strip()
    found = list(products.order_by("code")[: limit * 2 if raw else limit])
    found.sort(key=lambda product: (not product.code.lower().startswith(raw.lower()), product.code))
    return found[:limit]


def list_product_units(*, user, action: str = Action.VIEW) -> QuerySet[ProductUnit]:
    return ProductUnit.objects.visible_to(user, action).select_related("product", "unit", "product__unit")


def list_price_rules(*, user, action: str = Action.VIEW) -> QuerySet[PriceRule]:
    return PriceRule.objects.visible_to(user, action).select_related("product", "partner", "partner_level")


def list_categories(*, user, action: str = Action.VIEW) -> QuerySet[ProductCategory]:
    return (
        ProductCategory.objects.visible_to(user, action)
        .select_related("parent")
        .annotate(product_count=Count("products"))
    )


def category_subtree(category: ProductCategory) -> Q:
    """Products in ``category`` or any category below it (one prefix condition on the path)."""
    return Q(category__path__startswith=category.path)


def list_brands(*, user, action: str = Action.VIEW) -> QuerySet[Brand]:
    return Brand.objects.visible_to(user, action).annotate(product_count=Count("products"))


def list_units(*, user, action: str = Action.VIEW) -> QuerySet[Unit]:
    return Unit.objects.visible_to(user, action)


def product_search_hits(query: str, *, user, limit: int) -> list[SearchHit]:
    """The global search's products (registered in features.py)."""
    return [
        SearchHit(
            title=f"{product.code} {product.name}",
            url=reverse("catalog:product_detail", args=[product.pk]),
            detail=" · ".join(part for part in (product.specification, str(product.unit)) if part),
        )
        for product in search_products(user=user, q=query, limit=limit)
    ]
