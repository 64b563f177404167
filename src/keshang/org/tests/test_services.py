import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Persona, Scope, resources
from keshang.core.testing.errors import validation_codes
from keshang.org import services
from keshang.org.models import Department, Grant, Role, User
from keshang.org.tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True)


def test_departments_form_a_tree_with_paths(admin):
    sales = services.create_department(actor=admin, name="销售部", code="SALES")
    east = services.create_department(actor=admin, name="华东", code="EAST", parent=sales)
    shanghai = services.create_department(actor=admin, name="上海", code="SH", parent=east)
    assert shanghai.path == f"/{sales.pk}/{east.pk}/{shanghai.pk}/"
    assert shanghai.depth == 2
    assert set(sales.descendant_ids().values_list("pk", flat=True)) == {sales.pk, east.pk, shanghai.pk}


def test_moving_a_department_moves_its_subtree(admin):
    sales = services.create_department(actor=admin, name="销售部", code="SALES")
    east = services.create_department(actor=admin, name="华东", code="EAST", parent=sales)
    shanghai = services.create_department(actor=admin, name="上海", code="SH", parent=east)
    hq = services.create_department(actor=admin, name="总部", code="HQ")
    services.update_department(actor=admin, department=east, data={"parent": hq})
    shanghai.refresh_from_db()
    assert shanghai.path == f"/{hq.pk}/{east.pk}/{shanghai.pk}/"
    assert set(sales.descendant_ids().values_list("pk", flat=True)) == {sales.pk}


def test_a_department_cannot_become_its_own_ancestor(admin):
    sales = services.create_department(actor=admin, name="销售部", code="SALES")
    east = services.create_department(actor=admin, name="华东", code="EAST", parent=sales)
    with pytest.raises(ValidationError) as error:
        services.update_department(actor=admin, department=sales, data={"parent": east})
    assert "上级部门不能是本部门或其下级部门" in str(error.value)
    sales.refresh_from_db()
    assert sales.parent is None


def test_a_department_with_members_cannot_be_deleted(admin):
    sales = services.create_department(actor=admin, name="销售部", code="SALES")
    UserFactory(department=sales)
    with pytest.raises(ProtectedError):
        services.delete_department(actor=admin, department=sales)
    assert Department.objects.filter(pk=sales.pk).exists()


def test_duplicate_department_names_under_one_parent_are_refused(admin):
    sales = services.create_department(actor=admin, name="销售部", code="SALES")
    services.create_department(actor=admin, name="华东", code="EAST", parent=sales)
    with pytest.raises(ValidationError) as error:
        services.create_department(actor=admin, name="华东", code="EAST2", parent=sales)
    assert "同一上级部门下已有同名部门" in str(error.value)


def test_create_user_validates_the_password_and_hashes_it(admin):
    with pytest.raises(ValidationError) as refused:
        services.create_user(actor=admin, username="weak", password="123")
    assert validation_codes(refused.value) == ["password_too_short", "password_too_common", "password_entirely_numeric"]
    user = services.create_user(actor=admin, username="strong", password="Xk9!long-enough", name="强")
    assert user.check_password("Xk9!long-enough")
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(user.pk))
    assert "password" not in entry.after


def test_role_changes_are_audited_as_permission_changes(admin):
    user = UserFactory()
    role = RoleFactory(name="销售")
    services.update_user(actor=admin, user=user, data={"roles": [role]})
    entry = AuditEntry.objects.get(action=AuditAction.PERMISSION, object_id=str(user.pk))
    assert entry.before == {"roles": []}
    assert entry.after == {"roles": ["销售"]}


def test_role_assignment_needs_rights_on_roles():
    actor = UserFactory()
    role = RoleFactory()
    with pytest.raises(ApplicationError) as refused:
        services.create_user(actor=actor, username="x1", password="Xk9!long-enough", roles=[role])
    assert refused.value.code == "cannot_assign_roles"
    assert not User.objects.filter(username="x1").exists()


def test_set_role_grants_replaces_grants_and_audits_before_and_after(admin):
    role = services.create_role(actor=admin, name="区域经理")
    services.set_role_grants(actor=admin, role=role, grants={"org.user": (["view"], Scope.DEPARTMENT)})
    services.set_role_grants(actor=admin, role=role, grants={"org.user": (["view", "export"], Scope.DEPARTMENT_TREE)})
    assert list(role.grants.values_list("resource", "actions", "scope")) == [
        ("org.user", ["export", "view"], "department_tree")
    ]
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION, object_id=str(role.pk)).latest("pk")
    assert entry.before == {"org.user": {"actions": ["view"], "scope": "department"}}
    assert entry.after == {"org.user": {"actions": ["export", "view"], "scope": "department_tree"}}


def test_set_role_grants_refuses_unknown_resources_and_actions(admin):
    role = services.create_role(actor=admin, name="坏角色")
    with pytest.raises(ValidationError) as refused:
        services.set_role_grants(actor=admin, role=role, grants={"nope.thing": (["view"], Scope.ALL)})
    assert refused.value.message_dict == {"nope.thing": ["未知资源：nope.thing"]}
    with pytest.raises(ValidationError) as refused:
        services.set_role_grants(actor=admin, role=role, grants={"org.role": (["export"], Scope.ALL)})
    assert refused.value.message_dict == {"org.role": ["角色与权限 不支持操作：export"]}
    assert not role.grants.exists()


def test_default_roles_cover_the_seven_personas_and_survive_admin_edits():
    # given
    services.ensure_default_roles()
    sales = Role.objects.get(persona=Persona.SALES)
    Grant.objects.filter(role=sales, resource="org.user").update(actions=["view", "export"])
    # when
    services.ensure_default_roles()
    # then
    assert Role.objects.exclude(persona="").count() == 7
    assert Grant.objects.get(role=sales, resource="org.user").actions == ["view", "export"]
    admin_role = Role.objects.get(persona=Persona.ADMIN)
    assert set(admin_role.grants.values_list("resource", flat=True)) >= {"org.user", "org.role", "core.auditentry"}


def test_every_resource_default_names_only_actions_the_resource_has():
    for resource in resources():
        for persona, (actions, scope) in resource.defaults.items():
            assert persona in Persona.values
            assert set(actions) <= set(resource.actions), resource.label
            assert scope in Scope.values


def test_default_sales_role_cannot_administer_users():
    services.ensure_default_roles()
    user = UserFactory()
    user.roles.add(Role.objects.get(persona=Persona.SALES))
    user = User.objects.get(pk=user.pk)
    assert user.grant_scope("org.user", Action.VIEW) == Scope.DEPARTMENT
    assert user.grant_scope("org.user", Action.ADD) is None
    assert user.grant_scope("org.role", Action.VIEW) is None
