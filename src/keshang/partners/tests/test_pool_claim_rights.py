"""Issue 12, finding 14 (second part): a purchaser cannot claim customers from the sales pool. Claiming a pool
customer needs "add" on ``partners.customerpool`` (sales by default); a supplier-only pool partner needs only "add"
on partners."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ScopeViolation
from keshang.core.permissions import Action, Persona, Scope, get_resource
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

REP = (Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT)


@pytest.fixture
def purchaser():
    user = UserFactory(name="采购小王")
    grant(user, "partners.partner", REP, Scope.OWN)
    return user


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_a_purchaser_cannot_claim_a_pool_customer(purchaser):
    customer = PartnerFactory(name="公海客户甲", owner=None, is_customer=True, is_supplier=False)
    response = api(purchaser).post(reverse("partners-api:partner-claim", args=[customer.pk]), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "claim_customer_not_allowed"
    assert Partner.objects.get(pk=customer.pk).owner_id is None
    with pytest.raises(ScopeViolation) as refused:
        services.claim_partner(actor=purchaser, partner=customer)
    assert refused.value.code == "claim_customer_not_allowed"


def test_a_purchaser_still_claims_a_supplier_only_pool_partner(purchaser):
    supplier = PartnerFactory(name="公海供应商乙", owner=None, is_customer=False, is_supplier=True)
    response = api(purchaser).post(reverse("partners-api:partner-claim", args=[supplier.pk]), {}, format="json")
    assert response.status_code == 200
    assert Partner.objects.get(pk=supplier.pk).owner == purchaser


def test_a_sales_rep_with_the_pool_right_claims_a_customer():
    rep = UserFactory(name="销售小李")
    grant(rep, "partners.partner", REP, Scope.OWN)
    grant(rep, "partners.customerpool", [Action.ADD], Scope.ALL)
    customer = PartnerFactory(owner=None, is_customer=True)
    assert services.claim_partner(actor=rep, partner=customer).to_owner == rep


def test_the_pool_page_offers_no_claim_button_on_customers_to_a_purchaser(purchaser, client):
    customer = PartnerFactory(name="公海客户丙", owner=None, is_customer=True, is_supplier=False)
    supplier = PartnerFactory(name="公海供应商丁", owner=None, is_customer=False, is_supplier=True)
    client.force_login(purchaser)
    page = client.get(reverse("partners:pool_list")).content.decode()
    assert reverse("partners:pool_claim", args=[customer.pk]) not in page
    assert reverse("partners:pool_claim", args=[supplier.pk]) in page


def test_the_pool_page_tells_a_purchaser_that_customers_are_not_theirs_to_claim(purchaser, client):
    # The status line counted customers "still claimable" for someone who may claim none of them.
    PartnerFactory(name="公海客户戊", owner=None, is_customer=True, is_supplier=False)
    client.force_login(purchaser)
    page = client.get(reverse("partners:pool_list")).content.decode()
    assert "公海客户由销售领取；您可以查看，不能领取。" in page
    assert "还可领取" not in page and "领取数量不限" not in page


def test_by_default_sales_may_claim_customers_and_purchasing_may_not():
    defaults = get_resource("partners.customerpool").defaults
    assert Persona.SALES in defaults and Persona.SALES_MANAGER in defaults
    assert Persona.PURCHASER not in defaults
