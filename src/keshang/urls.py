from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from keshang.contracts.views_signing import public_urlpatterns as signing_public_patterns
from keshang.web import views as web_views

from .api_urls import api_patterns

urlpatterns = [
    path("login/", web_views.LoginView.as_view(), name="login"),
    path("logout/", web_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    # The public signing page (issue 13): no login, the link's token is the credential.
    *signing_public_patterns,
    path("", include("keshang.web.urls")),
    path("core/", include("keshang.core.urls")),
    path("org/", include("keshang.org.urls")),
    path("partners/", include("keshang.partners.urls")),
    path("catalog/", include("keshang.catalog.urls")),
    path("sales/", include("keshang.sales.urls")),
    path("contracts/", include("keshang.contracts.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
