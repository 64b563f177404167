"""``/api/v1/core/``: core's own endpoints and those of its frameworks (imports, attachments, approvals)."""

from rest_framework.routers import DefaultRouter

from ..approvals import api as approvals_api
from ..attachments import api as attachments_api
from ..importing import api as importing_api
from . import audit, currencies, notifications, regions
from .errors import not_found_route

router = DefaultRouter()
router.register("audit-entries", audit.AuditEntryViewSet, basename="auditentry")
router.register("currencies", currencies.CurrencyViewSet, basename="currency")
router.register("exchange-rates", currencies.ExchangeRateViewSet, basename="exchangerate")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("regions", regions.RegionViewSet, basename="region")
approvals_api.register_routes(router)

urlpatterns = [
    *importing_api.api_urlpatterns,
    *attachments_api.api_urlpatterns,
    *approvals_api.api_urlpatterns,
    *router.urls,
    not_found_route(),
]
