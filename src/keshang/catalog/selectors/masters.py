"""Reads of the catalog's simple masters: the category tree, brands and units."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from keshang.core.permissions import Action

from ..models import Brand, ProductCategory, Unit

__all__ = ["list_categories", "category_subtree", "list_brands", "list_units"]


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
