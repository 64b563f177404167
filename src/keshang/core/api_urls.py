from rest_framework.routers import DefaultRouter

from . import api, approvals_api, attachments_api, importing_api

router = DefaultRouter()
router.register("audit-entries", api.AuditEntryViewSet, basename="auditentry")
router.register("currencies", api.CurrencyViewSet, basename="currency")
router.register("exchange-rates", api.ExchangeRateViewSet, basename="exchangerate")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("regions", api.RegionViewSet, basename="region")
approvals_api.register_routes(router)

urlpatterns = [
    *importing_api.api_urlpatterns,
    *attachments_api.api_urlpatterns,
    *approvals_api.api_urlpatterns,
    *router.urls,
    api.not_found_route(),
]
