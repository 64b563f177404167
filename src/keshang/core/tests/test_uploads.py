"""Hostile and broken uploads (issue 6): zip bombs built as .xlsx/.docx (a huge unpacked size, an abnormal
compression ratio, a shared-strings bomb, cells or rows spread over a gigantic rectangle), truncated and
random files, undecodable CSV and empty files are refused with a Chinese message and leave nothing behind,
through the import page, the import API and attachments; exports of hostile names never become formulas.

The bombs are made here: a real workbook from openpyxl with one part swapped for a generated one.
"""

from __future__ import annotations

import csv
import io
import os
import random
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from keshang.core import attachments, importing
from keshang.core.models import Attachment, ImportJob
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def workbook(sheet: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A real .xlsx (名称/电话 and one partner) whose first sheet is ``sheet`` when given, plus ``extra`` parts."""
    book = Workbook()
    book.active.append(["名称", "电话"])
    book.active.append(["深圳测试贸易有限公司", "0755-12345678"])
    source = io.BytesIO()
    book.save(source)
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source.getvalue())) as original,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet
            archive.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return output.getvalue()


def sheet_of(*rows: bytes) -> bytes:
    return SHEET_HEAD + b"".join(rows) + SHEET_TAIL


def far_apart_cells() -> bytes:
    """Two cells, A1 and XFD1048576: a 5 KB file whose rectangle is 17 billion cells (calamine asked for
    512 GB and aborted the whole process before the fix)."""
    return workbook(
        sheet_of(
            b'<row r="1">' + text_cell("A1", "名称") + b"</row>",
            b'<row r="1048576">' + text_cell("XFD1048576", "x") + b"</row>",
        )
    )


def rows_far_apart() -> bytes:
    """A header and one row three million rows further down: millions of rows in a few bytes."""
    return workbook(
        sheet_of(
            b'<row r="1">' + text_cell("A1", "名称") + b"</row>",
            b'<row r="3000000">' + text_cell("A3000000", "x") + b"</row>",
        )
    )


def rows_without_numbers(count: int) -> bytes:
    """Rows without an ``r`` attribute (allowed by the format): each comes after the previous one."""
    row = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' + b"</row>"
    return workbook(sheet_of(b'<row r="1">' + text_cell("A1", "名称") + b"</row>", row * count))


def wide_row() -> bytes:
    """One row of 600 cells without references: wider than any import."""
    return workbook(sheet_of(b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 600 + b"</row>"))


def ratio_bomb() -> bytes:
    """A 4 MB sheet of one repeated cell that compresses about 500 times."""
    row = b"<row>" + text_cell("A1", "x" * 40) + b"</row>"
    return workbook(sheet_of(row * (4 * 1024 * 1024 // len(row))))


def shared_strings_bomb() -> bytes:
    """A normal sheet and a shared-strings part of 3 MB of one string, compressing several hundred times."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>" + b"A" * 3 * 1024 * 1024 + b"</t></si></sst>"
    return workbook(extra={"xl/sharedStrings.xml": strings})


def oversized_workbook() -> bytes:
    """Parts that add up to more than the unpacked limit (set to 2 MB in these tests) at an ordinary ratio."""
    rng = random.Random(6)
    digits = "".join(rng.choice("0123456789") for _ in range(3 * 1024 * 1024)).encode()
    return workbook(extra={"xl/media/scan.txt": digits})


def truncated_workbook() -> bytes:
    return workbook()[:-200]


def random_bytes() -> bytes:
    return random.Random(42).randbytes(4096)


# (file name, content, what the message must say)
HOSTILE_IMPORTS = [
    ("far-apart-cells.xlsx", far_apart_cells, "文件超过"),
    ("rows-far-apart.xlsx", rows_far_apart, "文件超过"),
    ("unnumbered-rows.xlsx", lambda: rows_without_numbers(300), "文件超过"),
    ("wide-row.xlsx", wide_row, "列数过多"),
    ("ratio-bomb.xlsx", ratio_bomb, "压缩炸弹"),
    ("shared-strings-bomb.xlsx", shared_strings_bomb, "压缩炸弹"),
    ("oversized.xlsx", oversized_workbook, "解压后超过 2.0"),
    ("truncated.xlsx", truncated_workbook, "已损坏"),
    ("random.xlsx", random_bytes, "不是 Excel（.xlsx）或 CSV"),
    ("gbk-and-garbage.csv", lambda: "名称,电话\n".encode("gb18030") + b"\x81\x20\xff\xfe\n" * 3, "无法识别文件的编码"),
    ("empty.csv", lambda: b"", "空"),  # the API's own "提交的是空文件", the page's "文件是空的"
    ("nul-bytes.csv", lambda: "名称,电话\n甲,1\n".encode() + b"\x00" * 16, "不是 Excel（.xlsx）或 CSV"),
]


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    """Small limits so the bombs stay small: 2 MB unpacked, 100 rows; media in a fresh directory."""
    settings.KESHANG_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    settings.KESHANG_IMPORT_MAX_ROWS = 100
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list[str]:
    return [os.path.join(directory, name) for directory, _dirs, names in os.walk(root) for name in names]


@pytest.fixture
def importer_user():
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    grant(user, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    return user


#
# Imports
#


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE_IMPORTS, ids=[case[0] for case in HOSTILE_IMPORTS])
def test_hostile_import_files_are_refused_by_the_api_with_a_field_message_and_nothing_stored(
    importer_user, limits, name, content, message
):
    # given
    client = APIClient()
    client.force_authenticate(importer_user)
    # when
    response = client.post(
        reverse("core-api:importjob-list"),
        # The browser's type claims a spreadsheet: only the content counts.
        {"kind": "partners", "file": SimpleUploadedFile(name, content(), content_type="text/csv")},
        format="multipart",
    )
    # then
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["fields"]["file"])
    assert not ImportJob.objects.exists()
    assert stored_files(limits) == []
    assert not Partner.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [HOSTILE_IMPORTS[0], HOSTILE_IMPORTS[4], HOSTILE_IMPORTS[7], HOSTILE_IMPORTS[9]],
    ids=["far-apart-cells", "ratio-bomb", "truncated", "bad-encoding"],
)
def test_hostile_import_files_are_refused_on_the_upload_page_with_the_reason(
    client, importer_user, limits, name, content, message
):
    # given
    client.force_login(importer_user)
    # when
    response = client.post(
        reverse("core:import_upload", args=["partners"]), {"file": SimpleUploadedFile(name, content())}
    )
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert stored_files(limits) == []


def test_a_workbook_that_only_claims_a_huge_dimension_imports_normally(importer_user):
    # given: a sheet declaring A1:XFD1048576 (a stale range some programs write) with two real rows
    sheet = (
        SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
        + b'<row r="1">'
        + text_cell("A1", "名称")
        + text_cell("B1", "电话")
        + b'</row><row r="2">'
        + text_cell("A2", "深圳测试贸易有限公司")
        + text_cell("B2", "0755-12345678")
        + b"</row>"
        + SHEET_TAIL
    )
    # when
    job = importing.create_import_job(
        actor=importer_user, kind="partners", upload=SimpleUploadedFile("ok.xlsx", workbook(sheet))
    )
    # then: only the cells count, not what the file says about itself
    assert job.total_rows == 1
    assert job.mapping["samples"] == [["深圳测试贸易有限公司", "0755-12345678"]]


def test_a_workbook_at_the_row_limit_is_accepted(importer_user):
    # given: exactly the 100 data rows allowed, written without row numbers
    content = rows_without_numbers(100)
    # when
    job = importing.create_import_job(
        actor=importer_user, kind="partners", upload=SimpleUploadedFile("ok.xlsx", content)
    )
    # then
    assert job.total_rows == 100


def test_a_part_that_lies_about_its_size_is_refused_as_damaged(importer_user, limits):
    # given: a workbook whose sheet's declared sizes (local header and directory) are cut to 100 bytes
    content = bytearray(workbook(sheet_of(b'<row r="1">' + text_cell("A1", "名称") + b"</row>" * 50)))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    assert content.count(real) >= 2
    content = bytearray(bytes(content).replace(real, (100).to_bytes(4, "little")))
    # when
    with pytest.raises(importing.ImportFileError) as error:
        importing.create_import_job(
            actor=importer_user, kind="partners", upload=SimpleUploadedFile("lies.xlsx", bytes(content))
        )
    # then
    assert "已损坏" in error.value.message
    assert stored_files(limits) == []


#
# Attachments
#


@pytest.fixture
def memo():
    owner = UserFactory(department=DepartmentFactory())
    return Memo.objects.create(title="合同备忘", owner=owner, department=owner.department)


HOSTILE_ATTACHMENTS = [
    ("ratio-bomb.xlsx", ratio_bomb, "压缩炸弹"),
    ("shared-strings-bomb.xlsx", shared_strings_bomb, "压缩炸弹"),
    ("oversized.xlsx", oversized_workbook, "解压后超过 2.0"),
    ("truncated.xlsx", truncated_workbook, "已损坏"),
    ("random.xlsx", random_bytes, "不支持此文件类型"),
    ("empty.pdf", lambda: b"", "文件为空"),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), HOSTILE_ATTACHMENTS, ids=[case[0] for case in HOSTILE_ATTACHMENTS]
)
def test_hostile_attachments_are_refused_with_a_message_and_nothing_stored(memo, limits, name, content, message):
    # when
    with pytest.raises(ValidationError) as error:
        attachments.upload_attachment(
            actor=memo.owner, obj=memo, upload=SimpleUploadedFile(name, content(), content_type="application/pdf")
        )
    # then
    assert message in " ".join(error.value.message_dict["file"])
    assert not Attachment.objects.exists()
    assert stored_files(limits) == []


def test_a_bomb_attached_to_a_partner_through_the_api_is_a_400_with_the_reason(limits):
    # given
    rep = UserFactory(department=DepartmentFactory())
    grant(rep, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.OWN)
    partner = PartnerFactory(owner=rep)
    client = APIClient()
    client.force_authenticate(rep)
    url = reverse(attachments.attachment_api_url_name(Partner, "list"), kwargs={"pk": partner.pk})
    # when
    response = client.post(url, {"file": SimpleUploadedFile("报价.xlsx", ratio_bomb())}, format="multipart")
    # then
    assert response.status_code == 400
    assert "压缩炸弹" in str(response.json())
    assert not Attachment.objects.exists()
    assert stored_files(limits) == []


#
# Exports: formula injection
#

HOSTILE_NAMES = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\t=1"]


@pytest.fixture
def exporter():
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.EXPORT], Scope.OWN)
    for name in HOSTILE_NAMES:
        PartnerFactory(name=name, owner=user)
    return user


def is_formula_start(text: str) -> bool:
    return bool(text) and text[0] in "=+-@\t\r"


def test_a_csv_export_of_hostile_partner_names_has_no_cell_a_spreadsheet_would_evaluate(client, exporter):
    # given
    client.force_login(exporter)
    # when
    response = client.get(reverse("partners:partner_list"), {"export": "csv"})
    # then
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("名称")
    names = [row[column] for row in rows[1:]]
    assert len(names) == len(HOSTILE_NAMES)
    assert not [cell for row in rows for cell in row if is_formula_start(cell)]
    stored = set(Partner.objects.values_list("name", flat=True))
    assert {name[1:] for name in names} == stored  # each kept, behind one apostrophe


def test_an_excel_export_of_hostile_partner_names_holds_text_never_formulas(client, exporter):
    # given
    client.force_login(exporter)
    # when
    response = client.get(reverse("partners:partner_list"), {"export": "xlsx"})
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert cells
    assert all(cell.data_type != "f" for cell in cells)
    assert not [cell.value for cell in cells if isinstance(cell.value, str) and is_formula_start(cell.value)]
    column = [cell.value for cell in sheet[1]].index("名称")
    names = {row[column].value for row in sheet.iter_rows(min_row=2)}
    assert {name[1:] for name in names} == set(Partner.objects.values_list("name", flat=True))
