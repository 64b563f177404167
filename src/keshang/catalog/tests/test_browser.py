"""The catalog in Chromium: a purchaser adds a product with a 箱 conversion and finds it in the list; a sales
rep sees the list without the cost price. Fails on any console error, CSP violation or foreign request."""

from __future__ import annotations

import pytest

from keshang.catalog.models import Product
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    DEMO_PASSWORD,
    chromium_browser,
    company,
    page,
    screenshot,
    watcher,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser_page, username: str) -> None:
    browser_page.goto("/login/")
    browser_page.get_by_label("用户名").fill(username)
    browser_page.get_by_label("密码").fill(DEMO_PASSWORD)
    browser_page.get_by_role("button", name="登录").click()


def test_a_purchaser_adds_a_product_with_a_box_and_a_rep_does_not_see_its_cost(page, company, watcher, screenshot):  # noqa: F811
    # given: the purchaser on the new-product form
    log_in(page, "purchaser")
    page.goto("/catalog/products/add/")
    # when: they fill it in and save
    page.get_by_label("商品编码").fill("PEN-05-BK")
    page.get_by_label("商品名称").fill("中性笔")
    page.get_by_label("规格型号").fill("0.7mm 蓝色 按动")
    page.get_by_label("基本单位").select_option(label="支")
    page.get_by_label("标准售价（含税）").fill("2.50")
    page.get_by_label("最低售价（含税）").fill("2.00")
    page.get_by_label("成本价（含税）").fill("1.37")
    screenshot(page, "catalog-product-form")
    page.get_by_role("button", name="保存").click()
    # then: the product page; and they add 1 盒 = 12 支
    expect(page.get_by_role("heading", level=1)).to_contain_text("PEN-05-BK 中性笔")
    page.get_by_role("link", name="单位换算").click()
    page.get_by_role("link", name="新增单位换算").click()
    page.locator("#id_unit").select_option(label="箱")
    page.get_by_label("换算系数").fill("12")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("part")).to_contain_text("1 箱 = 12 支")
    # and the list shows it, with its cost
    page.goto("/catalog/products/?q=zxb")
    row = page.locator("tr", has_text="PEN-05-BK")
    expect(row).to_contain_text("1.37")
    screenshot(page, "catalog-product-list")
    assert Product.objects.get(code="PEN-05-BK").units.get().factor == 12
    # when: a sales rep opens the same list
    page.context.clear_cookies()
    log_in(page, "sales")
    page.goto("/catalog/products/?q=PEN")
    # then: the product and its price, not its cost
    row = page.locator("tr", has_text="PEN-05-BK")
    expect(row).to_contain_text("2.50")
    expect(row).to_contain_text("****")
    expect(row).not_to_contain_text("1.37")
    watcher.assert_clean()
