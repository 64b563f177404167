"""``/api/v1/partners/``: the routes of every module of partners' API, in the namespace ``partners-api``."""

from django.urls import path
from rest_framework.routers import DefaultRouter, SimpleRouter

from keshang.core.api import not_found_route

from . import classifications, merging, ownership, partners, parts, suppliers

# SimpleRouters for the lists beside the partners: the DefaultRouter below already serves the API root.
pool_router = SimpleRouter()
pool_router.register("pool", ownership.PoolViewSet, basename="pool")
pool_router.register("handovers", ownership.HandoverViewSet, basename="handover")
lists_router = SimpleRouter()
lists_router.register("qualifications", suppliers.QualificationViewSet, basename="qualification")
lists_router.register("levels", classifications.PartnerLevelViewSet, basename="partnerlevel")
lists_router.register("industries", classifications.IndustryViewSet, basename="industry")
lists_router.register("tags", classifications.TagViewSet, basename="tag")

router = DefaultRouter()
router.register("partners", partners.PartnerViewSet, basename="partner")
router.register("contacts", parts.ContactViewSet, basename="contact")
router.register("addresses", parts.AddressViewSet, basename="address")
router.register("bank-accounts", parts.BankAccountViewSet, basename="bankaccount")

urlpatterns = [
    *pool_router.urls,
    path("duplicates/", merging.DuplicateGroupViewSet.as_view({"get": "list"}), name="duplicate-list"),
    *lists_router.urls,
    *router.urls,
    not_found_route(),
]
