"""The contract flow in Chromium (issue 13): a rep drafts a contract from a sales order, sets its payment stages
and submits it; the manager approves it from 待我审批; the rep signs for our company and sends a signing link; the
customer signs on a phone-size page; the rep sees the contract in force, downloads the signed PDF and the
verification page accepts it and rejects a tampered copy. Fails on any console error, CSP violation or foreign
request."""

# ruff: noqa: F811 - the test takes the shared browser fixtures imported below as its arguments
from __future__ import annotations

from decimal import Decimal

import pytest

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import Product
from keshang.contracts.models import Contract, ContractStatus
from keshang.contracts.services.certificates import generate_trial_certificate
from keshang.org.models import User
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.services import orders
from keshang.sales.tests.document_factories import flow
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    CSP_LISTENER,
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


def test_a_contract_drafted_from_an_order_is_approved_and_signed(
    page, company, watcher, screenshot, chromium_browser, live_server
):
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

    # when the rep signs for our company (its trial certificate) and sends the customer a signing link
    generate_trial_certificate(actor=None, company=contract.seller)
    log_in(page, "sales")
    page.goto(f"/contracts/contracts/{contract.pk}/")
    page.get_by_role("link", name="电子签署").click()
    page.get_by_role("button", name="电子签署").click()
    expect(page.get_by_test_id("status")).to_have_text("签署中")
    page.get_by_role("link", name="生成签署链接").click()
    page.get_by_role("button", name="生成签署链接").click()
    link = page.get_by_test_id("sign-url").input_value()

    # and the customer signs on a phone: types a name, draws a signature, agrees
    phone_context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    phone_context.expose_function("__kshCspViolation", watcher.on_csp_violation)
    phone_context.add_init_script(CSP_LISTENER)
    phone = phone_context.new_page()
    phone.on("console", watcher.on_console)
    phone.on("pageerror", lambda error: watcher.page_errors.append(str(error)))
    phone.goto(link)
    phone.get_by_label("签署人姓名").fill("周启明")
    pad = phone.locator("#ks-signature-pad").bounding_box()
    phone.mouse.move(pad["x"] + 30, pad["y"] + 60)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(pad["x"] + 30 + step * 25, pad["y"] + 60 + (step % 3) * 25)
    phone.mouse.up()
    phone.get_by_label("我已阅读并同意本合同全部内容，同意以电子签名方式签署").check()
    screenshot(phone, "contract-sign-phone")
    phone.get_by_role("button", name="确认签署").click()
    expect(phone.get_by_role("heading", name="签署完成")).to_be_visible()
    # the link is used up: opened again, it shows no contract
    used = phone.request.get(link)
    assert used.status == 404 and contract.number not in used.text()
    phone_context.close()

    # then the rep sees it in force (being executed: its order exists) and downloads the signed PDF
    page.goto(f"/contracts/contracts/{contract.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("执行中")
    screenshot(page, "contract-signed")
    page.get_by_role("link", name="签署与文件").click()
    signed_url = page.get_by_role("link", name="下载").first.get_attribute("href")
    signed = page.request.get(signed_url).body()
    assert signed.startswith(b"%PDF")
    (screenshot(page, "contract-documents").parent / "contract-signed.pdf").write_bytes(signed)

    # and the verification page accepts it, and rejects a copy with one byte changed
    page.goto("/contracts/verify/")
    page.get_by_label("PDF 文件").set_input_files(
        files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": signed}]
    )
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("验证通过：文件由本系统签署，签署后未被修改。")
    expect(page.get_by_test_id("verify-result")).to_contain_text(contract.number)
    expect(page.get_by_test_id("verify-result")).to_contain_text("周启明")
    screenshot(page, "contract-verified")
    middle = len(signed) // 3
    tampered = signed[:middle] + bytes([signed[middle] ^ 0x01]) + signed[middle + 1 :]
    page.get_by_label("PDF 文件").set_input_files(
        files=[{"name": "篡改.pdf", "mimeType": "application/pdf", "buffer": tampered}]
    )
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_test_id("verify-result")).not_to_contain_text("验证通过")
    screenshot(page, "contract-tampered")
    watcher.assert_clean()
