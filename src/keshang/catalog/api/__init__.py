"""The catalog's REST API: products (``products``), their unit conversions and price rules (``parts``), and the
category tree, brands and units (``masters``); routes in ``urls``."""

from .masters import BrandViewSet, CategoryViewSet, UnitViewSet
from .parts import PriceRuleViewSet, ProductUnitViewSet
from .products import ProductViewSet

__all__ = ["ProductViewSet", "ProductUnitViewSet", "PriceRuleViewSet", "CategoryViewSet", "BrandViewSet", "UnitViewSet"]
