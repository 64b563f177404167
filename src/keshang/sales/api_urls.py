from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import opportunities_api, quotations_api

router = DefaultRouter()
opportunities_api.register_routes(router)
quotations_api.register_routes(router)

urlpatterns = [
    *opportunities_api.api_urlpatterns,
    *quotations_api.api_urlpatterns,
    *router.urls,
    not_found_route(),
]
