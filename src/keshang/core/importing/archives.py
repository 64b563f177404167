"""Zip containers (.xlsx, .docx, OpenDocument…) checked before anything expands them: damaged or
truncated archives, zip bombs (a huge unpacked size, an abnormal compression ratio) and, for workbooks,
sheets whose cells span more than the reader can hold (issue 6).

The last one matters because python-calamine builds a sheet as one rectangle from its first to its last
cell: a 5 KB file with a cell in A1 and another in XFD1048576 asks for 512 GB and aborts the whole
process (a Rust allocation failure, not a Python exception). So every XML part is streamed through
:func:`check_archive` with a scanner that follows rows and cells as calamine does, and the workbook is
refused before calamine ever sees it.

Attachments use the same check without the scanner: they are stored and served, never parsed, but a
bomb is refused there too rather than handed to the next person who opens it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

__all__ = ["ArchiveError", "SheetExtent", "max_unpacked_bytes", "check_archive", "MAX_RATIO"]

# Office XML compresses 5–20 times; deflate's own maximum is about 1,030. Checked on parts over 1 MB
# unpacked, where a bomb has to be (a small part may compress as well as it likes).
MAX_RATIO = 100
RATIO_MIN_BYTES = 1024 * 1024
CHUNK_BYTES = 1024 * 1024
# Enough to hold a start tag cut by a chunk boundary.
CARRY_BYTES = 64 * 1024


def max_unpacked_bytes() -> int:
    """The most the parts of one zip container may add up to once unpacked."""
    return int(getattr(settings, "KESHANG_MAX_UNPACKED_BYTES", 256 * 1024 * 1024))


class ArchiveError(Exception):
    """The archive is refused; ``message`` says why, in words for the person who uploaded it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _damaged() -> ArchiveError:
    return ArchiveError(_("文件已损坏或不完整（压缩包无法完整读取），请重新保存后再上传。"))


def _bomb() -> ArchiveError:
    return ArchiveError(_("文件解压后的内容异常庞大（疑似“压缩炸弹”），已拒绝。"))


#
# Sheets: the rectangle calamine would allocate
#

# A row or cell start tag, with or without a namespace prefix, and its attributes.
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]([^>]*)")
_REF = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,10})"')


@dataclass
class SheetExtent:
    """The rows and columns (1-based) spanned by the cells of every worksheet in a workbook."""

    min_row: int = 0
    max_row: int = 0
    min_column: int = 0
    max_column: int = 0

    @property
    def rows(self) -> int:
        return self.max_row - self.min_row + 1 if self.max_row else 0

    @property
    def columns(self) -> int:
        return self.max_column - self.min_column + 1 if self.max_column else 0


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index


class _SheetScanner:
    """Follows one XML part's rows and cells the way calamine places them: a row or cell without an ``r``
    attribute comes right after the previous one. Fed in chunks; an element cut at a chunk's end is kept
    for the next one."""

    def __init__(self, extent: SheetExtent):
        self.extent = extent
        self.row = 0
        self.column = 0
        self.carry = b""

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        data = self.carry + chunk
        end = len(data)
        last = data.rfind(b"<")
        if not final and last != -1 and data.find(b">", last) == -1:
            end = last  # a start tag cut by the chunk's end: read it whole with the next chunk
            if len(data) - end > CARRY_BYTES:
                raise _bomb()  # no sheet has a tag this long; carrying it on would copy it again and again
        row, column, extent = self.row, self.column, self.extent
        for match in _ELEMENT.finditer(data, 0, end):
            ref = _REF.search(match.group(2))
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if match.group(1) == b"row":
                row = int(digits) if digits else row + 1
                column = 0
                continue
            if digits:
                row = int(digits)
            column = _column_index(letters) if letters else column + 1
            # Inlined SheetExtent.add(): this loop runs once per cell of a 200,000-row file.
            if not extent.max_row:
                extent.min_row = extent.max_row = row
                extent.min_column = extent.max_column = column
            if row > extent.max_row:
                extent.max_row = row
            elif row < extent.min_row:
                extent.min_row = row
            if column > extent.max_column:
                extent.max_column = column
            elif column < extent.min_column:
                extent.min_column = column
        self.row, self.column = row, column
        self.carry = data[end:]


#
# The check
#


def check_archive(handle, *, sheets: bool = False) -> SheetExtent | None:
    """Read every part of the zip in ``handle`` once, in chunks, and raise :class:`ArchiveError` when it
    is damaged, truncated, encrypted, or unpacks to more than :func:`max_unpacked_bytes` or at a ratio
    over :data:`MAX_RATIO`. With ``sheets``, also return the extent of the workbook's cells.

    The sizes a zip declares are checked first (nothing is unpacked from a bomb that admits it), then
    counted while unpacking (zipfile stops at the declared size and checks the CRC, so a part that lies
    about its size fails as damaged).
    """
    limit = max_unpacked_bytes()
    extent = SheetExtent() if sheets else None
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            declared = 0
            for member in members:
                declared += member.file_size
                if declared > limit:
                    raise ArchiveError(
                        _("文件解压后超过 %(size)s，已拒绝（疑似“压缩炸弹”）。") % {"size": filesizeformat(limit)}
                    )
                if member.file_size > RATIO_MIN_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                    raise _bomb()
            unpacked = 0
            for member in members:
                if member.is_dir():
                    continue
                scanner = _SheetScanner(extent) if sheets and member.filename.lower().endswith(".xml") else None
                with archive.open(member) as part:
                    while chunk := part.read(CHUNK_BYTES):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise _bomb()
                        if scanner:
                            scanner.feed(chunk)
                if scanner:
                    scanner.feed(b"", final=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
        # RuntimeError: an encrypted part; NotImplementedError: a compression method zipfile lacks.
        raise _damaged() from None
    finally:
        handle.seek(0)
    return extent
