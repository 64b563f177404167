"""core.backup: a backup restored gives back every table exactly, on SQLite and on PostgreSQL.

Transactional tests: the backup is read by another connection (SQLite) or another process (pg_dump), which
would not see the rows of a test transaction that never commits.
"""

import contextlib
import datetime
import hashlib
import os
import re
import sqlite3
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from keshang.contracts import services as contracts
from keshang.contracts.models import ContractArchive, ContractCategory
from keshang.core import attachments
from keshang.core.backup import (
    BackupError,
    backup_database,
    pg_tool,
    prune_backups,
    restore_database,
    run_scheduled_backup,
)
from keshang.core.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalStep,
    BackupRun,
    BackupStatus,
    Collaboration,
    Currency,
    ExchangeRate,
    ImportJob,
    ImportStatus,
)
from keshang.core.tasks import scheduled_backup_task
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.models import Company, CompanyBankAccount, Department, User
from keshang.org.services import create_api_token
from keshang.org.tests.factories import DepartmentFactory, UserFactory
from keshang.partners.models import (
    Address,
    BankAccount,
    Handover,
    HandoverKind,
    Partner,
    Qualification,
    SupplierProfile,
)

pytestmark = pytest.mark.django_db(transaction=True)

IS_SQLITE = connection.vendor == "sqlite"


@pytest.fixture(autouse=True)
def _pg_tools():
    """On PostgreSQL, skip (with the reason) where pg_dump/pg_restore as new as the server are missing."""
    if IS_SQLITE:
        return
    connection.ensure_connection()
    server = connection.pg_version // 10000
    for name in ("pg_dump", "pg_restore"):
        try:
            tool = pg_tool(name, server)
        except FileNotFoundError:
            pytest.skip(f"{name} is not installed, so PostgreSQL backups cannot be tested here.")
        version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
        major = int(re.search(r"\(PostgreSQL\)\s*(\d+)", version).group(1))  # "pg_dump (PostgreSQL) 15.18 …"
        if major < server:
            pytest.skip(f"{tool} is PostgreSQL {major}, older than the server ({server}); it cannot dump it.")


@pytest.fixture
def company(monkeypatch):
    """What `keshang setup` makes (roles, currencies, admin, demo company) plus a factory department and user."""
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", "Harbour-Lantern-2026")
    monkeypatch.setenv("KESHANG_DEMO_PASSWORD", "Quiet-Orchard-2026")
    call_command("setup", stdout=StringIO())
    department = DepartmentFactory(name="外贸部")
    UserFactory(username="export1", department=department)


def fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted rows of every table in the database, Django's and the rest."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def test_backup_and_restore_use_the_test_database():
    # given the test runner has switched this process to the test database
    db = connection.settings_dict
    # when / then backup_database and restore_database read the connection's settings, which are
    # settings.DATABASES["default"] itself, whose NAME now names the test database, not the real one
    assert db is settings.DATABASES["default"]
    assert Path(db["NAME"]).name.startswith("test_")
    with connection.cursor() as cursor:
        if IS_SQLITE:
            cursor.execute("PRAGMA database_list")
            assert Path(cursor.fetchone()[2]) == Path(db["NAME"])
        else:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == db["NAME"]


def test_restore_brings_back_every_table_exactly(company, tmp_path):
    # given a company's data and a backup of it
    before = fingerprints()
    assert before["org_user"][0] >= 10 and before["core_auditentry"][0] > 0
    backup = backup_database(tmp_path / "keshang.bak")
    # and then changes in several tables
    User.objects.filter(username="export1").delete()
    Department.objects.filter(code="SALES").update(name="改名的销售部")
    UserFactory(username="newcomer")
    ExchangeRate.objects.create(currency=Currency.objects.get(code="USD"), date="2001-01-01", rate=Decimal("8.270000"))
    assert fingerprints() != before
    # when
    restore_database(backup)
    # then every table has the same rows as at backup time
    assert fingerprints() == before
    # and the restored database takes new rows (the id sequences came back too)
    assert UserFactory(username="after-restore").pk > User.objects.get(username="export1").pk


def test_a_backup_leaves_the_callers_transaction_working(tmp_path):
    # given a transaction that has written a department
    with transaction.atomic():
        DepartmentFactory(code="OPEN")
        # when a backup is taken in the middle of it
        backup_database(tmp_path / "keshang.bak")
        # then the transaction goes on and commits
        DepartmentFactory(code="AFTER")
    assert set(Department.objects.values_list("code", flat=True)) == {"OPEN", "AFTER"}


@pytest.mark.skipif(not IS_SQLITE, reason="reads the SQLite backup file directly")
def test_a_sqlite_backup_holds_committed_rows_only(tmp_path):
    # given one committed department and one in a transaction still open
    DepartmentFactory(code="COMMITTED")
    target = tmp_path / "keshang.bak"
    with transaction.atomic():
        DepartmentFactory(code="PENDING")
        # when
        backup_database(target)
    # then
    copy = sqlite3.connect(target)
    try:
        codes = {code for (code,) in copy.execute("SELECT code FROM org_department")}
    finally:
        copy.close()
    assert codes == {"COMMITTED"}


@pytest.mark.parametrize("content", [b"", b"not a database at all"])
def test_restoring_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(tmp_path, content):
    # given some data and a file that is empty or garbage (e.g. an interrupted copy)
    DepartmentFactory(code="KEEP")
    before = fingerprints()
    bogus = tmp_path / "bogus.bak"
    bogus.write_bytes(content)
    # when / then
    with pytest.raises(BackupError):
        restore_database(bogus)
    assert fingerprints() == before


def test_restoring_a_missing_file_is_refused(tmp_path):
    # given no file
    # when / then
    with pytest.raises(FileNotFoundError):
        restore_database(tmp_path / "missing.bak")


#
# Every module, restored into a fresh database
#


def fill_what_the_demo_leaves_empty(media) -> None:
    """The demo company (``keshang setup``) has partners, contacts, products, price rules, opportunities,
    quotations, orders, approvals and the audit trail; this adds a row to each table it leaves empty."""
    admin = User.objects.unscoped().get(username="admin")
    rep = User.objects.unscoped().get(username="export1")
    partner = Partner.objects.unscoped().order_by("pk").first()
    other = Partner.objects.unscoped().order_by("pk").last()
    group = Group.objects.create(name="备份测试组")
    group.permissions.add(Permission.objects.first())
    rep.groups.add(group)
    rep.user_permissions.add(Permission.objects.first())
    session = SessionStore()
    session["restored"] = True
    session.create()
    create_api_token(user=admin, name="备份测试")
    AccessAttempt.objects.create(username="intruder", ip_address="10.0.0.9", user_agent="x", failures_since_start=1)
    AccessLog.objects.create(username="admin", ip_address="10.0.0.1", user_agent="x")
    AccessFailureLog.objects.create(username="intruder", ip_address="10.0.0.9", user_agent="x", locked_out=False)
    expiration_model = apps.get_model("axes", "AccessAttemptExpiration")
    expiration_model.objects.create(
        access_attempt=AccessAttempt.objects.get(), expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    Collaboration.objects.create(
        content_type=ContentType.objects.get_for_model(Partner), object_id=partner.pk, user=rep
    )
    with override_media(media):
        attachments.upload_attachment(
            actor=admin, obj=partner, upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n%%EOF\n")
        )
    ImportJob.objects.create(
        kind="partners", original_name="客户.xlsx", file="imports/x.xlsx", status=ImportStatus.DONE, created_by=admin
    )
    flow = ApprovalFlow.objects.order_by("pk").first()
    flow.departments.add(rep.department)
    ApprovalStep.objects.filter(flow=flow).order_by("pk").first().users.add(admin)
    ApprovalDelegation.objects.create(
        user=admin, delegate=rep, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 1, 31)
    )
    Address.objects.create(partner=partner, detail="深圳市南山区科技园 1 号")
    BankAccount.objects.create(
        partner=partner, bank_name="招商银行", account_name=partner.name, account_number="6225880012345678"
    )
    company = Company.objects.order_by("pk").first()
    CompanyBankAccount.objects.create(
        company=company, bank_name="中国工商银行", account_name=company.name, account_number="6222020200112233"
    )
    Handover.objects.create(partner=other, kind=HandoverKind.TRANSFER, from_owner=admin, to_owner=rep, created_by=admin)
    SupplierProfile.objects.create(partner=other, main_products="五金")
    Qualification.objects.create(partner=other, name="ISO 9001")
    Memo.objects.create(title="备份备忘", owner=rep, department=rep.department)
    BackupRun.objects.create(created_by=admin, status=BackupStatus.DONE, file_name="keshang-20260101-031500.bak")
    # Contracts: the demo makes them in every state (signed, archived, amended); a loan of one's paper original.
    archive = ContractArchive.objects.order_by("pk").first()
    contracts.lend_archive(
        actor=admin, archive=archive, borrower=rep, due_on=timezone.localdate(), purpose="备份测试借阅"
    )
    ContractCategory.objects.create(name="备份测试类")


@contextlib.contextmanager
def override_media(path):
    previous = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(path)
    try:
        yield
    finally:
        settings.MEDIA_ROOT = previous


@contextlib.contextmanager
def fresh_database(tmp_path):
    """Point this test's connection at a new, empty database of the same kind, then back again (the
    default alias, the only one the test may use; the teardown's flush then reaches the real one)."""
    db = connection.settings_dict
    original = db["NAME"]
    fresh = str(tmp_path / "fresh.sqlite3") if IS_SQLITE else f"{original}_fresh"
    if not IS_SQLITE:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(fresh)}")
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(fresh)}")
    connection.close()
    db["NAME"] = fresh
    try:
        yield
    finally:
        connection.close()
        db["NAME"] = original
        if not IS_SQLITE:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(fresh)}")


def model_tables() -> set[str]:
    return {model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed}


def test_a_backup_of_every_module_restores_into_a_fresh_database_table_for_table(company, tmp_path):
    # given the demo company plus a row in every table it leaves empty: every model's table holds data
    fill_what_the_demo_leaves_empty(tmp_path / "media")
    before = fingerprints()
    empty = sorted(table for table in model_tables() if before[table][0] == 0)
    assert empty == [], f"tables without rows (a module left out of this test): {empty}"
    # when it is backed up and restored into a new, empty database
    backup = backup_database(tmp_path / "keshang.bak")
    with fresh_database(tmp_path):
        assert fingerprints() == {}
        restore_database(backup)
        after = fingerprints()
    # then every table, the models' and the rest (migrations, search indexes), has the same rows
    assert sorted(after) == sorted(before)
    assert {table for table, value in after.items() if value != before[table]} == set()


#
# Scheduled backups and retention
#


def touch_backup(directory: Path, name: str, *, mtime: float) -> Path:
    path = directory / name
    path.write_bytes(b"old backup")
    os.utime(path, (mtime, mtime))
    return path


def test_retention_keeps_the_newest_backups_by_the_time_in_their_names_and_nothing_else_is_touched(tmp_path):
    # given five backups whose mtimes run against their names (copied back from elsewhere), and files of
    # other names: a copy kept by hand, a half-written backup, a look-alike
    names = [f"keshang-2026010{day}-031500.bak" for day in range(1, 6)]
    for age, name in enumerate(names):
        touch_backup(tmp_path, name, mtime=1_700_000_000 + 1000 * (10 - age))  # the oldest name is newest on disk
    others = ["keshang-before-upgrade.bak", "keshang-20260109-031500.bak.tmp", "keshang-20260109-031500.bak.gz"]
    for name in others:
        touch_backup(tmp_path, name, mtime=1_600_000_000)
    # when
    deleted = prune_backups(tmp_path, keep=2)
    # then
    assert sorted(path.name for path in deleted) == names[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names[3:] + others)


def test_retention_never_deletes_the_last_backup(tmp_path):
    touch_backup(tmp_path, "keshang-20260101-031500.bak", mtime=1_700_000_000)
    with pytest.raises(ValueError):
        prune_backups(tmp_path, keep=0)
    assert len(list(tmp_path.iterdir())) == 1


def test_the_scheduled_task_writes_a_restorable_backup_and_prunes_the_old_ones(settings, tmp_path):
    # given three older backups and a retention of two
    settings.KESHANG_BACKUP_DIR = tmp_path
    settings.KESHANG_BACKUP_KEEP = 2
    for day in (1, 2, 3):
        touch_backup(tmp_path, f"keshang-2026010{day}-031500.bak", mtime=1_700_000_000)
    DepartmentFactory(code="BACKED")
    # when the periodic task runs (as the consumer runs it)
    written = Path(scheduled_backup_task.call_local())
    # then the new backup and the newest older one remain
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([written.name, "keshang-20260103-031500.bak"])
    # and the new one is a real backup of the database
    before = fingerprints()
    Department.objects.filter(code="BACKED").delete()
    restore_database(written)
    assert fingerprints() == before


def test_the_scheduled_backup_can_be_switched_off(settings, tmp_path):
    settings.KESHANG_BACKUP_DIR = tmp_path
    settings.KESHANG_BACKUP_SCHEDULE = False
    assert run_scheduled_backup() is None
    assert list(tmp_path.iterdir()) == []


def test_the_backup_task_is_scheduled_daily_at_the_configured_local_hour():
    # given the defaults: 03:15 Asia/Shanghai, which Huey (matching in UTC) sees as 19:15
    from huey.contrib.djhuey import HUEY

    # when / then
    fires = scheduled_backup_task.task_class().validate_datetime
    assert fires(datetime.datetime(2026, 3, 1, 19, 15)) is HUEY.utc
    assert not fires(datetime.datetime(2026, 3, 1, 19, 16))
