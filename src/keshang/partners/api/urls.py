"""``/api/v1/partners/``: the routes of every module of partners' API, in the namespace ``partners-api``."""

from django.urls import path
from rest_framework.routers import DefaultRouter, SimpleRouter

from keshang.core.api import not_found_route

from .. import suppliers_api
from . import merging, ownership, partners, parts

# A SimpleRouter for the lists beside the partners: the DefaultRouter below already serves the API root.
pool_router = SimpleRouter()
pool_router.register("pool", ownership.PoolViewSet, basename="pool")
pool_router.register("handovers", ownership.HandoverViewSet, basename="handover")

router = DefaultRouter()
router.register("partners", partners.PartnerViewSet, basename="partner")
router.register("contacts", parts.ContactViewSet, basename="contact")
router.register("addresses", parts.AddressViewSet, basename="address")
router.register("bank-accounts", parts.BankAccountViewSet, basename="bankaccount")

urlpatterns = [
    *pool_router.urls,
    path("duplicates/", merging.DuplicateGroupViewSet.as_view({"get": "list"}), name="duplicate-list"),
    *suppliers_api.api_urlpatterns,
    *router.urls,
    not_found_route(),
]
