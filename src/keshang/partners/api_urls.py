from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import api, importing_api, merging_api, ownership_api, suppliers_api

router = DefaultRouter()
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("addresses", api.AddressViewSet, basename="address")
router.register("bank-accounts", api.BankAccountViewSet, basename="bankaccount")

urlpatterns = [
    *ownership_api.api_urlpatterns,
    *importing_api.api_urlpatterns,
    *merging_api.api_urlpatterns,
    *suppliers_api.api_urlpatterns,
    *router.urls,
    not_found_route(),
]
