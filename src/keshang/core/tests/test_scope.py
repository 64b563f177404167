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


@pytest.mark.parametrize("scope", [Scope.DEPARTMENT, Scope.DEPARTMENT_TREE])
def test_own_records_stay_visible_after_moving_department(company, scope):
    people, memos = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], scope)
    memos["rep"].department = people["buyer"].department
    memos["rep"].save()
    assert "rep" in visible(people["rep"])


def test_a_named_reader_views_and_exports_the_row_beside_their_own_and_changes_nothing_through_it(company):
    # given: the buyer, who sees only their own memos, is the reader of the rep's memo
    people, memos = company
    buyer = people["buyer"]
    grant(buyer, "scopeapp.memo", [Action.VIEW, Action.EXPORT, Action.CHANGE, Action.DELETE], Scope.OWN)
    Memo.objects.filter(pk=memos["rep"].pk).update(reader=buyer)
    # then
    assert visible(buyer) == {"buyer", "rep"}
    assert visible(buyer, Action.EXPORT) == {"buyer", "rep"}
    assert visible(buyer, Action.CHANGE) == {"buyer"}
    assert visible(buyer, Action.DELETE) == {"buyer"}
    assert visible(people["peer"]) == set()


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


def names(users, people) -> set[str]:
    by_pk = {user.pk: name for name, user in people.items()}
    return {by_pk.get(pk, "other") for pk in users.values_list("pk", flat=True)}


@pytest.mark.parametrize(
    ("who", "scope", "expected"),
    [
        ("rep", Scope.OWN, {"rep"}),
        ("rep", Scope.DEPARTMENT, {"rep", "peer"}),
        ("manager", Scope.DEPARTMENT, {"manager"}),
        ("manager", Scope.DEPARTMENT_TREE, {"manager", "rep", "peer"}),
        ("buyer", Scope.ALL, {"manager", "rep", "peer", "buyer"}),
    ],
)
def test_the_owner_filter_offers_the_users_whose_rows_the_scope_opens(company, who, scope, expected):
    from keshang.core.scope import owners_within_scope

    people, _ = company
    grant(people[who], "scopeapp.memo", [Action.VIEW], scope)
    viewer = User.objects.get(pk=people[who].pk)
    users = User.objects.filter(pk__in=[user.pk for user in people.values()])
    assert names(owners_within_scope(users, viewer=viewer, resource="scopeapp.memo"), people) == expected
    assert names(owners_within_scope(users, viewer=viewer, resource="scopeapp.memo", action=Action.DELETE), people) == (
        set()
    )


def test_the_owner_filter_offers_everyone_to_a_superuser_and_for_an_unscoped_resource(company):
    from keshang.core.scope import owners_within_scope

    people, _ = company
    users = User.objects.filter(pk__in=[user.pk for user in people.values()])
    root = UserFactory(is_superuser=True)
    assert names(owners_within_scope(users, viewer=root, resource="scopeapp.memo"), people) == set(people)
    grant(people["rep"], "catalog.product", [Action.VIEW], Scope.OWN)
    rep = User.objects.get(pk=people["rep"].pk)
    unscoped = owners_within_scope(users, viewer=rep, resource="catalog.product")
    assert names(unscoped, people) == set(people)


def test_a_user_without_a_department_is_offered_only_themselves(company):
    from keshang.core.scope import owners_within_scope

    people, _ = company
    loner = UserFactory(department=None)
    grant(loner, "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT_TREE)
    loner = User.objects.get(pk=loner.pk)
    users = User.objects.filter(pk__in=[loner.pk, *(user.pk for user in people.values())])
    assert list(owners_within_scope(users, viewer=loner, resource="scopeapp.memo")) == [loner]
    assert visible(loner) == set()


def test_has_action_needs_an_active_signed_in_user_with_the_grant(company):
    from django.contrib.auth.models import AnonymousUser

    from keshang.core.scope import has_action

    people, _ = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.OWN)
    rep = User.objects.get(pk=people["rep"].pk)
    assert has_action(rep, "scopeapp.memo", Action.VIEW) is True
    assert has_action(rep, "scopeapp.memo", Action.CHANGE) is False
    assert has_action(AnonymousUser(), "scopeapp.memo", Action.VIEW) is False
    assert has_action(None, "scopeapp.memo", Action.VIEW) is False
    assert has_action(UserFactory(is_superuser=True), "scopeapp.memo", Action.DELETE) is True
    rep.is_active = False
    assert has_action(rep, "scopeapp.memo", Action.VIEW) is False


def test_recheck_refuses_a_saved_row_the_user_cannot_reach_with_the_action(company):
    from keshang.core.exceptions import ScopeViolation
    from keshang.core.scope import recheck_scope

    people, memos = company
    grant(people["rep"], "scopeapp.memo", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(people["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    rep = User.objects.get(pk=people["rep"].pk)
    recheck_scope(user=rep, obj=memos["rep"])
    recheck_scope(user=rep, obj=memos["peer"], action=Action.VIEW)
    with pytest.raises(ScopeViolation) as refused:
        recheck_scope(user=rep, obj=memos["peer"])
    assert refused.value.code == "scope_violation"
    with pytest.raises(ScopeViolation):
        recheck_scope(user=rep, obj=memos["buyer"], action=Action.VIEW)


def test_a_scoped_model_without_collaborators_is_filtered_by_its_own_fields(company):
    # users are scoped by their own pk and department, and cannot be shared
    people, _ = company
    grant(people["rep"], "org.user", [Action.VIEW], Scope.DEPARTMENT)
    rep = User.objects.get(pk=people["rep"].pk)
    seen = set(User.objects.visible_to(rep, Action.VIEW).values_list("pk", flat=True))
    assert seen == {people["rep"].pk, people["peer"].pk}


def test_a_part_is_visible_where_its_record_is_and_only_with_the_records_it_names():
    # a price rule is part of a product (scope_parent) and names a customer (scope_related)
    from keshang.catalog.models import PriceRule, PriceRuleKind
    from keshang.catalog.tests.factories import PriceRuleFactory, ProductFactory
    from keshang.partners.tests.factories import PartnerFactory

    rep, other = UserFactory(), UserFactory()
    grant(rep, "catalog.product", [Action.VIEW], Scope.ALL)
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    product = ProductFactory()
    general = PriceRuleFactory(product=product)
    mine = PriceRuleFactory(product=product, kind=PriceRuleKind.CUSTOMER, partner=PartnerFactory(owner=rep))
    PriceRuleFactory(product=product, kind=PriceRuleKind.CUSTOMER, partner=PartnerFactory(owner=other))
    rep = User.objects.get(pk=rep.pk)
    assert set(PriceRule.objects.visible_to(rep, Action.VIEW)) == {general, mine}
    # the parent's grant decides the action: no "change" on products, no rules to change
    assert not PriceRule.objects.visible_to(rep, Action.CHANGE).exists()
    # without a grant on the parent, nothing
    assert not PriceRule.objects.visible_to(User.objects.get(pk=other.pk), Action.VIEW).exists()
    # a superuser sees every rule
    assert PriceRule.objects.visible_to(UserFactory(is_superuser=True), Action.VIEW).count() == 3


def test_no_user_sees_nothing():
    assert not Memo.objects.visible_to(None).exists()


def test_an_unscoped_resource_opens_every_row_whatever_the_grants_scope(company):
    from keshang.catalog.models import Product
    from keshang.catalog.tests.factories import ProductFactory

    people, _ = company
    ProductFactory(), ProductFactory()
    grant(people["rep"], "catalog.product", [Action.VIEW], Scope.OWN)
    rep = User.objects.get(pk=people["rep"].pk)
    assert Product.objects.visible_to(rep).count() == Product.objects.count() == 2


def test_a_model_without_an_owner_field_is_scoped_by_its_department_field(company):
    # departments are scoped by their own pk and have no owner
    from keshang.org.models import Department

    people, _ = company
    grant(people["rep"], "org.department", [Action.VIEW], Scope.DEPARTMENT)
    rep = User.objects.get(pk=people["rep"].pk)
    assert list(Department.objects.visible_to(rep)) == [people["rep"].department]


def test_a_part_that_names_no_other_record_follows_its_parent_alone(company):
    # a product's packing unit is part of the product and names nothing else
    from keshang.catalog.models import ProductUnit
    from keshang.catalog.tests.factories import ProductUnitFactory

    people, _ = company
    unit = ProductUnitFactory()
    grant(people["rep"], "catalog.product", [Action.VIEW], Scope.OWN)
    rep = User.objects.get(pk=people["rep"].pk)
    assert list(ProductUnit.objects.visible_to(rep)) == [unit]
    assert not ProductUnit.objects.visible_to(User.objects.get(pk=people["peer"].pk)).exists()
