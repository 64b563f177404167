"""Creating partners in Chromium (issue 3): a rep is warned of a duplicate another rep owns, sees only its
name and owner, and can confirm. Fails on any console error, CSP violation or foreign request."""

from __future__ import annotations

import pytest

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


def test_a_rep_is_warned_of_a_duplicate_owned_by_another_rep(page, company, watcher, screenshot):  # noqa: F811
    # given: sales2 owns 杭州明远精密机械有限公司, with a phone sales cannot see
    other = User.objects.get(username="sales2")
    PartnerFactory(name="杭州明远精密机械有限公司", owner=other, phone="13812349876")
    # when: sales creates the same company, written with the city in front and a branch in brackets
    page.goto("/login/")
    page.get_by_label("用户名").fill("sales")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/partners/add/")
    page.get_by_label("名称").fill("杭州市明远精密机械有限公司（滨江分公司）")
    page.get_by_role("button", name="保存").click()
    # then: the warning names the other partner and its owner, and nothing else
    error = page.get_by_test_id("form-error")
    expect(error).to_contain_text("杭州明远精密机械有限公司")
    expect(error).to_contain_text(str(other))
    expect(error).not_to_contain_text("13812349876")
    screenshot(page, "partner-duplicate-warning")
    assert Partner.objects.filter(name__contains="明远").count() == 1
    # when: the rep confirms it is a different company
    page.get_by_label("仍然保存（我已确认不是重复客商）").check()
    page.get_by_role("button", name="保存").click()
    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("杭州市明远精密机械有限公司（滨江分公司）")
    created = Partner.objects.get(name="杭州市明远精密机械有限公司（滨江分公司）")
    assert created.owner.username == "sales"
    watcher.assert_clean()
