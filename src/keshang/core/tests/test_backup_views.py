"""The backup page (数据备份): the IT admin lists and runs backups, only superusers download them, and whoever
holds no grant changes nothing. The backups are real (core.backup), written into a temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from keshang.core import backup
from keshang.core.models import AuditAction, AuditEntry, BackupRun, BackupStatus, Notification
from keshang.core.permissions import Action, Persona
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

PAGE = reverse("core:backup_list")
RUN = reverse("core:backup_run")


@pytest.fixture
def backups(settings, tmp_path) -> Path:
    """The backup directory: two backups, a copy being written and a file someone put there by hand."""
    settings.KESHANG_BACKUP_DIR = tmp_path
    (tmp_path / "keshang-20260301-031500.bak").write_bytes(b"x" * 2048)
    (tmp_path / "keshang-20260302-031500.bak").write_bytes(b"y" * 4096)
    (tmp_path / "keshang-20260303-031500.bak.tmp").write_bytes(b"partial")
    (tmp_path / "before-upgrade.sqlite3").write_bytes(b"by hand")
    return tmp_path


@pytest.fixture
def itadmin(db):
    """The IT admin persona as `keshang setup` makes it: the admin role, no superuser."""
    ensure_default_roles()
    user = UserFactory(username="itadmin")
    user.roles.add(Role.objects.get(persona=Persona.ADMIN))
    return user


def download_url(name: str) -> str:
    return reverse("core:backup_download", args=[name])


def nothing_changed(directory: Path) -> tuple:
    return sorted(path.name for path in directory.iterdir()), BackupRun.objects.count(), AuditEntry.objects.count()


def test_the_it_admin_lists_the_backups_newest_first_with_size_and_time_and_how_to_restore(client, itadmin, backups):
    client.force_login(itadmin)
    # when
    response = client.get(PAGE)
    # then only our backups are listed, newest first, with their size and the time in their name
    assert response.status_code == 200
    assert [file.name for file in response.context["backups"]] == [
        "keshang-20260302-031500.bak",
        "keshang-20260301-031500.bak",
    ]
    html = response.content.decode()
    assert "2026-03-02 03:15:00" in html and "4.0" in html
    assert "before-upgrade" not in html and ".tmp" not in html
    # and they may run one, not download (no link), and read how to restore
    assert 'data-testid="backup-run"' in html
    assert "/download/" not in html
    assert "keshang restore" in html and "--yes" in html


def test_run_now_writes_a_backup_through_the_job_queue_audits_it_and_tells_the_requester(
    client, itadmin, backups, django_capture_on_commit_callbacks
):
    client.force_login(itadmin)
    # when the IT admin runs a backup (the job runs at once under tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUN, follow=True)
    # then a new backup file is in the directory, none of the old ones deleted
    run = BackupRun.objects.get()
    assert response.redirect_chain[-1][0] == PAGE
    assert "已开始备份" in response.content.decode()
    assert (run.status, run.created_by, run.error) == (BackupStatus.DONE, itadmin, "")
    written = backups / run.file_name
    assert written.is_file() and written.stat().st_size == run.size > 0
    assert {"keshang-20260301-031500.bak", "keshang-20260302-031500.bak"} <= {path.name for path in backups.iterdir()}
    # and the trail says who asked and what came of it; the requester is told
    entries = AuditEntry.objects.filter(object_id=str(run.pk), content_type__model="backuprun").order_by("pk")
    assert [(entry.action, entry.user) for entry in entries] == [
        (AuditAction.CREATE, itadmin),
        (AuditAction.STATE, itadmin),
        (AuditAction.STATE, itadmin),
    ]
    assert Notification.objects.get(recipient=itadmin).title == f"备份完成：{run.file_name}"
    assert run.file_name in client.get(PAGE).content.decode()


def test_a_failed_backup_says_why_and_leaves_no_file(
    client, itadmin, backups, monkeypatch, django_capture_on_commit_callbacks
):
    # given the database cannot be copied
    def fail(target, alias="default"):
        Path(target).write_bytes(b"half")
        raise backup.BackupError("pg_dump failed (1): connection refused")

    monkeypatch.setattr(backup, "backup_database", fail)
    before = sorted(path.name for path in backups.iterdir())
    client.force_login(itadmin)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RUN)
    # then the run is failed with the reason, shown on the page, and nothing half-written stays behind
    run = BackupRun.objects.get()
    assert (run.status, run.file_name) == (BackupStatus.FAILED, "")
    assert "connection refused" in run.error
    assert sorted(path.name for path in backups.iterdir()) == before
    assert Notification.objects.get(recipient=itadmin).level == Notification.Level.DANGER
    assert "connection refused" in client.get(PAGE).content.decode()


def test_a_superuser_downloads_a_backup_served_by_the_app_and_the_download_is_audited(client, backups):
    root = UserFactory(is_superuser=True)
    client.force_login(root)
    # when
    page = client.get(PAGE).content.decode()
    response = client.get(download_url("keshang-20260302-031500.bak"))
    # then
    assert download_url("keshang-20260302-031500.bak") in page
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="keshang-20260302-031500.bak"'
    assert b"".join(response.streaming_content) == b"y" * 4096
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert (entry.user, entry.message) == (root, "下载备份 keshang-20260302-031500.bak")


@pytest.mark.parametrize(
    "name",
    ["keshang-20260303-031500.bak.tmp", "before-upgrade.sqlite3", "keshang-20990101-000000.bak", "..%2Fsecret.key"],
)
def test_only_listed_backups_download_never_another_file(client, backups, name):
    (backups.parent / "secret.key").write_bytes(b"secret")
    client.force_login(UserFactory(is_superuser=True))
    before = nothing_changed(backups)
    response = client.get(f"/core/backups/{name}/download/")
    assert response.status_code == 404
    assert nothing_changed(backups) == before


def test_the_it_admin_may_not_download_and_nothing_is_recorded(client, itadmin, backups):
    client.force_login(itadmin)
    before = nothing_changed(backups)
    response = client.get(download_url("keshang-20260302-031500.bak"))
    assert response.status_code == 403
    assert nothing_changed(backups) == before


@pytest.mark.parametrize("actions", [(), (Action.VIEW,)], ids=["no grant", "view only"])
def test_without_the_grant_to_run_a_post_is_refused_and_writes_nothing(
    client, backups, actions, django_capture_on_commit_callbacks
):
    # given a user without the grant (or allowed to look only)
    user = UserFactory()
    if actions:
        grant(user, "core.backuprun", actions)
    client.force_login(user)
    before = nothing_changed(backups)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page, run = client.get(PAGE), client.post(RUN)
    # then
    assert page.status_code == (200 if actions else 403)
    assert run.status_code == 403
    assert 'data-testid="backup-run"' not in page.content.decode()
    assert nothing_changed(backups) == before and callbacks == []


def test_the_backup_service_refuses_an_actor_without_the_grant(backups):
    from keshang.core.exceptions import ScopeViolation

    with pytest.raises(ScopeViolation):
        backup.request_backup(actor=UserFactory())
    with pytest.raises(ScopeViolation):
        backup.download_backup(actor=UserFactory(), name="keshang-20260302-031500.bak")
    assert not BackupRun.objects.exists() and not AuditEntry.objects.exists()


def test_an_empty_or_missing_directory_lists_no_backups(settings, tmp_path):
    settings.KESHANG_BACKUP_DIR = tmp_path / "not-yet"
    assert backup.list_backups() == []
    os.makedirs(tmp_path / "not-yet")
    assert backup.list_backups() == []
