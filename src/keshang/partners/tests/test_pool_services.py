"""The public pool (公海, issue 3): who sees it, claiming within the limit and the cool-down, the rules,
and the nightly recycling of idle customers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction, AuditEntry, Collaboration, Notification
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import selectors, services, tasks
from keshang.partners.models import Handover, HandoverKind, HandoverReason, Partner, PoolRules
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def team():
    return make_team()


def set_rules(**values) -> PoolRules:
    rules = services.get_pool_rules()
    PoolRules.objects.filter(pk=rules.pk).update(**values)
    return PoolRules.objects.get(pk=rules.pk)


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


#
# Seeing the pool
#


def test_everyone_who_may_add_sees_the_whole_pool_and_nothing_else(team):
    # given a pool partner of another department and owned partners
    pooled = PartnerFactory(owner=None, department=team.stranger.department)
    PartnerFactory(owner=team.stranger)
    PartnerFactory(owner=team.east_rep)
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    # when / then: an own-scope rep with "add" sees exactly the pool
    assert list(selectors.list_pool_partners(user=team.east_rep)) == [pooled]
    assert not Partner.objects.visible_to(team.east_rep).filter(pk=pooled.pk).exists()
    # and someone who may not add sees none of it, nor may a rep export it without "export"
    assert not selectors.list_pool_partners(user=viewer).exists()
    exporter_less = UserFactory()
    grant(exporter_less, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    assert not selectors.list_pool_partners(user=exporter_less, action=Action.EXPORT).exists()


def test_each_pool_row_says_when_it_went_into_the_pool(team):
    partner = PartnerFactory(owner=team.east_rep)
    handover = services.release_partner(actor=team.east_rep, partner=partner)
    row = selectors.list_pool_partners(user=team.south_rep).get()
    assert row.pooled_at == handover.created_at


#
# Claiming
#


def test_a_rep_claims_a_pool_customer(team):
    # given
    partner = PartnerFactory(owner=None)
    # when
    handover = services.claim_partner(actor=team.east_rep, partner=partner)
    # then
    partner.refresh_from_db()
    assert partner.owner == team.east_rep and partner.department == team.east_rep.department
    assert partner.owned_since is not None
    assert (handover.kind, handover.from_owner, handover.to_owner) == (HandoverKind.CLAIM, None, team.east_rep)
    assert AuditEntry.objects.filter(object_id=str(partner.pk), action=AuditAction.UPDATE, user=team.east_rep).exists()


def test_the_claim_limit_is_named_and_nothing_changes(team):
    # given a limit of 2 customers and a rep who owns 2 (a supplier does not count)
    set_rules(max_owned_customers=2)
    PartnerFactory.create_batch(2, owner=team.east_rep)
    PartnerFactory(owner=team.east_rep, is_customer=False, is_supplier=True)
    partner = PartnerFactory(owner=None)
    # when
    with pytest.raises(ApplicationError) as error:
        services.claim_partner(actor=team.east_rep, partner=partner)
    # then
    assert error.value.code == "claim_limit"
    assert "2 个" in error.value.message and "上限" in error.value.message
    assert Partner.objects.get(pk=partner.pk).owner is None
    assert not Handover.objects.exists()


def test_a_limit_of_zero_means_no_limit_and_suppliers_are_not_limited(team):
    # given
    set_rules(max_owned_customers=0)
    PartnerFactory.create_batch(3, owner=team.east_rep)
    # when / then
    services.claim_partner(actor=team.east_rep, partner=PartnerFactory(owner=None))
    set_rules(max_owned_customers=1)
    supplier = PartnerFactory(owner=None, is_customer=False, is_supplier=True)
    services.claim_partner(actor=team.east_rep, partner=supplier)
    assert Partner.objects.filter(owner=team.east_rep).count() == 5


def test_a_partner_claimed_by_someone_else_is_refused(team):
    partner = PartnerFactory(owner=None)
    services.claim_partner(actor=team.south_rep, partner=partner)
    with pytest.raises(ApplicationError) as error:
        services.claim_partner(actor=team.east_rep, partner=partner)
    assert error.value.code == "already_claimed"
    assert "已被他人领取" in error.value.message
    assert Partner.objects.get(pk=partner.pk).owner == team.south_rep


def test_the_former_owner_waits_out_the_cool_down_but_others_need_not(team):
    # given 张三 released a customer on 1 June with a 30-day cool-down
    set_rules(claim_cooldown_days=30)
    partner = PartnerFactory(owner=team.east_rep)
    handover = services.release_partner(actor=team.east_rep, partner=partner)
    Handover.objects.filter(pk=handover.pk).update(created_at=datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC))
    # when he tries again on 30 June
    with pytest.raises(ApplicationError) as error:
        services.claim_partner(actor=team.east_rep, partner=partner, now=NOW)
    # then he is told the day he may (1 June + 30 days, Shanghai time)
    assert error.value.code == "claim_cooldown"
    assert error.value.message == "您在 30 天内放弃过该客户，7 月 1 日后才能再次领取。"
    # and on 2 July he may
    services.claim_partner(actor=team.east_rep, partner=partner, now=datetime.datetime(2026, 7, 2, tzinfo=datetime.UTC))
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


def test_a_colleague_may_claim_a_just_released_customer(team):
    set_rules(claim_cooldown_days=30)
    partner = PartnerFactory(owner=team.east_rep)
    services.release_partner(actor=team.east_rep, partner=partner)
    services.claim_partner(actor=team.south_rep, partner=partner)
    assert Partner.objects.get(pk=partner.pk).owner == team.south_rep


def test_claiming_needs_the_add_grant(team):
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    partner = PartnerFactory(owner=None)
    with pytest.raises(ScopeViolation):
        services.claim_partner(actor=viewer, partner=partner)
    assert Partner.objects.get(pk=partner.pk).owner is None


#
# Rules
#


def test_the_rules_are_created_with_their_defaults_when_missing():
    # given no rules yet
    assert not PoolRules.objects.exists()
    # when
    rules = services.get_pool_rules()
    again = services.get_pool_rules()
    # then
    assert (rules.max_owned_customers, rules.claim_cooldown_days) == (200, 30)
    assert (rules.recycle_without_followup_days, rules.recycle_without_deal_days) == (90, 180)
    assert again.pk == rules.pk and PoolRules.objects.count() == 1


def test_editing_the_rules_is_audited(team):
    # given
    rules = services.get_pool_rules()
    # when
    services.update_pool_rules(actor=team.manager, data={"max_owned_customers": 50, "recycle_without_deal_days": None})
    # then
    rules.refresh_from_db()
    assert rules.max_owned_customers == 50 and rules.recycle_without_deal_days is None
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(rules.pk))
    assert entry.before["max_owned_customers"] == 200 and entry.after["max_owned_customers"] == 50


#
# Recycling idle customers
#


def make_customer(owner, *, created_days: int, followup_days: int | None = None, deal_days: int | None = None, **kw):
    partner = PartnerFactory(owner=owner, **kw)
    Partner.objects.filter(pk=partner.pk).update(
        created_at=days_ago(created_days),
        owned_since=days_ago(created_days) if owner is not None else None,
        last_followup_at=days_ago(followup_days) if followup_days is not None else None,
        last_deal_at=days_ago(deal_days) if deal_days is not None else None,
    )
    return partner


def test_idle_customers_go_back_to_the_pool_and_each_owner_is_told_once(team):
    # given 90 days without follow-up or 180 without a deal recycle
    set_rules(recycle_without_followup_days=90, recycle_without_deal_days=180)
    never_followed = make_customer(team.east_rep, created_days=100)
    stale_followup = make_customer(team.east_rep, created_days=400, followup_days=95, deal_days=10)
    no_deal = make_customer(team.south_rep, created_days=400, followup_days=5, deal_days=200)
    fresh = make_customer(team.east_rep, created_days=100, followup_days=5, deal_days=100)
    # a supplier-only partner is not a customer (one that is also a customer is: test_role_flags.py)
    supplier_only = make_customer(team.east_rep, created_days=400, is_customer=False, is_supplier=True)
    services.share_partner(actor=team.manager, partner=stale_followup, user=team.south_rep)
    # when
    result = services.recycle_idle_partners(now=NOW)
    # then the three idle customers are in the pool with the reason
    assert result.count == 3
    pooled = set(Partner.objects.filter(owner__isnull=True).values_list("pk", flat=True))
    assert pooled == {never_followed.pk, stale_followup.pk, no_deal.pk}
    assert Partner.objects.get(pk=fresh.pk).owner == team.east_rep
    assert Partner.objects.get(pk=supplier_only.pk).owner == team.east_rep
    reasons = dict(Handover.objects.filter(kind=HandoverKind.RECYCLE).values_list("partner_id", "reason"))
    assert reasons == {
        never_followed.pk: HandoverReason.NO_FOLLOWUP,
        stale_followup.pk: HandoverReason.NO_FOLLOWUP,
        no_deal.pk: HandoverReason.NO_DEAL,
    }
    assert not Collaboration.objects.exists()
    entries = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id__in=[str(pk) for pk in pooled])
    assert entries.count() == 3 and not entries.exclude(user=None).exists()
    # and each former owner got one summary
    summaries = Notification.objects.filter(title__contains="自动回收")
    assert list(summaries.filter(recipient=team.east_rep).values_list("title", flat=True)) == [
        "您的 2 个客户因长期未跟进或未成交已自动回收到公海"
    ]
    assert summaries.filter(recipient=team.south_rep).count() == 1


def test_recycling_counts_from_when_the_owner_got_the_customer(team):
    # given a customer created long ago but claimed 10 days ago
    set_rules(recycle_without_followup_days=90, recycle_without_deal_days=None)
    partner = make_customer(None, created_days=400)
    services.claim_partner(actor=team.east_rep, partner=partner, now=days_ago(10))
    # when
    result = services.recycle_idle_partners(now=NOW)
    # then
    assert result.count == 0
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


def test_empty_rules_recycle_nothing(team):
    set_rules(recycle_without_followup_days=None, recycle_without_deal_days=None)
    make_customer(team.east_rep, created_days=1000)
    assert services.recycle_idle_partners(now=NOW).count == 0
    assert not Handover.objects.exists()


def test_the_nightly_task_recycles(team):
    # given a customer idle for long, the default rules
    partner = make_customer(team.east_rep, created_days=1000)
    # when the periodic task runs (immediately under tests)
    tasks.recycle_idle_partners_task()
    # then
    assert Partner.objects.get(pk=partner.pk).owner is None


def test_the_task_runs_at_half_past_two_in_the_morning_shanghai_time():
    # given Huey's clock in UTC: 02:30 in Shanghai is 18:30 UTC the day before
    task = tasks.recycle_idle_partners_task.task_class()
    # when / then
    assert task.validate_datetime(datetime.datetime(2026, 6, 29, 18, 30))
    assert not task.validate_datetime(datetime.datetime(2026, 6, 30, 2, 30))
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
