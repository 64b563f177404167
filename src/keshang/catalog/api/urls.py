from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from .masters import BrandViewSet, CategoryViewSet, UnitViewSet
from .parts import PriceRuleViewSet, ProductUnitViewSet
from .products import ProductViewSet

router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("product-units", ProductUnitViewSet, basename="productunit")
router.register("price-rules", PriceRuleViewSet, basename="pricerule")
router.register("categories", CategoryViewSet, basename="productcategory")
router.register("brands", BrandViewSet, basename="brand")
router.register("units", UnitViewSet, basename="unit")

urlpatterns = [*router.urls, not_found_route()]
