"""An import killed with SIGKILL half-way (issue 6): the commit is one transaction (docs/architecture.md,
"Operations": all or nothing), so the database holds nothing from it; the job shows as failed once the
next start-up looks (``fail_orphaned_imports``, run by the Huey consumer, ``keshang serve`` and every five
minutes); and the same file imports completely when run again.

The import runs as the worker runs it, in a separate process (``keshang import partners FILE``), against
this test's database (transactional, so the child sees committed rows) and a Huey store of its own, where
it publishes its progress; the test waits for that progress, then kills the process.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from huey import SqliteHuey

from keshang.core import importing
from keshang.core.importing import progress, recovery
from keshang.core.models import AuditEntry, ImportJob, ImportStatus
from keshang.partners.models import Partner

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 5000  # five batches of 1,000: killed after the first, with four to go
INTERRUPTED = "导入进程意外中断，请重新导入"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_env(tmp_path):
    """The environment of a worker process on this test's database, with a Huey store in ``tmp_path``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "keshang.test_settings",
        "DATABASE_URL": database_url(),
        "KESHANG_VAR_DIR": str(tmp_path),
        "KESHANG_HUEY_IMMEDIATE": "off",
        "SECRET_KEY": settings.SECRET_KEY,
        "KESHANG_FIELD_KEY": ",".join(settings.KESHANG_FIELD_KEYS),
    }


@pytest.fixture
def partners_csv(tmp_path):
    path = tmp_path / "客户.csv"
    lines = ["名称,电话"] + [f"崩溃测试{index:05d}贸易有限公司,0755-{index:08d}" for index in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_import(path, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "keshang", "import", "partners", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_progress(child: subprocess.Popen, store: SqliteHuey, *, at_least: int, timeout: float = 120) -> int:
    """Rows the child's commit has reported, once at least ``at_least``; fails if the child ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read().decode()
        job = ImportJob.objects.unscoped().filter(status=ImportStatus.IMPORTING).first()
        if job is not None:
            done = int(store.get(f"keshang:import-progress:{job.pk}", peek=True) or 0)
            if done >= at_least:
                return done
        time.sleep(0.05)
    raise AssertionError("the import reported no progress in time")


def test_an_import_killed_half_way_leaves_nothing_is_marked_failed_and_imports_when_run_again(
    worker_env, partners_csv, tmp_path
):
    # given an import of 5,000 partners running in a worker process, one batch done
    child = start_import(partners_csv, worker_env)
    store = SqliteHuey("keshang", filename=str(tmp_path / "huey.sqlite3"))
    try:
        done = wait_for_progress(child, store, at_least=1000)
        # when the process is killed outright
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    # then it died mid-way, and the database holds nothing from it
    assert child.returncode == -signal.SIGKILL
    assert 1000 <= done < ROWS
    assert Partner.objects.unscoped().count() == 0
    if connection.vendor == "sqlite":
        check = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            check.close()
    # and the job, still "importing" with the dead process as its runner, is failed by the start-up check
    job = ImportJob.objects.unscoped().get()
    assert (job.status, job.runner) == (ImportStatus.IMPORTING, f"{socket.gethostname()}:{child.pid}")
    assert importing.fail_orphaned_imports() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, INTERRUPTED)
    assert AuditEntry.objects.filter(object_id=str(job.pk), message=INTERRUPTED).exists()

    # when the import is run again by a new process
    rerun = subprocess.run(
        [sys.executable, "-m", "keshang", "import", "partners", str(partners_csv)],
        env=worker_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then it imports every row, once
    assert rerun.returncode == 0, rerun.stderr
    assert Partner.objects.unscoped().count() == ROWS
    assert Partner.objects.unscoped().filter(name="崩溃测试04999贸易有限公司").exists()
    statuses = list(ImportJob.objects.unscoped().order_by("pk").values_list("status", flat=True))
    assert statuses == [ImportStatus.FAILED, ImportStatus.DONE]


#
# The sweep's rules, in this process
#


def running_job(*, runner: str, started_seconds_ago: float = 0, status=ImportStatus.IMPORTING) -> ImportJob:
    return ImportJob.objects.create(
        kind="partners",
        original_name="客户.csv",
        file="imports/x.csv",
        status=status,
        runner=runner,
        started_at=timezone.now() - timezone.timedelta(seconds=started_seconds_ago),
    )


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_sweep_fails_dead_local_runs_and_silent_remote_ones_and_leaves_live_ones(settings):
    # given
    settings.KESHANG_IMPORT_STALE_SECONDS = 600
    host = socket.gethostname()
    dead = running_job(runner=f"{host}:{dead_pid()}", status=ImportStatus.VALIDATING)
    alive = running_job(runner=f"{host}:{os.getpid()}", started_seconds_ago=60)
    silent_elsewhere = running_job(runner="other-node:4242", started_seconds_ago=601)
    recent_elsewhere = running_job(runner="other-node:4243", started_seconds_ago=60)
    queued = running_job(runner="", started_seconds_ago=3600)
    lost = running_job(runner="", started_seconds_ago=recovery.UNCLAIMED_SECONDS + 1)
    # when
    count = importing.fail_orphaned_imports()
    # then
    status = dict(ImportJob.objects.unscoped().values_list("pk", "status"))
    assert count == 3
    assert {pk for pk, value in status.items() if value == ImportStatus.FAILED} == {
        dead.pk,
        silent_elsewhere.pk,
        lost.pk,
    }
    assert {alive.pk, recent_elsewhere.pk, queued.pk} <= {
        pk for pk, value in status.items() if value != ImportStatus.FAILED
    }


def test_a_heartbeat_keeps_a_long_run_on_another_node_alive(settings):
    # given a run started long ago on another node that reported a moment ago
    settings.KESHANG_IMPORT_STALE_SECONDS = 600
    job = running_job(runner="other-node:4242", started_seconds_ago=3600)
    progress.beat(job.pk)
    # when
    count = importing.fail_orphaned_imports()
    # then
    assert count == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING


def test_a_job_failed_by_the_sweep_is_not_run_when_its_task_arrives_late():
    # given a job given up while its task waited in the queue
    job = running_job(runner="", status=ImportStatus.FAILED)
    # when
    result = importing.run_import_job(job_pk=job.pk, commit=True)
    # then
    assert result.status == ImportStatus.FAILED
    assert result.runner == ""


def test_the_huey_consumer_sweeps_when_it_starts():
    # given
    from huey.contrib.djhuey import HUEY

    from keshang.core.tasks import fail_orphaned_imports_on_startup

    # when / then: registered as a start-up hook of the consumer
    assert fail_orphaned_imports_on_startup in HUEY._startup.values()
