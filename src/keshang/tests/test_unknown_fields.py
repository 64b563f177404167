"""Issue 12, finding 15: the API refuses a write body naming a field it does not take, instead of dropping it
(a misspelt price fell back to the list price). Discovered: every write route of every app's router, as a
superuser aimed at a real record, sent one bogus field, answers 400 ``unknown_fields`` naming it."""

import pytest
from rest_framework.views import APIView

from keshang.catalog.models import Product
from keshang.core.api import ScopedViewSetMixin
from keshang.sales.models import Quotation as QUOTATION
from keshang.tests.matrix import API_ROUTES, PARAM, routes, url_for
from keshang.tests.world import matrix_world  # noqa: F401  (the module's world)

WRITE_METHODS = ("post", "put", "patch")
BOGUS = "unit_prise"  # a misspelt unit_price


def write_cases():
    for route, callback in API_ROUTES:
        for method, handler in (getattr(callback, "actions", None) or {}).items():
            if method in WRITE_METHODS:
                yield pytest.param(route, callback, method, id=f"{method.upper()} {route} {handler}")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "callback", "method"), list(write_cases()))
def test_every_write_route_refuses_a_field_it_does_not_take(world, route, callback, method):
    url = url_for(world, route, callback.cls.model, "buyer")
    assert url is not None, f"the world has no record for {route}"
    json = any(parser.media_type == "application/json" for parser in callback.cls().get_parsers())
    response = getattr(world.clients["root", True], method)(
        url, {BOGUS: "0.01"}, format="json" if json else "multipart"
    )
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "unknown_fields", body
    assert list(body["fields"]) == [BOGUS], body


# Write routes outside the scoped bases, and why they are not walked above.
PERSONAL_EXEMPT = {
    "/api/v1/auth/token/": "reads a username and password only, and answers a token; it keeps nothing else",
}


def personal_write_routes():
    for route, callback in routes(APIView):
        if issubclass(callback.cls, ScopedViewSetMixin) or route in PERSONAL_EXEMPT:
            continue
        actions = getattr(callback, "actions", None) or {}
        for method, handler in actions.items():
            if method in WRITE_METHODS:
                yield pytest.param(route, method, id=f"{method.upper()} {route} {handler}")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), list(personal_write_routes()))
def test_every_personal_write_route_refuses_a_field_it_does_not_take(world, route, method):
    # The body is checked before the record is looked up: one that does not exist answers the same.
    url = PARAM.sub("999999", route)
    response = getattr(world.clients["department", True], method)(url, {BOGUS: "0.01"}, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert (response.json()["code"], list(response.json()["fields"])) == ("unknown_fields", [BOGUS])


@pytest.mark.django_db
def test_a_misspelt_field_in_a_documents_line_is_named_by_its_path(world):
    quotation = url_for(world, "/api/v1/sales/quotations/<pk>/", QUOTATION, "rep")
    body = {"lines": [{"product": Product.objects.get(name="矩阵商品").pk, "quantity": "1", "unit_prise": "0.01"}]}
    response = world.clients["department", True].patch(quotation, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_fields"
    assert response.json()["fields"] == {"lines.0.unit_prise": ["不认识的字段。"]}


@pytest.mark.django_db
def test_a_read_only_field_is_refused_too_and_nothing_is_written(world):
    partner = world.records["rep"]["partners.partner"]
    url = url_for(world, "/api/v1/partners/partners/<pk>/", type(partner), "rep")
    response = world.clients["department", True].patch(url, {"name": "改名", "created_at": "2020-01-01"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_fields")
    assert response.json()["fields"] == {"created_at": ["只读字段，不能提交。"]}
    partner.refresh_from_db()
    assert partner.name != "改名"
