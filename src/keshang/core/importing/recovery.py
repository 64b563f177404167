"""Crashed runs: a process killed in the middle of a step (SIGKILL, out of memory, power loss) cannot mark its
job failed itself. The Huey consumer's start-up, ``keshang serve`` and a five-minute sweep do it for them
(:func:`fail_orphaned_imports`), judging each running job by its runner's process and its last heartbeat."""

from __future__ import annotations

import logging
import os
import socket
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import AuditAction, ImportJob, ImportStatus
from .jobs import RUNNING, job_state
from .progress import last_beat

__all__ = ["fail_orphaned_imports"]

logger = logging.getLogger(__name__)

# A job handed to Huey that no process ever took up (a lost task) is given up after this long.
UNCLAIMED_SECONDS = 24 * 3600


def stale_seconds() -> int:
    """A run that has not reported for this long is taken as dead (a batch takes seconds, not minutes)."""
    return int(getattr(settings, "KESHANG_IMPORT_STALE_SECONDS", 600))


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
    started = job.started_at.timestamp() if job.started_at else 0.0
    return max(last_beat(job.pk), started)


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
    for job in ImportJob.objects.unscoped().filter(status__in=RUNNING):
        if not _is_orphaned(job, now):
            continue
        with transaction.atomic():
            before = job_state(job)
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
                after=job_state(job),
                message=job.message,
            )
        logger.warning("import %s: its process (%s) is gone; marked failed", job.pk, job.runner or "-")
        count += 1
    return count
