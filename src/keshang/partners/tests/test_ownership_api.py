"""REST API of ownership and the pool (issue 3): the actions on partners, the pool and handover lists,
with the permission matrix (no grant 403, outside the scope 404, nothing changed on denial)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import AuditAction, AuditEntry, Collaboration, Notification
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, PoolRules
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team

ERROR_KEYS = {"code", "message", "fields"}


class TestHandoverAPI(APIResourceTests):
    """Handovers are read-only and follow their partner's scope."""

    resource = "partners.partner"
    basename = "partners-api:handover"
    supports_write = False

    def model(self):
        return Handover

    def make_object(self, *, ctx, inside):
        partner = PartnerFactory(owner=ctx.colleague if inside else ctx.stranger)
        return Handover.objects.create(partner=partner, kind=HandoverKind.CLAIM, to_owner=partner.owner)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def action_url(partner, name: str) -> str:
    return reverse(f"partners-api:partner-{name}", args=[partner.pk])


def state(partner) -> dict:
    return Partner.objects.filter(pk=partner.pk).values("owner", "department", "owned_since").get()


@pytest.fixture
def team(db):
    return make_team()


#
# Transfer and assign: the permission matrix
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 403), ("no_role", 403), ("rep", 403), ("manager_outside", 404), ("manager", 200)],
)
def test_transfer_permission_matrix(team, who, status):
    # given a customer of 张三, or of the stranger for the manager outside their scope
    partner = PartnerFactory(owner=team.stranger if who == "manager_outside" else team.east_rep)
    actor = {
        "anonymous": None,
        "no_role": UserFactory(),
        "rep": team.east_rep,
        "manager_outside": team.manager,
        "manager": team.manager,
    }[who]
    before = state(partner)
    # when
    response = client_for(actor).post(
        action_url(partner, "transfer"),
        {"owner": team.south_rep.pk, "reason": "resignation", "notes": "离职交接"},
        format="json",
    )
    # then
    assert response.status_code == status, response.json()
    if status != 200:
        assert set(response.json()) == ERROR_KEYS
        assert state(partner) == before
        assert not Handover.objects.exists()
        assert not AuditEntry.objects.filter(object_id=str(partner.pk), action=AuditAction.UPDATE).exists()
        assert not Notification.objects.exists()
    else:
        body = response.json()
        assert (body["kind"], body["from_owner"], body["to_owner"]) == ("transfer", team.east_rep.pk, team.south_rep.pk)
        assert Partner.objects.get(pk=partner.pk).owner == team.south_rep


@pytest.mark.django_db
def test_transfer_without_reason_names_the_field(team):
    partner = PartnerFactory(owner=team.east_rep)
    response = client_for(team.manager).post(
        action_url(partner, "transfer"), {"owner": team.south_rep.pk, "notes": "x"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "reason_required" and "reason" in body["fields"]
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


@pytest.mark.django_db
def test_an_owner_outside_the_callers_sight_does_not_exist(team):
    partner = PartnerFactory(owner=team.east_rep)
    response = client_for(team.manager).post(action_url(partner, "assign"), {"owner": team.stranger.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


@pytest.mark.django_db
def test_a_manager_assigns_a_released_customer(team):
    # given a customer 张三 released into the pool
    partner = PartnerFactory(owner=team.east_rep)
    services.release_partner(actor=team.east_rep, partner=partner)
    # when
    response = client_for(team.manager).post(action_url(partner, "assign"), {"owner": team.south_rep.pk}, format="json")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "assign"
    assert Partner.objects.get(pk=partner.pk).owner == team.south_rep


#
# Batches
#


@pytest.mark.django_db
def test_a_batch_with_one_id_outside_the_scope_is_404_and_moves_nothing(team):
    # given
    mine = PartnerFactory.create_batch(2, owner=team.east_rep)
    foreign = PartnerFactory(owner=team.stranger)
    payload = {"owner": team.south_rep.pk, "reason": "resignation", "notes": "离职"}
    url = reverse("partners-api:partner-batch-transfer")
    # when
    refused = client_for(team.manager).post(url, {**payload, "ids": [p.pk for p in (*mine, foreign)]}, format="json")
    # then
    assert refused.status_code == 404
    assert not Partner.objects.filter(owner=team.south_rep).exists()
    # when only the manager's subordinates' partners are sent
    done = client_for(team.manager).post(url, {**payload, "ids": [p.pk for p in mine]}, format="json")
    # then
    assert done.status_code == 200, done.json()
    assert done.json()["count"] == 2
    assert Partner.objects.filter(owner=team.south_rep).count() == 2


@pytest.mark.django_db
def test_a_batch_needs_the_assign_grant(team):
    partners = PartnerFactory.create_batch(2, owner=team.east_rep)
    response = client_for(team.east_rep).post(
        reverse("partners-api:partner-batch-assign"),
        {"ids": [p.pk for p in partners], "owner": team.east_rep.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Handover.objects.exists()


@pytest.mark.django_db
def test_an_empty_batch_is_refused_with_a_field_message(team):
    response = client_for(team.manager).post(
        reverse("partners-api:partner-batch-assign"), {"ids": [], "owner": team.south_rep.pk}, format="json"
    )
    assert response.status_code == 400
    assert "ids" in response.json()["fields"]


#
# Release and claim
#


@pytest.mark.django_db
def test_a_rep_releases_their_customer_but_not_someone_elses(team):
    mine = PartnerFactory(owner=team.east_rep)
    theirs = PartnerFactory(owner=team.south_rep)
    client = client_for(team.east_rep)
    assert client.post(action_url(theirs, "release"), {}, format="json").status_code == 404
    assert Partner.objects.get(pk=theirs.pk).owner == team.south_rep
    response = client.post(action_url(mine, "release"), {"reason": "other", "notes": "不再需要"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "release"
    assert Partner.objects.get(pk=mine.pk).owner is None


@pytest.mark.django_db
def test_a_rep_claims_from_the_pool_until_the_limit(team):
    # given a limit of one more customer than 张三 has
    PoolRules.objects.update_or_create(pk=services.get_pool_rules().pk, defaults={"max_owned_customers": 2})
    PartnerFactory(owner=team.east_rep)
    first, second = PartnerFactory.create_batch(2, owner=None)
    client = client_for(team.east_rep)
    # when
    claimed = client.post(action_url(first, "claim"), format="json")
    refused = client.post(action_url(second, "claim"), format="json")
    # then
    assert claimed.status_code == 200, claimed.json()
    assert refused.status_code == 400
    assert refused.json()["code"] == "claim_limit" and "2 个" in refused.json()["message"]
    assert Partner.objects.get(pk=second.pk).owner is None


@pytest.mark.django_db
def test_claiming_needs_add_and_a_partner_in_the_pool(team):
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    pooled = PartnerFactory(owner=None)
    owned = PartnerFactory(owner=team.south_rep)
    assert client_for(viewer).post(action_url(pooled, "claim")).status_code == 403
    assert client_for(team.east_rep).post(action_url(owned, "claim")).status_code == 404
    assert Partner.objects.get(pk=pooled.pk).owner is None
    assert Partner.objects.get(pk=owned.pk).owner == team.south_rep


#
# Sharing
#


@pytest.mark.django_db
def test_the_owner_shares_and_unshares_through_the_api(team):
    # given
    colleague = UserFactory(department=team.east_rep.department)
    partner = PartnerFactory(owner=team.east_rep)
    client = client_for(team.east_rep)
    # when
    shared = client.post(action_url(partner, "share"), {"user": colleague.pk, "can_write": True}, format="json")
    listed = client.get(action_url(partner, "collaborators"))
    removed = client.post(action_url(partner, "unshare"), {"user": colleague.pk}, format="json")
    # then
    assert shared.status_code == 200, shared.json()
    assert shared.json()["can_write"] is True
    assert [row["user"] for row in listed.json()] == [colleague.pk]
    assert removed.status_code == 204
    assert not Collaboration.objects.exists()


@pytest.mark.django_db
def test_a_collaborator_cannot_share_further_through_the_api(team):
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep, can_write=True)
    colleague = UserFactory(department=team.south_rep.department)
    response = client_for(team.south_rep).post(action_url(partner, "share"), {"user": colleague.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "scope_violation"
    assert Collaboration.objects.count() == 1


#
# The pool list
#


@pytest.mark.django_db
def test_the_pool_lists_pool_partners_with_contact_details_masked(team):
    # given a pool customer and an owned one
    pooled = PartnerFactory(owner=None, phone="13812345678", email="buyer@example.com")
    PartnerFactory(owner=team.south_rep)
    # when
    response = client_for(team.east_rep).get(reverse("partners-api:pool-list"))
    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [pooled.pk]
    assert rows[0]["phone"] == "138****5678" and rows[0]["email"] == "b***@example.com"


@pytest.mark.django_db
def test_the_pool_is_403_without_the_add_grant(team):
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    response = client_for(viewer).get(reverse("partners-api:pool-list"))
    assert response.status_code == 403
    assert set(response.json()) == ERROR_KEYS


@pytest.mark.django_db
def test_the_pool_is_filtered_by_the_shared_filters(team):
    PartnerFactory(owner=None, name="杭州甲贸易有限公司")
    PartnerFactory(owner=None, name="广州乙制造有限公司")
    response = client_for(team.east_rep).get(reverse("partners-api:pool-list"), {"q": "杭州"})
    assert [row["name"] for row in response.json()["results"]] == ["杭州甲贸易有限公司"]


@pytest.mark.django_db
def test_the_schema_describes_the_ownership_actions(client, admin_user):
    client.force_login(admin_user)
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    assert "/api/v1/partners/partners/{id}/transfer/" in paths
    assert "/api/v1/partners/partners/batch-transfer/" in paths
    assert "/api/v1/partners/pool/" in paths
