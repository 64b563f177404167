"""Partners in Chromium: a rep's copy of a customer another rep owns is refused, naming only it and its owner,
and the rep asks the owner for it (issue 11, 撞单); the list fits 1366 px and shows the phone on a phone.
Fails on any console error, CSP violation or foreign request."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keshang.core.models import Notification, Region
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


def _right_edge_in_view(browser_page, locator) -> bool:
    """Whether the element ends inside both the window and its scrolling table (not cut or scrolled away)."""
    return browser_page.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            const frame = element.closest('.table-responsive').getBoundingClientRect();
            return box.right <= Math.min(window.innerWidth, frame.right) + 0.5;
        }""",
        locator.element_handle(),
    )


@pytest.mark.parametrize(("viewport", "column"), [((1366, 768), "创建时间"), ((390, 844), "电话")])
def test_the_partner_list_keeps_the_column_in_view(page, company, watcher, screenshot, viewport, column):  # noqa: F811
    # given a manager's list of demo customers, the first one long-named, far away and followed up today
    far = PartnerFactory(
        name="克孜勒苏柯尔克孜精密机械制造有限公司",
        owner=User.objects.get(username="sales"),
        phone="0908-4221234",
        region=Region.objects.get(code="653023"),  # 新疆维吾尔自治区 克孜勒苏柯尔克孜自治州 阿合奇县
    )
    Partner.objects.filter(pk=far.pk).update(last_followup_at=timezone.now())
    login(page, "manager")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    # when
    page.goto("/partners/")
    header = page.locator("table.ks-table thead th", has_text=column)
    # then: the column is on screen without scrolling the table sideways
    expect(header).to_be_visible()
    screenshot(page, f"partner-list-{viewport[0]}", full_page=False)
    assert _right_edge_in_view(page, header), f"{column} is cut off at {viewport[0]} px"
    watcher.assert_clean()
