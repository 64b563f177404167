"""Partners in Chromium: a rep's copy of a customer another rep owns is refused, naming only it and its owner,
and the rep asks the owner for it (issue 11, 撞单). Fails on any console error, CSP violation or foreign
request."""

from __future__ import annotations

import pytest

from keshang.core.models import Notification
from keshang.org.models import User
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory
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


def login(browser_page, username: str) -> None:
    browser_page.goto("/login/")
    browser_page.get_by_label("用户名").fill(username)
    browser_page.get_by_label("密码").fill(DEMO_PASSWORD)
    browser_page.get_by_role("button", name="登录").click()


def test_a_copy_of_another_reps_customer_is_refused_and_asked_for(page, company, watcher, screenshot):  # noqa: F811
    # given: sales2 owns 杭州明远精密机械有限公司, with a phone sales cannot see
    other = User.objects.get(username="sales2")
    PartnerFactory(name="杭州明远精密机械有限公司", owner=other, phone="13812349876")
    # when: sales creates the same company, written with the city in front and a branch in brackets
    login(page, "sales")
    page.goto("/partners/add/")
    page.get_by_label("名称").fill("杭州市明远精密机械有限公司（滨江分公司）")
    page.get_by_role("button", name="保存").click()
    # then: refused, naming the other partner and its owner and nothing else, with no "save anyway"
    error = page.get_by_test_id("form-error")
    expect(error).to_contain_text("杭州明远精密机械有限公司")
    expect(error).to_contain_text(str(other))
    expect(error).not_to_contain_text("13812349876")
    expect(page.get_by_label("仍然保存（我已确认不是重复客商）")).to_have_count(0)
    screenshot(page, "partner-duplicate-refused")
    # when: the rep asks the owner to share it
    page.get_by_test_id("access-request").get_by_role("textbox").fill("客户来电，希望由我跟进")
    page.get_by_role("button", name="申请共享").click()
    # then
    expect(page.get_by_text(f"已向{other}发出申请")).to_be_visible()
    assert Partner.objects.filter(name__contains="明远").count() == 1
    assert Notification.objects.filter(
        recipient=other, title__endswith="申请共享客商“杭州明远精密机械有限公司”"
    ).exists()
    watcher.assert_clean()
