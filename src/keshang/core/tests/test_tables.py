"""List columns of money: amounts and unit prices read 1,234.56 and line up on the right on the page, while
exports keep the plain 1234.56 that Excel reads as a number (Django's zh-hans locale groups no thousands)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.catalog.tests.factories import ProductFactory
from keshang.core.masking import MASK
from keshang.core.permissions import Action, Scope
from keshang.core.tables import AmountColumn, Column, PriceColumn
from keshang.org.tests.factories import UserFactory, grant


@pytest.mark.parametrize(
    ("plain", "shown"),
    [
        ("1234567.80", "1,234,567.80"),
        ("999.5", "999.50"),
        ("-1234.56", "-1,234.56"),
        ("0.00", "0.00"),
        ("", ""),
        (MASK, MASK),
        ("138****1234", "138****1234"),
    ],
)
def test_an_amount_column_groups_thousands_to_the_cent_and_leaves_masked_or_empty_cells_alone(plain, shown):
    column = AmountColumn("gross_amount", "价税合计")
    assert column.page_text(plain) == shown
    assert column.align == "end"


@pytest.mark.parametrize(
    ("plain", "shown"),
    [
        ("2000.000000", "2,000.00"),
        ("1234.50", "1,234.50"),
        ("0.752212", "0.752212"),
        ("0.012", "0.012"),
        ("", ""),
        (MASK, MASK),
    ],
)
def test_a_price_column_groups_thousands_and_keeps_up_to_six_places_without_trailing_zeros(plain, shown):
    column = PriceColumn("list_price", "标准售价")
    assert column.page_text(plain) == shown
    assert column.align == "end"


def test_other_columns_show_their_text_as_it_is():
    column = Column("code", "编码")
    assert column.page_text("12345") == "12345"
    assert column.align == ""


@pytest.mark.django_db
def test_the_product_list_shows_prices_grouped_right_aligned_and_the_export_keeps_them_plain(client):
    # given a product with a list price over a thousand, and a user who may see and export products
    ProductFactory(code="P-1", list_price=Decimal("12345.5"), min_price=Decimal("10000"), cost_price=Decimal("8800"))
    user = UserFactory()
    grant(user, "catalog.product", [Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE], Scope.ALL)
    client.force_login(user)
    # when
    html = client.get(reverse("catalog:product_list")).content.decode()
    exported = client.get(reverse("catalog:product_list"), {"export": "csv"})
    # then the page groups thousands in right-aligned cells under right-aligned headers
    for shown in ("12,345.50", "10,000.00", "8,800.00"):
        assert re.search(rf'<td class="text-end">\s*{shown}\s*</td>', html), shown
    assert re.search(r'<th scope="col" class="text-end">.*?标准售价', html)
    # and the export keeps the plain numbers
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    prices = [row[header.index(name)] for name in ("标准售价", "最低售价", "成本价")]
    assert prices == ["12345.50", "10000.00", "8800.00"]
