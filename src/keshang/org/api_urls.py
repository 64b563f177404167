from django.urls import path
from rest_framework.routers import DefaultRouter

from keshang.core.api import not_found_route

from . import api

router = DefaultRouter()
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("users", api.UserViewSet, basename="user")
router.register("roles", api.RoleViewSet, basename="role")

urlpatterns = [path("me/", api.MeView.as_view(), name="me"), *router.urls, not_found_route()]
