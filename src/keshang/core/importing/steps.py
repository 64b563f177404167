"""The steps of an import a user takes, as services: upload (``create_import_job``), mapping
(``set_import_mapping``), validation (``start_validation``) and commit (``start_commit``). A step that reads the
rows runs now for a small file or as a Huey job for a large one (``jobs.run_import_job``)."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..exceptions import ApplicationError
from ..models import AuditAction, ImportJob, ImportStatus
from ..permissions import Action
from .base import DuplicatePolicy, Importer, ImportFileError
from .files import inspect_file, max_bytes
from .jobs import RUNNING, importer_for, job_state, run_import_job

__all__ = ["list_import_jobs", "create_import_job", "set_import_mapping", "start_validation", "start_commit"]

ALLOWED_EXTENSIONS = (".xlsx", ".csv", ".txt")


def inline_rows() -> int:
    """Up to this many rows a step runs within the request; above it, as a background job."""
    return int(getattr(settings, "KESHANG_IMPORT_INLINE_ROWS", 500))


#
# Reads
#


def list_import_jobs(*, user, action: str = Action.VIEW):
    return ImportJob.objects.visible_to(user, action).select_related("created_by")


#
# Services
#


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
    importer = importer_for(kind)
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
        audit.record(actor=actor, obj=job, action=AuditAction.CREATE, after=job_state(job))
    return job


def set_import_mapping(
    *, actor, job: ImportJob, columns: dict[str, int | None], policy: str, options: dict | None = None
) -> ImportJob:
    """Set which column feeds which field, the duplicate policy and the options; the job must be validated
    again afterwards. Raises ValidationError naming the fields that are wrong, after marking the job failed
    with them; a corrected mapping may be set on a failed job."""
    importer = importer_for(job.kind)
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
        if job.status in (*RUNNING, ImportStatus.DONE):
            raise ApplicationError(_("该导入已开始或已完成，不能再修改。"), code="import_locked")
        before = job_state(job)
        job.mapping = {**job.mapping, "columns": chosen, "options": option_values}
        job.policy = policy
        job.status = ImportStatus.UPLOADED
        job.full_clean()
        job.save()
        audit.record(actor=actor, obj=job, action=AuditAction.UPDATE, before=before, after=job_state(job))
    return job


def _fail_mapping(*, actor, job: ImportJob, errors: dict[str, list[str]]) -> None:
    """A refused mapping fails the job with the reasons, so it does not wait in "uploaded" for ever (a script's
    or the command line's job is never looked at again); a corrected mapping may still be set afterwards.
    A job that is running or done is left alone: the mapping is refused for it anyway."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (*RUNNING, ImportStatus.DONE):
            return
        before = job_state(job)
        reasons = "；".join(message for messages in errors.values() for message in messages)
        job.status = ImportStatus.FAILED
        job.message = (_("列对应有误：%(reasons)s") % {"reasons": reasons})[:500]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        audit.record(
            actor=actor, obj=job, action=AuditAction.STATE, before=before, after=job_state(job), message=job.message
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
    importer_for(job.kind).check_grants(actor if getattr(actor, "is_authenticated", False) else None, job.policy)
    with transaction.atomic():
        if not _claim(job, allowed=(ImportStatus.UPLOADED, ImportStatus.VALIDATED), status=ImportStatus.VALIDATING):
            raise ApplicationError(_("该导入正在处理或已完成。"), code="import_locked")
        _dispatch(job, commit=False)
    job.refresh_from_db()
    return job


def start_commit(*, actor, job: ImportJob) -> ImportJob:
    """Write the validated rows: all or nothing. Refused while the preview shows rejected rows."""
    importer_for(job.kind).check_grants(actor if getattr(actor, "is_authenticated", False) else None, job.policy)
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
