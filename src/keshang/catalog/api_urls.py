from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import api

router = DefaultRouter()
router.register("products", api.ProductViewSet, basename="product")
router.register("product-units", api.ProductUnitViewSet, basename="productunit")
router.register("price-rules", api.PriceRuleViewSet, basename="pricerule")
router.register("categories", api.CategoryViewSet, basename="productcategory")
router.register("brands", api.BrandViewSet, basename="brand")
router.register("units", api.UnitViewSet, basename="unit")

urlpatterns = [*router.urls, not_found_route()]
