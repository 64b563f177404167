"""Issue 12, finding 13: back-dated sales. A document's date lies in the open period (from the first day of the
current month, or earlier with the back-dating grant) and not far in the future; its number follows the day it
is numbered, never a typed date."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action, Scope, get_resource
from keshang.org.tests.factories import grant
from keshang.sales.models import Quotation, SalesOrder
from keshang.sales.services import orders, quotations

from .document_factories import line, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def first_of_month():
    return timezone.localdate().replace(day=1)


def post(client, user, name, data):
    client.force_login(user)
    return client.post(reverse(f"sales-api:{name}-list"), data, content_type="application/json")


@pytest.mark.parametrize(("name", "field"), [("salesorder", "order_date"), ("quotation", "quote_date")])
def test_the_api_refuses_a_back_dated_sales_document(client, team, name, field):
    body = {"partner": team.partner.pk, field: "2020-01-15", "lines": [{"product": team.product.pk, "quantity": "1"}]}
    response = post(client, team.rep, name, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "date_outside_open_period"
    assert not SalesOrder.objects.exists() and not Quotation.objects.exists()


def test_the_day_before_the_open_period_is_refused_and_its_first_day_accepted(team):
    with pytest.raises(ApplicationError) as refused:
        orders.create_sales_order(
            actor=team.rep,
            data={"partner": team.partner, "order_date": first_of_month() - datetime.timedelta(days=1)},
            lines=[line(team.product)],
        )
    assert refused.value.code == "date_outside_open_period"
    order = orders.create_sales_order(
        actor=team.rep, data={"partner": team.partner, "order_date": first_of_month()}, lines=[line(team.product)]
    )
    assert order.order_date == first_of_month()


def test_an_edit_cannot_move_a_draft_into_a_closed_period(team):
    order = orders.create_sales_order(actor=team.rep, data={"partner": team.partner}, lines=[line(team.product)])
    with pytest.raises(ApplicationError) as refused:
        orders.update_sales_order(
            actor=team.rep, order=order, data={"order_date": datetime.date(2020, 1, 15)}, lines=[line(team.product)]
        )
    assert refused.value.code == "date_outside_open_period"


def test_the_back_dating_grant_opens_earlier_dates_and_numbering_follows_today(team):
    grant(team.rep, "sales.backdate", (Action.ADD,), Scope.ALL)
    order = orders.create_sales_order(
        actor=team.rep,
        data={"partner": team.partner, "order_date": datetime.date(2020, 1, 15)},
        lines=[line(team.product)],
    )
    order = orders.confirm_sales_order(actor=team.rep, order=order)
    assert order.order_date == datetime.date(2020, 1, 15)
    assert order.number.startswith(f"SO{timezone.localdate():%Y%m}-")


def test_a_quotation_is_numbered_for_the_day_it_is_submitted(team):
    grant(team.rep, "sales.backdate", (Action.ADD,), Scope.ALL)
    quotation = quotations.create_quotation(
        actor=team.rep,
        data={"partner": team.partner, "quote_date": datetime.date(2020, 1, 15)},
        lines=[line(team.product)],
    )
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    assert quotation.number.startswith(f"QT{timezone.localdate():%Y%m}-")


def test_a_far_future_date_is_refused_even_with_the_grant(team):
    grant(team.rep, "sales.backdate", (Action.ADD,), Scope.ALL)
    with pytest.raises(ApplicationError) as refused:
        orders.create_sales_order(
            actor=team.rep,
            data={"partner": team.partner, "order_date": timezone.localdate() + datetime.timedelta(days=400)},
            lines=[line(team.product)],
        )
    assert refused.value.code == "date_too_far_ahead"


@override_settings(KESHANG_OPEN_PERIOD_DAYS=90)
def test_the_open_period_is_configurable(team):
    order = orders.create_sales_order(
        actor=team.rep,
        data={"partner": team.partner, "order_date": timezone.localdate() - datetime.timedelta(days=80)},
        lines=[line(team.product)],
    )
    assert order.pk


def test_the_system_records_past_business_through_its_own_keyword(team):
    order = orders.create_sales_order(
        actor=team.rep,
        data={"partner": team.partner, "order_date": datetime.date(2020, 1, 15)},
        lines=[line(team.product)],
        historic=True,
    )
    assert order.order_date == datetime.date(2020, 1, 15)


def test_the_back_dating_grant_is_the_managers_by_default():
    defaults = get_resource("sales.backdate").defaults
    assert set(defaults) == {"sales_manager", "admin"}
