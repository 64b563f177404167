from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("addresses", api.AddressViewSet, basename="address")
router.register("bank-accounts", api.BankAccountViewSet, basename="bankaccount")

urlpatterns = router.urls
