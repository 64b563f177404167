"""The import pages and API, driven through the Memo importer (``memo_imports``): the wizard's steps, its
grants and scope, the htmx progress fragment, downloads, and the REST flow (upload, validate, commit)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from keshang.core import importing
from keshang.core.models import ImportJob, ImportStatus
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

from . import memo_imports
from .memo_imports import HEADER, make_rep, new_job, validated

# The Memo importer, registered for every test here (an autouse fixture, from memo_imports).
memo_importer = memo_imports.memo_importer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_rep()


def csv_file(content: str, name: str = "memos.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def client_of(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


#
# Pages
#


def test_the_upload_page_lists_the_columns_and_links_the_template(client_of, rep):
    response = client_of(rep).get(reverse("core:import_upload", args=["memos"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "标题" in content and reverse("core:import_template", args=["memos"]) in content


@pytest.mark.parametrize(
    "grants",
    [[], [("core.importjob", [Action.VIEW, Action.ADD])], [("scopeapp.memo", [Action.VIEW, Action.ADD])]],
    ids=["nothing", "imports-only", "memos-only"],
)
def test_the_upload_page_needs_both_the_import_and_the_records_grant(client_of, grants):
    user = UserFactory()
    for resource, actions in grants:
        grant(user, resource, actions, Scope.OWN)
    assert client_of(user).get(reverse("core:import_upload", args=["memos"])).status_code == 403


def test_an_unknown_kind_is_not_found(client_of, rep):
    assert client_of(rep).get(reverse("core:import_upload", args=["nothing"])).status_code == 404


def test_a_malformed_upload_shows_the_reason_and_creates_no_job(client_of, rep):
    # when
    response = client_of(rep).post(
        reverse("core:import_upload", args=["memos"]), {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02binary")}
    )
    # then
    assert response.status_code == 200
    assert "不是 Excel（.xlsx）或 CSV" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_wizard_shows_the_errors_writes_nothing_then_imports_the_fixed_file(
    client_of, rep, django_capture_on_commit_callbacks
):
    client = client_of(rep)
    # given: a file with one bad row
    response = client.post(reverse("core:import_upload", args=["memos"]), {"file": csv_file(HEADER + "甲,1\n乙,x\n")})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:importjob_mapping", args=[job.pk])
    mapping = client.get(response["Location"])
    assert mapping.status_code == 200
    # when: the suggested mapping is confirmed (the check runs once the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"column_title": "0", "column_phone": "1", "policy": "skip"})
    # then: the preview lists the bad row, offers no confirmation, and nothing was written
    preview = client.get(response["Location"]).content.decode()
    assert "电话只能是数字。" in preview
    assert reverse("core:importjob_confirm", args=[job.pk]) not in preview
    assert reverse("core:importjob_errors", args=[job.pk]) in preview
    assert client.post(reverse("core:importjob_confirm", args=[job.pk])).status_code == 302
    assert not Memo.objects.exists()
    # when: the fixed file goes through the same steps and is confirmed
    client.post(reverse("core:import_upload", args=["memos"]), {"file": csv_file(HEADER + "甲,1\n乙,2\n")})
    fixed = ImportJob.objects.latest("pk")
    choices = {"column_title": "0", "column_phone": "1", "policy": "skip"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:importjob_mapping", args=[fixed.pk]), choices)
    preview = client.get(reverse("core:importjob_detail", args=[fixed.pk])).content.decode()
    assert reverse("core:importjob_confirm", args=[fixed.pk]) in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:importjob_confirm", args=[fixed.pk]))
    # then
    result = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 2 条" in result
    assert set(Memo.objects.values_list("title", flat=True)) == {"甲", "乙"}


def test_the_mapping_page_names_the_missing_required_column_and_the_job_fails_with_it(client_of, rep):
    job = new_job(rep, HEADER + "甲,1\n")
    response = client_of(rep).post(
        reverse("core:importjob_mapping", args=[job.pk]), {"column_title": "", "column_phone": "1", "policy": "skip"}
    )
    assert response.status_code == 200
    assert "必须选择“标题”对应的列。" in response.content.decode()
    # the job says why it stopped, and its page offers the mapping again
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, "列对应有误：必须选择“标题”对应的列。")
    page = client_of(rep).get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    assert job.message in page and reverse("core:importjob_mapping", args=[job.pk]) in page


def test_the_progress_fragment_polls_while_running_and_asks_for_a_reload_when_done(client_of, rep):
    # given
    job = new_job(rep, HEADER + "甲,1\n乙,2\n")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, processed_rows=1)
    client = client_of(rep)
    # when
    running = client.get(reverse("core:importjob_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    page = client.get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATED)
    finished = client.get(reverse("core:importjob_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    # then
    assert "已处理 1 / 2 行" in running.content.decode()
    assert "<html" not in running.content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert finished["HX-Refresh"] == "true"


def test_someone_elses_job_is_not_found_and_only_its_creator_moves_it_on(client_of, rep):
    # given: a colleague's validated job; an administrator who sees every job
    job = validated(new_job(rep, HEADER + "甲,1\n"))
    colleague = UserFactory(department=rep.department)
    grant(colleague, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    grant(colleague, "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.ALL)
    admin = UserFactory()
    grant(admin, "core.importjob", [Action.VIEW, Action.ADD], Scope.ALL)
    grant(admin, "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.ALL)
    # when / then
    assert client_of(colleague).get(reverse("core:importjob_detail", args=[job.pk])).status_code == 404
    assert client_of(admin).get(reverse("core:importjob_detail", args=[job.pk])).status_code == 200
    assert client_of(admin).post(reverse("core:importjob_confirm", args=[job.pk])).status_code == 404
    assert client_of(admin).get(reverse("core:importjob_mapping", args=[job.pk])).status_code == 404
    assert not Memo.objects.exists()


def test_the_error_report_and_template_download_as_workbooks(client_of, rep):
    job = validated(new_job(rep, HEADER + "甲,x\n"))
    client = client_of(rep)
    report = client.get(reverse("core:importjob_errors", args=[job.pk]))
    template = client.get(reverse("core:import_template", args=["memos"]))
    assert report.status_code == template.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1] == ("甲", "x", 2, "电话只能是数字。")
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "标题*"


def test_a_job_without_rejected_rows_has_no_report(client_of, rep):
    job = validated(new_job(rep, HEADER + "甲,1\n"))
    assert client_of(rep).get(reverse("core:importjob_errors", args=[job.pk])).status_code == 404


def test_the_job_list_shows_only_the_users_own_imports(client_of, rep):
    mine = new_job(rep, HEADER + "甲,1\n", name="我的.csv")
    other = UserFactory()
    grant(other, "scopeapp.memo", [Action.ADD], Scope.OWN)
    new_job(other, HEADER + "甲,1\n", name="别人的.csv")
    content = client_of(rep).get(reverse("core:importjob_list")).content.decode()
    assert mine.original_name in content and "别人的.csv" not in content
    assert "备忘" in content  # the importer's name, not its kind


#
# API
#


class TestImportJobAPI(APIResourceTests):
    resource = "core.importjob"
    basename = "core-api:importjob"
    scope = Scope.OWN
    supports_write = False

    def make_object(self, *, ctx, inside):
        owner = ctx.actor if inside else ctx.stranger
        return ImportJob.objects.create(kind="memos", original_name="a.csv", file="imports/a.csv", created_by=owner)


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_api_uploads_validates_and_commits(rep, django_capture_on_commit_callbacks):
    client = api_client(rep)
    # when: upload
    response = client.post(
        reverse("core-api:importjob-list"),
        {"kind": "memos", "file": csv_file("主题,Tel\n甲,1\n乙,2\n"), "policy": "skip"},
        format="multipart",
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["headers"], body["columns"]) == ("uploaded", ["主题", "Tel"], {"title": 0, "phone": 1})
    url = reverse("core-api:importjob-detail", args=[body["id"]])
    # when: validate with the suggested mapping, then commit
    with django_capture_on_commit_callbacks(execute=True):
        validated_ = client.post(f"{url}validate/", {}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        committed_ = client.post(f"{url}commit/", format="json")
    # then: each step answers at once (202 while running; here Huey runs it as the transaction commits)
    assert validated_.status_code == committed_.status_code == 202
    job = client.get(url).json()
    assert (job["status"], job["created_count"], job["processed_rows"]) == ("done", 2, 2)
    assert Memo.objects.count() == 2


def test_the_api_refuses_to_commit_rows_with_errors_and_serves_their_report(rep, django_capture_on_commit_callbacks):
    # given
    job = new_job(rep, HEADER + "甲,x\n")
    client = api_client(rep)
    url = reverse("core-api:importjob-detail", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}validate/", {"columns": {"title": 0, "phone": 1}}, format="json")
    # when
    response = client.post(f"{url}commit/", format="json")
    report = client.get(f"{url}error-report/")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "import_has_errors"
    assert report.status_code == 200
    assert not Memo.objects.exists()


def test_the_api_answers_a_malformed_file_with_a_field_message(rep):
    response = api_client(rep).post(
        reverse("core-api:importjob-list"),
        {"kind": "memos", "file": SimpleUploadedFile("a.csv", b"")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "import_file")
    assert not ImportJob.objects.exists()


def test_the_api_lets_only_the_creator_validate(rep):
    job = new_job(rep, HEADER + "甲,1\n")
    admin = UserFactory(department=DepartmentFactory())
    grant(admin, "core.importjob", [Action.VIEW, Action.ADD], Scope.ALL)
    grant(admin, "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.ALL)
    url = reverse("core-api:importjob-detail", args=[job.pk])
    assert api_client(admin).post(f"{url}validate/", {}, format="json").status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.UPLOADED


def test_the_api_serves_an_importers_template(rep):
    response = api_client(rep).get(reverse("core-api:importjob-template", kwargs={"kind": "memos"}))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "标题*"


def test_the_framework_registers_its_resource():
    from keshang.core.permissions import get_resource

    resource = get_resource("core.importjob")
    assert resource.scoped and set(resource.actions) == {Action.VIEW, Action.ADD}
    assert importing.get_importer("memos") is not None
