"""The steps of an import as services, driven through the Memo importer (``memo_imports``): mapping, row
validation and duplicates, all-or-nothing commits, background jobs and progress."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings

from keshang.core import importing
from keshang.core.importing import base as importing_base
from keshang.core.importing import progress as importing_progress
from keshang.core.models import AuditAction, AuditEntry, ImportJob, ImportStatus
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import UserFactory, grant

from . import memo_imports
from .memo_imports import HEADER, committed, new_job, report_rows, validated, xlsx

# The Memo importer, registered for every test here, and a rep who may use it (fixtures, from memo_imports).
memo_importer = memo_imports.memo_importer
rep = memo_imports.rep

pytestmark = pytest.mark.django_db


#
# Mapping
#


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
    with pytest.raises(ValidationError) as refused:
        importing.set_import_mapping(actor=rep, job=job, columns={"phone": 1}, policy="skip")
    assert refused.value.message_dict == {"title": ["必须选择“标题”对应的列。"]}
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
    with pytest.raises(ValidationError) as refused:
        importing.set_import_mapping(actor=rep, job=job, columns={}, policy="skip")
    assert refused.value.message_dict == {"title": ["必须选择“标题”对应的列。"]}
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
    with pytest.raises(importing_base.ApplicationError) as refused:
        importing.start_commit(actor=rep, job=job)
    assert refused.value.code == "import_not_validated"
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
