"""Reads of products and their parts (unit conversions, price rules), through ``visible_to``, and the product
search of the pickers and the global search."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from keshang.core.permissions import Action
from keshang.core.search import SearchHit
from keshang.partners.selectors import normalise_query

from ..models import PriceRule, Product, ProductStatus, ProductUnit

__all__ = [
    "list_products",
    "search_products",
    "product_search_hits",
    "product_search_condition",
    "list_product_units",
    "list_price_rules",
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


def product_search_hits(query: str, *, user, limit: int) -> list[SearchHit]:
    """The global search's products (registered in ``apps.py``)."""
    return [
        SearchHit(
            title=f"{product.code} {product.name}",
            url=reverse("catalog:product_detail", args=[product.pk]),
            detail=" · ".join(part for part in (product.specification, str(product.unit)) if part),
        )
        for product in search_products(user=user, q=query, limit=limit)
    ]
