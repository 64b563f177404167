"""The IT admin backs up from the browser: 数据备份 in the menu, 立即备份, the new backup listed (the job runs at
once under tests), no download for them. Fails on any console error, CSP violation or foreign request."""

from __future__ import annotations

import pytest
from django.db import connection

from keshang.core.backup import pg_tool
from keshang.core.models import BackupRun, BackupStatus
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


@pytest.fixture
def backup_directory(settings, tmp_path):
    if connection.vendor != "sqlite":
        try:
            pg_tool("pg_dump", connection.pg_version // 10000)
        except FileNotFoundError:
            pytest.skip("pg_dump is not installed, so a PostgreSQL backup cannot run here.")
    settings.KESHANG_BACKUP_DIR = tmp_path
    return tmp_path


def test_the_it_admin_runs_a_backup_and_finds_it_listed(page, company, watcher, screenshot, backup_directory):  # noqa: F811
    # given the IT admin signed in
    page.goto("/login/")
    page.get_by_label("用户名").fill("itadmin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    # when they open 数据备份 from the menu and back up now
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="数据备份").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据备份")
    expect(page.get_by_test_id("backup-files")).to_contain_text("还没有备份")
    page.get_by_test_id("backup-run").click()
    # then the page says so, lists the new backup and the run, and offers them no download
    expect(page.get_by_role("alert").first).to_contain_text("已开始备份")
    run = BackupRun.objects.get()
    assert run.status == BackupStatus.DONE, run.error
    expect(page.get_by_test_id("backup-file")).to_have_count(1)
    expect(page.get_by_test_id("backup-file")).to_contain_text(run.file_name)
    expect(page.get_by_test_id("backup-runs")).to_contain_text("已完成")
    expect(page.get_by_role("link", name="下载")).to_have_count(0)
    expect(page.get_by_test_id("backup-restore-help")).to_contain_text("keshang restore")
    screenshot(page, "backup-page-itadmin")
    watcher.assert_clean()
