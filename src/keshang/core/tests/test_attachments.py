"""Attachments' services: what may be uploaded (checked by content), the size limit, storage through
Django's storage API under generated names, the audit trail, and reads that follow the parent.

The parent here is scopeapp's Memo; the pages and API are tested on partners
(partners/tests/test_suppliers_attachments.py), where a model is registered as attachable.
"""

import io
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keshang.core import attachments
from keshang.core.models import Attachment, AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.testing.files import PDF_BYTES as PDF
from keshang.core.testing.files import png_bytes
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    """A zip archive with fixed timestamps, so parametrized test ids are the same in every xdist worker."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


ACCEPTED = [
    ("报价单.pdf", PDF, "application/pdf"),
    ("营业执照.PNG", png_bytes(), "image/png"),
    ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
    ("合同.docx", zip_bytes(DOCX), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("旧报表.xls", OLE2, "application/vnd.ms-excel"),
    ("名单.csv", "名称,电话\n华为,0755\n".encode(), "text/csv"),
    ("说明.txt", "国标编码的说明文字".encode("gb18030"), "text/plain"),
]


REFUSED = [
    ("报价单.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64 + b"This program cannot be run"),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64),
    ("linux.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    ("页面.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("页面.txt", b"<html><body>hello</body></html>"),
    ("图标.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("图标.txt", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ("归档.zip", zip_bytes({"payload.exe": b"MZ"})),
    ("宏.docx", zip_bytes({**DOCX, "word/vbaProject.bin": b"macro"})),
]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def memo(db):
    owner = UserFactory(department=DepartmentFactory())
    return Memo.objects.create(title="合同备忘", owner=owner, department=owner.department)


#
# What may be uploaded
#


@pytest.mark.parametrize(("name", "content", "mime_type"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_office_pdf_image_and_text_files_are_accepted_with_the_type_of_their_content(name, content, mime_type):
    # when
    checked = attachments.check_upload(upload(name, content))
    # then
    assert checked.name == name
    assert checked.mime_type == mime_type


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[row[0] for row in REFUSED])
def test_executables_markup_archives_and_macros_are_refused_whatever_their_name(name, content):
    # when
    with pytest.raises(ValidationError) as refused:
        attachments.check_upload(upload(name, content))
    # then
    assert "file" in refused.value.message_dict


def test_content_that_does_not_match_its_extension_is_refused_with_the_expected_extension():
    # given: a real PNG named as a PDF
    renamed = upload("扫描件.pdf", png_bytes())
    # when
    with pytest.raises(ValidationError) as refused:
        attachments.check_upload(renamed)
    # then
    assert refused.value.message_dict["file"] == ["文件内容与扩展名“.pdf”不符，应为 .png。"]


def test_files_over_the_limit_and_empty_files_are_refused(settings):
    # given
    settings.KESHANG_ATTACHMENT_MAX_BYTES = 1024 * 1024
    just_fits = upload("大.txt", b"a" * (1024 * 1024))
    too_big = upload("太大.txt", b"a" * (1024 * 1024 + 1))
    # when
    attachments.check_upload(just_fits)
    with pytest.raises(ValidationError) as refused_big:
        attachments.check_upload(too_big)
    with pytest.raises(ValidationError) as refused_empty:
        attachments.check_upload(upload("空.txt", b""))
    # then
    assert refused_big.value.message_dict["file"] == ["文件不能超过 1.0\xa0MB。"]
    assert refused_empty.value.message_dict["file"] == ["文件为空。"]


def test_the_default_limit_is_20_mb(settings):
    # given
    del settings.KESHANG_ATTACHMENT_MAX_BYTES
    # then
    assert attachments.max_upload_bytes() == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\fakepath\\报价单.pdf", "报价单.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("合同\x00\r\n.pdf", "合同.pdf"),
        ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
    ],
)
def test_display_names_lose_directories_and_control_characters_and_keep_their_extension(raw, shown):
    assert attachments.display_name(raw) == shown


#
# Upload, storage, audit, delete
#


def test_an_upload_is_stored_through_the_storage_api_under_a_generated_name_and_audited(media, memo):
    # given
    actor = memo.owner
    # when
    attachment = attachments.upload_attachment(actor=actor, obj=memo, upload=upload("../报价单.pdf", PDF))
    # then
    stored = media / attachment.file.name
    assert stored.read_bytes() == PDF
    assert attachment.file.name.startswith("attachments/") and "报价单" not in attachment.file.name
    assert (attachment.name, attachment.size, attachment.mime_type) == ("报价单.pdf", len(PDF), "application/pdf")
    assert attachment.uploaded_by == actor
    attachment_type = ContentType.objects.get_for_model(Attachment)
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, content_type=attachment_type)
    assert entry.user == actor
    assert entry.related_object_id == str(memo.pk)
    assert list(AuditEntry.objects.for_object(memo)) == [entry]


def test_a_refused_upload_writes_nothing(media, memo):
    # when
    with pytest.raises(ValidationError) as refused:
        attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload("病毒.pdf", b"MZ\x90\x00" * 20))
    # (a Django validator's error: no code, its field and message say which rule refused)
    assert refused.value.message_dict["file"][0].startswith("不支持此文件类型。")
    # then
    assert not Attachment.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_deleting_removes_the_stored_file_after_commit_and_is_audited(media, memo, django_capture_on_commit_callbacks):
    # given
    attachment = attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload("报价单.pdf", PDF))
    stored = media / attachment.file.name
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachments.delete_attachment(actor=memo.owner, attachment=attachment, parent=memo)
    # then: the file outlives the row until the deletion commits
    assert not Attachment.objects.exists()
    assert stored.exists()
    for callback in callbacks:
        callback()
    assert not stored.exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.related_object_id == str(memo.pk) and entry.before["name"] == "报价单.pdf"


def test_deleting_a_records_attachments_removes_them_all(media, memo, django_capture_on_commit_callbacks):
    # given
    for name in ("a.pdf", "b.pdf"):
        attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload(name, PDF))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        count = attachments.delete_attachments_of(actor=memo.owner, obj=memo)
    # then
    assert count == 2
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_moving_attachments_reattaches_them_and_records_it_on_both_records(media, memo):
    # given
    survivor = Memo.objects.create(title="保留的备忘", owner=memo.owner, department=memo.department)
    attachment = attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload("a.pdf", PDF))
    # when
    moved = attachments.move_attachments(actor=memo.owner, source=memo, target=survivor)
    # then
    assert moved == 1
    assert list(Attachment.objects.for_object(survivor)) == [attachment]
    assert not Attachment.objects.for_object(memo).exists()
    assert AuditEntry.objects.for_object(memo).filter(action=AuditAction.UPDATE).count() == 1
    assert AuditEntry.objects.for_object(survivor).filter(action=AuditAction.UPDATE).count() == 1


#
# Reads follow the parent
#


def test_attachments_are_listed_only_to_users_who_may_view_their_parent(media, memo):
    # given
    attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload("a.pdf", PDF))
    colleague = UserFactory(department=memo.department)
    stranger = UserFactory(department=DepartmentFactory())
    for user in (colleague, stranger):
        grant(user, "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    # when
    seen_by_colleague = attachments.list_attachments(user=colleague, obj=memo)
    seen_by_stranger = attachments.list_attachments(user=stranger, obj=memo)
    seen_for_change = attachments.list_attachments(user=colleague, obj=memo, action=Action.CHANGE)
    # then
    assert [attachment.name for attachment in seen_by_colleague] == ["a.pdf"]
    assert not seen_by_stranger.exists()
    assert not seen_for_change.exists()


def test_a_download_is_an_attachment_under_its_original_name_and_never_sniffed(media, memo):
    # given
    attachment = attachments.upload_attachment(actor=memo.owner, obj=memo, upload=upload("报价单.pdf", PDF))
    # when
    response = attachments.file_response(attachment.file, name=attachment.name, mime_type=attachment.mime_type)
    # then
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
