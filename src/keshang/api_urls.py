"""``/api/v1/``: one router per app, namespaced ``<app>-api`` (STYLE.md §9)."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

api_patterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("core/", include(("keshang.core.api.urls", "core-api"))),
    path("org/", include(("keshang.org.api.urls", "org-api"))),
    path("partners/", include(("keshang.partners.api.urls", "partners-api"))),
    path("catalog/", include(("keshang.catalog.api.urls", "catalog-api"))),
    path("sales/", include(("keshang.sales.api.urls", "sales-api"))),
]
