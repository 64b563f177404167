"""Approving in Chromium: a manager opens 待我审批, opens the request, approves with a comment and finds it
under 已处理. The request is made through the engine with the test-only Memo (the live server runs in this
process, so the Memo approvable registered here is the one it uses). Fails on any console error, CSP
violation or foreign request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keshang.core import approvals
from keshang.core.models import ApprovalStatus, ApproverKind
from keshang.core.permissions import Persona
from keshang.org.models import Role, User
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    DEMO_PASSWORD,
    chromium_browser,
    company,
    page,
    screenshot,
    watcher,
)

from . import memo_approvals
from .memo_approvals import make_flow, make_memo, pending_tasks, submit

memo_approvable = memo_approvals.memo_approvable

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


# The columns a sales document's snapshot has (sales.documents.document_snapshot), with a long product name.
QUOTATION_HEADERS = ["商品", "数量", "单位", "含税单价", "不含税单价", "折扣率（%）", "价税合计", "最低售价（含税）"]
QUOTATION_LINES = [
    ["不锈钢六角螺栓 M8×30 GB/T 5782 A2-70", "12000", "个", "0.850000", "0.752212", "15.00", "8,670.00", "0.900000"],
    ["镀锌平垫圈 M8 GB/T 97.1", "12000", "个", "0.120000", "0.106195", "0.00", "1,440.00", ""],
]


def test_the_request_page_shows_every_step_and_the_whole_line_table_at_1366px(
    page,  # noqa: F811 - browser fixtures
    company,  # noqa: F811
    watcher,  # noqa: F811
    screenshot,  # noqa: F811
    memo_approvable,
):
    # given: a three-step flow (the rep's manager, the manager's manager, then finance by role), a memo with a
    # quotation's eight line columns, and the first step approved
    rep, manager, boss = (User.objects.get(username=name) for name in ("sales", "manager", "boss"))
    finance_role = Role.objects.get(persona=Persona.FINANCE)
    make_flow(
        {"kind": ApproverKind.MANAGER, "name": "经理审批"},
        {"kind": ApproverKind.MANAGER, "name": "总经理审批", "levels_up": 2},
        {"kind": ApproverKind.ROLE, "name": "财务复核", "role": finance_role, "same_department": False},
    )
    memo_approvable.headers = QUOTATION_HEADERS
    memo = make_memo(rep, title="华东五金年度框架报价", amount="10110.00")
    memo_approvable.lines_for[memo.pk] = QUOTATION_LINES
    request = submit(memo, rep)
    approvals.decide_approval(task=pending_tasks(request)[0], actor=manager, decision="approve", comment="可以")
    # when: the rep opens the request page on a 1366 × 768 screen
    page.goto("/login/")
    page.get_by_label("用户名").fill("sales")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(reverse("core:approvalrequest_detail", args=[request.pk]))
    screenshot(page, "approval-request-steps-1366")
    # then: every step shows, in order, with its state and who decides (or decided)
    steps = page.get_by_test_id("approval-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("经理审批")
    expect(steps.nth(0)).to_contain_text("已完成")
    expect(steps.nth(0)).to_contain_text(str(manager))
    expect(steps.nth(1)).to_contain_text("总经理审批")
    expect(steps.nth(1)).to_contain_text("审批中")
    expect(steps.nth(1)).to_contain_text(str(boss))
    expect(steps.nth(2)).to_contain_text("财务复核")
    expect(steps.nth(2)).to_contain_text("待进行")
    expect(steps.nth(2)).to_contain_text(str(User.objects.get(username="finance")))
    # and the line table's 价税合计 column is in view inside its card, the page itself not wider than the screen
    table = page.get_by_test_id("snapshot-lines")
    header = table.get_by_role("columnheader", name="价税合计", exact=True)
    card = page.get_by_test_id("snapshot-card")
    header_box, card_box = header.bounding_box(), card.bounding_box()
    assert header_box["x"] + header_box["width"] <= card_box["x"] + card_box["width"], (header_box, card_box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    watcher.assert_clean()
