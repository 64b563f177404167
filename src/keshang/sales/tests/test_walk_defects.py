"""Defects found walking the personas through the pages of issue 11 (the persona walk after it): each test
fails before its fix."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from keshang.sales.services import orders, quotations

from .document_factories import line, make_quotation, make_team

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


def test_prints_group_quantities_as_the_pages_do(team):
    from keshang.sales.services.printing import quotation_layout

    # given a line of 1,200 pieces
    quotation = make_quotation(team, line(team.product, "1200", "1.55"))
    # then the print (page and PDF alike) says 1,200, as the detail page does
    row = quotation_layout(quotation, user=team.rep).rows[0]
    assert row[3] == "1,200" and row[-1] == "1,860.00"


def test_a_customers_document_tabs_show_dates_as_every_list_does(client, team):
    quotation = make_quotation(team, quote_date=datetime.date(2026, 12, 8))
    client.force_login(team.rep)
    page = client.get(reverse("sales:partner_quotations", args=[team.partner.pk])).content.decode()
    assert str(quotation) in page and "2026-12-08" in page and "2026年12月8日" not in page


def test_the_quotation_list_lines_up_the_largest_discount_on_the_right(client, team):
    from keshang.sales.tables import QuotationTable

    column = next(column for column in QuotationTable.columns if column.accessor == "max_discount_percent")
    assert column.align == "end"


def test_submitting_a_quotation_no_flow_applies_to_says_it_was_approved(client, team):
    # given no approval flow: submitting approves at once
    quotation = make_quotation(team)
    client.force_login(team.rep)
    response = client.post(reverse("sales:quotation_move", args=[quotation.pk, "submit"]), follow=True)
    quotation.refresh_from_db()
    # then the message says where it landed, not only that it was submitted
    assert quotation.status == "approved"
    assert f"提交：{quotation}（已批准）" in response.content.decode()
