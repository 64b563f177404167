"""Defects found reviewing the document machinery of issue 11: each test fails before its fix."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from keshang.catalog.models import Product, ProductStatus
from keshang.core.exceptions import ApplicationError
from keshang.core.identifiers import parse_pk
from keshang.core.models import AuditEntry, Currency, ExchangeRate
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.models import Opportunity, Quotation
from keshang.sales.services import (
    copy_quotation,
    create_opportunity,
    create_order_from_quotation,
    delete_opportunity,
    update_opportunity,
)
from keshang.sales.services import quotations as quotation_services
from keshang.sales.services.printing import send_quotation_email

from .document_factories import line, make_quotation, make_team
from .factories import default_stages

pytestmark = pytest.mark.django_db

# What str.isdigit accepts but no database can look up, and a number past any id.
NO_IDS = ("²", "٣", "9" * 30, "-1", "0", " ")


@pytest.fixture
def team():
    return make_team()


@pytest.mark.parametrize("value", NO_IDS)
def test_a_value_that_is_no_id_reads_as_none(value):
    assert parse_pk(value) is None


def test_an_id_reads_as_its_number():
    assert (parse_pk("42"), parse_pk(42), parse_pk(" 7 "), parse_pk(True)) == (42, 42, 7, None)


@pytest.mark.parametrize("value", NO_IDS)
def test_pages_given_no_id_for_a_customer_answer_as_if_none_was_chosen(client, team, value):
    client.force_login(team.rep)
    for url in (
        reverse("sales:quotation_add"),
        reverse("sales:quotation_contact_options"),
        reverse("sales:salesorder_add"),
        reverse("sales:opportunity_add"),
        reverse("sales:opportunity_contacts_field"),
    ):
        assert client.get(url, {"partner": value}).status_code == 200, url
    preview = client.post(reverse("sales:quotation_lines_preview"), {"partner": value, "lines-TOTAL_FORMS": "0"})
    assert preview.status_code == 200


@pytest.mark.parametrize("value", NO_IDS)
def test_the_batch_transfer_page_leaves_out_what_is_no_id(client, value):
    boss = UserFactory(is_superuser=True)
    client.force_login(boss)
    url = reverse("partners:partner_batch_transfer")
    assert client.get(url, {"ids": value}).status_code == 200
    assert client.get(url, {"from_owner": value}).status_code == 200
    assert client.post(url, {"partners": value}).status_code == 200  # the form again, saying what is missing


def test_whoever_may_only_change_quotations_can_use_the_editor_on_their_own(client, team):
    # given a user who may change quotations but not add them (an assistant keeping others' quotations up to date)
    assistant = UserFactory(department=team.rep.department)
    grant(assistant, "sales.quotation", (Action.VIEW, Action.CHANGE), Scope.DEPARTMENT)
    grant(assistant, "partners.partner", (Action.VIEW,), Scope.DEPARTMENT)
    grant(assistant, "catalog.product", (Action.VIEW,), Scope.ALL)
    quotation = make_quotation(team)
    client.force_login(assistant)
    assert client.get(reverse("sales:quotation_edit", args=[quotation.pk])).status_code == 200
    # then the editor's re-pricing and contact picker serve them as its page does
    preview = client.post(
        reverse("sales:quotation_lines_preview"), {"partner": team.partner.pk, "lines-TOTAL_FORMS": "0"}
    )
    assert preview.status_code == 200
    assert client.get(reverse("sales:quotation_contact_options"), {"partner": team.partner.pk}).status_code == 200
    # and a user with neither is still refused
    client.force_login(UserFactory())
    assert client.get(reverse("sales:quotation_contact_options")).status_code == 403


@pytest.fixture
def usd():
    currency, _created = Currency.objects.get_or_create(code="USD", defaults={"name": "美元", "symbol": "$"})
    ExchangeRate.objects.create(currency=currency, date=datetime.date(2026, 11, 1), rate=Decimal("7.100000"))
    ExchangeRate.objects.create(currency=currency, date=timezone.localdate(), rate=Decimal("7.300000"))
    return currency


def test_a_copy_is_made_as_a_new_quotation_of_today(team, usd):
    # given a USD quotation of November, one line priced by the catalog and one typed
    source = make_quotation(
        team,
        line(team.product, "10"),
        line(team.product, "1", price="20"),
        currency="USD",
        quote_date=datetime.date(2026, 11, 10),
        historic=True,
    )
    Product.objects.filter(pk=team.product.pk).update(list_price=Decimal("146"))
    # when it is copied
    copy = copy_quotation(actor=team.rep, quotation=source)
    # then the copy has today's rate, today's catalog price, and the typed price as typed
    assert copy.quote_date == timezone.localdate() and copy.exchange_rate == Decimal("7.300000")
    first, second = copy.lines.order_by("position")
    assert first.unit_price_gross == Decimal("20.000000")  # 146 / 7.3
    assert second.unit_price_gross == Decimal("20.000000") and second.is_manual_price
    assert copy.gross_amount_cny == Decimal("1606.00")  # 220.00 × 7.3
    assert AuditEntry.objects.filter(object_id=str(copy.pk), message__contains=str(source)).exists()


def test_a_copy_refuses_a_product_discontinued_since(team):
    source = make_quotation(team)
    Product.objects.filter(pk=team.product.pk).update(status=ProductStatus.DISCONTINUED)
    with pytest.raises(Exception) as refused:
        copy_quotation(actor=team.rep, quotation=source)
    assert "已停售" in str(refused.value)
    assert Quotation.objects.count() == 1


def test_an_order_from_a_quotation_takes_the_rate_of_its_own_date(team, usd):
    quotation = make_quotation(
        team, line(team.product, "1", "100"), currency="USD", quote_date=datetime.date(2026, 11, 10), historic=True
    )
    quotation = quotation_services.submit_quotation(actor=team.rep, quotation=quotation)
    quotation = quotation_services.mark_quotation_sent(actor=team.rep, quotation=quotation)
    quotation = quotation_services.accept_quotation(actor=team.rep, quotation=quotation)
    order = create_order_from_quotation(actor=team.rep, quotation=quotation)
    # then the accepted prices, at the order date's rate (what approval flows compare)
    assert order.gross_amount == quotation.gross_amount == Decimal("100.00")
    assert order.exchange_rate == Decimal("7.300000") and order.gross_amount_cny == Decimal("730.00")


def test_an_opportunity_with_quotations_keeps_them_and_its_customer(team):
    default_stages()
    opportunity = create_opportunity(actor=team.rep, data={"name": "年度采购", "partner": team.partner})
    make_quotation(team, opportunity=opportunity)
    # it is not deleted (its quotations would silently lose it) …
    with pytest.raises(ApplicationError) as refused:
        delete_opportunity(actor=team.rep, opportunity=opportunity)
    assert refused.value.code == "opportunity_has_quotations"
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()
    # … nor moved to another customer (its quotations are the first one's)
    other = PartnerFactory(owner=team.rep)
    with pytest.raises(ApplicationError) as refused:
        update_opportunity(actor=team.rep, opportunity=opportunity, data={"partner": other})
    assert refused.value.code == "opportunity_has_quotations" and "partner" in refused.value.fields
    # while one without quotations is deleted as before
    bare = create_opportunity(actor=team.rep, data={"name": "试单", "partner": team.partner})
    delete_opportunity(actor=team.rep, opportunity=bare)
    assert not Opportunity.objects.filter(pk=bare.pk).exists()


def test_an_email_is_not_sent_for_a_quotation_changed_since_the_page_read_it(team, mailoutbox):
    quotation = quotation_services.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    assert quotation.status == "approved"
    # the page read it approved; meanwhile it was revised (the approved one superseded)
    quotation_services.revise_quotation(actor=team.rep, quotation=Quotation.objects.get(pk=quotation.pk))
    with pytest.raises(ApplicationError) as refused:
        send_quotation_email(actor=team.rep, quotation=quotation, to="buyer@example.com", subject="报价", message="")
    assert refused.value.code == "not_approved"
    assert mailoutbox == []
