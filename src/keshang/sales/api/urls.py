from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import documents, opportunities

router = DefaultRouter()
opportunities.register_routes(router)
documents.register_routes(router)

urlpatterns = [*router.urls, not_found_route()]
