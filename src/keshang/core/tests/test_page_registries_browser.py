"""Bulk actions in Chromium, by keyboard only: tick rows, open 批量操作, choose the action, confirm. The memo list
of the test-only app carries the registered 批量删除 (the live server runs in this process, so what is registered
here is what it serves). Fails on any console error, CSP violation (no inline script) or foreign request."""

from __future__ import annotations

import pytest

from keshang.core import registry
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.core.tests.scopeapp.views import MEMO_BULK_DELETE
from keshang.org.tests.factories import DEFAULT_PASSWORD, DepartmentFactory, UserFactory, grant
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    chromium_browser,
    page,
    watcher,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("keshang.core.tests.scopeapp.urls"),
]


def test_rows_are_ticked_and_acted_on_by_keyboard(page, watcher, monkeypatch):  # noqa: F811 - browser fixtures
    # given a rep with three memos of their own and one of a colleague they may see but not delete
    monkeypatch.setitem(registry._bulk_actions, "scopeapp.memo", [MEMO_BULK_DELETE])
    department = DepartmentFactory()
    rep, peer = UserFactory(username="bulk_rep", department=department), UserFactory(department=department)
    grant(rep, "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    grant(rep, "scopeapp.memo", [Action.DELETE], Scope.OWN)
    for title in ("甲备忘", "乙备忘", "丙备忘"):
        Memo.objects.create(title=title, owner=rep, department=department)
    Memo.objects.create(title="同事备忘", owner=peer, department=department)
    page.goto("/login/")
    page.get_by_label("用户名").fill("bulk_rep")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/memos/")
    menu = page.get_by_role("button", name="批量操作")
    # then the menu stays shut while nothing is ticked
    expect(menu).to_be_disabled()
    # when they tick two rows with the space bar
    for title in ("甲备忘", "乙备忘"):
        page.get_by_label(f"选择“{title}”").focus()
        page.keyboard.press("Space")
    # then the menu opens and counts them
    expect(menu).to_be_enabled()
    expect(menu).to_contain_text("2")
    # and 全选本页 ticks every row, and unticks them again
    page.get_by_label("全选本页").focus()
    page.keyboard.press("Space")
    expect(menu).to_contain_text("4")
    page.keyboard.press("Space")
    expect(menu).to_be_disabled()
    # when they tick 甲, 乙 and the colleague's memo, open the menu with Enter and choose 批量删除 with the arrows
    for title in ("甲备忘", "乙备忘", "同事备忘"):
        page.get_by_label(f"选择“{title}”").focus()
        page.keyboard.press("Space")
    menu.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="批量删除")).to_be_focused()
    page.keyboard.press("Enter")
    # then the confirmation lists their own two memos and says the third is left out
    expect(page.get_by_role("heading", level=1)).to_have_text("批量删除")
    expect(page.get_by_test_id("bulk-objects")).to_contain_text("甲备忘")
    expect(page.get_by_test_id("bulk-objects")).not_to_contain_text("同事备忘")
    expect(page.get_by_test_id("bulk-ignored")).to_contain_text("1 条")
    # when they confirm
    page.get_by_role("button", name="批量删除").focus()
    page.keyboard.press("Enter")
    # then they are back on the list, which says what was done, and only their two memos are gone
    expect(page.get_by_role("alert").first).to_contain_text("已对 2 条记录执行“批量删除”。")
    assert set(Memo.objects.values_list("title", flat=True)) == {"丙备忘", "同事备忘"}
    watcher.assert_clean()
