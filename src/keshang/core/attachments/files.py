"""Files in and out: what may be uploaded is checked by content, not by the name or the browser's Content-Type;
stored names are random; a stored file is served only as a download."""

from __future__ import annotations

import codecs
import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..importing.archives import ArchiveError, check_archive

__all__ = [
    "DEFAULT_MAX_BYTES",
    "KINDS",
    "IMAGE_KINDS",
    "max_upload_bytes",
    "CheckedUpload",
    "display_name",
    "check_upload",
    "stored_name",
    "mime_type_for",
    "file_response",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

PDF, PNG, JPEG, GIF, WEBP = "pdf", "png", "jpeg", "gif", "webp"
OOXML_WORD, OOXML_EXCEL, OOXML_POWERPOINT = "docx", "xlsx", "pptx"
ODF_TEXT, ODF_SPREADSHEET, ODF_PRESENTATION = "odt", "ods", "odp"
OLE2, TEXT = "ole2", "text"
IMAGE_KINDS = (PNG, JPEG, GIF, WEBP)

# Each kind of content and the extensions it may carry, with the MIME type it is served as.
KINDS: dict[str, dict[str, str]] = {
    PDF: {".pdf": "application/pdf"},
    PNG: {".png": "image/png"},
    JPEG: {".jpg": "image/jpeg", ".jpeg": "image/jpeg"},
    GIF: {".gif": "image/gif"},
    WEBP: {".webp": "image/webp"},
    OOXML_WORD: {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    OOXML_EXCEL: {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    OOXML_POWERPOINT: {".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    ODF_TEXT: {".odt": "application/vnd.oasis.opendocument.text"},
    ODF_SPREADSHEET: {".ods": "application/vnd.oasis.opendocument.spreadsheet"},
    ODF_PRESENTATION: {".odp": "application/vnd.oasis.opendocument.presentation"},
    # Word 97-2003, Excel 97-2003 and PowerPoint 97-2003 share one container format (OLE2).
    OLE2: {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"},
    TEXT: {".txt": "text/plain", ".csv": "text/csv"},
}

SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
)
ZIP_SIGNATURE = b"PK\x03\x04"
OOXML_PARTS = (
    ("word/document.xml", OOXML_WORD),
    ("xl/workbook.xml", OOXML_EXCEL),
    ("ppt/presentation.xml", OOXML_POWERPOINT),
)
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": ODF_TEXT,
    "application/vnd.oasis.opendocument.spreadsheet": ODF_SPREADSHEET,
    "application/vnd.oasis.opendocument.presentation": ODF_PRESENTATION,
}
# Text that a browser would render as a page or run as script, were it ever shown inline.
MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<?xml")
HEAD_BYTES = 8192
MAX_NAME_LENGTH = 200


def max_upload_bytes() -> int:
    return getattr(settings, "KESHANG_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed :func:`check_upload`: the name to show and the type to serve it as."""

    name: str
    extension: str
    mime_type: str


def _unsupported() -> ValidationError:
    return ValidationError(
        {
            "file": _(
                "不支持此文件类型。可上传 PDF、Word、Excel、PowerPoint（含 WPS/OpenDocument）、"
                "图片（JPG、PNG、GIF、WEBP）和纯文本（TXT、CSV）文件。"
            )
        },
        code="unsupported_type",
    )


def display_name(raw: str) -> str:
    """The uploaded file's own name, made safe to show and to send back: no directories, no control
    characters, at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    stem, extension = os.path.splitext(name)
    if len(name) > MAX_NAME_LENGTH:
        name = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return name


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _zip_kind(upload) -> str | None:
    """OOXML (docx/xlsx/pptx) or OpenDocument: told apart by the parts the archive holds.

    The whole archive is first unpacked once, in chunks and under a limit, and refused when it is
    damaged or a zip bomb (:func:`~keshang.core.importing.archives.check_archive`): whoever downloads
    it later must not be handed either. Then only the table of contents and the tiny ``mimetype`` part
    are read.
    """
    try:
        check_archive(upload)
    except ArchiveError as error:
        raise ValidationError({"file": error.message}, code="damaged_archive") from None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                message = _("不支持含宏的 Office 文件，请另存为不含宏的格式后上传。")
                raise ValidationError({"file": message}, code="macro")
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in OOXML_PARTS if part in names), None)
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return ODF_MIMETYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def _is_plain_text(upload, head: bytes) -> bool:
    """UTF-8 (with or without BOM) or GB18030 text without NUL bytes and without markup at its start."""
    if b"\x00" in head:
        return False
    lowered = head.lower()
    if any(tag in lowered for tag in MARKUP):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            for chunk in upload.chunks():
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
        return True
    return False


def _content_kind(upload) -> str | None:
    head = _read_head(upload)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(ZIP_SIGNATURE):
        return _zip_kind(upload)
    return TEXT if _is_plain_text(upload, head) else None


def check_upload(upload, *, kinds: frozenset[str] | None = None) -> CheckedUpload:
    """Refuse (``ValidationError`` on ``file``) an empty or oversized file, content of a type not on
    the list (executables, HTML, SVG, archives…) or not among ``kinds`` when given, or content that does
    not match its extension (an .exe renamed .pdf)."""
    limit = max_upload_bytes()
    if not upload.size:
        raise ValidationError({"file": _("文件为空。")}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            {"file": _("文件不能超过 %(size)s。") % {"size": filesizeformat(limit)}}, code="too_large"
        )
    name = display_name(upload.name)
    extension = os.path.splitext(name)[1].lower()
    kind = _content_kind(upload)
    if kind is None:
        raise _unsupported()
    if kinds is not None and kind not in kinds:
        allowed = "、".join(extension for allowed_kind in sorted(kinds) for extension in KINDS[allowed_kind])
        raise ValidationError(
            {"file": _("这里只能上传以下类型的文件：%(types)s。") % {"types": allowed}}, code="kind_not_allowed"
        )
    mime_type = KINDS[kind].get(extension)
    if mime_type is None:
        expected = "、".join(KINDS[kind])
        raise ValidationError(
            {"file": _("文件内容与扩展名“%(extension)s”不符，应为 %(expected)s。") % {
                "extension": extension or _("无"), "expected": expected}},
            code="extension_mismatch",
        )  # fmt: skip
    return CheckedUpload(name=name, extension=extension, mime_type=mime_type)


def stored_name(extension: str) -> str:
    """The name a file is stored under: random, so nothing the uploader chose reaches the file system."""
    return f"{uuid.uuid4().hex}{extension}"


def mime_type_for(name: str) -> str:
    """The type a stored file with this name is served as (its extension passed :func:`check_upload`)."""
    extension = os.path.splitext(name)[1].lower()
    return next((kind[extension] for kind in KINDS.values() if extension in kind), "application/octet-stream")


def file_response(field_file, *, name: str, mime_type: str = "") -> FileResponse:
    """Stream a stored file as a download under ``name``; a browser never renders or sniffs it."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("文件已不存在。")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=mime_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
