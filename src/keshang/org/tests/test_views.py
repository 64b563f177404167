import pytest
from django.urls import reverse

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.models import Department, Grant, Role, User
from keshang.org.tests.factories import DepartmentFactory, RoleFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_role_form_saves_the_grant_matrix(admin_client):
    response = admin_client.post(
        reverse("org:role_add"),
        {
            "name": "区域经理",
            "description": "管理区域销售",
            "is_active": "on",
            "grant__org.user__actions": ["view", "export"],
            "grant__org.user__scope": "department_tree",
            "grant__org.department__scope": "own",
            "grant__org.role__scope": "all",
            "grant__core.auditentry__scope": "own",
            "grant__core.currency__scope": "all",
            "grant__core.exchangerate__scope": "all",
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(name="区域经理")
    assert list(Grant.objects.filter(role=role).values_list("resource", "actions", "scope")) == [
        ("org.user", ["export", "view"], "department_tree")
    ]
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION, object_id=str(role.pk)).exists()


def test_user_form_checks_the_password_confirmation(admin_client):
    response = admin_client.post(
        reverse("org:user_add"),
        {
            "username": "newbie",
            "name": "新人",
            "password1": "Xk9!long-enough",
            "password2": "different",
            "is_active": "on",
        },
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_admin_creates_a_user_with_a_role_in_a_department(admin_client):
    department = DepartmentFactory(name="华东销售组")
    role = RoleFactory(name="销售")
    response = admin_client.post(
        reverse("org:user_add"),
        {
            "username": "wangfang",
            "name": "王芳",
            "department": department.pk,
            "roles": [role.pk],
            "password1": "Xk9!long-enough",
            "password2": "Xk9!long-enough",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.check_password("Xk9!long-enough")
    assert list(user.roles.all()) == [role]
    assert user.department == department


def test_manager_resets_a_team_members_password(client):
    department = DepartmentFactory()
    manager = UserFactory(department=department)
    member = UserFactory(department=department)
    grant(manager, "org.user", [Action.VIEW, Action.CHANGE], Scope.DEPARTMENT)
    client.force_login(manager)
    response = client.post(
        reverse("org:user_password", args=[member.pk]), {"password1": "Xk9!long-enough", "password2": "Xk9!long-enough"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Xk9!long-enough")
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD, object_id=str(member.pk)).exists()


def test_password_reset_outside_scope_is_404(client):
    manager = UserFactory(department=DepartmentFactory())
    outsider = UserFactory(department=DepartmentFactory())
    grant(manager, "org.user", [Action.VIEW, Action.CHANGE], Scope.DEPARTMENT)
    client.force_login(manager)
    assert client.get(reverse("org:user_password", args=[outsider.pk])).status_code == 404


def test_department_delete_with_members_explains_why(admin_client):
    department = DepartmentFactory(name="仓储部")
    UserFactory(department=department)
    response = admin_client.post(reverse("org:department_delete", args=[department.pk]), follow=True)
    assert "仍被其他数据引用，不能删除" in response.content.decode()
    assert Department.objects.filter(pk=department.pk).exists()


def test_users_change_their_own_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("web:password_change"),
        {"old_password": "Test-Pass-2026", "new_password1": "Xk9!long-enough", "new_password2": "Xk9!long-enough"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xk9!long-enough")
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD, user=user).exists()


def test_user_list_filters_by_department_and_searches_names(admin_client):
    east = DepartmentFactory(name="华东")
    UserFactory(name="张伟", department=east)
    UserFactory(name="李娜")
    content = admin_client.get(reverse("org:user_list"), {"department": east.pk, "q": "张"}).content.decode()
    assert "张伟" in content
    assert "李娜" not in content


def test_active_filter_defaults_to_all_and_filters_when_chosen(admin_client):
    UserFactory(name="在职员工")
    UserFactory(name="离职员工", is_active=False)
    everyone = admin_client.get(reverse("org:user_list")).content.decode()
    active = admin_client.get(reverse("org:user_list"), {"is_active": "true"}).content.decode()
    assert "离职员工" in everyone and "在职员工" in everyone
    assert "离职员工" not in active and "在职员工" in active


def test_history_shows_labels_and_names_not_ids(admin_client):
    department = DepartmentFactory(name="质检部")
    admin_client.post(
        reverse("org:user_add"),
        {
            "username": "zhaoliu",
            "name": "赵六",
            "department": department.pk,
            "roles": [RoleFactory(name="质检").pk],
            "password1": "Xk9!long-enough",
            "password2": "Xk9!long-enough",
            "is_active": "on",
        },
    )
    user = User.objects.get(username="zhaoliu")
    page = admin_client.get(reverse("org:user_history", args=[user.pk])).content.decode()
    assert "<td>部门</td>" in page and "<td>质检部</td>" in page
    assert "department_id" not in page
    assert "权限变更" in page and "<td>质检</td>" in page
