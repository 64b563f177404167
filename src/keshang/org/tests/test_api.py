import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.org.models import Role
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import DepartmentFactory, RoleFactory, UserFactory, grant


class TestDepartmentAPI(APIResourceTests):
    resource = "org.department"
    basename = "org-api:department"
    scope = Scope.DEPARTMENT_TREE

    def make_object(self, *, ctx, inside):
        return DepartmentFactory(parent=ctx.department if inside else ctx.other_department)

    def create_data(self, *, ctx):
        return {"name": "华北销售组", "code": "NORTH", "parent": ctx.department.pk}

    def update_data(self, *, ctx, obj):
        return {"name": obj.name + "（改）"}


class TestUserAPI(APIResourceTests):
    resource = "org.user"
    basename = "org-api:user"
    related_grants = (("org.department", (Action.VIEW,), Scope.DEPARTMENT),)

    def make_object(self, *, ctx, inside):
        return UserFactory(department=ctx.department if inside else ctx.other_department)

    def create_data(self, *, ctx):
        return {"username": "newrep", "name": "新销售", "password": "Xk9!long-enough", "department": ctx.department.pk}

    def update_data(self, *, ctx, obj):
        return {"position": "高级销售"}


class TestRoleAPI(APIResourceTests):
    resource = "org.role"
    basename = "org-api:role"
    scoped = False
    # Nobody grants more than they hold (issue 12, finding 8): the editor holds what create_data grants.
    related_grants = (("org.user", (Action.VIEW,), Scope.DEPARTMENT),)

    def make_object(self, *, ctx, inside):
        return RoleFactory()

    def create_data(self, *, ctx):
        return {"name": "区域经理", "grants": [{"resource": "org.user", "actions": ["view"], "scope": "department"}]}

    def update_data(self, *, ctx, obj):
        return {"description": "负责区域"}


@pytest.mark.django_db
def test_user_api_masks_phone_and_email_without_view_sensitive(api_client):
    # given
    department = DepartmentFactory()
    actor = UserFactory(department=department)
    colleague = UserFactory(department=department, phone="13812345678", email="li.lei@example.com")
    grant(actor, "org.user", [Action.VIEW], Scope.DEPARTMENT)
    api_client.force_authenticate(actor)
    # when
    data = api_client.get(reverse("org-api:user-detail", kwargs={"pk": colleague.pk})).json()
    # then
    assert data["phone"] == "138****5678"
    assert data["email"] == "l***@example.com"


@pytest.mark.django_db
def test_user_api_shows_phone_with_view_sensitive(api_client):
    department = DepartmentFactory()
    actor = UserFactory(department=department)
    colleague = UserFactory(department=department, phone="13812345678")
    grant(actor, "org.user", [Action.VIEW, Action.VIEW_SENSITIVE], Scope.DEPARTMENT)
    api_client.force_authenticate(actor)
    data = api_client.get(reverse("org-api:user-list")).json()
    assert {row["phone"] for row in data["results"] if row["id"] == colleague.pk} == {"13812345678"}


@pytest.mark.django_db
def test_foreign_key_outside_scope_is_rejected_like_a_missing_id(api_client):
    # given: a manager who may add users in their own department only
    department = DepartmentFactory()
    elsewhere = DepartmentFactory()
    actor = UserFactory(department=department)
    grant(actor, "org.user", [Action.VIEW, Action.ADD], Scope.DEPARTMENT)
    api_client.force_authenticate(actor)
    # when: they name a department they cannot see
    response = api_client.post(
        reverse("org-api:user-list"),
        {"username": "spy", "name": "间谍", "password": "Xk9!long-enough", "department": elsewhere.pk},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert "department" in response.json()["fields"]
    assert not actor.__class__.objects.filter(username="spy").exists()


@pytest.mark.django_db
def test_creating_a_user_outside_own_scope_is_refused_and_rolled_back(api_client):
    # given: department scope, and a new user with no department (so outside the actor's scope)
    department = DepartmentFactory()
    actor = UserFactory(department=department)
    grant(actor, "org.user", [Action.VIEW, Action.ADD], Scope.DEPARTMENT)
    api_client.force_authenticate(actor)
    # when
    response = api_client.post(
        reverse("org-api:user-list"),
        {"username": "ghost", "name": "幽灵", "password": "Xk9!long-enough"},
        format="json",
    )
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "scope_violation"
    assert not actor.__class__.objects.filter(username="ghost").exists()


@pytest.mark.django_db
def test_assigning_roles_needs_the_right_to_change_roles(api_client):
    # given: a user administrator without rights on roles
    department = DepartmentFactory()
    actor = UserFactory(department=department)
    target = UserFactory(department=department)
    grant(actor, "org.user", [Action.VIEW, Action.CHANGE], Scope.DEPARTMENT)
    admin_role = RoleFactory(name="超级角色")
    api_client.force_authenticate(actor)
    # when
    response = api_client.patch(
        reverse("org-api:user-detail", kwargs={"pk": target.pk}), {"roles": [admin_role.pk]}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "cannot_assign_roles"
    assert not target.roles.exists()


@pytest.mark.django_db
def test_role_grants_with_unknown_action_are_rejected(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.post(
        reverse("org-api:role-list"),
        {"name": "坏角色", "grants": [{"resource": "org.user", "actions": ["fly"], "scope": "all"}]},
        format="json",
    )
    assert response.status_code == 400
    assert not Role.objects.filter(name="坏角色").exists()


@pytest.mark.django_db
def test_me_returns_the_union_of_grants_with_the_widest_scope(api_client):
    user = UserFactory()
    grant(user, "org.user", [Action.VIEW], Scope.OWN)
    grant(user, "org.user", [Action.VIEW, Action.EXPORT], Scope.ALL)
    api_client.force_authenticate(user)
    data = api_client.get(reverse("org-api:me")).json()
    assert data["grants"]["org.user"] == {"view": "all", "export": "all"}
