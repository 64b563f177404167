"""Issue 12, finding 4: a collaborator with a write share cannot take a colleague's customer over by releasing
and claiming it, and every change of owner tells the previous owner."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import Notification
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, PoolRules
from keshang.partners.services.merging import merge_partners
from keshang.partners.services.pool import recycle_idle_partners
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_write_collaborator_cannot_release_a_colleagues_customer(team):
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep, can_write=True)
    response = api(team.south_rep).post(reverse("partners-api:partner-release", args=[partner.pk]), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "release_not_owner"
    partner.refresh_from_db()
    assert partner.owner == team.east_rep
    assert not Handover.objects.filter(partner=partner).exists()


def test_the_release_button_is_not_offered_to_a_write_collaborator(team, client):
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep, can_write=True)
    client.force_login(team.south_rep)
    page = client.get(reverse("partners:partner_ownership_actions", args=[partner.pk]))
    assert page.status_code == 200
    assert reverse("partners:partner_release", args=[partner.pk]) not in page.content.decode()
    assert client.post(reverse("partners:partner_release", args=[partner.pk]), {}).status_code in (403, 404)
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


def test_the_owner_releases_and_a_manager_releases_telling_the_owner(team):
    mine = PartnerFactory(name="自己的客户", owner=team.east_rep)
    services.release_partner(actor=team.east_rep, partner=mine)
    assert told(team.east_rep) == []  # nobody tells you what you did yourself
    theirs = PartnerFactory(name="下属的客户", owner=team.south_rep)
    services.release_partner(actor=team.manager, partner=theirs)
    assert any("放入公海" in title for title in told(team.south_rep))


def test_every_change_of_owner_tells_the_previous_owner(team):
    assigned = PartnerFactory(name="甲公司", owner=team.east_rep)
    services.assign_partner(actor=team.manager, partner=assigned, owner=team.south_rep)
    assert any("已分配给" in title for title in told(team.east_rep))
    transferred = PartnerFactory(name="乙公司", owner=team.south_rep)
    services.transfer_partners(
        actor=team.manager, partners=[transferred], owner=team.east_rep, reason="other", notes="调整"
    )
    assert any("已转交给" in title for title in told(team.south_rep))


def test_a_merge_tells_the_owner_of_the_merged_customer(team):
    survivor = PartnerFactory(name="丙公司", owner=team.east_rep)
    duplicate = PartnerFactory(name="丙公司（重复）", owner=team.south_rep)
    merge_partners(actor=team.manager, survivor=survivor, duplicate=duplicate)
    assert any("合并" in title for title in told(team.south_rep))


def test_recycling_tells_the_previous_owner(team):
    rules = PoolRules.objects.get_or_create(pk=1)[0]
    rules.recycle_without_followup_days = 1
    rules.save()
    partner = PartnerFactory(name="丁公司", owner=team.east_rep, is_customer=True, is_supplier=False)
    Partner.objects.filter(pk=partner.pk).update(owned_since="2020-01-01T00:00Z", created_at="2020-01-01T00:00Z")
    assert recycle_idle_partners().count == 1
    assert Handover.objects.filter(partner=partner, kind=HandoverKind.RECYCLE).exists()
    assert any("自动回收" in title for title in told(team.east_rep))
