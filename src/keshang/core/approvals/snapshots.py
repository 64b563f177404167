"""What changed between the last approved snapshot of a document and the one now waiting for approval.

A snapshot is ``{"fields": [[label, value], …], "lines": {"headers": […], "rows": [[…], …]}}`` (see
``registry.Approvable``). Fields are matched by label. Lines have no id in a snapshot, so a line is matched
by its first cell (the product, normally) and, when several lines share it, by its place among them; a line
whose first cell changed therefore reads as one line removed and one added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SnapshotChange", "snapshot_changes", "snapshot_display"]

# A quantity, price or amount as snapshots write them: 12000, 0.850000, -3.5, 1,234.50.
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class SnapshotChange:
    """One difference. ``kind`` is "field" or "line"; ``status`` "changed", "added" or "removed".
    For a field, ``before``/``after`` are its values; for a line, its rows (None on the missing side) and
    ``columns`` the headers of the cells that differ."""

    kind: str
    status: str
    label: str
    before: object = None
    after: object = None
    columns: tuple[str, ...] = field(default=())


def _fields(snapshot: dict | None) -> dict[str, object]:
    return {str(label): value for label, value in (snapshot or {}).get("fields", [])}


def _lines(snapshot: dict | None) -> tuple[list[str], dict[tuple[str, int], list]]:
    lines = (snapshot or {}).get("lines") or {}
    headers = [str(header) for header in lines.get("headers", [])]
    keyed: dict[tuple[str, int], list] = {}
    seen: dict[str, int] = {}
    for row in lines.get("rows", []):
        first = str(row[0]) if row else ""
        keyed[(first, seen.get(first, 0))] = list(row)
        seen[first] = seen.get(first, 0) + 1
    return headers, keyed


def _cells(headers: list[str], row: list) -> dict[str, object]:
    return {header: row[index] if index < len(row) else None for index, header in enumerate(headers)}


def snapshot_changes(request) -> list[SnapshotChange]:
    """Field-level and line-level differences from ``request.previous_snapshot`` to ``request.snapshot``;
    empty when there is no previous approved snapshot to compare with."""
    if request.previous_snapshot is None:
        return []
    before_fields, after_fields = _fields(request.previous_snapshot), _fields(request.snapshot)
    changes = []
    for label, value in after_fields.items():
        if label not in before_fields:
            changes.append(SnapshotChange("field", "added", label, None, value))
        elif before_fields[label] != value:
            changes.append(SnapshotChange("field", "changed", label, before_fields[label], value))
    for label, value in before_fields.items():
        if label not in after_fields:
            changes.append(SnapshotChange("field", "removed", label, value, None))
    before_headers, before_rows = _lines(request.previous_snapshot)
    after_headers, after_rows = _lines(request.snapshot)
    for key, row in after_rows.items():
        old = before_rows.get(key)
        if old is None:
            changes.append(SnapshotChange("line", "added", key[0], None, row))
            continue
        old_cells, new_cells = _cells(before_headers, old), _cells(after_headers, row)
        differing = tuple(header for header in after_headers if old_cells.get(header) != new_cells.get(header))
        if differing:
            changes.append(SnapshotChange("line", "changed", key[0], old, row, differing))
    for key, row in before_rows.items():
        if key not in after_rows:
            changes.append(SnapshotChange("line", "removed", key[0], row, None))
    return changes


def _numeric_columns(headers: list[str], rows: list[list]) -> list[bool]:
    """Per column: whether every filled cell is a number (quantities, prices, amounts: right-aligned on the page)."""
    numeric = []
    for index in range(len(headers)):
        values = [row[index] for row in rows if index < len(row) and row[index] not in (None, "")]
        numeric.append(bool(values) and all(_NUMBER.match(str(value).strip()) for value in values))
    return numeric


def snapshot_display(request) -> dict:
    """The snapshot laid out for the request page, each field and cell marked when it changed:
    ``fields``: [(label, value, previous, changed)], ``headers``: [(header, numeric)], ``rows``: [(status,
    [(value, previous, changed, numeric)])] with removed lines last, and ``compared`` (whether there was a
    previous snapshot). ``numeric`` columns hold only numbers, so the page aligns them right."""
    changes = snapshot_changes(request)
    changed_fields = {change.label: change for change in changes if change.kind == "field"}
    fields = []
    for label, value in (request.snapshot or {}).get("fields", []):
        change = changed_fields.get(str(label))
        fields.append((label, value, change.before if change else None, change is not None))
    headers, after_rows = _lines(request.snapshot)
    before_headers, before_rows = _lines(request.previous_snapshot)
    numeric = _numeric_columns(headers, list(after_rows.values()))
    compared = request.previous_snapshot is not None
    rows = []
    for key, row in after_rows.items():
        old = before_rows.get(key)
        if not compared:
            status = ""
        elif old is None:
            status = "added"
        else:
            status = "unchanged"
        old_cells = _cells(before_headers, old) if old is not None else {}
        cells = []
        for (header, value), is_numeric in zip(_cells(headers, row).items(), numeric, strict=True):
            previous = old_cells.get(header)
            changed = status == "unchanged" and previous != value
            cells.append((value, previous if changed else None, changed, is_numeric))
        if any(changed for _value, _previous, changed, _numeric in cells):
            status = "changed"
        rows.append((status, cells))
    for key, row in before_rows.items():
        if compared and key not in after_rows:
            old_cells = _cells(before_headers, row)
            rows.append(
                (
                    "removed",
                    [
                        (old_cells.get(header), None, False, is_numeric)
                        for header, is_numeric in zip(headers, numeric, strict=True)
                    ],
                )
            )
    return {
        "fields": fields,
        "headers": list(zip(headers, numeric, strict=True)),
        "rows": rows,
        "compared": compared,
        "changes": changes,
    }
