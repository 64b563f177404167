"""ScopedFilterSet: the 负责人 filter offers whoever can own the records the viewer sees, not only the users the
viewer may see as records (org.user), which for finance is her own department."""

from __future__ import annotations

import django_filters
import pytest
from django.test import RequestFactory
from django.urls import reverse

from keshang.core.filters import AuditEntryFilterSet, ScopedFilterSet
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.models import User
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


class MemoFilterSet(ScopedFilterSet):
    owner = django_filters.ModelChoiceFilter(label="负责人", queryset=User.objects.all())

    class Meta:
        model = Memo
        fields = ["owner"]


@pytest.fixture
def company():
    """销售部 ⊃ 华东组; 财务部 with one accountant; a rep who has left."""
    sales = DepartmentFactory(name="销售部")
    east = DepartmentFactory(name="华东组", parent=sales)
    finance = DepartmentFactory(name="财务部")
    return {
        "manager": UserFactory(username="manager", department=sales),
        "rep": UserFactory(username="rep", department=east),
        "left": UserFactory(username="left", department=east, is_active=False),
        "accountant": UserFactory(username="accountant", department=finance),
        "viewer": UserFactory(username="viewer", department=sales),
    }


def owner_choices(viewer, filterset_class=MemoFilterSet, field="owner") -> set[str]:
    request = RequestFactory().get("/")
    request.user = viewer
    queryset = filterset_class.Meta.model._default_manager.all()
    form = filterset_class(None, queryset=queryset, request=request).form
    return {user.username for user in form.fields[field].queryset}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope.ALL, {"manager", "rep", "accountant", "viewer"}),
        (Scope.DEPARTMENT_TREE, {"manager", "rep", "viewer"}),
        (Scope.DEPARTMENT, {"manager", "viewer"}),
        (Scope.OWN, {"viewer"}),
    ],
)
def test_the_owner_filter_offers_the_active_users_who_can_own_records_within_the_viewers_scope(
    company, scope, expected
):
    # given a viewer in 销售部 who may see memos at ``scope`` but users (org.user) only of their own department
    viewer = company["viewer"]
    grant(viewer, "scopeapp.memo", [Action.VIEW], scope)
    grant(viewer, "org.user", [Action.VIEW], Scope.OWN)
    # when / then
    assert owner_choices(viewer) == expected


def test_the_owner_filter_offers_nobody_without_a_grant_on_the_records(company):
    viewer = company["viewer"]
    grant(viewer, "org.user", [Action.VIEW], Scope.ALL)
    assert owner_choices(viewer) == set()


def test_finance_filters_the_partner_list_and_api_by_any_rep(client, api_client, company):
    # given finance reads every partner but sees users (org.user) of her own department only
    accountant, rep = company["accountant"], company["rep"]
    grant(accountant, "partners.partner", [Action.VIEW], Scope.ALL)
    grant(accountant, "org.user", [Action.VIEW], Scope.DEPARTMENT)
    theirs = PartnerFactory(name="杭州明达", owner=rep)
    PartnerFactory(name="宁波华兴", owner=company["manager"])
    client.force_login(accountant)
    api_client.force_authenticate(accountant)
    # when
    page = client.get(reverse("partners:partner_list"), {"owner": rep.pk})
    api = api_client.get(reverse("partners-api:partner-list"), {"owner": rep.pk})
    # then the rep is offered and filtering by them finds their partner only
    owners = {user.username for user in page.context["filterset"].form.fields["owner"].queryset}
    assert {"rep", "manager", "accountant"} <= owners
    assert [obj for obj, _cells in page.context["rows"]] == [theirs]
    assert api.status_code == 200
    assert [row["id"] for row in api.json()["results"]] == [theirs.pk]


def test_the_audit_user_filter_keeps_people_who_have_left(company):
    # given an auditor: whose actions were recorded outlives their account
    auditor = company["viewer"]
    grant(auditor, "core.auditentry", [Action.VIEW], Scope.ALL)
    # when / then
    assert "left" in owner_choices(auditor, AuditEntryFilterSet, "user")
