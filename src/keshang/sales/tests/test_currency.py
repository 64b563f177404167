"""Quotations and orders in foreign currency (issue 11): the rate on the document's date is fixed on it, amounts
are in its currency with the CNY equivalent stored, approvals and reports decide in CNY, and the print says the
amount in English words."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.core.exceptions import ApplicationError
from keshang.core.models import Currency, ExchangeRate
from keshang.sales.selectors import sales_by_customer_month
from keshang.sales.services import orders, quotations

from .document_factories import flow, line, make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    usd, _created = Currency.objects.get_or_create(code="USD", defaults={"name": "美元", "symbol": "$"})
    ExchangeRate.objects.create(currency=usd, date=datetime.date(2026, 11, 1), rate=Decimal("7.100000"))
    ExchangeRate.objects.create(currency=usd, date=datetime.date(2026, 11, 20), rate=Decimal("7.200000"))
    return make_team()


def test_a_usd_quotation_keeps_the_rate_of_its_date_and_its_cny_equivalent(team):
    # given the product lists at 113 CNY; the rate on 2026-11-10 is 7.1 (set on the 1st)
    quotation = make_quotation(
        team, line(team.product, "10"), currency="USD", quote_date=datetime.date(2026, 11, 10), historic=True
    )
    # then the catalog's price is converted at that rate and the document holds USD amounts and their CNY value
    assert quotation.exchange_rate == Decimal("7.100000")
    first = quotation.lines.get()
    assert first.unit_price_gross == Decimal("15.915493")  # 113 / 7.1, rounded once to 6 places
    assert quotation.gross_amount == Decimal("159.15")
    assert quotation.gross_amount_cny == Decimal("1129.97")  # 159.15 × 7.1
    assert first.list_price == Decimal("15.915493")  # discounts compare in the document's currency
    assert quotation.max_discount_percent == Decimal("0")


def test_a_missing_rate_is_a_clear_error_on_the_currency(team):
    with pytest.raises(ApplicationError) as refused:
        make_quotation(team, currency="USD", quote_date=datetime.date(2026, 10, 1), historic=True)
    assert refused.value.code == "missing_exchange_rate" and "currency" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        make_quotation(team, currency="XYZ")
    assert refused.value.code == "invalid_currency"


def test_approvals_compare_amounts_in_cny(team):
    # given a flow for orders of 1,000 CNY and more: a 200 USD order is 1,420 CNY
    flow("sales.salesorder", min_amount=Decimal("1000"))
    order = make_order(
        team, line(team.product, "1", "200"), currency="USD", order_date=datetime.date(2026, 11, 10), historic=True
    )
    assert order.gross_amount == Decimal("200.00") and order.gross_amount_cny == Decimal("1420.00")
    assert orders.confirm_sales_order(actor=team.rep, order=order).status == "submitted"


def test_the_monthly_report_adds_cny(team):
    orders.confirm_sales_order(
        actor=team.rep,
        order=make_order(
            team, line(team.product, "1", "100"), currency="USD", order_date=datetime.date(2026, 11, 21), historic=True
        ),
    )
    orders.confirm_sales_order(
        actor=team.rep,
        order=make_order(team, line(team.product, "1", "113"), order_date=datetime.date(2026, 11, 22), historic=True),
    )
    (row,) = sales_by_customer_month(user=team.manager)
    assert row.gross_amount == Decimal("833.00")  # 100 USD × 7.2 + 113 CNY


def test_a_usd_print_says_the_amount_in_english_words(client, team):
    quotation = make_quotation(
        team, line(team.product, "1", "1234.56"), currency="USD", quote_date=datetime.date(2026, 11, 10), historic=True
    )
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    client.force_login(team.rep)
    page = client.get(reverse("sales:quotation_print", args=[quotation.pk])).content.decode()
    assert "SAY US DOLLARS ONE THOUSAND TWO HUNDRED AND THIRTY-FOUR AND CENTS FIFTY-SIX ONLY" in page
    assert "人民币" not in page
    detail = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert 'data-testid="gross-total-cny"' in detail and "8,765.38" in detail  # 1,234.56 × 7.1
