"""Running a step of an import: one pass over the file's rows as the job's creator — the preview (nothing is
written) or the commit (one transaction, batch by batch, all or nothing) — and what the run records on the job.
The steps a user takes are in ``steps``; progress and heartbeats in ``progress``; crashed runs in ``recovery``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..exceptions import ApplicationError
from ..models import AuditAction, ImportJob, ImportStatus
from ..statistics import refresh_statistics
from .base import Importer, ImportFileError, Row, get_importer
from .files import ErrorReport, open_rows
from .progress import beat, forget, report_progress, this_runner

__all__ = ["run_import_job"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_LISTED = 1000  # entries kept on the job for the preview page; the error report has every row

RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)

_AUDITED_FIELDS = (
    "kind",
    "original_name",
    "status",
    "policy",
    "total_rows",
    "created_count",
    "updated_count",
    "skipped_count",
    "error_count",
)


def job_state(job: ImportJob) -> dict:
    """What the audit trail keeps of a job: its outcome and choices, not every row's messages (the
    records it wrote have entries of their own)."""
    state = {name: getattr(job, name) for name in _AUDITED_FIELDS}
    state["columns"] = job.mapping.get("columns", {})
    state["options"] = job.mapping.get("options", {})
    return state


def importer_for(kind: str) -> type[Importer]:
    importer = get_importer(kind)
    if importer is None:
        raise ApplicationError(_("未知的导入类型：%(kind)s。") % {"kind": kind}, code="unknown_import_kind")
    return importer


class _Rejected(Exception):
    """Raised inside the commit's transaction to roll it back when any row was rejected."""


@dataclass
class _Pass:
    """What one pass over the rows found: counts, the entries listed on the job, and the report."""

    report: ErrorReport
    counts: dict[str, int] = field(default_factory=lambda: {Row.CREATE: 0, Row.UPDATE: 0, Row.SKIP: 0, "error": 0})
    entries: list[dict] = field(default_factory=list)
    processed: int = 0
    listed: dict[str, int] = field(default_factory=lambda: {"error": 0, "notice": 0})

    def list_entry(self, row: Row, label: str, level: str, messages: list[str]) -> None:
        if self.listed[level] < MAX_LISTED:
            self.listed[level] += 1
            self.entries.append({"line": row.line, "label": label[:100], "level": level, "messages": messages})


def _process(job: ImportJob, importer: Importer, *, commit: bool, result: _Pass) -> None:
    columns = {name: int(index) for name, index in job.mapping.get("columns", {}).items()}
    header_row = int(job.mapping.get("header_row", 1))
    seen: dict[tuple[str, str], int] = {}
    targets: dict[object, int] = {}
    writing = commit
    batch: list[Row] = []

    def flush() -> None:
        nonlocal writing
        if writing and any(row.errors for row in batch):
            writing = False  # the transaction will roll back: keep checking, stop writing
        if writing:
            importer.write([row for row in batch if row.action in (Row.CREATE, Row.UPDATE)])
        for row in batch:
            label = importer.describe(row)
            if row.errors:
                writing = False
                result.counts["error"] += 1
                result.report.add(row)
                result.list_entry(row, label, "error", row.errors)
            else:
                result.counts[row.action] += 1
                if row.notices:
                    result.list_entry(row, label, "notice", row.notices)
        result.processed += len(batch)
        batch.clear()
        report_progress(job, result.processed, in_transaction=commit)

    with job.file.open("rb") as handle:
        for line, cells in open_rows(handle, checked=True):  # checked when it was uploaded
            if line <= header_row:
                continue
            values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
            row = Row(line=line, cells=cells, values=values)
            importer.clean(row)
            if not row.errors:
                for key, what in importer.identities(row):
                    first = seen.setdefault((what, key), line)
                    if first != line:
                        row.error(_("与第 %(line)s 行重复（%(what)s相同）。") % {"line": first, "what": what})
            if not row.errors:
                importer.resolve(row)
            if not row.errors and row.action == Row.UPDATE and row.target is not None:
                first = targets.setdefault(row.target, line)
                if first != line:
                    row.error(_("与第 %(line)s 行对应同一条已有记录。") % {"line": first})
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                flush()
    flush()


def _finish(job: ImportJob, result: _Pass, *, status: str, message: str) -> None:
    job.status = status
    job.processed_rows = result.processed
    job.created_count = result.counts[Row.CREATE]
    job.updated_count = result.counts[Row.UPDATE]
    job.skipped_count = result.counts[Row.SKIP]
    job.error_count = result.counts["error"]
    job.errors = sorted(result.entries, key=lambda entry: entry["line"])
    job.message = message[:500]
    job.finished_at = timezone.now()
    result.report.save_to(job)
    job.save()


def _summary(result: _Pass) -> dict[str, int]:
    counts = result.counts
    return {"created": counts[Row.CREATE], "updated": counts[Row.UPDATE], "skipped": counts[Row.SKIP]}


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    return job


def _take(job: ImportJob, *, commit: bool) -> bool:
    """Mark the job as run by this process (committed before any row is read), or refuse a job that was
    given up meanwhile (failed by :func:`.recovery.fail_orphaned_imports`) or already done."""
    status = ImportStatus.IMPORTING if commit else ImportStatus.VALIDATING
    allowed = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, *RUNNING)
    with transaction.atomic():
        taken = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
            status=status, runner=this_runner(), started_at=timezone.now(), finished_at=None
        )
    beat(job.pk)
    job.refresh_from_db()
    return bool(taken)


def run_import_job(*, job_pk: int, commit: bool) -> ImportJob:
    """One pass over the job's rows as its creator: the preview (``commit=False``) or the import.

    The commit runs in one transaction, batch by batch (bulk writes where the importer has them), and
    rolls back entirely if any row is rejected: the job then shows every rejected row and its report.
    """
    # Unscoped: the job is run for whoever started it, whose grants the importer applies.
    job = ImportJob.objects.unscoped().select_related("created_by").get(pk=job_pk)
    if not _take(job, commit=commit):
        logger.warning("import %s: not run, it is %s (%s)", job.pk, job.status, job.message)
        return job
    importer_class = importer_for(job.kind)
    actor = job.created_by
    result = _Pass(report=ErrorReport(job.mapping.get("headers", [])))
    try:
        importer_class.check_grants(actor, job.policy)
        importer = importer_class(actor=actor, policy=job.policy, options=job.mapping.get("options"))
        if not commit:
            importer.prepare()
            _process(job, importer, commit=False, result=result)
            message = _("校验完成：共 %(total)s 行，%(errors)s 行有错误。") % {
                "total": result.processed,
                "errors": result.counts["error"],
            }
            _finish(job, result, status=ImportStatus.VALIDATED, message=message)
            return job
        before = job_state(job)
        with transaction.atomic():
            importer.prepare()
            _process(job, importer, commit=True, result=result)
            if result.counts["error"]:
                raise _Rejected
            message = _("导入完成：新增 %(created)s 条，更新 %(updated)s 条，跳过 %(skipped)s 条。") % _summary(result)
            _finish(job, result, status=ImportStatus.DONE, message=message)
            audit.record(
                actor=actor, obj=job, action=AuditAction.STATE, before=before, after=job_state(job), message=message
            )
        _refresh_statistics(job)
    except _Rejected:
        message = _("有 %(count)s 行数据有误，已全部撤销，未写入任何数据。") % {"count": result.counts["error"]}
        _finish(job, result, status=ImportStatus.FAILED, message=message)
    except (ImportFileError, PermissionDenied) as error:
        _fail(job, error.message if isinstance(error, ApplicationError) else str(error))
    except DatabaseError:
        logger.exception("import %s: database error", job.pk)
        _fail(job, _("写入数据库时出错（可能与他人同时修改了相同的数据），未写入任何数据，请重新校验后再试。"))
    except Exception:
        # An unexpected error must not leave the job "running" forever; it is still raised and logged.
        _fail(job, _("导入时发生内部错误，未写入任何数据。请联系管理员。"))
        raise
    finally:
        forget(job.pk, commit=commit)
    return job


def _refresh_statistics(job: ImportJob) -> None:
    """Thousands of new rows change what the planner should do (core.statistics); the import itself is done
    and committed, so a failure here is only logged."""
    try:
        refresh_statistics()
    except DatabaseError:
        logger.warning("import %s: could not refresh the planner's statistics", job.pk, exc_info=True)
