"""Issue 12, finding 3: who sees a product's cost price masked cannot learn the cost ranking by sorting on it."""

from decimal import Decimal

import pytest

from keshang.catalog.tests.factories import ProductFactory
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    # Same list price, costs in the opposite order of the codes: a cost sort would reverse the code order.
    return [ProductFactory(code=f"P{index}", cost_price=Decimal(90 - index * 10)) for index in range(3)]


def reader(*actions):
    user = UserFactory()
    grant(user, "catalog.product", [Action.VIEW, Action.EXPORT, *actions], Scope.ALL)
    return user


def codes(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    if url.startswith("/api/"):
        return [row["code"] for row in response.json()["results"]]
    text = response.content.decode()
    # The code as a cell's text: a bare "P1" may stand anywhere in the page (a random name, an attribute).
    return sorted(("P0", "P1", "P2"), key=lambda code: text.index(f">{code}<"))


@pytest.mark.parametrize("url", ["/catalog/products/", "/api/v1/catalog/products/"])
@pytest.mark.parametrize("sort", ["cost_price", "-cost_price"])
def test_sorting_by_a_masked_cost_keeps_the_default_order(client, api_client, products, url, sort):
    api = url.startswith("/api/")
    http = api_client if api else client
    http.force_authenticate(reader()) if api else http.force_login(reader())
    param = "ordering" if api else "sort"
    assert codes(http, url, **{param: sort}) == codes(http, url)


def test_who_sees_costs_sorts_by_them(client, products):
    client.force_login(reader(Action.VIEW_SENSITIVE))
    assert codes(client, "/catalog/products/", sort="cost_price") == ["P2", "P1", "P0"]
