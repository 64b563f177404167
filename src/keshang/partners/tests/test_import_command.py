"""``keshang import partners`` on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from keshang.core.models import ImportJob, ImportStatus
from keshang.org.tests.factories import UserFactory
from keshang.partners.models import Partner
from keshang.partners.tests.import_helpers import (
    csv_bytes,
    needs_northwind,
    northwind,
)

pytestmark = pytest.mark.django_db


#
# Command line
#


@pytest.fixture
def admin(db):
    return UserFactory(username="wang", is_superuser=True)


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


@needs_northwind
def test_the_command_refuses_a_file_with_rejected_rows_and_prints_the_report(admin, tmp_path):
    # when
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", "partners", str(northwind(tmp_path, "customers")), "--as", "wang", stdout=out)
    # then: a non-zero exit status, the summary and the report's path
    assert "有 43 行被拒绝，未写入任何数据。" in str(error.value)
    lines = out.getvalue().splitlines()
    assert lines[1] == "新增 48，更新 0，跳过 0，拒绝 43"
    report = Path(lines[2].removeprefix("错误报告："))
    assert report.is_file()
    assert load_workbook(report).active.max_row == 44
    assert not Partner.objects.exists()


def test_the_command_imports_suppliers_and_reruns_with_the_update_policy(admin, tmp_path):
    # given
    path = tmp_path / "suppliers.csv"
    path.write_bytes(
        csv_bytes([{"供应商名称": "甲供应商有限公司", "电话": "021-60001234"}, {"供应商名称": "乙供应商"}])
    )
    # when
    out = run_command("partners", str(path), "--as", "wang", "--option", "role=supplier")
    path.write_bytes(csv_bytes([{"供应商名称": "甲供应商有限公司", "电话": "021-60009999"}]))
    again = run_command("partners", str(path), "--as", "wang", "--policy", "update")
    # then
    assert "新增 2，更新 0，跳过 0，拒绝 0" in out
    assert "新增 0，更新 1，跳过 0，拒绝 0" in again
    assert Partner.objects.filter(is_supplier=True).count() == 2
    assert Partner.objects.get(name="甲供应商有限公司").phone == "021-60009999"


@needs_northwind
def test_the_command_keeps_unreadable_numbers_when_asked(admin, tmp_path):
    out = run_command("partners", str(northwind(tmp_path, "customers")), "--as", "wang", "--option", "phones=keep")
    assert "新增 91，更新 0，跳过 0，拒绝 0" in out
    assert Partner.objects.filter(phone_unverified=True).count() == 43


def test_the_command_dry_run_and_column_override_write_nothing(admin, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([{"公司": "甲公司", "公司名称": "这一列不是名称"}]))
    out = run_command("partners", str(path), "--map", "name=公司", "--dry-run")
    assert "新增 1" in out and "--dry-run" in out
    assert not Partner.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nothing", "a.csv"), "未知的导入类型"),
        (("partners", "missing.csv"), "文件不存在"),
        (("partners", "{file}", "--as", "nobody"), "不存在或已停用"),
        (("partners", "{file}", "--map", "colour=1"), "没有名为“colour”的字段"),
        (("partners", "{file}", "--map", "name="), "必须选择“名称”对应的列"),
    ],
)
def test_the_command_explains_what_is_wrong(admin, tmp_path, args, message):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([{"名称": "甲"}]))
    with pytest.raises(CommandError, match=message):
        run_command(*(arg.format(file=path) for arg in args))


def test_a_mapping_the_command_refuses_leaves_the_job_failed_with_the_reason(admin, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([{"名称": "甲"}]))
    with pytest.raises(CommandError, match="必须选择“名称”对应的列"):
        run_command("partners", str(path), "--map", "name=")
    job = ImportJob.objects.get()
    assert (job.status, job.message) == (ImportStatus.FAILED, "列对应有误：必须选择“名称”对应的列。")
