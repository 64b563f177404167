"""Approving in Chromium: a manager opens 待我审批, opens the request, approves with a comment and finds it
under 已处理. The request is made through the engine with the test-only Memo (the live server runs in this
process, so the Memo approvable registered here is the one it uses). Fails on any console error, CSP
violation or foreign request."""

from __future__ import annotations

import pytest

from keshang.core.models import ApprovalStatus, ApproverKind
from keshang.org.models import User
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    DEMO_PASSWORD,
    chromium_browser,
    company,
    page,
    screenshot,
    watcher,
)

from . import test_approvals_engine as engine_tests
from .test_approvals_engine import make_flow, make_memo, submit

memo_approvable = engine_tests.memo_approvable

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_approves_from_the_inbox(page, company, watcher, screenshot, memo_approvable):  # noqa: F811 - browser fixtures
    # given: the rep "sales" submitted a memo with two lines; the flow asks their manager
    rep = User.objects.get(username="sales")
    make_flow({"kind": ApproverKind.MANAGER, "name": "经理审批"})
    memo = make_memo(rep, title="华东展会物料采购", amount="18600.00")
    memo_approvable.lines_for[memo.pk] = [["易拉宝", "6", "350.00"], ["宣传册", "2000", "7.95"]]
    request = submit(memo, rep)
    # when: the manager signs in and opens 待我审批 from the menu
    page.goto("/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="待我审批").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待我审批")
    page.get_by_role("link", name="华东展会物料采购").click()
    # then: the request page shows the snapshot, its lines and the step waiting for the manager
    expect(page.get_by_test_id("snapshot-fields")).to_contain_text("18600.00")
    expect(page.get_by_test_id("snapshot-lines")).to_contain_text("宣传册")
    expect(page.get_by_test_id("approval-steps")).to_contain_text("经理审批")
    screenshot(page, "approval-request")
    # when: they approve with a comment
    page.get_by_label("审批意见").fill("同意，控制在预算内")
    page.get_by_role("button", name="同意").click()
    # then: back in the inbox with a message, and the memo is under 已处理
    expect(page.get_by_role("alert").first).to_contain_text("已同意“华东展会物料采购”")
    page.get_by_test_id("tab-done").click()
    row = page.get_by_test_id("approval-task").filter(has_text="华东展会物料采购")
    expect(row).to_contain_text("同意")
    expect(row).to_contain_text("同意，控制在预算内")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    assert [call[0] for call in memo_approvable.calls] == ["approved"]
    watcher.assert_clean()
