import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.core.models import AuditAction, AuditEntry, Currency, ExchangeRate
from keshang.core.notifications import notify
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant


@pytest.mark.urls("keshang.core.tests.scopeapp.urls")
class TestOwnedModelAPI(APIResourceTests):
    """The full owned-model contract: owner, department and the re-check on write."""

    resource = "scopeapp.memo"
    basename = "scopeapp-api:memo"
    related_grants = (
        ("org.user", (Action.VIEW,), Scope.DEPARTMENT),
        ("org.department", (Action.VIEW,), Scope.DEPARTMENT),
    )

    def make_object(self, *, ctx, inside):
        owner = ctx.colleague if inside else ctx.stranger
        return Memo.objects.create(title="备忘", phone="13812345678", owner=owner, department=owner.department)

    def create_data(self, *, ctx):
        return {"title": "新备忘", "owner": ctx.colleague.pk, "department": ctx.department.pk}

    def update_data(self, *, ctx, obj):
        return {"title": "改过的备忘"}


class TestCurrencyAPI(APIResourceTests):
    resource = "core.currency"
    basename = "core-api:currency"
    scoped = False

    def make_object(self, *, ctx, inside):
        return Currency.objects.create(code="AUD", name="澳元")

    def create_data(self, *, ctx):
        return {"code": "CAD", "name": "加元", "symbol": "C$"}

    def update_data(self, *, ctx, obj):
        return {"name": "澳大利亚元"}


class TestExchangeRateAPI(APIResourceTests):
    resource = "core.exchangerate"
    basename = "core-api:exchangerate"
    scoped = False
    related_grants = (("core.currency", (Action.VIEW,), Scope.ALL),)

    def make_object(self, *, ctx, inside):
        currency, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "美元"})
        return ExchangeRate.objects.create(currency=currency, date=datetime.date(2026, 11, 2), rate=Decimal("7.1"))

    def create_data(self, *, ctx):
        currency, _ = Currency.objects.get_or_create(code="EUR", defaults={"name": "欧元"})
        return {"currency": currency.pk, "date": "2026-11-20", "rate": "7.751234"}

    def update_data(self, *, ctx, obj):
        return {"rate": "7.200000"}


@pytest.mark.django_db
@pytest.mark.urls("keshang.core.tests.scopeapp.urls")
def test_owned_model_create_for_someone_outside_scope_is_403_and_rolled_back(api_client):
    # given: department scope; the stranger is visible through org.user ALL but their memos are not
    actor, stranger = UserFactory(), UserFactory()
    from keshang.org.tests.factories import DepartmentFactory

    actor.department = DepartmentFactory()
    actor.save()
    grant(actor, "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.DEPARTMENT)
    grant(actor, "org.user", [Action.VIEW], Scope.ALL)
    api_client.force_authenticate(actor)
    # when
    response = api_client.post(
        reverse("scopeapp-api:memo-list"), {"title": "塞给别人", "owner": stranger.pk}, format="json"
    )
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "scope_violation"
    assert not Memo.objects.filter(title="塞给别人").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE, object_repr="塞给别人").exists()


@pytest.mark.django_db
def test_audit_entries_api_is_read_only_and_scoped_to_own_actions(api_client):
    # given
    actor, other = UserFactory(), UserFactory()
    from keshang.core import audit

    mine = audit.record_event(actor=actor, action=AuditAction.LOGIN, obj=actor)
    audit.record_event(actor=other, action=AuditAction.LOGIN, obj=other)
    grant(actor, "core.auditentry", [Action.VIEW], Scope.OWN)
    api_client.force_authenticate(actor)
    # when
    listed = api_client.get(reverse("core-api:auditentry-list")).json()
    deleted = api_client.delete(reverse("core-api:auditentry-detail", kwargs={"pk": mine.pk}))
    # then
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert deleted.status_code in (403, 405)
    assert AuditEntry.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_notifications_api_shows_only_the_callers_own_and_marks_them_read(api_client):
    # given
    me, someone = UserFactory(), UserFactory()
    notify(recipients=[me], title="审批通过")
    (theirs,) = notify(recipients=[someone], title="别人的通知")
    api_client.force_authenticate(me)
    # when
    listed = api_client.get(reverse("core-api:notification-list"), {"unread": "true"}).json()
    foreign = api_client.post(reverse("core-api:notification-read", kwargs={"pk": theirs.pk}))
    read_all = api_client.post(reverse("core-api:notification-read-all")).json()
    # then
    assert [row["title"] for row in listed["results"]] == ["审批通过"]
    assert foreign.status_code == 404
    assert read_all == {"count": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_api_errors_have_code_message_and_fields_in_chinese(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.post(reverse("core-api:currency-list"), {"code": "rmb", "name": ""}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"code", "name"}
    assert "三位大写字母" in body["fields"]["code"][0]


@pytest.mark.django_db
def test_openapi_schema_loads_for_signed_in_users(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/org/users/" in schema["paths"]
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.django_db
def test_token_authentication_works_and_failed_logins_are_audited(api_client):
    UserFactory(username="tokenuser")
    bad = api_client.post(reverse("api-token"), {"username": "tokenuser", "password": "wrong"})
    good = api_client.post(reverse("api-token"), {"username": "tokenuser", "password": "Test-Pass-2026"})
    assert bad.status_code == 400
    token = good.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(reverse("org-api:me")).json()["username"] == "tokenuser"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, user_name="tokenuser").exists()
