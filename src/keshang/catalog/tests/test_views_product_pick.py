"""The line editor's product dialog (issue 11, finding 10): products on sale found by code, name or pinyin, the
ones already ticked kept first and ticked across searches, behind the catalog.product grant; on a document dated
in the past, discontinued products too (the rule its lines follow, ``lines.is_historical``)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from keshang.catalog.models import ProductStatus
from keshang.catalog.tests.factories import ProductFactory
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client):
    user = UserFactory()
    grant(user, "catalog.product", (Action.VIEW,), Scope.ALL)
    client.force_login(user)
    return client


@pytest.fixture
def products():
    return {
        "resistor": ProductFactory(code="ELEC-0001", name="贴片电阻", specification="0603 10KΩ"),
        "capacitor": ProductFactory(code="ELEC-0002", name="贴片电容", list_price=Decimal("12.5"), min_price=None),
        "pen": ProductFactory(code="PEN-01", name="中性笔"),
        "old": ProductFactory(code="ELEC-0009", name="旧款电阻", status=ProductStatus.DISCONTINUED),
    }


def options(page: str) -> list[tuple[str, bool]]:
    """(code, ticked) of each product offered, in order."""
    found = re.findall(
        r'<label[^>]*data-testid="pick-option">\s*<input[^>]*?(checked)?>\s*<span[^>]*><span[^>]*>([^<]+)<', page
    )
    return [(code, checked == "checked") for checked, code in found]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("ELEC", ["ELEC-0001", "ELEC-0002"]),
        ("电阻", ["ELEC-0001"]),
        ("tpdr", ["ELEC-0002"]),
        ("zhongxingbi", ["PEN-01"]),
        ("", ["ELEC-0001", "ELEC-0002", "PEN-01"]),
    ],
)
def test_the_dialog_finds_products_on_sale_by_code_name_or_pinyin(rep_client, products, query, codes):
    page = rep_client.get(reverse("catalog:product_pick"), {"q": query}).content.decode()
    assert options(page) == [(code, False) for code in codes]


def test_products_already_ticked_stay_first_and_ticked_when_searching_again(rep_client, products):
    # when the user ticked the pen, then searches for 电容
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "电容", "pick": [products["pen"].pk]}).content.decode()
    # then
    assert options(page) == [("PEN-01", True), ("ELEC-0002", False)]
    assert "个 · 12.50" in page


def test_the_dialog_says_when_nothing_matches_and_when_it_shows_only_the_first_20(rep_client, products):
    assert "没有找到在售的商品。" in rep_client.get(reverse("catalog:product_pick"), {"q": "不存在"}).content.decode()
    for number in range(20):
        ProductFactory(code=f"BULK-{number:02d}")
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "BULK"}).content.decode()
    assert len(options(page)) == 20 and "只显示前 20 个，输入更多关键字可缩小范围。" not in page
    ProductFactory(code="BULK-20")
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "BULK"}).content.decode()
    assert len(options(page)) == 20 and "只显示前 20 个，输入更多关键字可缩小范围。" in page


def test_without_the_product_grant_the_dialog_is_refused(client, products):
    client.force_login(UserFactory())
    assert client.get(reverse("catalog:product_pick"), {"q": "ELEC"}).status_code == 403


def test_a_document_dated_in_the_past_is_offered_discontinued_products_too_marked_as_such(rep_client, products):
    # given the editor's document dated yesterday
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    # when the dialog searches
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "ELEC", "on": yesterday}).content.decode()
    # then the discontinued resistor is offered too, and says it is discontinued
    assert options(page) == [("ELEC-0001", False), ("ELEC-0002", False), ("ELEC-0009", False)]
    offered = re.findall(r'<label[^>]*data-testid="pick-option">(.*?)</label>', page, re.S)
    assert [("停售" in option) for option in offered] == [False, False, True]


@pytest.mark.parametrize("on", ["today", "tomorrow", "", "2026-02-30", "not a date"])
def test_a_document_dated_today_or_later_or_undated_is_offered_products_on_sale_only(rep_client, products, on):
    today = timezone.localdate()
    on = {"today": today.isoformat(), "tomorrow": (today + datetime.timedelta(days=1)).isoformat()}.get(on, on)
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "ELEC", "on": on}).content.decode()
    assert options(page) == [("ELEC-0001", False), ("ELEC-0002", False)]


def test_nothing_found_for_a_past_document_does_not_speak_of_products_on_sale(rep_client, products):
    page = rep_client.get(reverse("catalog:product_pick"), {"q": "不存在", "on": "2020-01-01"}).content.decode()
    assert "没有找到商品。" in page and "在售" not in page
