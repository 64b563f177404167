"""API of the duplicate finder and the merge tool, in the API test base's terms: an actor in department
A, a colleague in A, a stranger in B; no grant is 403, outside the scope is 404, inside is 200."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import ScopeContext
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.models import Contact, Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

DUPLICATES = reverse("partners-api:duplicate-list")


@pytest.fixture
def ctx() -> ScopeContext:
    department, other_department = DepartmentFactory(), DepartmentFactory()
    return ScopeContext(
        actor=UserFactory(department=department),
        colleague=UserFactory(department=department),
        stranger=UserFactory(department=other_department),
        department=department,
        other_department=other_department,
    )


def give(ctx, *actions):
    grant(ctx.actor, "partners.partner", actions, Scope.DEPARTMENT)


def merge_url(partner) -> str:
    return reverse("partners-api:partner-merge", kwargs={"pk": partner.pk})


def state():
    return sorted(Partner.objects.values_list("pk", "name", "phone")), sorted(
        Contact.objects.values_list("pk", "partner_id")
    )


@pytest.fixture
def twins(ctx):
    survivor = PartnerFactory(name="华为技术有限公司", owner=ctx.colleague)
    duplicate = PartnerFactory(name="深圳市华为技术有限公司", owner=ctx.colleague, phone="13800001234")
    ContactFactory(partner=duplicate)
    return survivor, duplicate


#
# GET partners/duplicates/
#


def test_duplicates_refuse_anonymous_users(api_client):
    # when
    response = api_client.get(DUPLICATES)
    # then
    assert response.status_code in (401, 403)


def test_duplicates_without_the_assign_grant_are_403(api_client, ctx, twins):
    # given
    give(ctx, Action.VIEW, Action.CHANGE)
    api_client.force_authenticate(ctx.actor)
    # when
    response = api_client.get(DUPLICATES)
    # then
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "fields"}


def test_duplicates_list_groups_inside_the_scope_only(api_client, ctx, twins):
    # given
    survivor, duplicate = twins
    PartnerFactory(name="华为技术股份有限公司", owner=ctx.stranger)
    give(ctx, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    # when
    response = api_client.get(DUPLICATES)
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1 and body["truncated"] is False and body["threshold"] == 90
    group = body["results"][0]
    assert group["reasons"] == ["name"] and group["reason_display"] == "名称相同"
    assert [member["id"] for member in group["members"]] == [survivor.pk, duplicate.pk]
    assert group["members"][1]["phone"] == "138****1234" and group["members"][1]["contact_count"] == 1


def test_duplicates_explain_a_bad_threshold(api_client, ctx):
    # given
    give(ctx, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    # when
    response = api_client.get(DUPLICATES, {"threshold": 101})
    # then
    assert response.status_code == 400
    assert response.json()["fields"]["threshold"] == ["相似度阈值应为 70 到 100 之间的整数。"]


#
# POST partners/{id}/merge/
#


def test_merge_without_the_assign_grant_is_403_and_changes_nothing(api_client, ctx, twins):
    # given
    survivor, duplicate = twins
    give(ctx, Action.VIEW, Action.CHANGE, Action.DELETE)
    api_client.force_authenticate(ctx.actor)
    before = state()
    # when
    response = api_client.post(merge_url(survivor), {"duplicate": duplicate.pk}, format="json")
    # then
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("outside", ["survivor", "duplicate"])
def test_merge_with_a_partner_outside_the_scope_is_404_and_changes_nothing(api_client, ctx, twins, outside):
    # given
    survivor, duplicate = twins
    stranger_partner = PartnerFactory(name="华为技术有限公司", owner=ctx.stranger)
    if outside == "survivor":
        survivor = stranger_partner
    else:
        duplicate = stranger_partner
    give(ctx, Action.VIEW, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    before = state()
    # when
    response = api_client.post(merge_url(survivor), {"duplicate": duplicate.pk}, format="json")
    # then
    assert response.status_code == 404
    assert state() == before


def test_merge_inside_the_scope_is_200_audited_and_answers_the_survivor(api_client, ctx, twins):
    # given
    survivor, duplicate = twins
    give(ctx, Action.VIEW, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    # when
    response = api_client.post(
        merge_url(survivor), {"duplicate": duplicate.pk, "field_choices": {"name": "duplicate"}}, format="json"
    )
    # then
    body = response.json()
    assert response.status_code == 200, body
    assert body["id"] == survivor.pk and body["name"] == "深圳市华为技术有限公司"
    assert body["phone"] == "138****1234"
    assert not Partner.objects.filter(pk=duplicate.pk).exists()
    partner_type = ContentType.objects.get_for_model(Partner)
    entries = AuditEntry.objects.filter(content_type=partner_type, user=ctx.actor)
    assert entries.filter(object_id=str(survivor.pk), action=AuditAction.UPDATE).exists()
    assert entries.filter(object_id=str(duplicate.pk), action=AuditAction.DELETE).exists()


def test_merging_a_partner_into_itself_is_400(api_client, ctx, twins):
    # given
    survivor, _duplicate = twins
    give(ctx, Action.VIEW, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    # when
    response = api_client.post(merge_url(survivor), {"duplicate": survivor.pk}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "merge_self"


def test_merge_refuses_unknown_field_choices_and_changes_nothing(api_client, ctx, twins):
    # given
    survivor, duplicate = twins
    give(ctx, Action.VIEW, Action.ASSIGN)
    api_client.force_authenticate(ctx.actor)
    before = state()
    # when
    response = api_client.post(
        merge_url(survivor),
        {"duplicate": duplicate.pk, "field_choices": {"owner": "both", "search_text": "duplicate"}},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"field_choices.owner"}  # nested errors are named by their path
    assert state() == before
