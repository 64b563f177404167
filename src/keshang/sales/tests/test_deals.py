"""A confirmed order or an accepted quotation is a deal (issue 11): the customer's 最近成交 moves forward, so the
pool's "no deal for N days" rule does not send a buying customer back to the pool."""

import datetime

import pytest
from django.utils import timezone

from keshang.partners import services
from keshang.partners.models import Partner, PoolRules
from keshang.sales.services import orders, quotations

from .document_factories import make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def owned_since_long_ago(partner):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Partner.objects.filter(pk=partner.pk).update(
        owned_since=long_ago, created_at=long_ago, last_followup_at=timezone.now()
    )


def test_confirming_an_order_is_a_deal_and_keeps_the_customer_from_recycling(team):
    # given the rules recycle customers without a deal for 180 days, and this one was owned 400 days ago
    services.get_pool_rules()
    PoolRules.objects.update(recycle_without_followup_days=None, recycle_without_deal_days=180)
    owned_since_long_ago(team.partner)
    # when the rep confirms an order
    orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    # then
    partner = Partner.objects.get(pk=team.partner.pk)
    assert partner.last_deal_at is not None and timezone.now() - partner.last_deal_at < datetime.timedelta(minutes=1)
    assert services.recycle_idle_partners().count == 0
    assert Partner.objects.get(pk=team.partner.pk).owner_id == team.rep.pk


def test_without_a_deal_the_same_customer_is_recycled(team):
    services.get_pool_rules()
    PoolRules.objects.update(recycle_without_followup_days=None, recycle_without_deal_days=180)
    owned_since_long_ago(team.partner)
    make_order(team)  # a draft is not a deal
    assert services.recycle_idle_partners().count == 1
    assert Partner.objects.get(pk=team.partner.pk).owner_id is None


def test_an_accepted_quotation_is_a_deal_and_the_date_never_moves_back(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    quotation = quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    later = timezone.now() + datetime.timedelta(days=3)
    Partner.objects.filter(pk=team.partner.pk).update(last_deal_at=later)
    quotations.accept_quotation(actor=team.rep, quotation=quotation)
    assert Partner.objects.get(pk=team.partner.pk).last_deal_at == later
    Partner.objects.filter(pk=team.partner.pk).update(last_deal_at=None)
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    quotation = quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    quotations.accept_quotation(actor=team.rep, quotation=quotation)
    assert Partner.objects.get(pk=team.partner.pk).last_deal_at is not None
