"""The import framework, driven through a small importer of the test-only Memo model: reading files by
content, header detection and mapping, row validation and duplicates, the error report, the template,
all-or-nothing commits, progress, and the files it must refuse without a 500."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from keshang.core import importing
from keshang.core.importing import base as importing_base
from keshang.core.importing import progress as importing_progress
from keshang.core.models import AuditAction, AuditEntry, ImportJob, ImportStatus
from keshang.core.permissions import Action, Scope
from keshang.core.regions import load_regions
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

HEADER = "标题,电话\n"


class MemoImporter(importing.Importer):
    """Title (required, unique) and phone (digits); phone 666 is refused only when written."""

    kind = "memos"
    verbose_name = "备忘"
    resource = "scopeapp.memo"
    fields = (
        importing.ImportField("title", "标题", required=True, synonyms=("主题", "Subject"), example="示例"),
        importing.ImportField("phone", "电话", synonyms=("phone", "tel"), example="13800138000"),
    )

    def prepare(self):
        self.existing = dict(Memo.objects.unscoped().values_list("title", "pk"))

    def clean(self, row):
        if not row.values.get("title"):
            row.error("标题不能为空。")
        phone = row.values.get("phone", "")
        if phone and not phone.isdigit():
            row.error("电话只能是数字。")
        row.data = {"title": row.values.get("title", ""), "phone": phone}

    def identities(self, row):
        return [(row.data["title"], "标题")]

    def resolve(self, row):
        pk = self.existing.get(row.data["title"])
        if pk is None or self.policy == importing.DuplicatePolicy.CREATE:
            row.action = importing.Row.CREATE
        elif self.policy == importing.DuplicatePolicy.SKIP:
            row.action, row.target = importing.Row.SKIP, pk
            row.notice("已存在，跳过。")
        else:
            row.action, row.target = importing.Row.UPDATE, pk

    def write(self, rows):
        for row in rows:
            if row.data["phone"] == "666":
                row.error("写入时被拒绝。")
            elif row.action == importing.Row.CREATE:
                Memo.objects.create(
                    title=row.data["title"], phone=row.data["phone"], owner=self.actor, department=self.actor.department
                )
            else:
                Memo.objects.filter(pk=row.target).update(phone=row.data["phone"])


@pytest.fixture(autouse=True)
def memo_importer(monkeypatch):
    monkeypatch.setitem(importing_base._importers, MemoImporter.kind, MemoImporter)
    return MemoImporter


def make_rep():
    """A rep who may import memos: view/add/change on memos and on their own import jobs."""
    user = UserFactory(department=DepartmentFactory())
    grant(user, "scopeapp.memo", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    grant(user, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    return user


@pytest.fixture
def rep():
    return make_rep()


def upload(content: bytes | str, name: str = "memos.csv", encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_job(actor, content, name="memos.csv", **kwargs) -> ImportJob:
    return importing.create_import_job(actor=actor, kind="memos", upload=upload(content, name), **kwargs)


def validated(job) -> ImportJob:
    return importing.run_import_job(job_pk=job.pk, commit=False)


def committed(job) -> ImportJob:
    return importing.run_import_job(job_pk=job.pk, commit=True)


def report_rows(job) -> list[list]:
    with job.error_report.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    return [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]


#
# Reading files
#


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("utf-16", b"")],
    ids=["utf8", "utf8-bom", "gb18030", "utf16"],
)
def test_csv_is_read_in_every_encoding_excel_writes(encoding, prefix):
    # given: Chinese text, as Excel saves it on different systems (UTF-16 "Unicode text" is tab-separated)
    separator = "\t" if encoding == "utf-16" else ","
    text = f"标题{separator}电话\n深圳华为{separator}0755\n"
    data = prefix + text.encode(encoding)
    # when
    rows = list(importing.open_rows(io.BytesIO(data)))
    # then
    assert rows == [(1, ["标题", "电话"]), (2, ["深圳华为", "0755"])]


def test_semicolon_separated_csv_is_recognised_by_its_header():
    rows = list(importing.open_rows(io.BytesIO("标题;电话\n甲;1\n".encode())))
    assert rows == [(1, ["标题", "电话"]), (2, ["甲", "1"])]


def test_xlsx_cells_read_as_the_user_sees_them_and_blank_rows_are_skipped():
    # given: a number typed into a phone cell, a blank row, a date
    import datetime

    data = xlsx([["标题", "电话", "日期"], ["甲", 13800138000, datetime.date(2026, 1, 2)], [None, None], ["乙", 1.5]])
    # when
    rows = list(importing.open_rows(io.BytesIO(data)))
    # then
    assert rows == [(1, ["标题", "电话", "日期"]), (2, ["甲", "13800138000", "2026-01-02"]), (4, ["乙", "1.5"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "不是 Excel（.xlsx）或 CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "旧版 Excel"),
        (xlsx([["标题"], ["甲"]])[:300], "Excel 文件已损坏"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel 文件已损坏"),
    ],
    ids=["empty", "binary-renamed-csv", "xls", "truncated-xlsx", "zip-without-content-types"],
)
def test_files_that_cannot_be_imported_are_refused_with_a_clear_message(rep, content, message):
    # when
    with pytest.raises(importing.ImportFileError) as error:
        new_job(rep, content)
    # then
    assert message in error.value.message
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(rep):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(importing.ImportFileError, match="不是有效的 Excel"):
        new_job(rep, buffer.getvalue(), name="memos.xlsx")


def test_a_header_only_file_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="只有表头"):
        new_job(rep, HEADER)


def test_other_extensions_are_refused_whatever_their_content(rep):
    with pytest.raises(importing.ImportFileError, match=r"\.xlsx 或 \.csv"):
        new_job(rep, HEADER + "甲,1\n", name="memos.exe")


@override_settings(KESHANG_IMPORT_MAX_BYTES=50)
def test_a_file_over_the_size_limit_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="上限"):
        new_job(rep, HEADER + "甲,1\n" * 20)


@override_settings(KESHANG_IMPORT_MAX_ROWS=2)
def test_a_file_over_the_row_limit_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="拆分"):
        new_job(rep, HEADER + "甲,1\n乙,2\n丙,3\n")


def test_undecodable_text_after_the_first_kilobytes_is_a_clear_error_not_a_crash(rep):
    # given: UTF-8 for the sniffed start, then bytes that are not UTF-8
    content = (HEADER + "甲,1\n" * 20_000).encode() + b"\xff\xfe\xfa,1\n"
    # when
    with pytest.raises(importing.ImportFileError) as error:
        new_job(rep, content)
    # then
    assert "UTF-8" in error.value.message


#
# Header and mapping
#


def test_headers_are_matched_through_synonyms_whatever_their_spelling():
    assert importing.normalise_header("名称*") == importing.normalise_header("名称（必填）") == "名称"
    assert importing.normalise_header("Company_Name") == importing.normalise_header("ＣｏｍｐａｎｙＮａｍｅ")
    columns = importing.suggest_columns(["序号", "SUBJECT", "Tel"], MemoImporter.fields)
    assert columns == {"title": 1, "phone": 2}


def test_the_header_is_found_under_a_title_row_and_samples_are_kept(rep):
    # given: a report title and a blank row above the header
    content = "2026年备忘清单\n\n电话,主题\n1,甲\n2,乙\n"
    # when
    job = new_job(rep, content)
    # then
    assert job.mapping["header_row"] == 3
    assert job.mapping["headers"] == ["电话", "主题"]
    assert job.mapping["columns"] == {"phone": 0, "title": 1}
    assert job.mapping["samples"] == [["1", "甲"], ["2", "乙"]]
    assert job.total_rows == 2


def test_mapping_refuses_a_missing_required_field_and_a_column_used_twice(rep):
    job = new_job(rep, "a,b\n甲,1\n")
    with pytest.raises(ValidationError) as error:
        importing.set_import_mapping(actor=rep, job=job, columns={"phone": 1}, policy="skip")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        importing.set_import_mapping(actor=rep, job=job, columns={"title": 0, "phone": 0}, policy="skip")
    assert "phone" in error.value.message_dict


def test_a_refused_mapping_fails_the_job_with_the_reason_and_a_corrected_one_revives_it(rep):
    # given
    job = new_job(rep, "a,b\n甲,1\n")
    # when the mapping leaves out a required field
    with pytest.raises(ValidationError):
        importing.set_import_mapping(actor=rep, job=job, columns={"phone": 1}, policy="skip")
    # then the job says it failed, and why, instead of waiting in "uploaded"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == "列对应有误：必须选择“标题”对应的列。"
    assert AuditEntry.objects.filter(object_id=str(job.pk), action=AuditAction.STATE).get().message == job.message
    # and a corrected mapping puts it back on its way
    job = importing.set_import_mapping(actor=rep, job=job, columns={"title": 0, "phone": 1}, policy="skip")
    assert job.status == ImportStatus.UPLOADED


def test_a_refused_mapping_leaves_a_finished_job_as_it_was(rep):
    job = new_job(rep, "a,b\n甲,1\n")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, message="导入完成")
    with pytest.raises(ValidationError):
        importing.set_import_mapping(actor=rep, job=job, columns={}, policy="skip")
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.DONE, "导入完成")


def test_mapping_sets_columns_policy_and_audits_the_change(rep):
    # given
    job = new_job(rep, "a,b\n甲,1\n")
    # when
    job = importing.set_import_mapping(actor=rep, job=job, columns={"title": "0", "phone": 1}, policy="update")
    # then
    assert job.mapping["columns"] == {"title": 0, "phone": 1}
    assert job.policy == "update"
    assert AuditEntry.objects.filter(object_id=str(job.pk), action=AuditAction.UPDATE).count() == 1


#
# Validation and commit
#


def test_validation_lists_every_bad_row_writes_nothing_and_reports_them(rep):
    # given: a missing title, a bad phone, and a title repeated further down
    content = HEADER + "甲,1\n,2\n乙,abc\n甲,3\n丙,4\n"
    job = new_job(rep, content)
    # when
    job = validated(job)
    # then
    assert job.status == ImportStatus.VALIDATED
    assert (job.created_count, job.error_count) == (2, 3)
    assert [(entry["line"], entry["messages"]) for entry in job.errors] == [
        (3, ["标题不能为空。"]),
        (4, ["电话只能是数字。"]),
        (5, ["与第 2 行重复（标题相同）。"]),
    ]
    assert not Memo.objects.exists()
    assert report_rows(job) == [
        ["标题", "电话", "原行号", "错误原因"],
        ["", "2", 3, "标题不能为空。"],
        ["乙", "abc", 4, "电话只能是数字。"],
        ["甲", "3", 5, "与第 2 行重复（标题相同）。"],
    ]


def test_the_fixed_error_report_imports_as_it_is(rep):
    # given: the report of a failed validation, fixed in a spreadsheet
    job = validated(new_job(rep, HEADER + "甲,1\n乙,abc\n"))
    rows = report_rows(job)
    rows[1][1] = "2"
    # when
    fixed = validated(new_job(rep, xlsx(rows), name="fixed.xlsx"))
    # then: 原行号 and 错误原因 are simply not mapped
    assert fixed.mapping["columns"] == {"title": 0, "phone": 1}
    assert (fixed.created_count, fixed.error_count) == (1, 0)


def test_commit_writes_every_row_and_records_the_outcome(rep):
    # given
    job = validated(new_job(rep, HEADER + "甲,1\n乙,2\n"))
    # when
    job = committed(job)
    # then
    assert job.status == ImportStatus.DONE
    assert job.created_count == 2
    assert set(Memo.objects.values_list("title", flat=True)) == {"甲", "乙"}
    entry = AuditEntry.objects.get(object_id=str(job.pk), action=AuditAction.STATE)
    assert entry.after["status"] == ImportStatus.DONE and entry.after["created_count"] == 2


def planner_statistics(table: str) -> int:
    """How many statistics rows the query planner holds for ``table``."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0]


def test_a_committed_import_refreshes_the_planners_statistics(rep):
    # given (on SQLite, where they can be removed) no statistics for the table
    if connection.vendor == "sqlite" and planner_statistics(Memo._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [Memo._meta.db_table])
    assert connection.vendor != "sqlite" or planner_statistics(Memo._meta.db_table) == 0
    # when an import commits rows into it
    committed(validated(new_job(rep, HEADER + "甲,1\n乙,2\n")))
    # then the planner has statistics for it
    assert planner_statistics(Memo._meta.db_table) > 0


def test_commit_is_all_or_nothing_when_a_row_fails_at_write_time(rep):
    # given: the second batch holds a row the importer refuses only when writing
    rows = "".join(f"备忘{number},1\n" for number in range(1200)) + "坏的,666\n"
    job = validated(new_job(rep, HEADER + rows))
    assert job.error_count == 0
    # when
    job = committed(job)
    # then: the first batch was written, then everything rolled back
    assert job.status == ImportStatus.FAILED
    assert job.error_count == 1
    assert "未写入任何数据" in job.message
    assert not Memo.objects.exists()
    assert report_rows(job)[1] == ["坏的", "666", 1202, "写入时被拒绝。"]


def test_commit_checks_again_against_records_added_since_the_preview(rep):
    # given: a clean preview under the create policy, then someone adds a memo the file repeats
    job = validated(new_job(rep, HEADER + "甲,1\n", policy="skip"))
    Memo.objects.create(title="甲", owner=rep, department=rep.department)
    # when
    job = committed(job)
    # then: the row is now skipped, not created twice
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.skipped_count) == (0, 1)
    assert Memo.objects.count() == 1


def test_policies_decide_what_an_existing_record_does(rep):
    Memo.objects.create(title="甲", phone="1", owner=rep, department=rep.department)
    skipped = committed(new_job(rep, HEADER + "甲,2\n", policy="skip"))
    assert (skipped.skipped_count, Memo.objects.get().phone) == (1, "1")
    assert skipped.errors == [{"line": 2, "label": "甲", "level": "notice", "messages": ["已存在，跳过。"]}]
    updated = committed(new_job(rep, HEADER + "甲,3\n", policy="update"))
    assert (updated.updated_count, Memo.objects.get().phone) == (1, "3")
    created = committed(new_job(rep, HEADER + "甲,4\n", policy="create"))
    assert (created.created_count, Memo.objects.count()) == (1, 2)


def test_two_rows_updating_one_record_are_refused(rep, memo_importer, monkeypatch):
    # given: an importer whose identities do not catch it (both rows point at the same record)
    monkeypatch.setattr(memo_importer, "identities", lambda self, row: [])
    Memo.objects.create(title="甲", owner=rep, department=rep.department)
    # when
    job = validated(new_job(rep, HEADER + "甲,1\n甲,2\n", policy="update"))
    # then
    assert job.errors[0]["messages"] == ["与第 2 行对应同一条已有记录。"]


def test_a_user_without_the_importers_grant_is_refused_at_every_step(rep):
    # given: a job started while the grant existed, then the change grant is gone
    job = new_job(rep, HEADER + "甲,1\n", policy="update")
    stranger = UserFactory()
    grant(stranger, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    with pytest.raises(PermissionDenied):
        new_job(stranger, HEADER + "甲,1\n")
    rep.roles.filter(grants__resource="scopeapp.memo").update(is_active=False)
    rep.forget_grants()
    # when
    job = committed(job)
    # then
    assert job.status == ImportStatus.FAILED
    assert "权限" in job.message
    assert not Memo.objects.exists()


def test_a_file_removed_from_storage_fails_the_job_with_a_message(rep):
    job = new_job(rep, HEADER + "甲,1\n")
    job.file.storage.delete(job.file.name)
    with pytest.raises(FileNotFoundError):
        validated(job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "内部错误" in job.message


def test_validation_reads_the_database_in_a_constant_number_of_queries(rep, django_assert_max_num_queries):
    # given: 2,500 rows, three batches
    job = new_job(rep, HEADER + "".join(f"备忘{number},1\n" for number in range(2500)))
    # when / then: no query per row (the job row is read, updated per batch and saved)
    with django_assert_max_num_queries(15):
        job = validated(job)
    assert job.created_count == 2500


#
# Steps, background jobs and progress
#


def test_steps_move_the_job_and_refuse_to_run_twice(rep, django_capture_on_commit_callbacks):
    # given
    job = new_job(rep, HEADER + "甲,1\n")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.start_validation(actor=rep, job=job)
    # then
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):
        importing.start_commit(actor=rep, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    with pytest.raises(importing_base.ApplicationError):
        importing.start_commit(actor=rep, job=job)
    assert Memo.objects.count() == 1


def test_commit_is_refused_while_the_preview_shows_errors(rep, django_capture_on_commit_callbacks):
    job = validated(new_job(rep, HEADER + ",1\n"))
    with pytest.raises(importing_base.ApplicationError) as error:
        importing.start_commit(actor=rep, job=job)
    assert error.value.code == "import_has_errors"
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED


@override_settings(KESHANG_IMPORT_INLINE_ROWS=1)
def test_large_files_run_as_a_huey_task(rep, django_capture_on_commit_callbacks, monkeypatch):
    # given: every step counts as large; the task is recorded, Huey runs it immediately under tests
    from keshang.core import tasks

    calls = []
    original = tasks.run_import_task

    def spy(job_pk, *, commit):
        calls.append(commit)
        return original(job_pk, commit=commit)

    monkeypatch.setattr(tasks, "run_import_task", spy)
    job = new_job(rep, HEADER + "甲,1\n乙,2\n")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        importing.start_validation(actor=rep, job=job)
    with django_capture_on_commit_callbacks(execute=True):
        importing.start_commit(actor=rep, job=ImportJob.objects.get(pk=job.pk))
    # then
    assert calls == [False, True]
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert Memo.objects.count() == 2


def test_progress_of_a_commit_comes_from_hueys_store_while_it_runs(rep, memo_importer, monkeypatch):
    # given: the importer looks at the progress the page would see after the first batch
    seen = []
    original_write = memo_importer.write

    def write(self, rows):
        original_write(self, rows)
        job = ImportJob.objects.get(kind="memos")
        seen.append((job.status, importing.import_progress(job)))

    monkeypatch.setattr(memo_importer, "write", write)
    job = validated(new_job(rep, HEADER + "".join(f"备忘{number},1\n" for number in range(1500))))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    # when
    job = committed(job)
    # then: the second batch saw the first one counted; afterwards the job row has the total
    assert seen == [(ImportStatus.IMPORTING, 0), (ImportStatus.IMPORTING, 1000)]
    assert importing.import_progress(job) == job.processed_rows == 1500
    assert importing_progress.huey().get(importing_progress.progress_key(job.pk), peek=True) is None


#
# Template and error report
#


def test_the_template_has_marked_headers_an_example_row_and_instructions():
    # when
    workbook = load_workbook(io.BytesIO(importing.build_template(MemoImporter)))
    # then
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["标题*", "电话"]
    assert [cell.value for cell in sheet[2]] == ["示例", "13800138000"]
    assert sheet["B2"].number_format == "@"
    assert workbook.worksheets[1].title == "填写说明"


def test_the_error_report_never_turns_a_cell_into_a_formula(rep):
    # given: a cell that Excel would run
    job = validated(new_job(rep, HEADER + "=cmd|' /C calc'!A0,abc\n"))
    # when
    with job.error_report.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    # then
    assert sheet["A2"].value == "=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"


#
# Lookups importers share
#


@pytest.mark.parametrize(
    ("text", "full_name"),
    [
        ("广东省 深圳市 南山区", "广东省 深圳市 南山区"),
        ("广东深圳南山", "广东省 深圳市 南山区"),
        ("深圳市南山区", "广东省 深圳市 南山区"),
        ("440305", "广东省 深圳市 南山区"),
        ("北京 朝阳区", "北京市 朝阳区"),
        ("北京市", "北京市"),
        ("北京市 北京市", "北京市"),
        ("上海市 上海市 浦东新区", "上海市 浦东新区"),
        ("广西 南宁", "广西壮族自治区 南宁市"),
        ("内蒙古自治区", "内蒙古自治区"),
    ],
)
def test_regions_are_resolved_from_what_people_type(text, full_name):
    from keshang.core.models import Region

    load_regions()
    resolver = importing.RegionResolver()
    pk, message = resolver.resolve(text)
    assert message is None
    assert Region.objects.get(pk=pk).full_name == full_name


@pytest.mark.parametrize(
    ("text", "message"),
    [("南山区", "不唯一"), ("火星省", "无法识别"), ("999999", "不存在")],
)
def test_regions_that_are_ambiguous_or_unknown_get_a_message(text, message):
    load_regions()
    pk, error = importing.RegionResolver().resolve(text)
    assert pk is None and message in error


def test_countries_are_known_by_english_and_chinese_names_and_codes():
    assert importing.country_code("Germany") == importing.country_code("德国") == "DE"
    assert importing.country_code("UK") == importing.country_code("United Kingdom") == "GB"
    assert importing.country_code("USA") == importing.country_code("us") == "US"
    assert importing.country_code("中国") == "CN"
    assert importing.country_code("Atlantis") is None
