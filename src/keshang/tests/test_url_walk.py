"""Walks every URL pattern and API route: none may reach owned data except through the scoped bases."""

import re

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from keshang.core.api import ScopedViewSetMixin
from keshang.core.scope import ScopedQuerySet
from keshang.core.views import PersonalViewMixin, ScopedViewMixin

# Views that read no owned records, and why.
EXEMPT = {
    "keshang.web.views.LoginView": "sign-in page",
    "keshang.web.views.LogoutView": "sign-out",
    "django.views.i18n.set_language": "language switch",
    "keshang.org.api.tokens.ObtainTokenView": "a new token for the caller's own credentials",
    "drf_spectacular.views.SpectacularAPIView": "API schema (login required)",
    "drf_spectacular.views.SpectacularSwaggerSplitView": "API docs (login required)",
    "rest_framework.routers.APIRootView": "router index",
    # The customer's signing page and its PDF (issue 13): no account; the link's token opens its one contract.
    "keshang.contracts.views_signing.SignPageView": "public signing page (token)",
    "keshang.contracts.views_signing.SignPdfView": "public signing page's PDF (token)",
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def view_class(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def dotted(callback) -> str:
    cls = view_class(callback)
    target = cls or callback
    return f"{target.__module__}.{target.__qualname__}"


def all_routes():
    return sorted({(simplify_regex(route), callback) for route, callback in walk(get_resolver().url_patterns)}, key=str)


def uses_scoped_model(cls) -> bool:
    model = getattr(cls, "model", None)
    queryset = getattr(cls, "queryset", None)
    if model is not None:
        return isinstance(model._default_manager.all(), ScopedQuerySet)
    return isinstance(queryset, ScopedQuerySet)


ROUTES = all_routes()
ROUTE_IDS = [f"{route} {dotted(callback)}" for route, callback in ROUTES]


@pytest.mark.parametrize(("route", "callback"), ROUTES, ids=ROUTE_IDS)
def test_every_view_is_built_on_the_scoped_bases(route, callback):
    cls = view_class(callback)
    name = dotted(callback)
    if name in EXEMPT:
        return
    assert cls is not None, f"{route}: function view {name} is not on a scoped base"
    if issubclass(cls, ScopedViewMixin | ScopedViewSetMixin):
        assert cls.model is not None, f"{route}: {name} has no model"
        return
    personal = issubclass(cls, PersonalViewMixin) or (issubclass(cls, APIView) and getattr(cls, "personal", False))
    assert personal, f"{route}: {name} is neither scoped nor personal"
    assert not uses_scoped_model(cls), f"{route}: personal view {name} reads a scoped model"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "callback"), ROUTES, ids=ROUTE_IDS)
def test_anonymous_users_reach_nothing_but_the_sign_in(client, route, callback):
    name = dotted(callback)
    if name in EXEMPT and name not in (
        "drf_spectacular.views.SpectacularAPIView",
        "drf_spectacular.views.SpectacularSwaggerSplitView",
    ):
        return
    url = re.sub(r"<(int:)?pk>", "1", route.replace("\\.", ".")).replace("<format>", "json")
    if "<" in url:
        pytest.skip(f"route with other parameters: {route}")
    response = client.get(url)
    assert response.status_code in (302, 401, 403), f"{url} answered {response.status_code} to an anonymous user"
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
