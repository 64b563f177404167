"""Reading uploaded files (.xlsx through calamine, text through the csv module, recognised by content),
finding the header and suggesting the columns; writing the template and the error report (.xlsx)."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import python_calamine
from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import ImportJob
from .archives import ArchiveError, check_archive
from .base import Importer, ImportField, ImportFileError, Row, normalise_header

__all__ = [
    "max_bytes",
    "max_rows",
    "MAX_CELLS",
    "open_rows",
    "FileSummary",
    "suggest_columns",
    "inspect_file",
    "build_template",
    "ErrorReport",
]

HEADER_SCAN_ROWS = 10  # the header may sit under a title row or two
MAX_COLUMNS = 500
# The most cells a sheet's rectangle may hold: calamine allocates 32 bytes for each (about 190 MB here),
# and a 200,000-row file of the partner template's 24 columns fits.
MAX_CELLS = 6_000_000
SAMPLE_ROWS = 3
SNIFF_BYTES = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "KESHANG_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "KESHANG_IMPORT_MAX_ROWS", 200_000))


#
# Reading files: .xlsx through calamine, text through the csv module; rows as lists of strings
#

_XLSX_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
# Bytes that never occur in a text file (NUL and the C0 controls but tab, LF, FF, CR and ESC).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _cell_text(value) -> str:
    """An Excel cell as the text the user sees: 13800138000 rather than 13800138000.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise ImportFileError(_("文件列数过多（超过 %(count)s 列）。") % {"count": MAX_COLUMNS})
    return cells


def _check_workbook(handle: IO[bytes]) -> None:
    """Refuse a damaged workbook or a bomb before calamine expands it (see :mod:`.archives`): the cells'
    rectangle must fit the row, column and cell limits, whatever the file claims about itself."""
    try:
        extent = check_archive(handle, sheets=True)
    except ArchiveError as error:
        raise ImportFileError(error.message) from None
    rows_allowed = max_rows() + HEADER_SCAN_ROWS
    if extent.rows > rows_allowed:
        raise ImportFileError(_("文件超过 %(count)s 行，请拆分后分批导入。") % {"count": f"{max_rows():,}"})
    if extent.columns > MAX_COLUMNS:
        raise ImportFileError(_("文件列数过多（超过 %(count)s 列）。") % {"count": MAX_COLUMNS})
    if extent.rows * extent.columns > MAX_CELLS:
        raise ImportFileError(
            _("文件的单元格过多（%(rows)s 行 × %(columns)s 列），请拆分后分批导入。")
            % {"rows": f"{extent.rows:,}", "columns": extent.columns}
        )


def _xlsx_rows(handle: IO[bytes], *, checked: bool) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(handle) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                raise ImportFileError(_("文件不是有效的 Excel（.xlsx）文件。"))
        handle.seek(0)
        if not checked:
            _check_workbook(handle)
        workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
        sheet = workbook.get_sheet_by_index(0)
        for cells in sheet.iter_rows():
            yield _trimmed([_cell_text(value) for value in cells])
    except (zipfile.BadZipFile, python_calamine.CalamineError, EOFError, ValueError, OSError):
        raise ImportFileError(_("Excel 文件已损坏或不完整，请重新保存后再上传。")) from None


def _text_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode 文本": tab-separated UTF-16
    if _BINARY_BYTES.search(sample):
        raise ImportFileError(_("文件不是 Excel（.xlsx）或 CSV 文本文件。"))
    for encoding in ("utf-8", "gb18030"):
        try:
            # Not final: the sample may end in the middle of a character.
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(_("无法识别文件的编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 文件。"))


def _delimiter(first_line: str) -> str:
    """Comma, unless the header line is clearly tab- or semicolon-separated (Excel in some locales)."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _csv_rows(handle: IO[bytes]) -> Iterator[list[str]]:
    sample = handle.read(SNIFF_BYTES)
    handle.seek(0)
    encoding = _text_encoding(sample)
    stream = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        first_line = stream.readline()
        stream.seek(0)
        reader = csv.reader(stream, delimiter=_delimiter(first_line))
        for cells in reader:
            yield _trimmed([cell.strip() for cell in cells])
    except UnicodeDecodeError:
        raise ImportFileError(
            _("文件中有无法按 %(encoding)s 读取的字符，请另存为 UTF-8 编码的 CSV。") % {"encoding": encoding.upper()}
        ) from None
    except csv.Error as error:
        raise ImportFileError(_("CSV 格式有误：%(error)s") % {"error": error}) from None
    finally:
        stream.detach()


def open_rows(handle: IO[bytes], *, checked: bool = False) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` for every row that is not blank, by the file's content: .xlsx or CSV text.

    Raises :class:`ImportFileError` for anything else (an .xls, a truncated zip, a binary file renamed .csv,
    a zip bomb). ``checked`` skips the workbook's bomb check for a stored file that passed it on upload:
    the check reads every cell once, which a 200,000-row file feels.
    """
    # Down to the real file: storage and upload wrappers proxy it, and TextIOWrapper wants the real thing.
    while hasattr(handle, "file") and not isinstance(handle, io.IOBase):
        handle = handle.file
    head = handle.read(8)
    handle.seek(0)
    if not head:
        raise ImportFileError(_("文件是空的。"))
    if head.startswith(_OLE2_MAGIC):
        raise ImportFileError(_("不支持旧版 Excel（.xls）或加密的文件，请另存为 .xlsx 或 CSV 后再上传。"))
    rows = _xlsx_rows(handle, checked=checked) if head.startswith(_XLSX_MAGIC) else _csv_rows(handle)
    for line, cells in enumerate(rows, start=1):
        if any(cells):
            yield line, cells


@dataclass(frozen=True)
class FileSummary:
    header_row: int
    headers: list[str]
    samples: list[list[str]]
    total_rows: int
    columns: dict[str, int]


def _header_keys(fields: Iterable[ImportField]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for item in fields:
        for key in item.header_keys():
            keys.setdefault(key, item.name)
    return keys


def suggest_columns(headers: list[str], fields: Iterable[ImportField]) -> dict[str, int]:
    """Field → column index for every header that names a field (the first such column wins)."""
    keys = _header_keys(fields)
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = keys.get(normalise_header(header))
        if name and name not in columns:
            columns[name] = index
    return columns


def inspect_file(handle: IO[bytes], fields: Iterable[ImportField]) -> FileSummary:
    """Read the file once: find the header row (among the first rows, the one naming the most fields),
    suggest the columns, count the data rows; raise :class:`ImportFileError` when it cannot be imported."""
    fields = tuple(fields)
    keys = _header_keys(fields)
    head: list[tuple[int, list[str]]] = []
    total = 0
    rows = open_rows(handle)
    for line, cells in rows:
        head.append((line, cells))
        if len(head) == HEADER_SCAN_ROWS:
            break
    if not head:
        raise ImportFileError(_("文件是空的。"))
    scores = [sum(normalise_header(cell) in keys for cell in cells) for _line, cells in head]
    best = max(range(len(head)), key=lambda index: (scores[index], -index)) if max(scores) else 0
    header_row, headers = head[best]
    samples = [cells for _line, cells in head[best + 1 : best + 1 + SAMPLE_ROWS]]
    total = len(head) - best - 1
    limit = max_rows()
    for _line, _cells in rows:
        total += 1
        if total > limit:
            break  # no need to read the rest of a file that is refused anyway
    if total > limit:
        raise ImportFileError(_("文件超过 %(count)s 行，请拆分后分批导入。") % {"count": f"{limit:,}"})
    if total == 0:
        raise ImportFileError(_("文件中只有表头，没有数据行。"))
    width = max([len(headers), *(len(cells) for cells in samples)])
    headers = headers + [""] * (width - len(headers))
    headers = [header or _("第 %(number)s 列") % {"number": index + 1} for index, header in enumerate(headers)]
    return FileSummary(header_row, headers, samples, total, suggest_columns(headers, fields))


#
# The template and the error report (.xlsx)
#

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def _literal(sheet, value: str) -> WriteOnlyCell:
    """A cell that is text even when it starts with "=": never a formula in a file we hand out."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def build_template(importer: type[Importer]) -> bytes:
    """The importer's template: Chinese headers (required ones marked *), one example row, text-formatted
    columns (so Excel keeps credit codes and phone numbers as typed), and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.verbose_name)[:31]
    for index, item in enumerate(importer.fields, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=f"{item.label}*" if item.required else str(item.label))
        header.font = _HEADER_FONT
        if item.required:
            header.fill = _REQUIRED_FILL
        sheet.cell(row=2, column=index, value=item.example or None).number_format = "@"
        sheet.column_dimensions[letter].width = max(10, len(str(item.label)) * 2 + 4, len(item.example) + 2)
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("必填"), _("说明"), _("也可识别的列名")])
    for cell in notes[1]:
        cell.font = _HEADER_FONT
    for item in importer.fields:
        notes.append([str(item.label), _("是") if item.required else "", str(item.help_text), "、".join(item.synonyms)])
    notes.append([])
    for line in (_("第一个工作表的第一行是表头，第二行是示例，导入前请删除示例行。"), *importer.instructions):
        notes.append([str(line)])
    for letter, width in zip("ABCD", (18, 6, 60, 50), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ErrorReport:
    """The rejected rows, streamed into a write-only workbook: the original header and cells, then
    原行号 and 错误原因. Fixed in Excel, the report itself can be imported again (the two extra columns are
    not mapped)."""

    def __init__(self, headers: list[str]):
        self.headers = headers
        self.count = 0
        self._workbook = None  # made on the first rejected row: most files have none

    def add(self, row: Row) -> None:
        if self._workbook is None:
            self._workbook = Workbook(write_only=True)
            self._sheet = self._workbook.create_sheet(_("错误报告"))
            titles = [_literal(self._sheet, header) for header in self.headers]
            self._sheet.append([*titles, _("原行号"), _("错误原因")])
        cells = row.cells + [""] * (len(self.headers) - len(row.cells))
        self._sheet.append([_literal(self._sheet, cell) for cell in cells] + [row.line, "；".join(row.errors)])
        self.count += 1

    def save_to(self, job: ImportJob) -> None:
        """Attach the report to the job (or clear the old one when nothing was rejected)."""
        if job.error_report:
            job.error_report.delete(save=False)
        if not self.count:
            return
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "report.xlsx")
            self._workbook.save(path)
            stem = os.path.splitext(job.original_name)[0][:80]
            with open(path, "rb") as handle:
                job.error_report.save(f"{stem}-{_('错误报告')}.xlsx", File(handle), save=False)
