"""What partners shows on the shared pages through their registries (issue 11): partners and contacts in the global
search, a partner's handovers, access requests and merges on its 动态 timeline, and on the home page's 到期提醒
suppliers' qualifications running out and customers about to go back to the pool. Each reads through the reader's
data scope: every test names a colleague outside it who must get nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from keshang.core.deadlines import deadlines_for
from keshang.core.permissions import Action, Scope
from keshang.core.search import search_everything
from keshang.core.timeline import timeline_for
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.models import HandoverReason, Partner, PoolRules
from keshang.partners.selectors import feeds
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team

pytestmark = pytest.mark.django_db

LIMIT = 8


@pytest.fixture
def team():
    return make_team()


def reader(*actions, scope=Scope.ALL):
    """Someone who reads every partner (仓库, 财务): ``actions`` on partners within ``scope``."""
    user = UserFactory()
    grant(user, "partners.partner", actions, scope)
    return user


#
# Global search
#


def test_the_search_finds_the_readers_partners_and_not_a_colleagues(team, client):
    # given a customer each for two reps of the same department tree
    mine = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    theirs = PartnerFactory(name="杭州乙贸易有限公司", owner=team.south_rep)
    # when each searches
    east = [hit.url for hit in feeds.search_partner_hits("杭州", user=team.east_rep, limit=LIMIT)]
    manager = [hit.url for hit in feeds.search_partner_hits("杭州", user=team.manager, limit=LIMIT)]
    # then the rep finds their own only, the manager both
    assert east == [mine.get_absolute_url()]
    assert set(manager) == {mine.get_absolute_url(), theirs.get_absolute_url()}
    # and the header's search page says the same, under 客商
    client.force_login(team.east_rep)
    page = client.get(reverse("web:search"), {"q": "杭州"}).content.decode()
    assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page


def test_a_partner_hit_masks_the_phone_unless_the_reader_may_see_it(team):
    # given a customer with a phone number, found by a part of it
    partner = PartnerFactory(name="宁波丙电子有限公司", code="C-0042", owner=team.east_rep, phone="13812345678")
    plain, sensitive = reader(Action.VIEW), reader(Action.VIEW, Action.VIEW_SENSITIVE)
    # when
    (masked,) = feeds.search_partner_hits("宁波丙电子", user=plain, limit=LIMIT)
    (clear,) = feeds.search_partner_hits("12345678", user=sensitive, limit=LIMIT)
    # then the number shows only to whom view_sensitive covers it; code and owner to both
    assert masked.title == clear.title == partner.name
    assert "138****5678" in masked.detail and "13812345678" not in masked.detail
    assert "13812345678" in clear.detail
    assert "C-0042" in masked.detail and str(team.east_rep) in masked.detail


def test_the_search_finds_the_readers_contacts_with_their_mobiles_masked(team):
    # given a contact at a customer of each rep
    mine = ContactFactory(name="周采购", partner=PartnerFactory(owner=team.east_rep), mobile="13900001234")
    ContactFactory(name="周经理", partner=PartnerFactory(owner=team.south_rep), mobile="13900005678")
    # when the first rep (without view_sensitive) searches for 周
    hits = feeds.search_contact_hits("周", user=team.east_rep, limit=LIMIT)
    # then only their own contact, opening on its own page, the mobile masked
    assert [(hit.title, hit.url) for hit in hits] == [("周采购", reverse("partners:contact_detail", args=[mine.pk]))]
    assert "139****1234" in hits[0].detail and "13900001234" not in hits[0].detail


def test_the_search_groups_partners_and_contacts_first(team):
    # given a partner and its contact that both match
    partner = PartnerFactory(name="温州丁机械有限公司", owner=team.east_rep)
    ContactFactory(name="温州丁老板", partner=partner)
    # when
    results = search_everything("温州丁", user=team.east_rep)
    # then 客商 and 联系人 lead, each linking to all its matches
    assert [provider.key for provider, _hits in results][:2] == ["partners", "contacts"]
    assert [provider.url for provider, _hits in results][:2] == ["partners:partner_list", "partners:contact_list"]


#
# A partner's timeline
#


def test_the_timeline_shows_the_handovers_to_those_who_see_the_partner(team, client):
    # given a customer handed from 张三 to 李四
    partner = PartnerFactory(name="苏州戊贸易有限公司", owner=team.east_rep)
    ContactFactory(partner=partner)
    services.transfer_partner(
        actor=team.manager, partner=partner, owner=team.south_rep, reason=HandoverReason.RESIGNATION, notes="张三离职"
    )
    # when / then the new owner and the manager read the move, with what moved along
    for user in (team.south_rep, team.manager):
        (event,) = feeds.partner_handover_events(partner, user=user, limit=LIMIT)
        assert event.title == "转移：张三 → 李四（员工离职）"
        assert event.actor == str(team.manager) and "张三离职" in event.detail and "联系人 1" in event.detail
    # and the former owner, who no longer sees the customer, reads nothing
    assert feeds.partner_handover_events(partner, user=team.east_rep, limit=LIMIT) == []
    client.force_login(team.south_rep)
    page = client.get(reverse("web:partners_partner_timeline", args=[partner.pk])).content.decode()
    assert "转移：张三 → 李四（员工离职）" in page


def test_the_timeline_shows_who_asked_for_the_partner_to_those_who_see_it(team):
    # given a rep of another department refused a copy of 张三's customer, who asks to share it
    partner = PartnerFactory(name="无锡己科技有限公司", owner=team.east_rep)
    services.request_partner_access(actor=team.stranger, kind="share", name="无锡己科技有限公司")
    # when / then the owner and the manager see the request; a colleague outside the scope does not
    for user in (team.east_rep, team.manager):
        (event,) = feeds.partner_access_request_events(partner, user=user, limit=LIMIT)
        assert event.title == "赵六 申请共享客商“无锡己科技有限公司”" and event.actor == str(team.stranger)
    assert feeds.partner_access_request_events(partner, user=team.south_rep, limit=LIMIT) == []
    assert feeds.partner_access_request_events(partner, user=team.stranger, limit=LIMIT) == []


def test_the_timeline_shows_the_merges_to_those_who_see_the_survivor(team):
    # given two records of one customer of 张三, merged by the manager
    survivor = PartnerFactory(name="常州庚五金有限公司", owner=team.east_rep)
    duplicate = PartnerFactory(name="常州庚五金", owner=team.east_rep)
    ContactFactory(partner=duplicate)
    services.merge_partners(actor=team.manager, survivor=survivor, duplicate=duplicate)
    # when / then the merge is on the survivor's timeline, apart from the handovers
    (event,) = feeds.partner_merge_events(survivor, user=team.east_rep, limit=LIMIT)
    assert event.title.startswith(f"合并了“常州庚五金”(#{duplicate.pk})") and "联系人 1" in event.title
    assert feeds.partner_handover_events(survivor, user=team.east_rep, limit=LIMIT) == []
    assert feeds.partner_merge_events(survivor, user=team.south_rep, limit=LIMIT) == []
    # and the timeline gathers it with the partner's other sources
    assert [item.kind for item in timeline_for(survivor, user=team.manager)] == ["合并"]


#
# The home page's reminders
#


def test_the_home_page_reminds_whoever_sees_the_supplier_of_its_qualifications_running_out(settings, tmp_path, client):
    # given a buyer's supplier with certificates expiring soon, later, expired lately and expired long ago
    settings.MEDIA_ROOT = tmp_path
    buyer, other_buyer = (reader(Action.VIEW, Action.ADD, Action.CHANGE, scope=Scope.OWN) for _ in range(2))
    supplier = PartnerFactory(name="嘉兴辛材料有限公司", owner=buyer, is_customer=False, is_supplier=True)
    today = timezone.localdate()
    for name, days in (("营业执照", 5), ("ISO 9001", 60), ("安全生产许可证", -10), ("旧营业执照", -400)):
        services.save_qualification(
            actor=buyer, partner=supplier, data={"name": name, "expires_on": today + datetime.timedelta(days=days)}
        )
    until = today + datetime.timedelta(days=14)
    # when
    due = feeds.expiring_qualifications(user=buyer, today=today, until=until)
    # then the buyer is reminded of the one expiring within the window and the one lately expired
    assert [(item.title, item.days_left(today)) for item in due] == [
        ("嘉兴辛材料有限公司 · 安全生产许可证", -10),
        ("嘉兴辛材料有限公司 · 营业执照", 5),
    ]
    assert due[0].url == reverse("partners:partner_supplier", args=[supplier.pk])
    # and a buyer who cannot see the supplier is reminded of nothing
    assert feeds.expiring_qualifications(user=other_buyer, today=today, until=until) == []
    client.force_login(buyer)
    page = client.get(reverse("web:home")).content.decode()
    assert "资质到期" in page and "营业执照" in page and "ISO 9001" not in page


def set_followed_up(partner: Partner, *, days_ago: int) -> None:
    at = timezone.now() - datetime.timedelta(days=days_ago)
    Partner.objects.filter(pk=partner.pk).update(created_at=at, owned_since=at, last_followup_at=at, last_deal_at=at)


def test_owners_and_their_managers_are_warned_of_customers_about_to_go_back_to_the_pool(team):
    # given the rules take back customers not followed up for 90 days, and 张三's customers followed up long ago
    PoolRules.objects.update_or_create(
        pk=services.get_pool_rules().pk,
        defaults={"recycle_without_followup_days": 90, "recycle_without_deal_days": None},
    )
    soon = PartnerFactory(name="台州壬塑料有限公司", owner=team.east_rep)
    set_followed_up(soon, days_ago=85)
    later = PartnerFactory(name="金华癸纺织有限公司", owner=team.east_rep)
    set_followed_up(later, days_ago=30)
    # a supplier-only partner is not recycled (a customer that is also a supplier is: issue 12, finding 6)
    supplier_only = PartnerFactory(name="绍兴子化工有限公司", owner=team.east_rep, is_customer=False, is_supplier=True)
    set_followed_up(supplier_only, days_ago=85)
    today = timezone.localdate()
    until = today + datetime.timedelta(days=14)
    finance = reader(Action.VIEW, Action.EXPORT)
    # when / then the owner and the manager are warned of the one due within the window, saying why and when
    for user in (team.east_rep, team.manager):
        (item,) = feeds.customers_due_for_recycling(user=user, today=today, until=until)
        assert (item.kind, item.title, item.url) == (
            "将回收到公海",
            "台州壬塑料有限公司（长期未跟进）",
            soon.get_absolute_url(),
        )
        assert item.days_left(today) == 5
    # and neither a rep outside the scope nor someone who only reads partners is
    assert feeds.customers_due_for_recycling(user=team.south_rep, today=today, until=until) == []
    assert feeds.customers_due_for_recycling(user=finance, today=today, until=until) == []
    assert [item.title for item in deadlines_for(user=team.east_rep, today=today)] == [
        "台州壬塑料有限公司（长期未跟进）"
    ]


def test_with_both_rules_the_customer_falls_to_the_first_and_the_soonest_comes_first(team):
    # given both rules (90 days without follow-up, 180 without a deal)
    PoolRules.objects.update_or_create(
        pk=services.get_pool_rules().pk,
        defaults={"recycle_without_followup_days": 90, "recycle_without_deal_days": 180},
    )
    not_followed = PartnerFactory(name="湖州丑茶业有限公司", owner=team.east_rep)
    set_followed_up(not_followed, days_ago=170)
    Partner.objects.filter(pk=not_followed.pk).update(last_followup_at=timezone.now() - datetime.timedelta(days=85))
    no_deal = PartnerFactory(name="衢州寅食品有限公司", owner=team.east_rep)
    set_followed_up(no_deal, days_ago=178)
    Partner.objects.filter(pk=no_deal.pk).update(last_followup_at=timezone.now() - datetime.timedelta(days=10))
    today = timezone.localdate()
    # when
    due = feeds.customers_due_for_recycling(user=team.east_rep, today=today, until=today + datetime.timedelta(days=14))
    # then each at the rule that catches it first, soonest first
    assert [(item.title, item.days_left(today)) for item in due] == [
        ("衢州寅食品有限公司（长期未成交）", 2),
        ("湖州丑茶业有限公司（长期未跟进）", 5),
    ]


def test_no_customer_is_announced_for_the_pool_when_the_rules_recycle_nothing(team):
    # given recycling switched off
    PoolRules.objects.update_or_create(
        pk=services.get_pool_rules().pk,
        defaults={"recycle_without_followup_days": None, "recycle_without_deal_days": None},
    )
    set_followed_up(PartnerFactory(owner=team.east_rep), days_ago=1000)
    # when / then
    today = timezone.localdate()
    assert feeds.customers_due_for_recycling(user=team.east_rep, today=today, until=today) == []
