import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client
from django.urls import reverse

from keshang.org.tests.factories import UserFactory


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "KESHANG_ENV": "production",
        "KESHANG_TESTING": "",
        "DJANGO_SETTINGS_MODULE": "keshang.settings",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "keshang.example.com",
        "KESHANG_VAR_DIR": str(tmp_path),
        "KESHANG_FIELD_KEY": Fernet.generate_key().decode(),
    }
    result = subprocess.run(
        [sys.executable, "-m", "keshang", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "KESHANG_ENV": "production",
        "KESHANG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "keshang.settings",
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "keshang", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_argon2_is_the_password_hasher_outside_tests():
    result = subprocess.run(
        [sys.executable, "-c", "import keshang.settings as s; print(s.PASSWORD_HASHERS[0])"],
        env={**os.environ, "KESHANG_TESTING": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_every_page_sends_csp_and_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_login_locks_the_account_after_repeated_failures():
    UserFactory(username="zhangsan")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "zhangsan", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "zhangsan", "password": "Test-Pass-2026"})
    assert response.status_code == 429
    assert "登录暂时受限" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_id_changes_at_login_against_fixation():
    UserFactory(username="lisi")
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "lisi", "password": "Test-Pass-2026"})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_state_changing_requests_need_a_csrf_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("core:notification_read_all"))
    assert response.status_code == 403


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
