"""Opportunity pages: list, detail tabs, forms, the board and its move endpoint, the funnel, the stage
settings and the partner's 商机 tab, as a rep (own scope) sees them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.sales.models import Competitor, Opportunity, OpportunityStage, OpportunityStageChange, OpportunityStatus
from keshang.sales.tests.factories import OpportunityFactory, default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return default_stages()


@pytest.fixture
def rep(client):
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(user, "sales.opportunity", [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT], Scope.OWN)
    grant(user, "sales.opportunitystage", [Action.VIEW], Scope.ALL)
    grant(user, "org.user", [Action.VIEW], Scope.OWN)
    client.force_login(user)
    return user


def test_list_shows_own_opportunities_with_weighted_amount_and_filters(client, rep, stages):
    # given
    OpportunityFactory(owner=rep, name="杭州年度采购", stage=stages["方案报价"], expected_amount=Decimal("1000.01"))
    OpportunityFactory(owner=rep, name="宁波设备更新", stage=stages["初步接洽"])
    OpportunityFactory(name="别人的商机")
    # when
    everything = client.get(reverse("sales:opportunity_list"))
    filtered = client.get(reverse("sales:opportunity_list"), {"stage": stages["方案报价"].pk})
    # then
    assert everything.status_code == 200
    page = everything.content.decode()
    assert "杭州年度采购" in page and "宁波设备更新" in page and "别人的商机" not in page
    assert "500.01" in page  # 1000.01 × 50 % = 500.005 → 500.01
    assert "宁波设备更新" not in filtered.content.decode()


def test_list_exports_within_scope(client, rep, stages):
    # given
    OpportunityFactory(owner=rep, name="杭州年度采购")
    OpportunityFactory(name="别人的商机")
    # when
    response = client.get(reverse("sales:opportunity_list"), {"export": "csv"})
    # then
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "杭州年度采购" in body and "别人的商机" not in body
    assert body.splitlines()[0].startswith("商机名称,客户,阶段")


def test_detail_and_tabs_render_in_chinese(client, rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["商务谈判"], expected_amount=Decimal("200000.00"))
    Competitor.objects.create(opportunity=opportunity, name="恒通工贸")
    # when
    detail = client.get(reverse("sales:opportunity_detail", args=[opportunity.pk]))
    competitors = client.get(reverse("sales:opportunity_competitors", args=[opportunity.pk]))
    changes = client.get(reverse("sales:opportunity_stage_changes", args=[opportunity.pk]))
    history = client.get(reverse("sales:opportunity_history", args=[opportunity.pk]))
    # then
    assert [r.status_code for r in (detail, competitors, changes, history)] == [200, 200, 200, 200]
    assert "150,000.00" in detail.content.decode()  # weighted at 75 %
    assert "竞争对手" in detail.content.decode() and "阶段历史" in detail.content.decode()
    assert "恒通工贸" in competitors.content.decode()
    assert "商务谈判" in changes.content.decode()


def test_a_rep_creates_an_opportunity_with_a_contact_of_the_chosen_customer(client, rep, stages):
    # given
    partner = PartnerFactory(owner=rep, name="苏州精密机械有限公司")
    contact = ContactFactory(partner=partner, name="李雷")
    # when
    form = client.get(reverse("sales:opportunity_add"), {"partner": partner.pk})
    response = client.post(
        reverse("sales:opportunity_add"),
        {
            "name": "苏州年度采购",
            "partner": partner.pk,
            "contacts": [contact.pk],
            "stage": stages["需求确认"].pk,
            "expected_amount": "88000.50",
        },
    )
    # then
    assert "李雷" in form.content.decode()
    assert response.status_code == 302, response.content.decode()
    opportunity = Opportunity.objects.get(name="苏州年度采购")
    assert (opportunity.owner, opportunity.expected_amount) == (rep, Decimal("88000.50"))
    assert list(opportunity.contacts.all()) == [contact]


def test_the_form_offers_only_visible_customers_and_reloads_their_contacts(client, rep, stages):
    # given
    mine = PartnerFactory(owner=rep, name="我的客户有限公司")
    ContactFactory(partner=mine, name="韩梅梅")
    PartnerFactory(name="别人的客户有限公司")
    # when
    form = client.get(reverse("sales:opportunity_add"))
    contacts = client.get(reverse("sales:opportunity_contacts_field"), {"partner": mine.pk}, HTTP_HX_REQUEST="true")
    # then
    page = form.content.decode()
    assert "我的客户有限公司" in page and "别人的客户有限公司" not in page
    assert "韩梅梅" in contacts.content.decode()


def test_a_won_stage_without_a_reason_is_a_field_error_in_the_form(client, rep, stages):
    # given
    partner = PartnerFactory(owner=rep)
    # when
    response = client.post(
        reverse("sales:opportunity_add"),
        {"name": "直接赢单", "partner": partner.pk, "stage": stages["赢单"].pk, "expected_amount": "1"},
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["close_reason"]
    assert not Opportunity.objects.exists()


def test_board_renders_columns_totals_and_only_own_cards(client, rep, stages):
    # given
    OpportunityFactory(owner=rep, name="我的商机", stage=stages["方案报价"], expected_amount=Decimal("1000.00"))
    OpportunityFactory(name="别人的商机", stage=stages["方案报价"], expected_amount=Decimal("9000.00"))
    # when
    response = client.get(reverse("sales:opportunity_board"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "我的商机" in page and "别人的商机" not in page
    assert all(name in page for name in ("初步接洽", "需求确认", "方案报价", "商务谈判", "赢单", "输单"))
    assert response.context["board"].weighted_total == Decimal("500.00")
    assert "sales/board.js" in page


def test_moving_from_the_board_returns_the_updated_board_and_records_history(client, rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, name="我的商机", stage=stages["初步接洽"])
    # when
    response = client.post(
        reverse("sales:opportunity_move", args=[opportunity.pk]),
        {"stage": stages["商务谈判"].pk, "from": "board"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="board">')
    assert "已将“我的商机”移动到“商务谈判”" in fragment
    change = OpportunityStageChange.objects.filter(opportunity=opportunity).first()
    assert (change.to_stage, change.changed_by) == (stages["商务谈判"], rep)


def test_the_keyboard_move_into_won_without_a_reason_asks_for_it_on_the_move_page(client, rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["商务谈判"])
    url = reverse("sales:opportunity_move", args=[opportunity.pk])
    # when: the card's select posts without a reason
    asked = client.post(url, {"stage": stages["赢单"].pk, "from": "board"}, HTTP_HX_REQUEST="true")
    page = client.get(asked["HX-Location"])
    done = client.post(url, {"stage": stages["赢单"].pk, "reason": "技术方案获认可", "next": "/sales/opportunities/"})
    # then
    assert asked["HX-Location"] == f"{url}?stage={stages['赢单'].pk}"
    assert "赢单/输单原因" in page.content.decode()
    assert done.status_code == 302 and done["Location"] == "/sales/opportunities/"
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.close_reason) == (OpportunityStatus.WON, "技术方案获认可")


def test_move_endpoint_refuses_an_invisible_opportunity_with_404(client, rep, stages):
    # given
    hidden = OpportunityFactory(stage=stages["初步接洽"])
    # when
    response = client.post(
        reverse("sales:opportunity_move", args=[hidden.pk]), {"stage": stages["方案报价"].pk, "from": "board"}
    )
    # then
    assert response.status_code == 404
    hidden.refresh_from_db()
    assert hidden.stage == stages["初步接洽"]


def test_funnel_page_renders_the_decimal_table_and_the_figure(client, rep, stages):
    # given
    OpportunityFactory(owner=rep, stage=stages["需求确认"], expected_amount=Decimal("100.10"))
    # when
    response = client.get(reverse("sales:opportunity_funnel"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "销售漏斗" in page and "25.03" in page
    assert 'id="funnel-figure" type="application/json"' in page
    assert "vendor/plotly/plotly.min.js" in page and "sales/funnel.js" in page
    figure = response.context["figure"]
    assert figure["data"][0]["type"] == "funnel"
    assert figure["data"][0]["y"] == ["初步接洽", "需求确认", "方案报价", "商务谈判"]


def test_competitors_are_added_and_deleted_from_the_tab(client, rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep)
    # when
    added = client.post(reverse("sales:competitor_add", args=[opportunity.pk]), {"name": "德诚科技", "offer": "高 8%"})
    competitor = opportunity.competitors.get()
    deleted = client.post(reverse("sales:competitor_delete", args=[competitor.pk]))
    # then
    tab = reverse("sales:opportunity_competitors", args=[opportunity.pk])
    assert (added["Location"], deleted["Location"]) == (tab, tab)
    assert not opportunity.competitors.exists()


def test_partner_page_has_an_opportunities_tab_with_an_add_button(client, rep, stages):
    # given
    partner = PartnerFactory(owner=rep, is_customer=True)
    OpportunityFactory(owner=rep, partner=partner, name="本客户的商机")
    OpportunityFactory(partner=partner, name="同事在本客户的商机")
    # when
    detail = client.get(reverse("partners:partner_detail", args=[partner.pk]))
    tab = client.get(reverse("sales:partner_opportunities", args=[partner.pk]))
    # then
    assert reverse("sales:partner_opportunities", args=[partner.pk]) in detail.content.decode()
    page = tab.content.decode()
    # the customer's owner sees a colleague's opportunity on it too (issue 12, finding 5)
    assert "本客户的商机" in page and "同事在本客户的商机" in page
    assert f"{reverse('sales:opportunity_add')}?partner={partner.pk}" in page


def test_only_admins_reach_the_stage_settings(client, rep, stages):
    # given
    admin = UserFactory()
    grant(admin, "sales.opportunitystage", [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE], Scope.ALL)
    # when
    refused = client.get(reverse("sales:opportunitystage_add"))
    client.force_login(admin)
    listed = client.get(reverse("sales:opportunitystage_list"))
    created = client.post(
        reverse("sales:opportunitystage_add"), {"name": "技术评估", "order": 25, "probability": 40, "is_active": "on"}
    )
    refused_delete = client.post(reverse("sales:opportunitystage_delete", args=[stages["赢单"].pk]), follow=True)
    # then
    assert refused.status_code == 403
    assert listed.status_code == 200 and "商机阶段" in listed.content.decode()
    assert created.status_code == 302
    assert OpportunityStage.objects.filter(name="技术评估", probability=40).exists()
    assert "赢单阶段不能删除" in refused_delete.content.decode()
