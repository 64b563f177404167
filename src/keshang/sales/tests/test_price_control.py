"""Issue 12, finding 1: price control is one rule for every priced document, whatever its path. A document with a
line below its minimum price, or a discount above the limit (KESHANG_MAX_DISCOUNT_PERCENT), waits for approval
when it is confirmed or submitted, even where no configured flow of its type says so: created directly, made
from a quotation and then edited through the API, edited by the service, copied. Per line, so splitting an order
changes nothing; at list price nothing waits (the benchmark's orders)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keshang.core.approvals import list_my_tasks
from keshang.core.models import ApprovalStatus
from keshang.sales.models import QuotationStatus, SalesOrder, SalesOrderStatus
from keshang.sales.services import orders, quotations

from .document_factories import line, make_team

pytestmark = pytest.mark.django_db

LIST, MINIMUM = Decimal("113"), Decimal("90")


def submit(document):
    """Confirm an order or submit a quotation; True when it waits for approval."""
    if isinstance(document, SalesOrder):
        return orders.confirm_sales_order(actor=document.owner, order=document).status == SalesOrderStatus.SUBMITTED
    return quotations.submit_quotation(actor=document.owner, quotation=document).status == QuotationStatus.SUBMITTED


def breaches(document) -> bool:
    document.refresh_from_db()
    return document.below_min_price or document.max_discount_percent > Decimal("15")


def accepted_quotation(team):
    quotation = quotations.create_quotation(actor=team.rep, data={"partner": team.partner}, lines=[line(team.product)])
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    quotation = quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    return quotations.accept_quotation(actor=team.rep, quotation=quotation)


def direct_order(team, item):
    return orders.create_sales_order(actor=team.rep, data={"partner": team.partner}, lines=[item])


def direct_quotation(team, item):
    return quotations.create_quotation(actor=team.rep, data={"partner": team.partner}, lines=[item])


def edited_order(team, item):
    order = direct_order(team, line(team.product))
    return orders.update_sales_order(actor=team.rep, order=order, data={}, lines=[item])


def copied_quotation(team, item):
    original = direct_quotation(team, item)
    return quotations.copy_quotation(actor=team.rep, quotation=original)


def split_order(team, item):
    """The first of two small orders the same lines were split into."""
    direct_order(team, item)
    return direct_order(team, item)


PATHS = {
    "order": direct_order,
    "quotation": direct_quotation,
    "edited order": edited_order,
    "copied quotation": copied_quotation,
    "split order": split_order,
}


@pytest.mark.parametrize("path", list(PATHS))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("130"), places=2),
    discount=st.sampled_from(["0", "5", "15", "16", "40", "99"]),
)
def test_any_path_needs_approval_exactly_when_a_line_breaks_the_price_rules(path, price, discount):
    team = make_team()
    document = PATHS[path](team, line(team.product, "1", price=str(price), discount=discount))
    expected = breaches(document)
    assert submit(document) is expected


def test_an_order_from_a_quotation_patched_to_a_cent_through_the_api_waits_for_approval(client):
    team = make_team()
    client.force_login(team.rep)
    order_id = client.post(reverse("sales-api:quotation-to-order", args=[accepted_quotation(team).pk])).json()["id"]
    patched = client.patch(
        reverse("sales-api:salesorder-detail", args=[order_id]),
        {"lines": [{"product": team.product.pk, "quantity": "100", "unit_price": "0.01"}]},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    confirmed = client.post(reverse("sales-api:salesorder-confirm", args=[order_id]))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == SalesOrderStatus.SUBMITTED and confirmed.json()["number"] is None
    order = SalesOrder.objects.get(pk=order_id)
    assert order.below_min_price
    (task,) = list_my_tasks(user=team.manager)
    assert task.request.status == ApprovalStatus.PENDING and task.request.object_id == order.pk


def test_an_order_at_list_price_confirms_at_once_without_a_query_per_line():
    team = make_team()
    # The month's first number creates its sequence row: not what is measured here.
    orders.confirm_sales_order(actor=team.rep, order=direct_order(team, line(team.product, "1")))
    few = direct_order(team, line(team.product, "1"))
    many = orders.create_sales_order(
        actor=team.rep, data={"partner": team.partner}, lines=[line(team.product, "1") for _ in range(8)]
    )
    with CaptureQueriesContext(connection) as one_line:
        assert orders.confirm_sales_order(actor=team.rep, order=few).status == SalesOrderStatus.CONFIRMED
    with CaptureQueriesContext(connection) as eight_lines:
        assert orders.confirm_sales_order(actor=team.rep, order=many).status == SalesOrderStatus.CONFIRMED
    assert len(eight_lines) == len(one_line)
