"""A purchaser keeps a supplier's profile, qualifications and attachments in Chromium (CSP, no console
errors, real multipart uploads and downloads). Fixtures come from the web app's browser conftest."""

from __future__ import annotations

import re

import pytest

from keshang.core.models import Attachment
from keshang.core.testing.files import PDF_BYTES as PDF
from keshang.partners.models import Partner, Qualification, SupplierProfile
from keshang.web.tests import conftest as browser

# The web app's browser fixtures, shared rather than copied (a conftest reaches only its own directory).
chromium_browser, company, page, screenshot, watcher = (
    browser.chromium_browser,
    browser.company,
    browser.page,
    browser.screenshot,
    browser.watcher,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_a_purchaser_rates_a_supplier_adds_a_qualification_and_manages_attachments(page, company, watcher, screenshot):
    # given: one of the purchaser's demo suppliers
    supplier = Partner.objects.filter(owner__username="purchaser", is_supplier=True).first()
    log_in(page, "purchaser", browser.DEMO_PASSWORD)
    page.goto(f"/partners/{supplier.pk}/")

    # the 供应商档案 tab: edit the profile
    page.get_by_role("link", name="供应商档案").click()
    expect(page.get_by_test_id("supplier-profile")).to_be_visible()
    page.get_by_test_id("supplier-profile").get_by_role("link", name="编辑").click()
    page.get_by_label("主营产品或服务").fill("不锈钢紧固件、五金配件")
    page.get_by_label("交付评分").select_option("5")
    page.get_by_label("质量评分").select_option("4")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("supplier-profile")).to_contain_text("不锈钢紧固件")
    expect(page.get_by_test_id("rating").first).to_contain_text("5 分")

    # a qualification with its certificate
    page.get_by_role("link", name="新增资质").click()
    page.get_by_label("资质名称").fill("ISO 9001 质量管理体系认证")
    page.get_by_label("到期日期").fill("2099-12-31")
    page.get_by_label("证书文件").set_input_files(
        files=[{"name": "证书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("qualification")).to_contain_text("ISO 9001")
    screenshot(page, "supplier-profile-desktop")

    # the 附件 tab: a refused upload, a good one, a download and a delete
    page.get_by_role("link", name="附件", exact=True).click()
    upload = page.get_by_test_id("attachment-upload")
    upload.get_by_label("上传附件").set_input_files(
        files=[{"name": "报价单.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}]
    )
    upload.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("不支持此文件类型")).to_be_visible()
    page.get_by_test_id("attachment-upload").get_by_label("上传附件").set_input_files(
        files=[{"name": "报价单.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_test_id("attachment-upload").get_by_role("button", name="上传", exact=True).click()
    row = page.get_by_test_id("attachment").filter(has_text="报价单.pdf")
    expect(row).to_be_visible()
    screenshot(page, "partner-attachments-desktop")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename == "报价单.pdf"
    row.get_by_role("link", name="删除").click()
    page.get_by_role("button", name="确认删除").click()
    expect(page).to_have_url(re.compile(r"/core/attachments/partners/partner/\d+/$"))
    expect(page.get_by_test_id("attachment")).to_have_count(0)

    # then
    profile = SupplierProfile.objects.get(partner=supplier)
    assert (profile.rating_delivery, profile.rating_quality) == (5, 4)
    assert Qualification.objects.get(partner=supplier).file
    assert not Attachment.objects.for_object(supplier).exists()
    watcher.assert_clean()


def test_a_new_default_bank_account_waits_for_finance_who_confirms_it(page, company, watcher, screenshot):
    # given: a supplier of the purchaser's paid into a confirmed default account (issue 12, finding 10)
    from keshang.partners import services
    from keshang.partners.models import BankAccount

    supplier = Partner.objects.filter(owner__username="purchaser", is_supplier=True).first()
    old = services.save_bank_account(
        actor=None,
        partner=supplier,
        data={
            "bank_name": "中国银行苏州分行",
            "account_name": supplier.name,
            "account_number": "6216610100001111",
            "is_default": True,
        },
    )
    page.on("dialog", lambda dialog: dialog.accept())

    # when: the purchaser enters a new account as the default
    log_in(page, "purchaser", browser.DEMO_PASSWORD)
    page.goto(f"/partners/{supplier.pk}/bank-accounts/")
    page.get_by_role("link", name="新增银行账户").click()
    page.get_by_label("开户行").fill("招商银行深圳分行")
    page.get_by_label("户名").fill(supplier.name)
    page.get_by_label("账号").fill("6225880123456789")
    page.get_by_label("默认账户").check()
    page.get_by_role("button", name="保存").click()

    # then: it waits 待确认, the old account stays the default, and the purchaser cannot confirm it
    pending = page.get_by_test_id("part").filter(has_text="招商银行深圳分行")
    expect(pending.get_by_test_id("bank-pending")).to_have_text("待确认")
    expect(page.get_by_test_id("part").filter(has_text="中国银行苏州分行")).to_contain_text("默认")
    expect(page.get_by_test_id("bank-confirm")).to_have_count(0)
    screenshot(page, "bank-account-pending-desktop")

    # when: finance confirms it, through the page's confirmation
    page.context.clear_cookies()
    log_in(page, "finance", browser.DEMO_PASSWORD)
    page.goto(f"/partners/{supplier.pk}/bank-accounts/")
    pending.get_by_test_id("bank-confirm").click()

    # then: the new account is the default, the old one no longer
    expect(page.get_by_role("alert")).to_contain_text("已确认，该账户现为默认账户。")
    expect(pending).to_contain_text("默认")
    expect(pending.get_by_test_id("bank-pending")).to_have_count(0)
    screenshot(page, "bank-account-confirmed-desktop")
    new = BankAccount.objects.get(partner=supplier, bank_name="招商银行深圳分行")
    assert new.is_default and new.confirmed_by.username == "finance"
    assert not BankAccount.objects.get(pk=old.pk).is_default
    watcher.assert_clean()
