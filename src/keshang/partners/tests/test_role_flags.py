"""Issue 12, finding 6: the claim limit was bypassed by flipping a customer to supplier, claiming, and flipping back,
and the nightly recycle skipped customers that are also suppliers. The role flags cannot be changed to dodge a rule:
every held partner that is a customer counts and is recycled as a customer, and taking 客户 off an owned customer is
a manager's act ("assign" on it)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.partners import services
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team
from keshang.partners.tests.test_pool_services import NOW, make_customer, set_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_flip_claim_flip_back_does_not_get_past_the_claim_limit(team):
    # given a rep at the limit of two customers, and a customer in the pool
    set_rules(max_owned_customers=2)
    held = PartnerFactory(owner=team.east_rep, is_customer=True, is_supplier=False)
    PartnerFactory(owner=team.east_rep, is_customer=True)
    pooled = PartnerFactory(owner=None, is_customer=True)
    rep = api(team.east_rep)
    # when they flip a held customer to supplier
    flipped = rep.patch(
        reverse("partners-api:partner-detail", args=[held.pk]),
        {"is_customer": False, "is_supplier": True},
        format="json",
    )
    # then the flip is refused, and so is the claim: the limit holds
    assert flipped.status_code == 403
    assert flipped.json()["code"] == "customer_flag_not_allowed"
    assert Partner.objects.get(pk=held.pk).is_customer
    claimed = rep.post(reverse("partners-api:partner-claim", args=[pooled.pk]), {}, format="json")
    assert claimed.status_code == 400
    assert claimed.json()["code"] == "claim_limit"
    assert Partner.objects.get(pk=pooled.pk).owner_id is None


def test_the_service_refuses_the_rep_taking_the_customer_flag_off(team):
    held = PartnerFactory(owner=team.east_rep, is_customer=True, is_supplier=True)
    with pytest.raises(ScopeViolation) as refused:
        services.update_partner(actor=team.east_rep, partner=held, data={"is_customer": False})
    assert refused.value.code == "customer_flag_not_allowed"


def test_a_manager_may_take_the_customer_flag_off_and_a_rep_may_add_it(team):
    held = PartnerFactory(owner=team.east_rep, is_customer=True, is_supplier=True)
    services.update_partner(actor=team.manager, partner=held, data={"is_customer": False})
    assert not Partner.objects.get(pk=held.pk).is_customer
    supplier = PartnerFactory(owner=team.east_rep, is_customer=False, is_supplier=True)
    services.update_partner(actor=team.east_rep, partner=supplier, data={"is_customer": True})
    assert Partner.objects.get(pk=supplier.pk).is_customer


def test_a_customer_that_is_also_a_supplier_counts_against_the_limit(team):
    set_rules(max_owned_customers=1)
    PartnerFactory(owner=team.east_rep, is_customer=True, is_supplier=True)
    pooled = PartnerFactory(owner=None, is_customer=True)
    with pytest.raises(ApplicationError) as refused:
        services.claim_partner(actor=team.east_rep, partner=pooled)
    assert refused.value.code == "claim_limit"


def test_the_recycle_takes_an_idle_customer_that_is_also_a_supplier(team):
    set_rules(recycle_without_followup_days=90, recycle_without_deal_days=0)
    both = make_customer(team.east_rep, created_days=400, is_customer=True, is_supplier=True)
    supplier_only = make_customer(team.east_rep, created_days=400, is_customer=False, is_supplier=True)
    result = services.recycle_idle_partners(now=NOW)
    assert result.count == 1
    assert Partner.objects.get(pk=both.pk).owner_id is None
    assert Partner.objects.get(pk=supplier_only.pk).owner == team.east_rep
