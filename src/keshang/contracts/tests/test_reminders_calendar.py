"""Reminders (sent once, working days counted), the home page's deadlines and the 到期日历 (issue 13)."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from keshang.core.deadlines import deadlines_for
from keshang.core.models import Notification
from keshang.core.workdays import add_working_days

from .. import services
from ..services import StageInput
from ..services.reminders import send_contract_reminders
from ..tasks import contract_reminders_task
from .factories import make_contract, make_contract_team

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 24)  # before the National Day holidays: working days differ from calendar days


@pytest.fixture
def team():
    return make_contract_team()


def in_force(team, *, end_date, stage_list=None, sign_date=datetime.date(2026, 9, 1)):
    """A contract of the rep's, approved and signed on ``sign_date``."""
    contract = make_contract(team, stage_list=stage_list, end_date=end_date)
    contract = services.submit_contract(actor=team.rep, contract=contract)
    return services.record_signed(actor=team.rep, contract=contract, sign_date=sign_date)


def told(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_an_owner_is_told_once_of_a_contract_ending_within_the_working_days(team):
    # given contracts ending on the 30th working day from today and on the 31st
    inside = in_force(team, end_date=add_working_days(TODAY, 30))
    outside = in_force(team, end_date=add_working_days(TODAY, 31))
    assert (add_working_days(TODAY, 30) - TODAY).days > 30  # the holidays count: more calendar days than 30
    # when the job runs twice
    first = send_contract_reminders(today=TODAY)
    second = send_contract_reminders(today=TODAY)
    # then the owner is told of the first contract once, never of the other
    assert first[0] == 1 and second == (0, 0)
    titles = told(team.rep)
    assert sum(str(inside) in title for title in titles) == 1
    assert not any(str(outside) in title for title in titles)


@override_settings(KESHANG_CONTRACT_EXPIRY_NOTICE_DAYS=5)
def test_the_expiry_notice_days_are_a_setting(team):
    in_force(team, end_date=add_working_days(TODAY, 6))
    assert send_contract_reminders(today=TODAY)[0] == 0
    in_force(team, end_date=add_working_days(TODAY, 5))
    assert send_contract_reminders(today=TODAY)[0] == 1


def test_a_payment_stage_due_within_seven_days_is_told_once(team):
    # given a contract signed today whose first stage is due in 7 days and second in 8
    stage_list = [
        StageInput(name="预付款", percent=30, days=7),
        StageInput(name="尾款", percent=70, days=8),
    ]
    contract = in_force(team, end_date=None, stage_list=stage_list, sign_date=TODAY)
    assert [stage.due_date for stage in contract.payment_stages.all()] == [
        TODAY + datetime.timedelta(days=7),
        TODAY + datetime.timedelta(days=8),
    ]
    # when the job runs twice (the Huey task the same)
    assert send_contract_reminders(today=TODAY) == (0, 1)
    assert send_contract_reminders(today=TODAY) == (0, 0)
    # then the owner was told of the first stage only
    titles = told(team.rep)
    assert len(titles) == 1 and "第1期" in titles[0]
    # and the daily task is the same service
    assert contract_reminders_task.call_local() == (0, 0)


def test_draft_contracts_are_not_reminded(team):
    make_contract(team, end_date=TODAY + datetime.timedelta(days=3))
    assert send_contract_reminders(today=TODAY) == (0, 0)


def test_the_home_page_deadlines_list_contracts_ending_and_stages_due(team):
    today = datetime.date.today()
    contract = in_force(team, end_date=today + datetime.timedelta(days=10), sign_date=today)
    found = deadlines_for(user=team.rep, today=today)
    assert any(item.kind == "合同到期" and str(contract) in item.title for item in found)
    assert any(item.kind == "付款到期" for item in found)  # the first stage, due on signing
    assert not any(str(contract) in item.title for item in deadlines_for(user=team.other_rep, today=today))


def test_the_calendar_shows_only_contracts_the_user_may_view(team, client):
    # given a contract of the rep's ending next month, and one of another rep's
    today = datetime.date.today()
    first_next = (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    mine = in_force(team, end_date=first_next + datetime.timedelta(days=9), sign_date=today)
    other_partner = type(team.partner).objects.create(name="外部客户有限公司", owner=team.other_rep, is_customer=True)
    theirs = make_contract(
        team, actor=team.other_rep, partner=other_partner, end_date=first_next + datetime.timedelta(days=9)
    )
    theirs = services.record_signed(
        actor=team.other_rep, contract=services.submit_contract(actor=team.other_rep, contract=theirs)
    )
    url = reverse("contracts:contract_calendar") + f"?month={first_next:%Y-%m}"
    # when the rep opens that month
    client.force_login(team.rep)
    page = client.get(url).content.decode()
    # then their contract is there, linked, and the other rep's is not
    assert reverse("contracts:contract_detail", args=[mine.pk]) in page and f"{mine} 到期" in page
    assert str(theirs) not in page
    # and the other rep sees theirs, not the rep's
    client.force_login(team.other_rep)
    page = client.get(url).content.decode()
    assert f"{theirs} 到期" in page and f"{mine} 到期" not in page


def test_the_calendar_moves_between_months_and_ignores_a_malformed_month(team, client):
    client.force_login(team.rep)
    page = client.get(reverse("contracts:contract_calendar") + "?month=2026-01").content.decode()
    assert "?month=2025-12" in page and "?month=2026-02" in page and "2026 年 1 月" in page
    assert client.get(reverse("contracts:contract_calendar") + "?month=２０２６-99").status_code == 200
    assert "到期日历" in client.get(reverse("web:home")).content.decode()
