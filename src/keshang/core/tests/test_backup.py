"""core.backup: a backup restored gives back every table exactly, on SQLite and on PostgreSQL.

Transactional tests: the backup is read by another connection (SQLite) or another process (pg_dump), which
would not see the rows of a test transaction that never commits.
"""

import hashlib
import re
import sqlite3
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from keshang.core.backup import BackupError, backup_database, pg_tool, restore_database
from keshang.core.models import Currency, ExchangeRate
from keshang.org.models import Department, User
from keshang.org.tests.factories import DepartmentFactory, UserFactory

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
