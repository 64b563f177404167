"""core.documents.totals without a database (issue 12, make mutate): a document's totals and CNY equivalents, the
largest discount against the list price and the below-minimum flag approvals decide on."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from keshang.core.documents.totals import effective_price, is_below_min_price, line_discount_percent, store_totals
from keshang.core.money import price_line


def line(quantity, price, *, list_price=None, min_price=None, discount=0, vat="0.13"):
    amounts = price_line(
        quantity=D(quantity), unit_price=D(price), entry="gross", vat_rate=D(vat), discount_percent=D(discount)
    )
    return SimpleNamespace(
        quantity=D(quantity),
        list_price=list_price and D(list_price),
        min_price=min_price and D(min_price),
        **vars(amounts),
    )


def test_the_effective_price_is_the_gross_amount_per_unit_and_zero_without_quantity():
    assert effective_price(line("4", "25.00", discount=10)) == D("22.5")
    assert effective_price(SimpleNamespace(quantity=D("0"), gross_amount=D("5.00"))) == D("0")


@pytest.mark.parametrize(
    ("price", "list_price", "discount", "expected"),
    [
        ("80.00", "100", 0, D("20.00")),  # a typed low price counts as a discount
        ("100.00", "100", 12.5, D("12.50")),  # a discount rate
        ("120.00", "100", 0, D("0")),  # above the list price: no discount, never negative
        ("100.00", "100", 0, D("0")),
        ("66.666", "100", 0, D("33.33")),  # rounded to cents
        ("50.00", None, 0, D("0")),  # no list price
    ],
)
def test_the_discount_is_measured_against_the_list_price(price, list_price, discount, expected):
    assert line_discount_percent(line("3", price, list_price=list_price, discount=discount)) == expected


@pytest.mark.parametrize(
    ("price", "min_price", "below"),
    [
        ("9.99", "10.00", True),
        ("10.00", "10.00", False),
        ("10.004", "10.00", False),
        ("9.996", "10.00", False),  # less than a cent per unit below: rounds to the minimum
        ("9.994", "10.00", True),
        ("1.00", None, False),
        ("0.00", "0.00", False),
    ],
)
def test_a_line_is_below_its_minimum_price_in_cents(price, min_price, below):
    assert is_below_min_price(line("1", price, min_price=min_price)) is below


def test_a_minimum_price_of_zero_still_counts():
    negative = SimpleNamespace(quantity=D("1"), gross_amount=D("-1.00"), min_price=D("0"))
    assert is_below_min_price(negative) is True


def test_stored_totals_are_the_sums_of_the_rounded_lines_with_cny_equivalents_and_approval_figures():
    lines = [
        line("3", "10.00", list_price="10", min_price="9.50"),
        line("1", "33.333", list_price="50", min_price="40"),
        line("2", "100.00", list_price="100", discount=5),
    ]
    document = SimpleNamespace(exchange_rate=D("7.1234"))
    store_totals(document, lines)
    assert document.gross_amount == D("30.00") + D("33.33") + D("190.00")
    assert document.net_amount == sum(item.net_amount for item in lines)
    assert document.tax_amount == sum(item.tax_amount for item in lines)
    assert document.net_amount + document.tax_amount == document.gross_amount
    assert document.discount_amount == D("10.00")
    assert document.gross_amount_cny == D("1804.57")  # 253.33 × 7.1234 = 1804.5709… rounded
    assert document.net_amount_cny == (document.net_amount * D("7.1234")).quantize(D("0.01"))
    assert document.max_discount_percent == D("33.34")  # 33.33 against 50
    assert document.below_min_price is True


def test_a_document_without_rate_counts_in_cny_and_without_lines_is_all_zero():
    document = SimpleNamespace()
    store_totals(document, [line("2", "10.00", min_price="10")])
    assert (document.gross_amount_cny, document.net_amount_cny) == (D("20.00"), document.net_amount)
    assert document.below_min_price is False and document.max_discount_percent == D("0")
    empty = SimpleNamespace(exchange_rate=None)
    store_totals(empty, iter([]))
    assert (empty.gross_amount, empty.net_amount_cny, empty.max_discount_percent, empty.below_min_price) == (
        D("0.00"),
        D("0.00"),
        D("0"),
        False,
    )
