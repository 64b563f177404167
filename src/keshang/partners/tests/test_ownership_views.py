"""Pages of ownership and the pool (issue 3): the detail page's buttons, transfer, release, the
协作人 and 交接记录 tabs, batch transfer and assign, the handover list, the pool and its rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keshang.core.models import Collaboration
from keshang.core.permissions import Action, Scope
from keshang.core.registry import menu_for
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, PoolRules
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.partners.tests.test_ownership_services import make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def text(response) -> str:
    return response.content.decode()


#
# The detail page's buttons
#


def test_the_owner_may_release_and_share_but_not_transfer(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    content = text(page(client, team.east_rep, reverse("partners:partner_ownership_actions", args=[partner.pk])))
    assert "放入公海" in content and "共享" in content
    assert "转移" not in content and "领取" not in content


def test_a_manager_may_transfer_a_subordinates_customer_and_assign_a_pool_one(client, team):
    owned = PartnerFactory(owner=team.east_rep)
    pooled = PartnerFactory(owner=None, department=team.east_rep.department)
    owned_buttons = text(page(client, team.manager, reverse("partners:partner_ownership_actions", args=[owned.pk])))
    pooled_buttons = text(page(client, team.manager, reverse("partners:partner_ownership_actions", args=[pooled.pk])))
    assert "转移" in owned_buttons and "放入公海" in owned_buttons
    assert "分配" in pooled_buttons and "领取" in pooled_buttons and "放入公海" not in pooled_buttons


def test_the_detail_page_loads_the_buttons(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    content = text(page(client, team.east_rep, partner.get_absolute_url()))
    assert reverse("partners:partner_ownership_actions", args=[partner.pk]) in content
    assert "协作人" in content and "交接记录" in content


#
# Transfer and release pages
#


def test_a_manager_transfers_through_the_form_and_sees_the_handover_record(client, team):
    # given
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    ContactFactory(partner=partner)
    url = reverse("partners:partner_transfer", args=[partner.pk])
    client.force_login(team.manager)
    # when the reason is missing
    refused = client.post(url, {"owner": team.south_rep.pk, "notes": "离职交接"})
    # then the field says so and nothing moved
    assert refused.status_code == 200 and "请选择交接原因。" in text(refused)
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep
    # when complete
    done = client.post(url, {"owner": team.south_rep.pk, "reason": "resignation", "notes": "离职交接"}, follow=True)
    # then it lands on the 交接记录 tab
    content = text(done)
    assert done.redirect_chain[-1][0] == reverse("partners:partner_handovers", args=[partner.pk])
    assert "已将“杭州甲贸易有限公司”转移给李四" in content
    assert "员工离职" in content and "离职交接" in content and "联系人 1" in content


def test_the_transfer_form_offers_only_people_the_manager_can_see(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    content = text(page(client, team.manager, reverse("partners:partner_transfer", args=[partner.pk])))
    assert "李四" in content and "赵六" not in content


def test_a_rep_cannot_open_the_transfer_page(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    assert page(client, team.east_rep, reverse("partners:partner_transfer", args=[partner.pk])).status_code == 403


def test_a_manager_gets_404_for_a_partner_outside_their_scope(client, team):
    partner = PartnerFactory(owner=team.stranger)
    client.force_login(team.manager)
    response = client.post(
        reverse("partners:partner_transfer", args=[partner.pk]),
        {"owner": team.south_rep.pk, "reason": "other", "notes": "x"},
    )
    assert response.status_code == 404
    assert Partner.objects.get(pk=partner.pk).owner == team.stranger


def test_release_asks_first_then_puts_the_partner_in_the_pool(client, team):
    # given
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    url = reverse("partners:partner_release", args=[partner.pk])
    # when
    confirm = page(client, team.east_rep, url)
    released = client.post(url, {"reason": "", "notes": ""}, follow=True)
    # then
    assert "确定把“杭州甲贸易有限公司”放入公海吗" in text(confirm)
    assert released.redirect_chain[-1][0] == reverse("partners:partner_list")
    assert "已将“杭州甲贸易有限公司”放入公海。" in text(released)
    assert Partner.objects.get(pk=partner.pk).owner is None


#
# Tabs
#


def test_the_collaborators_tab_shares_and_unshares(client, team):
    # given
    colleague = UserFactory(name="钱七", department=team.east_rep.department)
    partner = PartnerFactory(owner=team.east_rep)
    tab = reverse("partners:partner_collaborators", args=[partner.pk])
    # when
    empty = page(client, team.east_rep, tab)
    shared = client.post(
        reverse("partners:partner_share", args=[partner.pk]), {"user": colleague.pk, "can_write": "on"}, follow=True
    )
    # then
    assert "还没有协作人。" in text(empty)
    assert "已与钱七共享。" in text(shared) and "可编辑" in text(shared)
    assert Collaboration.objects.get().can_write
    # when removed
    removed = client.post(reverse("partners:partner_unshare", args=[partner.pk]), {"user": colleague.pk}, follow=True)
    assert "已取消与钱七的共享。" in text(removed)
    assert not Collaboration.objects.exists()


def test_a_read_collaborator_sees_the_tab_without_the_form(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep)
    content = text(page(client, team.south_rep, reverse("partners:partner_collaborators", args=[partner.pk])))
    assert "李四" in content and "添加协作人" not in content
    client.post(reverse("partners:partner_unshare", args=[partner.pk]), {"user": team.south_rep.pk})
    assert Collaboration.objects.exists()


def test_the_handovers_tab_shows_an_empty_state(client, team):
    partner = PartnerFactory(owner=team.east_rep)
    content = text(page(client, team.east_rep, reverse("partners:partner_handovers", args=[partner.pk])))
    assert "还没有交接记录。" in content


#
# Batches and the handover list
#


def test_batch_transfer_lists_a_reps_customers_and_moves_the_ticked_ones(client, team):
    # given
    first, second, kept = PartnerFactory.create_batch(3, owner=team.east_rep)
    url = reverse("partners:partner_batch_transfer")
    # when the manager lists 张三's customers
    listed = page(client, team.manager, url, from_owner=team.east_rep.pk)
    # then they are all there, ticked
    assert all(partner.name in text(listed) for partner in (first, second, kept))
    # when two are handed over
    done = client.post(
        url,
        {"partners": [first.pk, second.pk], "owner": team.south_rep.pk, "reason": "resignation", "notes": "离职"},
        follow=True,
    )
    # then
    assert done.redirect_chain[-1][0] == reverse("partners:handover_list")
    assert "已将 2 个客商交给李四。" in text(done)
    assert set(Partner.objects.filter(owner=team.south_rep)) == {first, second}
    assert Partner.objects.get(pk=kept.pk).owner == team.east_rep


def test_batch_transfer_refuses_a_partner_outside_the_scope(client, team):
    foreign = PartnerFactory(owner=team.stranger)
    client.force_login(team.manager)
    response = client.post(
        reverse("partners:partner_batch_transfer"),
        {"partners": [foreign.pk], "owner": team.south_rep.pk, "reason": "other", "notes": "x"},
    )
    assert response.status_code == 200
    assert Partner.objects.get(pk=foreign.pk).owner == team.stranger
    assert not Handover.objects.exists()


def test_batch_assign_from_the_pool(client, team):
    pooled = PartnerFactory.create_batch(2, owner=None, department=team.east_rep.department)
    url = reverse("partners:pool_batch_assign")
    listed = page(client, team.manager, url, ids=",".join(str(p.pk) for p in pooled))
    assert all(partner.name in text(listed) for partner in pooled)
    client.post(url, {"partners": [p.pk for p in pooled], "owner": team.south_rep.pk})
    assert Partner.objects.filter(owner=team.south_rep).count() == 2
    assert set(Handover.objects.values_list("kind", flat=True)) == {HandoverKind.ASSIGN}


def test_the_handover_list_filters_by_kind_and_exports(client, team):
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    services.transfer_partner(actor=team.manager, partner=partner, owner=team.south_rep, reason="other", notes="x")
    other = PartnerFactory(name="广州乙制造有限公司", owner=team.east_rep)
    services.release_partner(actor=team.east_rep, partner=other)
    url = reverse("partners:handover_list")
    listed = text(page(client, team.manager, url, kind="transfer"))
    assert "杭州甲贸易有限公司" in listed and "广州乙制造有限公司" not in listed
    exported = client.get(url, {"kind": "release", "export": "csv"})
    csv = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert "广州乙制造有限公司" in csv and "公海" in csv and "杭州甲" not in csv


#
# The pool and its rules
#


def test_the_pool_page_shows_the_pool_masked_with_the_reps_standing(client, team):
    # given
    PoolRules.objects.update_or_create(pk=services.get_pool_rules().pk, defaults={"max_owned_customers": 5})
    PartnerFactory(owner=team.east_rep)
    PartnerFactory(name="杭州甲贸易有限公司", owner=None, phone="13812345678")
    PartnerFactory(name="广州乙制造有限公司", owner=team.south_rep)
    # when
    content = text(page(client, team.east_rep, reverse("partners:pool_list")))
    # then
    assert "杭州甲贸易有限公司" in content and "广州乙制造有限公司" not in content
    assert "138****5678" in content and "13812345678" not in content
    assert "您现在负责 1 个客户，每人最多 5 个，还可领取 4 个。" in content
    assert "批量分配" not in content


def test_the_pool_page_is_empty_read_only_without_add_and_403_without_view(client, team):
    assert "公海里还没有客户。" in text(page(client, team.east_rep, reverse("partners:pool_list")))
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    assert "您可以查看，不能领取" in text(page(client, viewer, reverse("partners:pool_list")))
    assert page(client, UserFactory(), reverse("partners:pool_list")).status_code == 403


def test_claiming_from_the_pool_page_until_the_limit(client, team):
    # given room for one more customer
    PoolRules.objects.update_or_create(pk=services.get_pool_rules().pk, defaults={"max_owned_customers": 1})
    first, second = PartnerFactory.create_batch(2, owner=None)
    client.force_login(team.east_rep)
    # when
    claimed = client.post(reverse("partners:pool_claim", args=[first.pk]), follow=True)
    refused = client.post(reverse("partners:pool_claim", args=[second.pk]), follow=True)
    gone = client.post(reverse("partners:pool_claim", args=[first.pk]), follow=True)
    # then
    assert claimed.redirect_chain[-1][0] == first.get_absolute_url()
    assert "现在由您负责" in text(claimed)
    assert "达到每人最多 1 个的上限" in text(refused)
    assert "该客户已被他人领取。" in text(gone)
    assert Partner.objects.get(pk=second.pk).owner is None


def test_the_claim_page_asks_first(client, team):
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=None)
    content = text(page(client, team.east_rep, reverse("partners:pool_claim", args=[partner.pk])))
    assert "确定领取“杭州甲贸易有限公司”吗" in content


def test_the_menu_offers_the_pool_to_reps_and_the_handovers_to_managers(team):
    def labels(user):
        return [str(item.label) for group in menu_for(user) for item, _url, _active in group.items]

    assert "公海" in labels(team.east_rep) and "客户交接" not in labels(team.east_rep)
    assert {"公海", "客户交接", "批量转移"} <= set(labels(team.manager))


def test_an_admin_edits_the_pool_rules_and_a_manager_only_reads_them(client, team):
    # given
    admin = UserFactory()
    grant(admin, "partners.poolrules", [Action.VIEW, Action.CHANGE], Scope.ALL)
    grant(team.manager, "partners.poolrules", [Action.VIEW], Scope.ALL)
    # when
    client.force_login(admin)
    invalid = client.post(reverse("partners:poolrules_edit"), {"max_owned_customers": "-1", "claim_cooldown_days": "7"})
    # then
    assert invalid.status_code == 200 and services.get_pool_rules().max_owned_customers == 200
    # when
    saved = client.post(
        reverse("partners:poolrules_edit"),
        {"max_owned_customers": "50", "claim_cooldown_days": "7", "recycle_without_followup_days": ""},
        follow=True,
    )
    # then
    assert saved.redirect_chain[-1][0] == reverse("partners:poolrules_detail")
    rules = services.get_pool_rules()
    assert (rules.max_owned_customers, rules.claim_cooldown_days, rules.recycle_without_followup_days) == (50, 7, None)
    assert "不自动回收" in text(saved)
    # and the manager reads but cannot edit
    assert "编辑" not in text(page(client, team.manager, reverse("partners:poolrules_detail")))
    assert page(client, team.manager, reverse("partners:poolrules_edit")).status_code == 403
    assert page(client, team.east_rep, reverse("partners:poolrules_detail")).status_code == 403
