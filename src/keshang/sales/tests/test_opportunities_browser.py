"""The opportunity board in Chromium: a rep drags a card to another stage (native HTML5 drag and drop, posted
through htmx), is asked for the reason when dropping into 赢单, and the stage history shows each move; the
funnel chart draws from the server's figure. Fails on any console error, CSP violation or foreign request."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from keshang.org.models import User
from keshang.partners.models import Partner
from keshang.sales.models import Opportunity, OpportunityStage, OpportunityStatus
from keshang.sales.tests.factories import OpportunityFactory
from keshang.web.tests.conftest import (  # noqa: F401 - fixtures shared with the web app's browser tests
    DEMO_PASSWORD,
    chromium_browser,
    company,
    page,
    screenshot,
    watcher,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(tab, username: str) -> None:
    tab.goto("/login/")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.get_by_test_id("user-menu")).to_be_visible()


def card(tab, opportunity, stage):
    return tab.locator(f'[data-testid="column"][data-stage="{stage.pk}"] [data-opportunity="{opportunity.pk}"]')


def test_a_rep_drags_a_card_to_another_stage_and_into_won_with_a_reason(page, company, watcher, screenshot):  # noqa: F811
    # given: one of sales's customers with an opportunity closing soonest, so it is on top of its column
    rep = User.objects.get(username="sales")
    stages = {stage.name: stage for stage in OpportunityStage.objects.all()}
    opportunity = OpportunityFactory(
        owner=rep,
        partner=Partner.objects.filter(owner=rep, is_customer=True).first(),
        name="拖拽测试商机",
        stage=stages["初步接洽"],
        expected_amount=Decimal("88000.00"),
        expected_close_date=timezone.localdate() - datetime.timedelta(days=365),
    )
    sign_in(page, "sales")
    page.goto("/sales/opportunities/board/")
    expect(card(page, opportunity, stages["初步接洽"])).to_be_visible()
    screenshot(page, "opportunity-board")
    # when: the card is dragged onto 方案报价
    page.drag_and_drop(
        f'[data-opportunity="{opportunity.pk}"]', f'[data-testid="column"][data-stage="{stages["方案报价"].pk}"] header'
    )
    # then: the board comes back with the card in its new column
    expect(card(page, opportunity, stages["方案报价"])).to_be_visible()
    expect(page.get_by_test_id("board-notice")).to_contain_text("已将“拖拽测试商机”移动到“方案报价”")
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["方案报价"]
    # when: dragged onto 赢单, the reason is asked for first
    page.drag_and_drop(
        f'[data-opportunity="{opportunity.pk}"]', f'[data-testid="column"][data-stage="{stages["赢单"].pk}"] header'
    )
    dialog = page.locator("#board-reason")
    expect(dialog).to_be_visible()
    screenshot(page, "opportunity-board-reason", full_page=False)
    page.get_by_label("赢单/输单原因").fill("技术方案获得认可")
    dialog.get_by_role("button", name="确认移动").click()
    # then
    expect(card(page, opportunity, stages["赢单"])).to_be_visible()
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.close_reason) == (OpportunityStatus.WON, "技术方案获得认可")
    # and the stage history names who moved it from where to where
    page.goto(f"/sales/opportunities/{opportunity.pk}/stages/")
    rows = page.get_by_test_id("stage-change")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("方案报价")
    expect(rows.nth(0)).to_contain_text("赢单")
    expect(rows.nth(0)).to_contain_text(str(rep))
    expect(rows.nth(1)).to_contain_text("初步接洽")
    screenshot(page, "opportunity-stage-history")
    watcher.assert_clean()


def test_the_keyboard_fallback_moves_a_card_without_dragging(page, company, watcher):  # noqa: F811
    # given
    rep = User.objects.get(username="sales")
    stages = {stage.name: stage for stage in OpportunityStage.objects.all()}
    opportunity = OpportunityFactory(
        owner=rep,
        partner=Partner.objects.filter(owner=rep, is_customer=True).first(),
        name="键盘移动商机",
        stage=stages["需求确认"],
        expected_close_date=timezone.localdate() - datetime.timedelta(days=365),
    )
    sign_in(page, "sales")
    page.goto("/sales/opportunities/board/")
    # when
    card(page, opportunity, stages["需求确认"]).get_by_text("移动到…").click()
    page.get_by_label("把“键盘移动商机”移动到").select_option(label="商务谈判")
    card(page, opportunity, stages["需求确认"]).get_by_role("button", name="移动").click()
    # then
    expect(card(page, opportunity, stages["商务谈判"])).to_be_visible()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == stages["商务谈判"]
    watcher.assert_clean()


def test_the_funnel_chart_draws_with_the_exact_totals_beside_it(page, company, watcher, screenshot):  # noqa: F811
    # given: the demo pipeline
    sign_in(page, "manager")
    # when
    page.goto("/sales/opportunities/funnel/")
    # then
    chart = page.get_by_test_id("funnel-chart")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("g.trace path").first).to_be_visible()
    expect(page.get_by_test_id("funnel-row")).to_have_count(4)
    expect(page.get_by_test_id("funnel-row").first).to_contain_text("初步接洽")
    screenshot(page, "opportunity-funnel")
    watcher.assert_clean()


def test_a_rep_creates_an_opportunity_picking_a_contact_of_the_chosen_customer(page, company, watcher, screenshot):  # noqa: F811
    # given: one of sales's customers with a known contact
    rep = User.objects.get(username="sales")
    customer = Partner.objects.filter(owner=rep, is_customer=True).order_by("name").first()
    contact = customer.contacts.first()
    sign_in(page, "sales")
    page.goto("/sales/opportunities/add/")
    # when: the customer is chosen, its contacts arrive by htmx
    page.get_by_label("商机名称").fill("浏览器新建商机")
    page.get_by_label("客户").select_option(str(customer.pk))
    page.get_by_test_id("contacts-field").get_by_label(contact.name).check()
    page.get_by_label("预计金额").fill("123456.78")
    screenshot(page, "opportunity-form")
    page.get_by_role("button", name="保存").click()
    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("浏览器新建商机")
    expect(page.get_by_test_id("weighted-amount")).to_have_text("¥12,345.68")
    expect(page.get_by_test_id("opportunity-contacts")).to_contain_text(contact.name)
    screenshot(page, "opportunity-detail")
    created = Opportunity.objects.get(name="浏览器新建商机")
    assert (created.partner, created.owner, list(created.contacts.all())) == (customer, rep, [contact])
    watcher.assert_clean()
