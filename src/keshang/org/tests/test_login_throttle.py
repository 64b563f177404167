"""Issue 12, finding 9: five anonymous wrong passwords locked any account for 15 minutes. Failures are now
throttled per account *and* address with growing delays: a stranger cannot deny a user's login, brute force
from one address is slowed, the user is told, and an administrator can see and clear the throttles."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import Notification
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DEFAULT_PASSWORD, UserFactory, grant

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"


def login(address: str, password: str, username: str = "zhangsan"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def fail_from(address: str, times: int | None = None, username: str = "zhangsan") -> None:
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        login(address, "wrong-password", username)


def age_attempts(by: datetime.timedelta) -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_a_stranger_cannot_deny_a_users_login():
    user = UserFactory(username="zhangsan")
    fail_from(ATTACKER)
    client, response = login(OFFICE, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_brute_force_from_one_address_is_slowed_with_growing_delays():
    UserFactory(username="zhangsan")
    fail_from(ATTACKER)
    # even the right password waits at that address
    client, response = login(ATTACKER, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # after the first delay one more try is allowed; a wrong one makes the next wait longer
    first = settings.KESHANG_LOGIN_THROTTLE_BASE
    age_attempts(first + datetime.timedelta(seconds=1))
    fail_from(ATTACKER, times=1)
    age_attempts(first + datetime.timedelta(seconds=1))
    _client, response = login(ATTACKER, DEFAULT_PASSWORD)
    assert response.status_code == 429
    age_attempts(first + datetime.timedelta(seconds=1))
    client, response = login(ATTACKER, DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_the_user_is_alerted_of_repeated_failures():
    user = UserFactory(username="zhangsan")
    fail_from(ATTACKER)
    alert = Notification.objects.get(recipient=user)
    assert alert.level == Notification.Level.WARNING
    assert ATTACKER in alert.body


def test_the_token_endpoint_is_under_the_same_throttle():
    UserFactory(username="zhangsan")
    url = reverse("api-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR=ATTACKER).post(url, {"username": "zhangsan", "password": "wrong"}, format="json")
    refused = APIClient(REMOTE_ADDR=ATTACKER).post(
        url, {"username": "zhangsan", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert refused.status_code in (400, 403, 429)  # the right password, refused while the address waits
    assert "token" not in refused.content.decode()
    accepted = APIClient(REMOTE_ADDR=OFFICE).post(
        url, {"username": "zhangsan", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert accepted.status_code == 201 and accepted.json()["token"]


def test_an_administrator_sees_and_clears_a_throttle(client):
    UserFactory(username="zhangsan")
    fail_from(ATTACKER)
    admin = UserFactory(username="itadmin")
    grant(admin, "axes.accessattempt", [Action.VIEW, Action.DELETE], Scope.ALL)
    client.force_login(admin)
    page = client.get(reverse("org:loginthrottle_list"))
    assert page.status_code == 200
    assert ATTACKER in page.content.decode() and "zhangsan" in page.content.decode()
    attempt = AccessAttempt.objects.get(username="zhangsan")
    response = client.post(reverse("org:loginthrottle_unlock", args=[attempt.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    _client, response = login(ATTACKER, DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_the_throttle_page_needs_its_grant(client):
    UserFactory(username="zhangsan")
    fail_from(ATTACKER)
    rep = UserFactory(username="rep")
    client.force_login(rep)
    assert client.get(reverse("org:loginthrottle_list")).status_code == 403
    attempt = AccessAttempt.objects.get(username="zhangsan")
    assert client.post(reverse("org:loginthrottle_unlock", args=[attempt.pk])).status_code == 403
    assert AccessAttempt.objects.exists()
