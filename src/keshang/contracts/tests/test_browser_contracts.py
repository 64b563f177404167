"""The contract flow in Chromium (issue 13): a rep drafts a contract from a sales order, sets its payment stages
and submits it; the manager approves it from 待我审批; the contract is signed and the rep downloads its PDF. Fails
on any console error, CSP violation or foreign request."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import Product
from keshang.contracts.models import Contract, ContractStatus
from keshang.org.models import User
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.services import orders
from keshang.sales.tests.document_factories import flow
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


def log_in(browser_tab, username: str) -> None:
    browser_tab.context.clear_cookies()
    browser_tab.goto("/login/")
    browser_tab.get_by_label("用户名").fill(username)
    browser_tab.get_by_label("密码").fill(DEMO_PASSWORD)
    browser_tab.get_by_role("button", name="登录").click()


def test_a_contract_drafted_from_an_order_is_approved_and_signed(page, company, watcher, screenshot):  # noqa: F811
    # given an order of the rep's for 10 units at 100 元, and contracts that need the manager's approval
    rep = User.objects.get(username="sales")
    customer = PartnerFactory(name="杭州启明机电有限公司", owner=rep)
    product = Product.objects.filter(status="active").order_by("code").first()
    order = orders.create_sales_order(
        actor=rep,
        data={"partner": customer},
        lines=[LineInput(product=product, quantity=Decimal("10"), unit_price=Decimal("100"))],
    )
    flow("contracts.contract", name="合同审批", min_amount=Decimal("1"))

    # when the rep makes a contract from the order
    log_in(page, "sales")
    page.goto(f"/sales/orders/{order.pk}/")
    page.get_by_role("link", name="生成合同").click()
    page.get_by_role("button", name="生成合同").click()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    contract = Contract.objects.get(partner=customer)
    expect(page.get_by_test_id("contract-orders")).to_contain_text(str(order))

    # and sets two payment stages, one of them in working days
    page.get_by_role("link", name="编辑付款阶段").click()
    page.get_by_label("名称").first.fill("预付款")
    page.get_by_label("比例（%）").first.fill("30")
    page.get_by_label("天数").first.fill("5")
    page.get_by_label("按工作日").first.check()
    page.get_by_label("名称").nth(1).fill("尾款")
    page.get_by_label("比例（%）").nth(1).fill("70")
    page.get_by_label("触发条件").nth(1).select_option("after_receipt")
    screenshot(page, "contract-stages")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("payment-stages")).to_contain_text("300.00")
    expect(page.get_by_test_id("payment-stages")).to_contain_text("700.00")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_test_id("status")).to_have_text("审批中")
    screenshot(page, "contract-submitted")

    # when the manager approves it from the inbox
    log_in(page, "manager")
    page.goto("/core/approvals/")
    page.get_by_role("link", name=str(Contract.objects.get(pk=contract.pk))).click()
    page.get_by_role("button", name="同意").click()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED and contract.number.startswith("CS")

    # then the rep records the signed paper copy: the contract is in force and, having its order, being executed
    log_in(page, "sales")
    page.goto(f"/contracts/contracts/{contract.pk}/")
    page.get_by_role("link", name="登记已签署").click()
    page.get_by_role("button", name="登记已签署").click()
    expect(page.get_by_test_id("status")).to_have_text("执行中")
    screenshot(page, "contract-effective")
    pdf_url = page.get_by_role("link", name="下载 PDF").get_attribute("href")
    response = page.request.get(pdf_url)
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    watcher.assert_clean()
