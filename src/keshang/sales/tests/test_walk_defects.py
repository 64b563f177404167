"""Defects found walking the personas through the pages of issue 11 (the persona walk after it): each test
fails before its fix."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from keshang.sales.services import orders, quotations

from .document_factories import make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def accepted_quotation(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    quotation = quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    return quotations.accept_quotation(actor=team.rep, quotation=quotation)


def test_a_quotation_already_ordered_offers_no_to_order_button_and_names_its_order(client, team):
    # given an accepted quotation the rep has turned into an order
    quotation = accepted_quotation(team)
    order = orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    client.force_login(team.rep)
    # then its page offers no second 转为销售订单 (it would only answer an error) and says which order it became
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert f"/quotations/{quotation.pk}/to-order/" not in page
    assert str(order) in page
    # and once that order is cancelled, the button is back
    orders.cancel_sales_order(actor=team.rep, order=order, reason="客户改了交期")
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert f"/quotations/{quotation.pk}/to-order/" in page


def test_a_pdf_with_a_chinese_name_keeps_a_valid_content_disposition(client, team):
    # given a draft, whose PDF is named after its title and 报价草稿 #N
    quotation = make_quotation(team)
    client.force_login(team.rep)
    for response in (
        client.get(reverse("sales:quotation_pdf", args=[quotation.pk])),
        client.get(f"/api/v1/sales/quotations/{quotation.pk}/pdf/"),
    ):
        # then the header is a disposition a browser reads (RFC 6266), not one MIME-encoded word
        disposition = response["Content-Disposition"]
        assert disposition.startswith("inline;") and "=?utf-8?" not in disposition
        expected = quote(f"报价单-{quotation}.pdf")
        assert f"filename*=utf-8''{expected}" in disposition
