from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import contracts

router = DefaultRouter()
contracts.register_routes(router)

urlpatterns = [*router.urls, not_found_route()]
