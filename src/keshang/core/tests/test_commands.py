"""The operator's commands: setup, demo, createuser, backup and restore."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from keshang.core.backup import pg_tool
from keshang.core.models import Currency
from keshang.core.permissions import Persona
from keshang.org.demo import DEMO_USERS
from keshang.org.models import Department, Role, User
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import DepartmentFactory

ADMIN_PASSWORD = "Harbour-Lantern-2026"
DEMO_PASSWORD = "Quiet-Orchard-2026"
NEW_USER_PASSWORD = "Copper-Kettle-2026"


@pytest.fixture
def passwords(monkeypatch):
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("KESHANG_DEMO_PASSWORD", DEMO_PASSWORD)


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows per model, many-to-many tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }


#
# setup and demo
#


@pytest.mark.django_db(transaction=True)
def test_setup_on_an_empty_database_creates_roles_currencies_admin_and_demo_users(passwords):
    # given a migrated database without any user
    assert not User.objects.exists()
    # when
    output = run("setup")
    # then the seven persona roles and the currencies exist
    assert set(Role.objects.exclude(persona="").values_list("persona", flat=True)) == set(Persona.values)
    assert Role.objects.exclude(persona="").count() == 7
    assert set(Currency.objects.values_list("code", flat=True)) == {"CNY", "USD", "EUR", "JPY", "HKD", "GBP"}
    # and an admin who can sign in with the password from the environment
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(ADMIN_PASSWORD)
    # and a demo user per persona, whose password works
    demo_usernames = {username for username, *_ in DEMO_USERS}
    assert set(User.objects.exclude(username="admin").values_list("username", flat=True)) == demo_usernames
    for user in User.objects.filter(username__in=demo_usernames):
        assert user.is_active and not user.is_superuser
        assert user.check_password(DEMO_PASSWORD), user.username
    # and no password given through the environment is echoed
    assert ADMIN_PASSWORD not in output and DEMO_PASSWORD not in output
    assert "数据库已就绪" in output


@pytest.mark.django_db(transaction=True)
def test_setup_run_twice_creates_nothing_new(passwords):
    # given a set-up database
    run("setup")
    counts = row_counts()
    # when
    output = run("setup")
    # then no table gained or lost a row, and no admin was announced
    assert row_counts() == counts
    assert "admin" not in output


@pytest.mark.django_db(transaction=True)
def test_demo_users_have_their_personas_role_department_and_manager(passwords):
    # given
    # when
    run("setup")
    # then
    for username, persona, department_code, position, manager in DEMO_USERS:
        user = User.objects.select_related("department", "manager").get(username=username)
        assert list(user.roles.values_list("persona", flat=True)) == [persona], username
        assert user.department.code == department_code, username
        assert user.position == position
        assert (user.manager.username if user.manager else None) == manager, username
    assert Department.objects.get(code="SALES-EAST").parent.code == "SALES"
    assert Department.objects.get(code="SALES").head.username == "manager"


@pytest.mark.django_db(transaction=True)
def test_demo_run_again_reports_the_data_present_and_adds_nothing(passwords):
    # given a database with the demo data
    run("setup")
    counts = row_counts()
    # when
    output = run("demo")
    # then
    assert "演示数据已存在" in output
    assert row_counts() == counts


@pytest.mark.django_db(transaction=True)
def test_setup_without_demo_creates_only_the_admin(passwords):
    # given
    # when
    run("setup", "--no-demo")
    # then
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]
    assert not Department.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_setup_without_a_password_in_the_environment_prints_a_working_generated_one(monkeypatch):
    # given no passwords in the environment
    monkeypatch.delenv("KESHANG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KESHANG_DEMO_PASSWORD", raising=False)
    # when
    output = run("setup")
    # then each printed password signs its user in
    printed = dict(line.split() for line in output.splitlines() if line.startswith("  "))
    assert set(printed) == {"admin"} | {username for username, *_ in DEMO_USERS}
    for username, password in printed.items():
        assert User.objects.get(username=username).check_password(password), username


@pytest.mark.django_db(transaction=True)
def test_setup_refuses_an_admin_password_the_validators_reject(monkeypatch):
    # given an admin password that is too short and common
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", "123")
    # when / then
    with pytest.raises(CommandError, match="cannot create admin"):
        run("setup")
    assert not User.objects.exists()


#
# createuser
#


@pytest.mark.django_db
def test_createuser_creates_a_user_with_department_roles_and_the_password_from_the_environment(monkeypatch):
    # given a department, the default roles and a password in the environment
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", NEW_USER_PASSWORD)
    department = DepartmentFactory(code="FIN")
    ensure_default_roles()
    finance = Role.objects.get(persona=Persona.FINANCE)
    # when
    output = run("createuser", "zhangsan", "--name", "张三", "--department", "FIN", "--role", finance.name)
    # then
    user = User.objects.get(username="zhangsan")
    assert user.name == "张三" and user.department == department
    assert list(user.roles.all()) == [finance]
    assert user.check_password(NEW_USER_PASSWORD)
    assert not user.is_superuser
    assert NEW_USER_PASSWORD not in output


@pytest.mark.django_db
def test_createuser_prints_a_generated_password_that_works(monkeypatch):
    # given no password in the environment
    monkeypatch.delenv("KESHANG_NEW_USER_PASSWORD", raising=False)
    # when
    output = run("createuser", "lisi", "--superuser")
    # then
    password = output.split("password:")[1].strip()
    user = User.objects.get(username="lisi")
    assert user.check_password(password)
    assert user.is_superuser and user.is_staff


@pytest.mark.django_db
def test_createuser_refuses_an_existing_username(monkeypatch):
    # given
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", NEW_USER_PASSWORD)
    run("createuser", "wangwu")
    # when / then
    with pytest.raises(CommandError, match="已存在"):
        run("createuser", "wangwu")
    assert User.objects.filter(username="wangwu").count() == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--department", "NOPE"], "no such department: NOPE"),
        (["--role", "不存在的角色"], "no such role: 不存在的角色"),
    ],
)
@pytest.mark.django_db
def test_createuser_refuses_an_unknown_department_or_role(monkeypatch, arguments, message):
    # given no such department or role
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", NEW_USER_PASSWORD)
    # when / then
    with pytest.raises(CommandError, match=message):
        run("createuser", "zhaoliu", *arguments)
    assert not User.objects.filter(username="zhaoliu").exists()


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password_with_the_validators_message(monkeypatch):
    # given
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", "12345678")
    # when / then
    with pytest.raises(CommandError) as raised:
        run("createuser", "sunqi")
    assert "[" not in str(raised.value)  # the messages, not a list's repr
    assert not User.objects.filter(username="sunqi").exists()


#
# backup and restore
#


@pytest.fixture
def backup_tools():
    """PostgreSQL needs pg_dump and pg_restore (test_backup checks their versions); SQLite needs nothing."""
    if connection.vendor == "sqlite":
        return
    for name in ("pg_dump", "pg_restore"):
        try:
            pg_tool(name)
        except FileNotFoundError:
            pytest.skip(f"{name} is not installed, so the backup commands cannot be tested on PostgreSQL here.")


@pytest.mark.django_db(transaction=True)
def test_restore_without_yes_refuses_and_changes_nothing(tmp_path, monkeypatch, backup_tools):
    # given a backup, then a change after it
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", NEW_USER_PASSWORD)
    backup = tmp_path / "keshang.bak"
    run("backup", str(backup))
    run("createuser", "after-backup")
    # when / then
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(backup))
    assert User.objects.filter(username="after-backup").exists()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_with_yes_puts_the_data_back(tmp_path, monkeypatch, backup_tools):
    # given a backup, then a user added after it
    monkeypatch.setenv("KESHANG_NEW_USER_PASSWORD", NEW_USER_PASSWORD)
    run("createuser", "before-backup")
    backup = tmp_path / "keshang.bak"
    assert str(backup) in run("backup", str(backup))
    run("createuser", "after-backup")
    # when
    output = run("restore", str(backup), "--yes")
    # then
    assert "restored" in output
    assert list(User.objects.values_list("username", flat=True)) == ["before-backup"]


@pytest.mark.django_db(transaction=True)
def test_backup_without_a_file_writes_under_var_backups(tmp_path, settings, backup_tools):
    # given
    settings.VAR_DIR = tmp_path
    # when
    run("backup")
    # then
    (written,) = (tmp_path / "backups").iterdir()
    assert written.name.startswith("keshang-") and written.suffix == ".bak"
    assert written.stat().st_size > 0


@pytest.mark.django_db
def test_restore_of_a_missing_file_is_a_command_error(tmp_path):
    # given no file
    # when / then
    with pytest.raises(CommandError, match="not found"):
        run("restore", str(tmp_path / "missing.bak"), "--yes")
