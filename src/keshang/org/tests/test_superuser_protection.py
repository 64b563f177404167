"""Issue 12, finding 8: the IT administrator (persona admin, not a superuser) cannot take over a superuser,
and nobody can hand out rights they do not hold themselves."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action, Persona, Scope
from keshang.org import services
from keshang.org.models import Grant, Role, User
from keshang.org.tests.factories import DEFAULT_PASSWORD, RoleFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xk9!another-long-one"


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def it_admin():
    services.ensure_default_roles()
    user = UserFactory(username="itadmin")
    user.roles.add(Role.objects.get(persona=Persona.ADMIN))
    return user


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


#
# Nobody but a superuser manages a superuser
#


def test_it_admin_cannot_reset_a_superusers_password_through_the_page(client, it_admin, root):
    client.force_login(it_admin)
    url = reverse("org:user_password", args=[root.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    root.refresh_from_db()
    assert root.check_password(DEFAULT_PASSWORD)


def test_it_admin_cannot_edit_deactivate_or_delete_a_superuser_through_the_api(it_admin, root):
    client = api(it_admin)
    url = reverse("org-api:user-detail", args=[root.pk])
    assert client.get(url).status_code == 200  # seeing a colleague stays allowed
    assert client.patch(url, {"is_active": False}, format="json").status_code == 404
    assert client.patch(url, {"roles": []}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    root.refresh_from_db()
    assert root.is_active


def test_it_admin_cannot_edit_a_superuser_through_the_edit_page(client, it_admin, root):
    client.force_login(it_admin)
    response = client.post(reverse("org:user_edit", args=[root.pk]), {"username": "root", "is_active": ""})
    assert response.status_code == 404
    root.refresh_from_db()
    assert root.is_active


@pytest.mark.parametrize(
    "write",
    [
        lambda actor, target: services.set_user_password(actor=actor, user=target, password=NEW_PASSWORD),
        lambda actor, target: services.update_user(actor=actor, user=target, data={"is_active": False}),
        lambda actor, target: services.update_user(actor=actor, user=target, data={"roles": []}),
        lambda actor, target: services.delete_user(actor=actor, user=target),
    ],
    ids=["password", "deactivate", "roles", "delete"],
)
def test_the_services_refuse_a_non_superuser_managing_a_superuser(it_admin, root, write):
    with pytest.raises(ApplicationError) as error:
        write(it_admin, root)
    assert error.value.code == "superuser_protected"
    root.refresh_from_db()
    assert root.is_active and root.check_password(DEFAULT_PASSWORD)


def test_it_admin_cannot_create_or_promote_a_superuser(it_admin):
    with pytest.raises(ApplicationError) as error:
        services.create_user(actor=it_admin, username="evil", password=NEW_PASSWORD, is_superuser=True)
    assert error.value.code == "superuser_protected"
    assert not User.objects.filter(username="evil").exists()
    colleague = UserFactory()
    with pytest.raises(ApplicationError) as error:
        services.update_user(actor=it_admin, user=colleague, data={"is_superuser": True})
    assert error.value.code == "superuser_protected"


def test_a_superuser_still_manages_another_superuser(root):
    other = UserFactory(is_superuser=True)
    response = api(root).patch(reverse("org-api:user-detail", args=[other.pk]), {"is_active": False}, format="json")
    assert response.status_code == 200
    services.set_user_password(actor=root, user=other, password=NEW_PASSWORD)


def test_it_admin_still_resets_an_ordinary_users_password(client, it_admin):
    rep = UserFactory()
    client.force_login(it_admin)
    response = client.post(
        reverse("org:user_password", args=[rep.pk]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)


#
# Nobody grants more than they hold. The admin persona's defaults hold every other persona's, so these use an
# account manager who may edit users and roles but holds no sales rights.
#


@pytest.fixture
def account_manager():
    user = UserFactory(username="hr")
    grant(user, "org.role", (Action.VIEW, Action.ADD, Action.CHANGE))
    grant(user, "org.user", (Action.VIEW, Action.CHANGE))
    return user


def test_a_role_editor_cannot_give_a_role_rights_they_do_not_hold_through_the_api(account_manager):
    role = RoleFactory()
    response = api(account_manager).patch(
        reverse("org-api:role-detail", args=[role.pk]),
        {"grants": [{"resource": "sales.quotation", "actions": ["view", "approve"], "scope": "all"}]},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "grant_exceeds_own"
    assert not Grant.objects.filter(role=role).exists()


def test_a_role_editor_cannot_widen_a_scope_beyond_their_own(db):
    editor = UserFactory()
    grant(editor, "org.role", (Action.VIEW, Action.CHANGE))
    grant(editor, "org.user", (Action.VIEW,), Scope.DEPARTMENT)
    role = RoleFactory()
    with pytest.raises(ApplicationError) as error:
        services.set_role_grants(actor=editor, role=role, grants={"org.user": (["view"], Scope.ALL)})
    assert error.value.code == "grant_exceeds_own"
    # Within their own rights it works.
    services.set_role_grants(actor=editor, role=role, grants={"org.user": (["view"], Scope.DEPARTMENT)})
    assert Grant.objects.get(role=role).scope == Scope.DEPARTMENT


def test_a_user_editor_cannot_assign_a_role_that_exceeds_their_grants(account_manager):
    services.ensure_default_roles()
    management = Role.objects.get(persona=Persona.MANAGEMENT)
    rep = UserFactory()
    response = api(account_manager).patch(
        reverse("org-api:user-detail", args=[rep.pk]), {"roles": [management.pk]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "grant_exceeds_own"
    assert not rep.roles.exists()
    # Nor to themselves.
    with pytest.raises(ApplicationError) as error:
        services.update_user(
            actor=account_manager, user=account_manager, data={"roles": [*account_manager.roles.all(), management]}
        )
    assert error.value.code == "grant_exceeds_own"
    assert "报价单" in error.value.message


def test_the_role_page_shows_the_refusal_in_chinese(client, account_manager):
    role = RoleFactory()
    client.force_login(account_manager)
    response = client.post(
        reverse("org:role_edit", args=[role.pk]),
        {
            "name": role.name,
            "is_active": "on",
            "grant__sales.quotation__actions": ["approve"],
            "grant__sales.quotation__scope": "all",
        },
    )
    assert response.status_code == 200
    assert "不能授予超出您自身权限的权利" in response.content.decode()
    assert not Grant.objects.filter(role=role).exists()


def test_a_role_within_the_granters_rights_can_be_assigned(it_admin):
    admin_role = Role.objects.get(persona=Persona.ADMIN)
    colleague = UserFactory()
    response = api(it_admin).patch(
        reverse("org-api:user-detail", args=[colleague.pk]), {"roles": [admin_role.pk]}, format="json"
    )
    assert response.status_code == 200
    assert list(colleague.roles.all()) == [admin_role]
