"""``/api/v1/``: one router per app, namespaced ``<app>-api`` (STYLE.md §9)."""

from django.urls import include, path

from keshang.org.api.tokens import ObtainTokenView

api_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("core/", include(("keshang.core.api.urls", "core-api"))),
    path("org/", include(("keshang.org.api.urls", "org-api"))),
    path("partners/", include(("keshang.partners.api.urls", "partners-api"))),
    path("catalog/", include(("keshang.catalog.api.urls", "catalog-api"))),
    path("sales/", include(("keshang.sales.api.urls", "sales-api"))),
    path("contracts/", include(("keshang.contracts.api.urls", "contracts-api"))),
]
