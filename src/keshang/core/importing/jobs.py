"""The steps of an import as services (upload, mapping, validation, commit), the pass over the rows
that validation and commit share, and the progress the page polls."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..exceptions import ApplicationError
from ..models import AuditAction, ImportJob, ImportStatus
from ..permissions import Action
from ..statistics import refresh_statistics
from .base import DuplicatePolicy, Importer, ImportFileError, Row, get_importer
from .files import ErrorReport, inspect_file, max_bytes, open_rows

__all__ = [
    "list_import_jobs",
    "create_import_job",
    "set_import_mapping",
    "start_validation",
    "start_commit",
    "run_import_job",
    "import_progress",
    "fail_orphaned_imports",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_LISTED = 1000  # entries kept on the job for the preview page; the error report has every row


def inline_rows() -> int:
    """Up to this many rows a step runs within the request; above it, as a background job."""
    return int(getattr(settings, "KESHANG_IMPORT_INLINE_ROWS", 500))


#
# Reads
#


def list_import_jobs(*, user, action: str = Action.VIEW):
    return ImportJob.objects.visible_to(user, action).select_related("created_by")


#
# Services: the steps of an import
#

ALLOWED_EXTENSIONS = (".xlsx", ".csv", ".txt")
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


def _job_state(job: ImportJob) -> dict:
    """What the audit trail keeps of a job: its outcome and choices, not every row's messages (the
    records it wrote have entries of their own)."""
    state = {name: getattr(job, name) for name in _AUDITED_FIELDS}
    state["columns"] = job.mapping.get("columns", {})
    state["options"] = job.mapping.get("options", {})
    return state


_RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def _importer_for(kind: str) -> type[Importer]:
    importer = get_importer(kind)
    if importer is None:
        raise ApplicationError(_("未知的导入类型：%(kind)s。") % {"kind": kind}, code="unknown_import_kind")
    return importer


def _clean_options(importer: type[Importer], options: dict | None) -> dict[str, str]:
    values = {}
    for option in importer.options:
        value = (options or {}).get(option.name) or option.default
        if value not in dict(option.choices):
            raise ValidationError({option.name: _("“%(value)s”不是有效的选项。") % {"value": value}})
        values[option.name] = value
    return values


def create_import_job(
    *, actor, kind: str, upload, policy: str = DuplicatePolicy.SKIP, options: dict | None = None
) -> ImportJob:
    """Store an uploaded file as a new import: checked, its header found and its columns suggested."""
    importer = _importer_for(kind)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    importer.check_grants(actor, policy)
    if policy not in importer.policies:
        raise ValidationError({"policy": _("“%(value)s”不是有效的重复处理方式。") % {"value": policy}})
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ImportFileError(_("只能导入 .xlsx 或 .csv 文件。"))
    if upload.size > max_bytes():
        raise ImportFileError(_("文件超过 %(size)s MB 的上限。") % {"size": max_bytes() // (1024 * 1024)})
    if upload.size == 0:
        raise ImportFileError(_("文件是空的。"))
    upload.seek(0)
    summary = inspect_file(upload, importer.fields)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            original_name=name[:200],
            policy=policy,
            total_rows=summary.total_rows,
            created_by=actor,
            mapping={
                "header_row": summary.header_row,
                "headers": summary.headers,
                "samples": summary.samples,
                "columns": summary.columns,
                "options": _clean_options(importer, options),
            },
        )
        # A name of our own: the user's file name is kept in original_name, never used as a path.
        job.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
        job.full_clean()
        job.save()
        audit.record(actor=actor, obj=job, action=AuditAction.CREATE, after=_job_state(job))
    return job


def set_import_mapping(
    *, actor, job: ImportJob, columns: dict[str, int | None], policy: str, options: dict | None = None
) -> ImportJob:
    """Set which column feeds which field, the duplicate policy and the options; the job must be validated
    again afterwards. Raises ValidationError naming the fields that are wrong, after marking the job failed
    with them; a corrected mapping may be set on a failed job."""
    importer = _importer_for(job.kind)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    importer.check_grants(actor, policy)
    errors: dict[str, list[str]] = {}
    if policy not in importer.policies:
        errors["policy"] = [_("“%(value)s”不是有效的重复处理方式。") % {"value": policy}]
    headers = job.mapping.get("headers", [])
    chosen: dict[str, int] = {}
    used: dict[int, str] = {}
    fields = importer.field_map()
    for name, value in columns.items():
        if name not in fields or value is None or value == "":
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(headers):
            errors[name] = [_("所选的列不存在。")]
        elif index in used:
            errors[name] = [
                _("“%(column)s”列已对应“%(field)s”。") % {"column": headers[index], "field": fields[used[index]].label}
            ]
        else:
            used[index] = name
            chosen[name] = index
    for item in importer.fields:
        if item.required and item.name not in chosen and item.name not in errors:
            errors[item.name] = [_("必须选择“%(field)s”对应的列。") % {"field": item.label}]
    try:
        option_values = _clean_options(importer, options)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        _fail_mapping(actor=actor, job=job, errors=errors)
        raise ValidationError(errors)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (*_RUNNING, ImportStatus.DONE):
            raise ApplicationError(_("该导入已开始或已完成，不能再修改。"), code="import_locked")
        before = _job_state(job)
        job.mapping = {**job.mapping, "columns": chosen, "options": option_values}
        job.policy = policy
        job.status = ImportStatus.UPLOADED
        job.full_clean()
        job.save()
        audit.record(actor=actor, obj=job, action=AuditAction.UPDATE, before=before, after=_job_state(job))
    return job


def _fail_mapping(*, actor, job: ImportJob, errors: dict[str, list[str]]) -> None:
    """A refused mapping fails the job with the reasons, so it does not wait in "uploaded" for ever (a script's
    or the command line's job is never looked at again); a corrected mapping may still be set afterwards.
    A job that is running or done is left alone: the mapping is refused for it anyway."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (*_RUNNING, ImportStatus.DONE):
            return
        before = _job_state(job)
        reasons = "；".join(message for messages in errors.values() for message in messages)
        job.status = ImportStatus.FAILED
        job.message = (_("列对应有误：%(reasons)s") % {"reasons": reasons})[:500]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        audit.record(
            actor=actor, obj=job, action=AuditAction.STATE, before=before, after=_job_state(job), message=job.message
        )


def _dispatch(job: ImportJob, *, commit: bool) -> None:
    """Run a step now (small files) or hand it to the Huey consumer once the status change is committed."""
    if job.total_rows <= inline_rows():
        transaction.on_commit(lambda: run_import_job(job_pk=job.pk, commit=commit))
    else:
        from ..tasks import run_import_task

        transaction.on_commit(lambda: run_import_task(job.pk, commit=commit))


def _claim(job: ImportJob, *, allowed: tuple[str, ...], status: str) -> bool:
    """Move the job to ``status`` if it is still in one of ``allowed``: a double click starts one run."""
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
        status=status, processed_rows=0, started_at=timezone.now(), finished_at=None
    )
    return bool(claimed)


def start_validation(*, actor, job: ImportJob) -> ImportJob:
    """Check every row (the preview); nothing is written."""
    _importer_for(job.kind).check_grants(actor if getattr(actor, "is_authenticated", False) else None, job.policy)
    with transaction.atomic():
        if not _claim(job, allowed=(ImportStatus.UPLOADED, ImportStatus.VALIDATED), status=ImportStatus.VALIDATING):
            raise ApplicationError(_("该导入正在处理或已完成。"), code="import_locked")
        _dispatch(job, commit=False)
    job.refresh_from_db()
    return job


def start_commit(*, actor, job: ImportJob) -> ImportJob:
    """Write the validated rows: all or nothing. Refused while the preview shows rejected rows."""
    _importer_for(job.kind).check_grants(actor if getattr(actor, "is_authenticated", False) else None, job.policy)
    if job.status != ImportStatus.VALIDATED:
        raise ApplicationError(_("请先校验数据，再确认导入。"), code="import_not_validated")
    if job.error_count:
        raise ApplicationError(
            _("有 %(count)s 行数据有误，修正后重新上传；在此之前不会写入任何数据。") % {"count": job.error_count},
            code="import_has_errors",
        )
    with transaction.atomic():
        if not _claim(job, allowed=(ImportStatus.VALIDATED,), status=ImportStatus.IMPORTING):
            raise ApplicationError(_("该导入正在处理或已完成。"), code="import_locked")
        _dispatch(job, commit=True)
    job.refresh_from_db()
    return job


#
# The pass over the rows (validation and commit)
#


def _progress_key(job_pk: int) -> str:
    return f"keshang:import-progress:{job_pk}"


def _huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def import_progress(job: ImportJob) -> int:
    """Rows processed so far. A commit reports through Huey's store, the only channel its open
    transaction does not block; everything else through the job row."""
    if job.status == ImportStatus.IMPORTING:
        try:
            value = _huey().get(_progress_key(job.pk), peek=True)
        except Exception:  # the progress bar must not break the page; the job row still has the status
            logger.warning("import %s: progress unavailable", job.pk, exc_info=True)
            value = None
        return int(value or 0)
    return job.processed_rows


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
        _report_progress(job, result.processed, in_transaction=commit)

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


def _report_progress(job: ImportJob, processed: int, *, in_transaction: bool) -> None:
    _beat(job.pk)
    if in_transaction:
        try:
            _huey().put(_progress_key(job.pk), processed)
        except Exception:  # progress is informative only: an unreachable Redis must not fail the import
            logger.warning("import %s: could not publish progress", job.pk, exc_info=True)
    else:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)


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
    importer_class = _importer_for(job.kind)
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
        before = _job_state(job)
        with transaction.atomic():
            importer.prepare()
            _process(job, importer, commit=True, result=result)
            if result.counts["error"]:
                raise _Rejected
            message = _("导入完成：新增 %(created)s 条，更新 %(updated)s 条，跳过 %(skipped)s 条。") % _summary(result)
            _finish(job, result, status=ImportStatus.DONE, message=message)
            audit.record(
                actor=actor, obj=job, action=AuditAction.STATE, before=before, after=_job_state(job), message=message
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
        try:
            _huey().delete(_heartbeat_key(job.pk))
            if commit:
                _huey().delete(_progress_key(job.pk))
        except Exception:
            logger.warning("import %s: could not clear progress", job.pk, exc_info=True)
    return job


def _refresh_statistics(job: ImportJob) -> None:
    """Thousands of new rows change what the planner should do (core.statistics); the import itself is done
    and committed, so a failure here is only logged."""
    try:
        refresh_statistics()
    except DatabaseError:
        logger.warning("import %s: could not refresh the planner's statistics", job.pk, exc_info=True)


#
# Crashed runs: a process killed mid-import (SIGKILL, OOM, power loss) cannot mark its job failed itself
#

# A job handed to Huey that no process ever took up (a lost task) is given up after this long.
UNCLAIMED_SECONDS = 24 * 3600


def stale_seconds() -> int:
    """A run that has not reported for this long is taken as dead (a batch takes seconds, not minutes)."""
    return int(getattr(settings, "KESHANG_IMPORT_STALE_SECONDS", 600))


def _this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _heartbeat_key(job_pk: int) -> str:
    return f"keshang:import-heartbeat:{job_pk}"


def _beat(job_pk: int) -> None:
    """Say this run is alive, through Huey's store: the commit's open transaction keeps the job row's
    changes invisible to everyone else (and on SQLite holds the only write lock)."""
    try:
        _huey().put(_heartbeat_key(job_pk), time.time())
    except Exception:  # informative only, as progress is; a run without beats is judged by started_at
        logger.warning("import %s: could not record the heartbeat", job_pk, exc_info=True)


def _take(job: ImportJob, *, commit: bool) -> bool:
    """Mark the job as run by this process (committed before any row is read), or refuse a job that was
    given up meanwhile (failed by :func:`fail_orphaned_imports`) or already done."""
    status = ImportStatus.IMPORTING if commit else ImportStatus.VALIDATING
    allowed = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, *_RUNNING)
    with transaction.atomic():
        taken = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
            status=status, runner=_this_runner(), started_at=timezone.now(), finished_at=None
        )
    _beat(job.pk)
    job.refresh_from_db()
    return bool(taken)


def _process_is_gone(runner: str) -> bool:
    """True when ``runner`` ran on this machine and its process no longer exists. A process on another
    machine, or a reused process id, is left to the heartbeat's age."""
    host, _separator, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def _last_sign_of_life(job: ImportJob) -> float:
    try:
        beat = _huey().get(_heartbeat_key(job.pk), peek=True)
    except Exception:
        logger.warning("import %s: heartbeat unavailable", job.pk, exc_info=True)
        beat = None
    started = job.started_at.timestamp() if job.started_at else 0.0
    return max(float(beat or 0), started)


def _is_orphaned(job: ImportJob, now: float) -> bool:
    if not job.runner:
        return now - _last_sign_of_life(job) > UNCLAIMED_SECONDS
    return _process_is_gone(job.runner) or now - _last_sign_of_life(job) > stale_seconds()


def fail_orphaned_imports() -> int:
    """Mark failed every validation or import whose process died: on this machine, one whose process is
    gone; anywhere, one silent for :func:`stale_seconds`. Run when the Huey consumer and ``keshang serve``
    start and every few minutes. Returns how many were marked.

    A commit's writes die with its process: the transaction was never committed, so the database holds
    nothing of it (docs/architecture.md, "Operations"), and the job only needs saying so.
    """
    now = time.time()
    count = 0
    # Unscoped: a system sweep over everyone's jobs; it changes only their status.
    for job in ImportJob.objects.unscoped().filter(status__in=_RUNNING):
        if not _is_orphaned(job, now):
            continue
        with transaction.atomic():
            before = _job_state(job)
            # Only if nothing moved it meanwhile (a run that finished, or another sweep).
            failed = ImportJob.objects.filter(pk=job.pk, status=job.status, runner=job.runner).update(
                status=ImportStatus.FAILED,
                message=_("导入进程意外中断，请重新导入"),
                finished_at=timezone.now(),
            )
            if not failed:
                continue
            job.refresh_from_db()
            audit.record(
                actor=None,
                obj=job,
                action=AuditAction.STATE,
                before=before,
                after=_job_state(job),
                message=job.message,
            )
        logger.warning("import %s: its process (%s) is gone; marked failed", job.pk, job.runner or "-")
        count += 1
    return count
