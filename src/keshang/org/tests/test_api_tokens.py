"""API tokens (issue 12, finding 2): one per device, shown once, stored hashed; they expire, and a password change, a
reset, deactivation, their user or an administrator revokes them. A refused key is 401 with a code saying why."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DEFAULT_PASSWORD, UserFactory, grant

pytestmark = pytest.mark.django_db


def obtain(username, *, name="", user_agent="pytest"):
    client = APIClient(HTTP_USER_AGENT=user_agent)
    data = {"username": username, "password": DEFAULT_PASSWORD, **({"name": name} if name else {})}
    response = client.post(reverse("api-token"), data, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def client_with(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def me(key):
    return client_with(key).get(reverse("org-api:me"))


def token_id(key) -> int:
    return obtain_listing(key)[0]["id"]


def obtain_listing(key):
    return client_with(key).get(reverse("org-api:my-token-list")).json()


def test_each_obtain_makes_a_new_token_per_device_with_its_expiry():
    UserFactory(username="device")
    laptop = obtain("device", name="笔记本")
    phone = obtain("device", user_agent="KeshangApp/2.1 (iPhone)")
    assert laptop["token"] != phone["token"]
    expires = datetime.datetime.fromisoformat(laptop["expires_at"])
    assert timezone.now() + datetime.timedelta(days=29) < expires <= timezone.now() + datetime.timedelta(days=30)
    assert me(laptop["token"]).status_code == 200 and me(phone["token"]).status_code == 200
    listed = obtain_listing(laptop["token"])
    assert {row["name"] for row in listed} == {"笔记本", "KeshangApp/2.1 (iPhone)"}
    assert all("token" not in row and row["prefix"] for row in listed)  # the key itself is never listed


def test_the_key_is_stored_hashed_never_in_clear():
    from keshang.org.models import ApiToken

    UserFactory(username="hashed")
    key = obtain("hashed")["token"]
    stored = ApiToken.objects.get()
    assert key not in (stored.key_hash, stored.prefix) and stored.key_hash != key
    assert key.startswith(stored.prefix)


def test_the_expiry_follows_the_setting(settings):
    settings.KESHANG_API_TOKEN_DAYS = 2
    UserFactory(username="short")
    expires = datetime.datetime.fromisoformat(obtain("short")["expires_at"])
    assert expires <= timezone.now() + datetime.timedelta(days=2)


def test_an_expired_token_is_refused_with_401_token_expired():
    from keshang.org.models import ApiToken

    UserFactory(username="expired")
    key = obtain("expired")["token"]
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = me(key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_an_unknown_or_malformed_key_is_refused_with_401_invalid_token():
    for header in ("Token not-a-real-key", "Token a b", "Token " + "x" * 500):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(reverse("org-api:me"))
        assert response.status_code == 401, header
        assert response.json()["code"] == "invalid_token"


def test_changing_ones_own_password_revokes_every_token(client):
    user = UserFactory(username="changer")
    key = obtain("changer")["token"]
    client.force_login(user)
    response = client.post(
        reverse("web:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "Nw-Pass-2027!x", "new_password2": "Nw-Pass-2027!x"},
    )
    assert response.status_code == 302
    refused = me(key)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"


def test_an_administrators_reset_revokes_every_token(client):
    UserFactory(username="victim")
    admin = UserFactory(username="itadmin")
    grant(admin, "org.user", [Action.VIEW, Action.CHANGE], Scope.ALL)
    key = obtain("victim")["token"]
    victim_pk = client_with(key).get(reverse("org-api:me")).json()["id"]
    client.force_login(admin)
    response = client.post(
        reverse("org:user_password", args=[victim_pk]),
        {"password1": "Rs-Pass-2027!x", "password2": "Rs-Pass-2027!x"},
    )
    assert response.status_code == 302
    assert me(key).json()["code"] == "token_revoked"


def test_deactivating_a_user_revokes_their_tokens():
    from keshang.org.models import ApiToken
    from keshang.org.services import update_user

    user = UserFactory(username="leaver")
    key = obtain("leaver")["token"]
    update_user(actor=None, user=user, data={"is_active": False})
    assert ApiToken.objects.get().revoked_at is not None
    assert me(key).status_code == 401


def test_a_user_revokes_their_own_token_and_it_is_refused_with_token_revoked():
    UserFactory(username="selfrevoke")
    keep = obtain("selfrevoke", name="keep")["token"]
    drop = obtain("selfrevoke", name="drop")["token"]
    drop_id = next(row["id"] for row in obtain_listing(keep) if row["name"] == "drop")
    response = client_with(keep).post(reverse("org-api:my-token-revoke", args=[drop_id]))
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    refused = me(drop)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert me(keep).status_code == 200


def test_delete_revokes_too():
    UserFactory(username="deleter")
    keep = obtain("deleter", name="keep")["token"]
    drop = obtain("deleter", name="drop")["token"]
    drop_id = next(row["id"] for row in obtain_listing(keep) if row["name"] == "drop")
    assert client_with(keep).delete(reverse("org-api:my-token-detail", args=[drop_id])).status_code == 204
    assert me(drop).json()["code"] == "token_revoked"


def test_another_users_token_is_404_and_stays_alive():
    UserFactory(username="owner")
    UserFactory(username="stranger")
    mine = obtain("owner")["token"]
    theirs = obtain("stranger")["token"]
    mine_id = token_id(mine)
    for response in (
        client_with(theirs).post(reverse("org-api:my-token-revoke", args=[mine_id])),
        client_with(theirs).delete(reverse("org-api:my-token-detail", args=[mine_id])),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert me(mine).status_code == 200


def test_an_administrator_lists_and_revokes_a_users_tokens_through_the_api():
    UserFactory(username="managed")
    admin = UserFactory(username="useradmin")
    grant(admin, "org.user", [Action.VIEW, Action.CHANGE], Scope.ALL)
    key = obtain("managed")["token"]
    managed_pk = me(key).json()["id"]
    admin_client = APIClient()
    admin_client.force_authenticate(admin)
    listed = admin_client.get(reverse("org-api:user-tokens", args=[managed_pk]))
    assert listed.status_code == 200
    [row] = listed.json()
    assert "token" not in row
    revoked = admin_client.post(reverse("org-api:user-revoke-token", args=[managed_pk, row["id"]]))
    assert revoked.status_code == 200
    assert me(key).json()["code"] == "token_revoked"


def test_seeing_or_revoking_a_users_tokens_needs_change_on_users():
    UserFactory(username="guarded")
    viewer = UserFactory(username="viewer")
    grant(viewer, "org.user", [Action.VIEW], Scope.ALL)
    key = obtain("guarded")["token"]
    guarded_pk = me(key).json()["id"]
    viewer_client = APIClient()
    viewer_client.force_authenticate(viewer)
    assert viewer_client.get(reverse("org-api:user-tokens", args=[guarded_pk])).status_code == 403
    response = viewer_client.post(reverse("org-api:user-revoke-token", args=[guarded_pk, token_id(key)]))
    assert response.status_code == 403
    assert me(key).status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute():
    from keshang.org.models import ApiToken

    UserFactory(username="busy")
    key = obtain("busy")["token"]
    assert me(key).status_code == 200
    first = ApiToken.objects.get()
    assert first.last_used_at is not None and first.last_used_ip == "127.0.0.1"
    me(key)
    assert ApiToken.objects.get().last_used_at == first.last_used_at  # no write within the minute
    ApiToken.objects.update(last_used_at=first.last_used_at - datetime.timedelta(minutes=2))
    me(key)
    assert ApiToken.objects.get().last_used_at > first.last_used_at - datetime.timedelta(minutes=2)


def test_wrong_credentials_get_a_clear_400():
    UserFactory(username="typo")
    response = APIClient().post(reverse("api-token"), {"username": "typo", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
