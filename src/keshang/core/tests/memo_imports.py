"""A small importer of the test-only Memo model, registered for each test that imports this module's
``memo_importer`` fixture, and what the import tests share: a rep who may import memos, uploads, jobs at
each step, the error report's rows."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from keshang.core import importing
from keshang.core.importing import base as importing_base
from keshang.core.models import ImportJob
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

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
