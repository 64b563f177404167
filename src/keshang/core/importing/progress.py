"""What a running step tells the others: its progress and its heartbeat, through Huey's key-value store.

A commit runs in one open transaction: on SQLite it holds the only write lock, and no other connection sees its
uncommitted rows, so neither its progress nor a sign that it is alive can go through the job row. Huey's store is
the one channel that transaction does not block. A validation writes its progress to the job row."""

from __future__ import annotations

import logging
import os
import socket
import time

from ..models import ImportJob, ImportStatus

__all__ = ["import_progress"]

logger = logging.getLogger(__name__)


def huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def progress_key(job_pk: int) -> str:
    return f"keshang:import-progress:{job_pk}"


def heartbeat_key(job_pk: int) -> str:
    return f"keshang:import-heartbeat:{job_pk}"


def import_progress(job: ImportJob) -> int:
    """Rows processed so far. A commit reports through Huey's store, the only channel its open
    transaction does not block; everything else through the job row."""
    if job.status == ImportStatus.IMPORTING:
        try:
            value = huey().get(progress_key(job.pk), peek=True)
        except Exception:  # the progress bar must not break the page; the job row still has the status
            logger.warning("import %s: progress unavailable", job.pk, exc_info=True)
            value = None
        return int(value or 0)
    return job.processed_rows


def report_progress(job: ImportJob, processed: int, *, in_transaction: bool) -> None:
    beat(job.pk)
    if in_transaction:
        try:
            huey().put(progress_key(job.pk), processed)
        except Exception:  # progress is informative only: an unreachable Redis must not fail the import
            logger.warning("import %s: could not publish progress", job.pk, exc_info=True)
    else:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)


def this_runner() -> str:
    """The process running a step, as the job records it (``host:pid``)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def beat(job_pk: int) -> None:
    """Say this run is alive, through Huey's store: the commit's open transaction keeps the job row's
    changes invisible to everyone else (and on SQLite holds the only write lock)."""
    try:
        huey().put(heartbeat_key(job_pk), time.time())
    except Exception:  # informative only, as progress is; a run without beats is judged by started_at
        logger.warning("import %s: could not record the heartbeat", job_pk, exc_info=True)


def last_beat(job_pk: int) -> float:
    """When the run last said it was alive (0 when it never did, or the store cannot tell)."""
    try:
        value = huey().get(heartbeat_key(job_pk), peek=True)
    except Exception:
        logger.warning("import %s: heartbeat unavailable", job_pk, exc_info=True)
        value = None
    return float(value or 0)


def forget(job_pk: int, *, commit: bool) -> None:
    """A run that ended, however it ended, leaves no heartbeat (nor a commit's progress) behind."""
    try:
        huey().delete(heartbeat_key(job_pk))
        if commit:
            huey().delete(progress_key(job_pk))
    except Exception:
        logger.warning("import %s: could not clear progress", job_pk, exc_info=True)
