from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.catalog.tests.factories import ProductFactory
from keshang.core.approvals import list_my_tasks
from keshang.core.models import ApprovalStatus
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.models import SalesOrderStatus
from keshang.sales.services import orders, quotations

from .document_factories import flow, line, make_order, make_quotation, make_team

# Documents are made for customers the author may change (issue 12, finding 5).
PARTNER_GRANT = ("partners.partner", (Action.VIEW, Action.CHANGE), Scope.DEPARTMENT)
PRODUCT_GRANT = ("catalog.product", (Action.VIEW,), Scope.ALL)


class DocumentAPITests(APIResourceTests):
    related_grants = (PARTNER_GRANT, PRODUCT_GRANT)

    @pytest.fixture(autouse=True)
    def product(self, db):
        self._product = ProductFactory(list_price=Decimal("113"))

    def owner(self, ctx, inside):
        return ctx.colleague if inside else ctx.stranger

    def lines(self, quantity="2"):
        return [{"product": self._product.pk, "quantity": quantity, "unit_price": "99.99", "price_entry": "gross"}]


class TestQuotationAPI(DocumentAPITests):
    resource = "sales.quotation"
    basename = "sales-api:quotation"

    def make_object(self, *, ctx, inside):
        owner = self.owner(ctx, inside)
        partner = PartnerFactory(owner=owner)
        return quotations.create_quotation(
            actor=None, data={"partner": partner, "owner": owner}, lines=[line(self._product)]
        )

    def create_data(self, *, ctx):
        return {"partner": PartnerFactory(owner=ctx.actor).pk, "lines": self.lines()}

    def update_data(self, *, ctx, obj):
        return {"partner": obj.partner_id, "notes": "改", "lines": self.lines("3"), "version": obj.version}


class TestSalesOrderAPI(DocumentAPITests):
    resource = "sales.salesorder"
    basename = "sales-api:salesorder"

    def make_object(self, *, ctx, inside):
        owner = self.owner(ctx, inside)
        partner = PartnerFactory(owner=owner)
        return orders.create_sales_order(
            actor=None, data={"partner": partner, "owner": owner}, lines=[line(self._product)]
        )

    def create_data(self, *, ctx):
        return {"partner": PartnerFactory(owner=ctx.actor).pk, "lines": self.lines()}

    def update_data(self, *, ctx, obj):
        return {"partner": obj.partner_id, "notes": "改", "lines": self.lines("3"), "version": obj.version}


@pytest.fixture
def team(db):
    return make_team()


def api(client, user):
    client.force_login(user)
    return client


def test_the_api_prices_lines_like_the_pages(client, team):
    response = api(client, team.rep).post(
        reverse("sales-api:quotation-list"),
        {
            "partner": team.partner.pk,
            "lines": [{"product": team.product.pk, "quantity": "3", "unit_price": "99.99"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["gross_amount"] == "299.97" and body["amount_in_words"] == "人民币贰佰玖拾玖元玖角柒分"
    assert body["line_items"][0]["net_amount"] == "265.46"


def test_workflow_actions_submit_send_accept_and_turn_into_an_order(client, team):
    quotation = make_quotation(team)
    client = api(client, team.rep)
    for move, status in (("submit", "approved"), ("send", "sent"), ("accept", "accepted")):
        response = client.post(reverse(f"sales-api:quotation-{move}", args=[quotation.pk]))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    response = client.post(reverse("sales-api:quotation-to-order", args=[quotation.pk]))
    assert response.status_code == 200
    order_id = response.json()["id"]
    confirmed = client.post(reverse("sales-api:salesorder-confirm", args=[order_id]))
    assert confirmed.json()["status"] == SalesOrderStatus.CONFIRMED and confirmed.json()["number"].startswith("SO")
    again = client.post(reverse("sales-api:salesorder-confirm", args=[order_id]))
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"


def test_a_stale_version_is_refused_with_a_conflict(client, team):
    quotation = make_quotation(team)
    client = api(client, team.rep)
    url = reverse("sales-api:quotation-detail", args=[quotation.pk])
    first = client.patch(url, {"notes": "一", "version": 1}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(url, {"notes": "二", "version": 1}, content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "conflict"


def test_a_manager_approves_through_the_inbox_api(client, team):
    flow("sales.salesorder", min_amount=Decimal("0"))
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    task = list_my_tasks(user=team.manager).get()
    response = api(client, team.manager).post(
        reverse("core-api:approvaltask-approve", args=[task.pk]), {"comment": "同意"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED
    assert task.request.__class__.objects.get(pk=task.request_id).status == ApprovalStatus.APPROVED


def test_a_discontinued_product_is_refused_saying_it_is_discontinued_not_that_it_does_not_exist(client, team):
    retired = ProductFactory(status="discontinued")
    response = api(client, team.rep).post(
        reverse("sales-api:quotation-list"),
        {"partner": team.partner.pk, "lines": [{"product": retired.pk, "quantity": "1"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    [message] = response.json()["fields"]["lines"]
    assert "第 1 行" in message and "已停售" in message and "不存在" not in message


def test_a_historical_order_may_name_a_product_discontinued_since(client, team):
    # given a product discontinued after it was sold: the company records last year's order now, as someone
    # allowed to date a document before the open period (issue 12, finding 13)
    retired = ProductFactory(status="discontinued", list_price=Decimal("50.00"), min_price=None)
    grant(team.rep, "sales.backdate", [Action.ADD], Scope.ALL)
    # when
    response = api(client, team.rep).post(
        reverse("sales-api:salesorder-list"),
        {
            "partner": team.partner.pk,
            "order_date": "2025-03-01",
            "lines": [{"product": retired.pk, "quantity": "2", "unit_price": "48.00"}],
        },
        content_type="application/json",
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["gross_amount"] == "96.00"


def test_a_partner_outside_the_scope_does_not_exist_for_the_api(client, team):
    hidden = PartnerFactory(owner=UserFactory())
    response = api(client, team.rep).post(
        reverse("sales-api:quotation-list"),
        {"partner": hidden.pk, "lines": [{"product": team.product.pk, "quantity": "1"}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "partner" in response.json()["fields"]
