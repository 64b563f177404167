"""Ownership and the pool in Chromium (issue 3): a manager transfers a customer and reads the handover
record; a rep claims from the pool up to the limit. Fails on any console error, CSP violation or
request to another host (``watcher.assert_clean()``)."""

from __future__ import annotations

import re

import pytest

from keshang.org.models import User
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, PoolRules
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
    """Sign in afresh as a demo user (the previous user's session cookie is dropped)."""
    browser_page.context.clear_cookies()
    browser_page.goto("/login/")
    browser_page.get_by_label("用户名").fill(username)
    browser_page.get_by_label("密码").fill(DEMO_PASSWORD)
    browser_page.get_by_role("button", name="登录").click()
    expect(browser_page.get_by_test_id("user-menu")).to_be_visible()


# The fixtures are the web app's, imported above; ruff sees the parameters as redefinitions.
def test_a_manager_transfers_a_customer_and_a_rep_claims_up_to_the_limit(page, company, watcher, screenshot):  # noqa: F811
    sales, sales2 = User.objects.get(username="sales"), User.objects.get(username="sales2")
    partner = Partner.objects.filter(owner=sales, is_customer=True).order_by("pk").first()
    page.on("dialog", lambda dialog: dialog.accept())

    # The manager opens a customer of sales and transfers it to sales2 with a reason.
    log_in(page, "manager")
    page.goto(f"/partners/{partner.pk}/")
    actions = page.get_by_test_id("ownership-actions")
    expect(actions.get_by_role("link", name="转移")).to_be_visible()
    actions.get_by_role("link", name="转移").click()
    expect(page.get_by_role("heading", name="转移客户")).to_be_visible()
    page.get_by_role("button", name="确认转移").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    page.get_by_label("新负责人").select_option(label=f"{sales2}（{sales2.department}）")
    page.get_by_label("交接原因").select_option(label="员工离职")
    page.get_by_label("交接说明").fill("销售调岗，报价单已发，下周回访")
    screenshot(page, "ownership-transfer-desktop")
    page.get_by_role("button", name="确认转移").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已将“{partner.name}”转移给{sales2}")
    expect(page).to_have_url(re.compile(rf"/partners/{partner.pk}/handovers/$"))
    record = page.get_by_test_id("handover").first
    expect(record).to_contain_text("转移")
    expect(record).to_contain_text(str(sales))
    expect(record).to_contain_text(str(sales2))
    expect(record).to_contain_text("员工离职")
    expect(record).to_contain_text("销售调岗，报价单已发，下周回访")
    screenshot(page, "ownership-handovers-desktop")
    assert Partner.objects.get(pk=partner.pk).owner == sales2
    assert Handover.objects.get(partner=partner).kind == HandoverKind.TRANSFER

    # sales may own two more customers than now; the third claim is refused with the limit.
    owned = Partner.objects.filter(owner=sales, is_customer=True).count()
    PoolRules.objects.filter(pk=services.get_pool_rules().pk).update(max_owned_customers=owned + 2)
    log_in(page, "sales")
    page.locator("#sidebar").get_by_role("link", name="公海", exact=True).click()
    expect(page.get_by_role("heading", name="公海")).to_be_visible()
    expect(page.get_by_test_id("pool-status")).to_contain_text("还可领取 2 个")
    screenshot(page, "pool-list-desktop")
    for _claim in range(2):
        name = page.get_by_test_id("pool-row").first.get_by_test_id("pool-name").inner_text()
        page.get_by_test_id("pool-row").first.get_by_role("button", name="领取").click()
        expect(page.get_by_role("alert")).to_contain_text(f"已领取“{name}”")
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        page.goto("/partners/pool/")
    expect(page.get_by_test_id("pool-status")).to_contain_text("还可领取 0 个")
    page.get_by_test_id("pool-row").first.get_by_role("button", name="领取").click()
    expect(page.get_by_role("alert")).to_contain_text(f"达到每人最多 {owned + 2} 个的上限，不能再领取")
    screenshot(page, "pool-limit-desktop")
    assert Partner.objects.filter(owner=sales, is_customer=True).count() == owned + 2
    watcher.assert_clean()
