"""Background jobs of core, run by the Huey consumer (immediately, in-process, under tests)."""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, on_startup

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients, fail_silently=False)


@db_task()
def run_import_task(job_pk: int, *, commit: bool) -> None:
    """Validate or commit a large import (core.importing). Never retried: a commit is all or nothing, and a
    failed run leaves the job marked failed with its reason for the user to act on."""
    from .importing import run_import_job

    run_import_job(job_pk=job_pk, commit=commit)


#
# Imports whose process died (issue 6)
#


@on_startup()
def fail_orphaned_imports_on_startup() -> None:
    """A consumer starting after a crash finds the imports the crash interrupted and marks them failed."""
    from .importing import fail_orphaned_imports

    try:
        fail_orphaned_imports()
    except Exception:  # the consumer must start even if the database is not reachable yet
        logger.exception("could not check for interrupted imports at start-up")


@db_periodic_task(crontab(minute="*/5"))
def fail_orphaned_imports_task() -> int:
    """Every five minutes: imports whose process died elsewhere (another node) show up by their silence."""
    from .importing import fail_orphaned_imports

    return fail_orphaned_imports()


#
# Scheduled backups with retention (issue 6)
#


def local_crontab(*, hour: int, minute: int):
    """A daily crontab at a wall-clock time in ``TIME_ZONE``.

    Huey matches crontabs against UTC when it runs with ``utc=True`` (its default), so 02:30 in Shanghai
    must be written 18:30. The offset is today's: zones with daylight saving drift by an hour for half the
    year, which a nightly job tolerates."""
    if not HUEY.utc:
        return crontab(minute=str(minute), hour=str(hour))
    local = datetime.datetime.combine(
        datetime.date.today(), datetime.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    utc = local.astimezone(datetime.UTC)
    return crontab(minute=str(utc.minute), hour=str(utc.hour))


@db_periodic_task(local_crontab(hour=settings.KESHANG_BACKUP_HOUR, minute=settings.KESHANG_BACKUP_MINUTE))
def scheduled_backup_task() -> str | None:
    """Daily: back up the database and keep the newest ``KESHANG_BACKUP_KEEP`` (core.backup)."""
    from .backup import run_scheduled_backup

    path = run_scheduled_backup()
    return str(path) if path else None


@db_task()
def run_backup_task(run_pk: int) -> None:
    """立即备份 from the backup page (core.backup.run_backup). Not retried: a failed run says why on the page."""
    from .backup import run_backup

    run_backup(run_pk=run_pk)


@db_periodic_task(local_crontab(hour=4, minute=30))
def refresh_statistics_task() -> None:
    """Nightly: the planner's statistics follow the day's changes (core.statistics)."""
    from .statistics import refresh_statistics

    refresh_statistics()
