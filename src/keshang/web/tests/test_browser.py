"""The web UI driven through headless Chromium: real login, menus, forms, htmx, CSP and screenshots.

Every test fails on a console error, an uncaught script error, a CSP violation or a request to any host
but the live server (``watcher.assert_clean()``). Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keshang.core.models import AuditAction, AuditEntry, Notification
from keshang.org.models import Department, User

from .conftest import ADMIN_PASSWORD, DEMO_PASSWORD, DESKTOP, PHONE

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
Page, expect = sync_api.Page, sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_CATALOG = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def sidebar(page: Page):
    return page.locator("#sidebar")


def open_menu(page: Page, label: str) -> None:
    """Follow a sidebar link, opening the off-canvas menu first on a narrow screen."""
    toggler = page.locator("header .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(sidebar(page)).to_be_visible()
    sidebar(page).get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_sales_rep_logs_in_sees_their_menu_and_reads_notifications(page, company, watcher, screenshot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    screenshot(page, "login-desktop")

    log_in(page, "sales", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    menu = [text.strip() for text in sidebar(page).locator(".nav-link").all_inner_texts()]
    assert menu == [
        "首页",
        "待我审批",
        "通知中心",
        "审批委托",
        "客商",
        "联系人",
        "公海",
        "导入客商",
        "商机",
        "商机看板",
        "销售漏斗",
        "报价单",
        "销售订单",
        "合同",
        "到期日历",
        "合同归档",
        "合同模板",
        "验证签名",
        "商品",
        "商品分类",
        "品牌",
        "计量单位",
        "部门",
        "用户",
        "我方公司",
        "币种",
        "汇率",
        "审计日志",
    ]
    assert "角色与权限" not in sidebar(page).inner_text()
    expect(sidebar(page).get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("widget-notifications")).to_contain_text("欢迎使用客商管理系统")
    # the welcome, and what the demo's contracts told their owner (signed by the customer …)
    unread = Notification.objects.filter(recipient__username="sales", read_at__isnull=True).count()
    assert unread >= 1
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))
    screenshot(page, "home-sales-desktop")

    # A phone: the sidebar folds into an off-canvas menu behind the header's toggler.
    page.set_viewport_size(PHONE)
    expect(sidebar(page).get_by_role("link", name="审计日志")).to_be_hidden()
    screenshot(page, "home-sales-phone")
    page.locator("header .navbar-toggler").click()
    expect(sidebar(page).get_by_role("link", name="审计日志")).to_be_visible()
    page.locator("#sidebar.show:not(.showing)").wait_for()  # the slide-in transition has ended
    screenshot(page, "home-sales-phone-menu", full_page=False)
    sidebar(page).get_by_role("button", name="关闭").click()
    expect(sidebar(page).get_by_role("link", name="审计日志")).to_be_hidden()
    page.set_viewport_size(DESKTOP)

    page.get_by_test_id("notification-bell").click()
    expect(page).to_have_url(re.compile(r"/core/notifications/"))
    notification = page.get_by_test_id("notification").filter(has_text="欢迎使用客商管理系统")
    expect(notification).to_be_visible()
    expect(notification).to_have_class(re.compile(r"fw-semibold"))
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已将 {unread} 条通知标为已读")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(notification).not_to_have_class(re.compile(r"fw-semibold"))
    page.get_by_role("link", name="未读", exact=True).click()
    expect(page.get_by_text("没有未读通知。")).to_be_visible()
    page.goto("/")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    watcher.assert_clean()


def test_admin_creates_department_and_user_and_audits_them(page, company, watcher, screenshot):
    log_in(page, "admin", ADMIN_PASSWORD)

    # Department: an empty form is refused with a field error, then a valid one saves.
    open_menu(page, "部门")
    page.get_by_role("link", name="新建部门").first.click()
    expect(page.get_by_role("heading", name="新建部门")).to_be_visible()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_role("heading", name="新建部门")).to_be_visible()
    screenshot(page, "department-form-error-desktop")
    page.get_by_label("部门名称").fill("质量管理部")
    page.get_by_label("部门编码").fill("QA")
    page.get_by_label("上级部门").select_option(label="总经办")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存“质量管理部”")
    expect(page.get_by_role("heading", level=1)).to_have_text("质量管理部")
    department = Department.objects.get(code="QA")
    assert department.parent.code == "HQ"

    # User: created through the form with a password, then given the 销售 role on the edit form.
    open_menu(page, "用户")
    screenshot(page, "user-list-desktop")
    # On a phone only the search box shows until the filter toggle opens the others.
    page.set_viewport_size(PHONE)
    expect(page.get_by_label("角色", exact=True)).to_be_hidden()
    screenshot(page, "user-list-phone")
    page.locator(".ks-filters").get_by_role("button", name="筛选").click()
    expect(page.get_by_label("角色", exact=True)).to_be_visible()
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="新建用户").first.click()
    page.get_by_label("用户名").fill("zhangwei")
    page.get_by_label("姓名").fill("张伟")
    page.get_by_label("电子邮件地址").fill("zhangwei@example.cn")
    page.get_by_label("部门", exact=True).select_option(label="质量管理部")
    page.get_by_label("职位").fill("质检员")
    page.get_by_label(re.compile("^密码")).fill("Zw-Strong-2026!")
    page.get_by_label("确认密码").fill("Zw-Strong-2026!")
    screenshot(page, "user-form-desktop")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    new_user = User.objects.get(username="zhangwei")
    assert new_user.department == department
    assert new_user.check_password("Zw-Strong-2026!")
    assert not new_user.roles.exists()

    page.get_by_role("link", name="编辑", exact=True).click()
    page.get_by_role("checkbox", name="销售", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    assert list(new_user.roles.values_list("persona", flat=True)) == ["sales"]
    expect(page.locator(".ks-detail")).to_contain_text("销售")

    # The history tab of the new user shows its creation and the role change.
    page.get_by_role("link", name="历史").click()
    expect(page).to_have_url(re.compile(rf"/org/users/{new_user.pk}/history/"))
    entries = page.locator(".ks-history-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("权限变更")
    expect(entries.nth(0)).to_contain_text("角色变更")
    expect(entries.nth(1)).to_contain_text("新建")
    expect(entries.nth(1)).to_contain_text("admin")
    screenshot(page, "user-history-desktop")

    # The audit log lists all three writes, newest first, by admin.
    open_menu(page, "审计日志")
    rows = page.locator("#list-table tbody tr")
    expect(rows.filter(has_text="质量管理部").filter(has_text="新建")).to_have_count(1)
    expect(rows.filter(has_text="张伟").filter(has_text="新建")).to_have_count(1)
    expect(rows.filter(has_text="张伟").filter(has_text="权限变更")).to_have_count(1)
    expect(rows.first).to_contain_text("权限变更")
    screenshot(page, "audit-list-desktop")
    assert AuditEntry.objects.filter(user__username="admin", action=AuditAction.CREATE).count() == 2
    page.set_viewport_size(PHONE)
    screenshot(page, "audit-list-phone")
    page.set_viewport_size(DESKTOP)

    # The grant matrix of a role.
    open_menu(page, "角色与权限")
    page.get_by_role("link", name="销售", exact=True).click()
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page.locator("table.ks-grants tbody tr").first).to_be_visible()
    screenshot(page, "role-edit-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "role-edit-phone")
    page.set_viewport_size(DESKTOP)
    watcher.assert_clean()


def test_failed_login_shows_chinese_error(page, company, watcher):
    page.goto("/login/")
    page.get_by_label("用户名").fill("sales")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。连续多次失败后账号将被暂时锁定。")
    expect(page.get_by_label("用户名")).to_have_value("sales")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    watcher.assert_clean()


def test_language_switch_on_login_page(page, company, watcher, screenshot):
    page.goto("/login/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    watcher.assert_clean()
    if not ENGLISH_CATALOG.exists():
        pytest.skip(f"English UI text not checked: no compiled catalog at {ENGLISH_CATALOG} (run compilemessages)")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.locator("form.card")).not_to_contain_text("用户名")
    screenshot(page, "login-english-desktop")
    page.get_by_label("Username").fill("sales")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    watcher.assert_clean()


def test_pages_make_no_console_errors_csp_violations_or_foreign_requests(page, company, watcher, screenshot):
    """Walk the admin's pages, including htmx filtering and sorting, with the watcher listening."""
    log_in(page, "admin", ADMIN_PASSWORD)
    sales = User.objects.get(username="sales")
    urls = [
        "/",
        "/core/notifications/",
        f"/org/users/{sales.pk}/",
        f"/org/users/{sales.pk}/edit/",
        f"/org/users/{sales.pk}/history/",
        f"/org/users/{sales.pk}/password/",
        "/account/password/",
    ]
    for label in ["部门", "用户", "角色与权限", "币种", "汇率", "审计日志"]:
        open_menu(page, label)
        expect(page.locator("#list-table table")).to_be_visible()
        # Open the first record and come back: detail pages share the same shell.
        page.locator("#list-table tbody a").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.go_back()
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "password-change-desktop")
    page.goto(f"/org/users/{sales.pk}/")
    screenshot(page, "user-detail-desktop")
    page.goto("/core/audit/")
    page.locator("#list-table tbody a").first.click()
    screenshot(page, "audit-detail-desktop")
    page.goto("/core/notifications/")
    screenshot(page, "notifications-desktop")

    # htmx: a filter select, typing in the search box and sorting replace the table without a page load.
    open_menu(page, "用户")
    page.evaluate("window.__kshSamePage = true")
    rows = page.locator("#list-table tbody tr")
    with page.expect_response(re.compile(r"/org/users/\?.*role=\d")):
        page.get_by_label("角色", exact=True).select_option(label="销售")
    expect(rows).to_have_count(2)
    with page.expect_response(re.compile(r"/org/users/\?.*q=sales")):
        page.locator(".ks-filters").get_by_role("searchbox").press_sequentially("sales2")
    expect(rows).to_have_count(1)
    page.locator(".ks-filters").get_by_role("searchbox").fill("")
    expect(rows).to_have_count(2)
    before = rows.locator("td:first-child").all_inner_texts()
    list_requests = []
    page.on("request", lambda request: list_requests.append(request.url) if "/org/users/?" in request.url else None)
    page.locator(".ks-filters").get_by_role("searchbox").press_sequentially(
        "sales"
    )  # focus stays in the box: leaving it must not refetch
    expect(page).to_have_url(re.compile(r"q=sales(&|$)"))
    list_requests.clear()
    username_header = page.locator("#list-table thead a", has_text="用户名")
    expect(username_header).to_contain_text("▲")  # the default order is by username: its header says so
    with page.expect_response(re.compile(r"sort=-username")):
        username_header.click()
    expect(page).to_have_url(re.compile(r"(?=.*q=sales)(?=.*role=\d)(?=.*sort=-username)"))
    assert len(list_requests) == 1, f"one request per click, not a racing filter request too: {list_requests}"
    expect(rows.locator("td:first-child")).to_have_text(list(reversed(before)))
    expect(username_header).to_contain_text("▼")
    with page.expect_response(re.compile(r"sort=username")):
        username_header.click()
    expect(rows.locator("td:first-child")).to_have_text(before)
    assert page.evaluate("window.__kshSamePage") is True, "htmx should have swapped the table, not reloaded"

    # The language switch in the header submits through app.js (no inline handlers under the CSP).
    page.locator("header").get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(sidebar(page).get_by_role("link", name="Roles and permissions")).to_be_visible()
    page.locator("header").get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert watcher.requests > 0
    watcher.assert_clean()
