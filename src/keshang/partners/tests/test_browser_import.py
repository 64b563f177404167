"""Importing partners in Chromium (issue 3): an import with two bad rows shows the errors and writes nothing
until fixed, then the fixed file imports. Fails on any console error, CSP violation or request to another
host (``watcher.assert_clean()``)."""

from __future__ import annotations

import csv
import re

import pytest

from keshang.partners.models import Partner
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

GOOD = [
    ["浦江导入测试甲贸易有限公司", "91440300MA5G0A1B29", "021-60001234", "广东省 深圳市 南山区", "张三", "13800138000"],
    ["浦江导入测试乙科技有限公司", "", "0755-86001234", "", "李四", ""],
]
BAD = [
    ["浦江导入测试丙机械有限公司", "91440300MA5G0A1B20", "021-60005678", "", "", ""],  # wrong check digit
    ["浦江导入测试丁电子有限公司", "", "12345", "", "", ""],  # not a phone number
]
FIXED = [
    ["浦江导入测试丙机械有限公司", "91110108MA01XY3K0T", "021-60005678", "", "", ""],
    ["浦江导入测试丁电子有限公司", "", "021-60009999", "", "", ""],
]
HEADER = ["客户名称", "统一社会信用代码", "电话", "地区", "联系人", "联系人手机"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def imported():
    return Partner.objects.filter(name__startswith="浦江导入测试")


def upload_and_check(browser_page, path, take_screenshot=None) -> None:
    """Upload → 对应列 (suggested from the headers) → 校验数据: the preview of every row."""
    browser_page.get_by_label("文件").set_input_files(str(path))
    browser_page.get_by_role("button", name="上传并继续").click()
    expect(browser_page.get_by_role("heading", name="对应列")).to_be_visible()
    expect(browser_page.get_by_label("名称")).to_have_value("0")
    if take_screenshot:
        take_screenshot(browser_page, "import-mapping-desktop")
    browser_page.get_by_role("button", name="校验数据").click()
    expect(browser_page.get_by_test_id("import-status")).to_have_text("已校验")


def test_an_import_with_two_bad_rows_shows_the_errors_and_writes_nothing_until_fixed(
    page,  # noqa: F811
    company,  # noqa: F811
    watcher,  # noqa: F811
    screenshot,  # noqa: F811
    tmp_path,
):
    # A rep signs in and opens the import from the menu.
    page.goto("/login/")
    page.get_by_label("用户名").fill("sales")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#sidebar").get_by_role("link", name="导入客商").click()
    expect(page.get_by_role("heading", name="导入客商")).to_be_visible()
    expect(page.get_by_test_id("import-template")).to_be_visible()
    screenshot(page, "import-upload-desktop")

    # The file has two bad rows: the preview names both, offers no confirmation and writes nothing.
    upload_and_check(page, write_csv(tmp_path / "客户.csv", GOOD + BAD), screenshot)
    expect(page.get_by_test_id("count-total")).to_have_text("4")
    expect(page.get_by_test_id("count-errors")).to_have_text("2")
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tr[data-line='4']")).to_contain_text("统一社会信用代码校验位不正确")
    expect(errors.locator("tr[data-line='5']")).to_contain_text("电话“12345”不是有效的号码")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    expect(page.get_by_test_id("import-error-report")).to_be_visible()
    screenshot(page, "import-preview-errors-desktop")
    assert not imported().exists()

    # The fixed file goes through the same steps; now it may be confirmed, and all four rows arrive.
    page.get_by_role("link", name="重新上传").click()
    upload_and_check(page, write_csv(tmp_path / "客户-修正.csv", GOOD + FIXED))
    expect(page.get_by_test_id("count-errors")).to_have_text("0")
    expect(page.get_by_test_id("count-created")).to_have_text("4")
    assert not imported().exists()
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已完成")
    expect(page.get_by_test_id("import-message")).to_contain_text("导入完成：新增 4 条")
    screenshot(page, "import-done-desktop")
    assert imported().count() == 4
    assert set(imported().values_list("owner__username", flat=True)) == {"sales"}

    page.get_by_role("link", name="查看客商").click()
    expect(page).to_have_url(re.compile(r"/partners/$"))
    expect(page.get_by_role("link", name="浦江导入测试甲贸易有限公司")).to_be_visible()
    watcher.assert_clean()
