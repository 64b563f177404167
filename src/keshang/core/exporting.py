"""CSV and Excel export from the list's own filtered, scoped queryset (STYLE.md §10), audited."""

from __future__ import annotations

import csv
import io
from itertools import islice

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from . import audit
from .models import AuditAction
from .tables import Table

__all__ = ["EXPORT_FORMATS", "export_response", "neutralise_formula"]

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_BATCH = 2000


def neutralise_formula(text: str) -> str:
    """Spreadsheet formula injection: a cell that starts with = + - @ (or a tab/CR) is prefixed with '."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _rows(table: Table, queryset):
    columns = table.export_columns()
    yield [str(column.verbose_name) for column in columns]
    iterator = queryset.iterator(chunk_size=EXPORT_BATCH)
    while batch := list(islice(iterator, EXPORT_BATCH)):
        table.masker.prepare(batch)
        for obj in batch:
            yield [neutralise_formula(table.cell(obj, column)) for column in columns]


class _Echo:
    def write(self, value):
        return value


def export_response(*, user, queryset, table: Table, fmt: str, basename: str, description: str) -> HttpResponse:
    """Stream the rows as CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or build an .xlsx."""
    filename = f"{basename}-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
    audit.record_event(
        actor=user, action=AuditAction.EXPORT, message=f"{description} {fmt.upper()} ({queryset.count()})"
    )
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            for row in _rows(table, queryset):
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(basename[:31])
        for row in _rows(table, queryset):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
