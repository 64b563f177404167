"""The customer's last price on the line editor: what this customer last paid for each product on a confirmed
order, read for every line of the preview in one query (``selectors.last_prices``), through the orders the user
may see."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keshang.catalog.tests.factories import ProductFactory
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales import selectors
from keshang.sales.services import orders

from .document_factories import line, make_order, make_team
from .test_views_documents import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def cheap_product():
    """A product listed below every price these tests type: no line is a discount, so confirming needs no approval
    (price control, issue 12) and the order is confirmed."""
    return ProductFactory(list_price=Decimal("1.00"), min_price=None)


def confirmed(team, *lines, on: str, partner=None):
    data = {"order_date": datetime.date.fromisoformat(on)}
    if partner is not None:
        data["partner"] = partner
    return orders.confirm_sales_order(actor=team.rep, order=make_order(team, *lines, historic=True, **data))


def test_each_product_gets_what_this_customer_paid_last_on_a_confirmed_order(team):
    # given a cable and a pen bought in March and June, a June draft, and another customer's later order
    cable, pen, never = cheap_product(), cheap_product(), cheap_product()
    confirmed(team, line(cable, price="50"), line(pen, price="3"), on="2026-03-01")
    june = confirmed(team, line(cable, price="48.5"), on="2026-06-01")
    make_order(team, line(cable, price="10"), order_date=datetime.date(2026, 7, 1), historic=True)
    other = PartnerFactory(owner=team.rep)
    confirmed(team, line(cable, price="1"), on="2026-08-01", partner=other)
    # when
    last = selectors.last_prices(user=team.rep, partner=team.partner, products=[cable, pen, never])
    # then the cable's is June's, the pen's March's, and the product never bought has none
    assert set(last) == {cable.pk, pen.pk}
    assert (last[cable.pk].unit_price_gross, last[cable.pk].order_number) == (Decimal("48.5"), june.number)
    assert last[cable.pk].order_date == datetime.date(2026, 6, 1)
    assert last[pen.pk].unit_price_gross == Decimal("3")


def test_on_one_day_the_later_order_and_its_later_line_win(team):
    cable = cheap_product()
    confirmed(team, line(cable, price="50"), on="2026-06-01")
    later = confirmed(team, line(cable, price="49"), line(cable, price="47"), on="2026-06-01")
    last = selectors.last_prices(user=team.rep, partner=team.partner, products=[cable])
    assert (last[cable.pk].unit_price_gross, last[cable.pk].order_number) == (Decimal("47"), later.number)


def test_orders_the_user_may_not_see_are_not_read(team):
    cable = cheap_product()
    confirmed(team, line(cable, price="50"), on="2026-06-01")
    assert selectors.last_prices(user=team.other_rep, partner=team.partner, products=[cable]) == {}
    assert selectors.last_prices(user=team.manager, partner=team.partner, products=[cable])[cable.pk]


def test_the_preview_reads_the_last_prices_of_all_its_lines_in_one_query(client, team):
    # given five products this customer bought before
    products = [cheap_product() for _ in range(5)]
    confirmed(team, *(line(product, price=f"{10 + index}") for index, product in enumerate(products)), on="2026-06-01")
    client.force_login(team.rep)

    def preview(lines):
        data = form_data(team, [{"product": product.pk, "quantity": "1", "price_auto": "True"} for product in lines])
        with CaptureQueriesContext(connection) as queries:
            page = client.post(reverse("sales:quotation_lines_preview"), data).content.decode()
        reads = [query["sql"] for query in queries if "sales_salesorderline" in query["sql"]]
        return page, reads

    # when the preview prices one line, then five
    _page, one = preview(products[:1])
    page, five = preview(products)
    # then each offers its product's last price, read in one query both times
    assert len(one) == len(five) == 1
    assert re.findall(r'data-last-price="([^"]+)"', page) == [f"{10 + index}.000000" for index in range(5)]
