"""The shared pages later apps join through registries (issue 11): the global search, a record's 动态 timeline and
the home page's 到期提醒 — each shows what every app registered, within the reader's data scope only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.sales.services import opportunities, orders, quotations
from keshang.sales.tests.document_factories import make_order, make_quotation, make_team
from keshang.sales.tests.factories import default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    default_stages()
    return make_team()


def test_the_global_search_finds_a_reps_own_documents_and_not_a_colleagues(client, team):
    mine = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    other = make_team()
    theirs = quotations.submit_quotation(actor=other.rep, quotation=make_quotation(other))
    client.force_login(team.rep)
    page = client.get(reverse("web:search"), {"q": mine.number[:8]}).content.decode()
    assert reverse("sales:quotation_detail", args=[mine.pk]) in page
    assert reverse("sales:quotation_detail", args=[theirs.pk]) not in page
    assert team.product.name in client.get(reverse("web:search"), {"q": team.product.code}).content.decode()


def test_the_global_search_asks_no_provider_the_reader_may_not_use(client, team):
    make_quotation(team)
    stranger = UserFactory()
    grant(stranger, "catalog.product", (Action.VIEW,), Scope.ALL)
    client.force_login(stranger)
    page = client.get(reverse("web:search"), {"q": team.partner.name[:4]}).content.decode()
    assert 'data-testid="search-group"' not in page
    assert "请输入至少两个字" in client.get(reverse("web:search"), {"q": "a"}).content.decode()


def test_a_customers_timeline_gathers_what_each_app_registered_within_scope(client, team):
    opportunities.create_opportunity(
        actor=team.rep, data={"name": "年度采购", "partner": team.partner, "expected_amount": "1000"}
    )
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    client.force_login(team.rep)
    detail = client.get(reverse("partners:partner_detail", args=[team.partner.pk])).content.decode()
    timeline_url = reverse("web:partners_partner_timeline", args=[team.partner.pk])
    assert timeline_url in detail and "动态" in detail
    page = client.get(timeline_url).content.decode()
    assert f"{quotation} 提交" in page and f"{order} 确认" in page and "年度采购" in page
    # the warehouse may read orders but not quotations or opportunities: only the order shows
    keeper = UserFactory()
    grant(keeper, "partners.partner", (Action.VIEW,), Scope.ALL)
    grant(keeper, "sales.salesorder", (Action.VIEW,), Scope.ALL)
    client.force_login(keeper)
    page = client.get(timeline_url).content.decode()
    assert f"{order} 确认" in page and str(quotation) not in page and "年度采购" not in page


def test_a_timeline_outside_the_readers_scope_is_404(client, team):
    other = make_team()
    client.force_login(other.rep)
    assert client.get(reverse("web:partners_partner_timeline", args=[team.partner.pk])).status_code == 404


def test_the_home_page_reminds_the_owner_of_quotations_about_to_expire(client, team):
    today = timezone.localdate()
    soon = quotations.submit_quotation(
        actor=team.rep, quotation=make_quotation(team, quote_date=today, valid_until=today + datetime.timedelta(days=3))
    )
    later = quotations.submit_quotation(
        actor=team.rep,
        quotation=make_quotation(team, quote_date=today, valid_until=today + datetime.timedelta(days=60)),
    )
    client.force_login(team.rep)
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="widget-deadlines"' in page
    assert reverse("sales:quotation_detail", args=[soon.pk]) in page and "还有 3 天" in page
    assert reverse("sales:quotation_detail", args=[later.pk]) not in page
    client.force_login(make_team().rep)
    assert reverse("sales:quotation_detail", args=[soon.pk]) not in client.get(reverse("web:home")).content.decode()
