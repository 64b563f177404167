"""visible_to(): the one place data scope is decided, proven on an owned model (core/tests/scopeapp)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from keshang.core.models import Collaboration
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.models import User
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """销售部 with a sub-group 华东; a stranger in 采购部. One memo owned by each person."""
    sales = DepartmentFactory(name="销售部")
    east = DepartmentFactory(name="华东", parent=sales)
    purchasing = DepartmentFactory(name="采购部")
    people = {
        "manager": UserFactory(department=sales),
        "rep": UserFactory(department=east),
        "peer": UserFactory(department=east),
        "buyer": UserFactory(department=purchasing),
    }
    memos = {
        name: Memo.objects.create(title=name, owner=user, department=user.department) for name, user in people.items()
    }
    return people, memos


def visible(user, action=Action.VIEW) -> set[str]:
    user = User.objects.get(pk=user.pk)
    return set(Memo.objects.visible_to(user, action).values_list("title", flat=True))


def test_no_grant_sees_nothing_not_even_own_records(company):
    people, _ = company
    assert visible(people["rep"]) == set()


def test_anonymous_and_inactive_users_see_nothing(company):
    from django.contrib.auth.models import AnonymousUser

    people, _ = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.ALL)
    assert not Memo.objects.visible_to(AnonymousUser(), Action.VIEW).exists()
    people["rep"].is_active = False
    people["rep"].save()
    assert visible(people["rep"]) == set()


@pytest.mark.parametrize(
    ("who", "scope", "expected"),
    [
        ("rep", Scope.OWN, {"rep"}),
        ("rep", Scope.DEPARTMENT, {"rep", "peer"}),
        ("manager", Scope.DEPARTMENT, {"manager"}),
        ("manager", Scope.DEPARTMENT_TREE, {"manager", "rep", "peer"}),
        ("rep", Scope.DEPARTMENT_TREE, {"rep", "peer"}),
        ("buyer", Scope.ALL, {"manager", "rep", "peer", "buyer"}),
    ],
)
def test_each_scope_opens_exactly_its_rows(company, who, scope, expected):
    people, _ = company
    grant(people[who], "scopeapp.memo", [Action.VIEW], scope)
    assert visible(people[who]) == expected


def test_grants_combine_as_the_union_with_the_widest_scope(company):
    people, _ = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    assert visible(people["rep"], Action.VIEW) == {"rep", "peer"}
    assert visible(people["rep"], Action.CHANGE) == {"rep"}


def test_a_scope_is_per_action(company):
    people, _ = company
    grant(people["manager"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT_TREE)
    assert visible(people["manager"], Action.DELETE) == set()


def test_own_records_stay_visible_after_moving_department(company):
    people, memos = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    memos["rep"].department = people["buyer"].department
    memos["rep"].save()
    assert "rep" in visible(people["rep"])


def test_collaborators_read_shared_records_and_write_only_when_allowed(company):
    people, memos = company
    grant(people["buyer"], "scopeapp.memo", [Action.VIEW, Action.CHANGE], Scope.OWN)
    content_type = ContentType.objects.get_for_model(Memo)
    Collaboration.objects.create(content_type=content_type, object_id=memos["rep"].pk, user=people["buyer"])
    Collaboration.objects.create(
        content_type=content_type, object_id=memos["peer"].pk, user=people["buyer"], can_write=True
    )
    assert visible(people["buyer"], Action.VIEW) == {"buyer", "rep", "peer"}
    assert visible(people["buyer"], Action.CHANGE) == {"buyer", "peer"}
    assert visible(people["buyer"], Action.DELETE) == set()


def test_superusers_see_everything_without_grants(company):
    people, _ = company
    root = UserFactory(is_superuser=True)
    assert visible(root) == {"manager", "rep", "peer", "buyer"}


def test_inactive_roles_grant_nothing(company):
    people, _ = company
    role = grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.ALL)
    role.is_active = False
    role.save()
    assert visible(people["rep"]) == set()


def test_visible_to_costs_one_query_for_grants_per_user_object(company, django_assert_max_num_queries):
    people, _ = company
    grant(people["manager"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT_TREE)
    manager = User.objects.get(pk=people["manager"].pk)
    with django_assert_max_num_queries(3):  # grants, the department path, the rows
        list(Memo.objects.visible_to(manager, Action.VIEW))
    with django_assert_max_num_queries(2):  # cached grants
        list(Memo.objects.visible_to(manager, Action.VIEW))
