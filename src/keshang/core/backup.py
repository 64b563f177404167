"""Database backup and restore: SQLite through its online backup API (consistent while the app runs),
PostgreSQL through pg_dump/pg_restore in the custom format; the scheduled backup and its retention; and
the backup page's services: the backups on disk, 立即备份 as a Huey job (``BackupRun``), downloads."""

from __future__ import annotations

import datetime
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .exceptions import ScopeViolation
from .models import AuditAction, BackupRun, BackupStatus, Notification
from .notifications import notify
from .permissions import Action
from .scope import has_action

__all__ = [
    "BackupError",
    "backup_database",
    "restore_database",
    "pg_tool",
    "backup_directory",
    "backup_file_name",
    "write_backup",
    "prune_backups",
    "run_scheduled_backup",
    "RESOURCE",
    "BackupFile",
    "list_backups",
    "list_backup_runs",
    "request_backup",
    "run_backup",
    "download_backup",
]

logger = logging.getLogger(__name__)

# Debian/Ubuntu install each PostgreSQL major version's client tools here.
PG_LIB_DIR = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore failed; the message says why (the tool's own error output, for PostgreSQL)."""


def _database(alias: str) -> dict:
    # The connection's settings are settings.DATABASES[alias] itself (the same dict), whose NAME the test
    # runner rewrites to the test database: a test never backs up or overwrites the real one.
    return connections[alias].settings_dict


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"].endswith("sqlite3")


#
# SQLite
#


def _sqlite_timeout(db: dict) -> float:
    return float((db.get("OPTIONS") or {}).get("timeout", 30))


def _check_sqlite_backup(source: Path) -> None:
    """Refuse a file that is not an intact Keshang database, before it replaces the live one.

    An empty or truncated file opens as an empty SQLite database, and restoring it would wipe everything.
    """
    try:
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (check,) = backup.execute("PRAGMA quick_check").fetchone()
            has_migrations = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            backup.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not an SQLite database: {error}") from error
    if check != "ok":
        raise BackupError(f"{source} is damaged: {check}")
    if not has_migrations:
        raise BackupError(f"{source} is not a Keshang backup (it has no django_migrations table).")


def _sqlite_copy(source: str | Path, destination: str | Path, timeout: float) -> None:
    source_db = sqlite3.connect(source, timeout=timeout)
    destination_db = sqlite3.connect(destination, timeout=timeout)
    try:
        with destination_db:
            source_db.backup(destination_db)
    except sqlite3.Error as error:
        raise BackupError(str(error)) from error
    finally:
        destination_db.close()
        source_db.close()


#
# PostgreSQL
#


def pg_tool(name: str, server_major: int | None = None) -> str:
    """The path of pg_dump/pg_restore able to talk to a server of ``server_major``.

    pg_dump refuses a server newer than itself, so the same major version is preferred, then the
    nearest newer one installed under /usr/lib/postgresql, then whatever is on PATH.
    """
    installed = sorted(
        (int(directory.name), directory / "bin" / name)
        for directory in (PG_LIB_DIR.iterdir() if PG_LIB_DIR.is_dir() else [])
        if directory.name.isdigit() and (directory / "bin" / name).exists()
    )
    if server_major is not None:
        for major, path in installed:
            if major >= server_major:
                return str(path)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    if installed:
        return str(installed[-1][1])
    raise FileNotFoundError(f"{name} not found; install the PostgreSQL client tools.")


def _pg_server_major(alias: str) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def _pg_command(db: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment; an empty HOST keeps libpq's default, the local socket."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


#
# The two operations
#


def backup_database(target: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``target``; safe while the app runs."""
    db = _database(alias)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(db):
        # A separate connection: the backup holds committed data only, and a caller's transaction is untouched.
        _sqlite_copy(db["NAME"], target, _sqlite_timeout(db))
    else:
        args, env = _pg_command(db)
        tool = pg_tool("pg_dump", _pg_server_major(alias))
        _run([tool, *args, "--format=custom", "--file", str(target), "--dbname", db["NAME"]], env)
    return target


def restore_database(source: Path, alias: str = "default") -> None:
    """Replace the database's contents with the backup's, all or nothing. Stop the app first."""
    db = _database(alias)
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(source)
    if _is_sqlite(db):
        _check_sqlite_backup(source)
        connections[alias].close()
        _sqlite_copy(source, db["NAME"], _sqlite_timeout(db))
    else:
        args, env = _pg_command(db)
        tool = pg_tool("pg_restore", _pg_server_major(alias))
        connections[alias].close()
        _run(
            [
                tool,
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(source),
            ],
            env,
        )


#
# Scheduled backups and retention
#

# The names this module gives backups; retention only ever deletes files named so.
BACKUP_NAME = re.compile(r"^keshang-(\d{8}-\d{6})\.bak$")


def backup_directory() -> Path:
    """``KESHANG_BACKUP_DIR``, or ``backups`` under ``VAR_DIR`` when it is not set."""
    configured = getattr(settings, "KESHANG_BACKUP_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "backups"


def backup_file_name(when: datetime.datetime | None = None) -> str:
    """``keshang-20260315-031500.bak``: local time, so names sort in the order the backups were made."""
    return f"keshang-{timezone.localtime(when):%Y%m%d-%H%M%S}.bak"


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``directory`` and return what was deleted.

    Newest by the time in the name, not the file's mtime (which a copy or a restore from tape resets);
    files not named like our backups (a copy kept by hand, a half-written ``.tmp``) are never touched.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1: retention never deletes the last backup")
    backups = sorted(
        (match.group(1), path)
        for path in Path(directory).iterdir()
        if path.is_file() and (match := BACKUP_NAME.match(path.name))
    )
    doomed = [path for _stamp, path in backups[:-keep]]
    for path in doomed:
        path.unlink()
    return doomed


def write_backup(*, now: datetime.datetime | None = None) -> Path:
    """Back up into :func:`backup_directory` under :func:`backup_file_name`.

    The copy is written under a temporary name and renamed when complete, so a backup that fails half-way
    is never listed, nor counted as the newest by retention.
    """
    target = backup_directory() / backup_file_name(now)
    partial = target.with_name(target.name + ".tmp")
    try:
        backup_database(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def run_scheduled_backup(*, now: datetime.datetime | None = None) -> Path | None:
    """Back up into :func:`backup_directory` and keep the newest ``KESHANG_BACKUP_KEEP``. Returns the new
    backup, or ``None`` when ``KESHANG_BACKUP_SCHEDULE`` is off. Older backups are pruned only after a new
    one succeeded."""
    if not getattr(settings, "KESHANG_BACKUP_SCHEDULE", True):
        return None
    target = write_backup(now=now)
    deleted = prune_backups(target.parent, keep=int(getattr(settings, "KESHANG_BACKUP_KEEP", 14)))
    logger.info("backup written to %s; %s old backup(s) deleted", target, len(deleted))
    return target


#
# The backup page: the backups on disk, 立即备份 (a Huey job recorded as a BackupRun), downloads
#

RESOURCE = "core.backuprun"


@dataclass(frozen=True)
class BackupFile:
    name: str
    size: int
    taken_at: datetime.datetime


def list_backups() -> list[BackupFile]:
    """The backups in :func:`backup_directory`, newest first: files named like ours only (``.tmp`` copies being
    written, and files put there by hand, are not listed). The time is the one in the name, local time."""
    directory = backup_directory()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match and path.is_file():
            taken_at = timezone.make_aware(datetime.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S"))
            found.append(BackupFile(name=path.name, size=path.stat().st_size, taken_at=taken_at))
    return sorted(found, key=lambda backup: backup.name, reverse=True)


def list_backup_runs(*, user, action: str = Action.VIEW):
    return BackupRun.objects.visible_to(user, action).select_related("created_by")


def request_backup(*, actor) -> BackupRun:
    """立即备份: record the request and hand it to the job queue after commit (:func:`run_backup`)."""
    from .tasks import run_backup_task

    if not has_action(actor, RESOURCE, Action.ADD):
        raise ScopeViolation(_("您没有执行备份的权限。"))
    with transaction.atomic():
        run = BackupRun(created_by=actor)
        run.full_clean()
        run.save()
        audit.record(actor=actor, obj=run, action=AuditAction.CREATE, message=_("立即备份"))
        transaction.on_commit(lambda: run_backup_task(run.pk))
    return run


def run_backup(*, run_pk: int) -> BackupRun:
    """The job of one 立即备份: write the backup (no retention: a manual backup deletes nothing), record the
    outcome on the run and in the audit trail for the one who asked, and tell them."""
    # The job acts for the requester, whose grant was checked when they asked.
    run = BackupRun.objects.unscoped().select_related("created_by").get(pk=run_pk)
    actor = run.created_by
    _record_status(run, actor=actor, status=BackupStatus.RUNNING)
    try:
        path = write_backup()
    except (BackupError, OSError) as error:
        logger.exception("backup run %s failed", run.pk)
        _record_status(run, actor=actor, status=BackupStatus.FAILED, error=str(error))
        title, level = _("备份失败：%(error)s") % {"error": error}, Notification.Level.DANGER
    else:
        _record_status(run, actor=actor, status=BackupStatus.DONE, file_name=path.name, size=path.stat().st_size)
        title, level = _("备份完成：%(file)s") % {"file": path.name}, Notification.Level.SUCCESS
    if actor is not None:
        notify(recipients=[actor], title=title, url=reverse("core:backup_list"), level=level)
    return run


def _record_status(run: BackupRun, *, actor, status: str, **fields) -> None:
    with transaction.atomic():
        before = audit.snapshot(run)
        run.status = status
        for name, value in fields.items():
            setattr(run, name, value)
        if status in (BackupStatus.DONE, BackupStatus.FAILED):
            run.finished_at = timezone.now()
        run.full_clean()
        run.save()
        audit.record(actor=actor, obj=run, action=AuditAction.STATE, before=before)


def download_backup(*, actor, name: str) -> Path | None:
    """The backup file ``name`` for a superuser to download, the download audited; None when there is no such
    backup (only names like ours, inside the backup directory: never a path)."""
    if not (actor.is_active and actor.is_superuser):
        raise ScopeViolation(_("只有超级管理员可以下载备份。"))
    if not BACKUP_NAME.match(name):
        return None
    path = backup_directory() / name
    if not path.is_file():
        return None
    audit.record_event(actor=actor, action=AuditAction.EXPORT, message=_("下载备份 %(file)s") % {"file": name})
    return path
