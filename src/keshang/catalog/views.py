"""Catalog pages on core's scoped generic views."""

from keshang.core.tables import Table
from keshang.core.views import ObjectListView

from .models import Brand, Product, ProductCategory, Unit


class ProductListView(ObjectListView):
    model = Product
    table = Table


class ProductCategoryListView(ObjectListView):
    model = ProductCategory
    table = Table


class BrandListView(ObjectListView):
    model = Brand
    table = Table


class UnitListView(ObjectListView):
    model = Unit
    table = Table
