from django.urls import path
from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import companies, tokens
from . import organisation as api

router = DefaultRouter()
router.register("me/tokens", tokens.MyTokenViewSet, basename="my-token")
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("users", api.UserViewSet, basename="user")
router.register("roles", api.RoleViewSet, basename="role")
router.register("companies", companies.CompanyViewSet, basename="company")
router.register("company-bank-accounts", companies.CompanyBankAccountViewSet, basename="companybankaccount")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    *router.urls,
    not_found_route(),
]
