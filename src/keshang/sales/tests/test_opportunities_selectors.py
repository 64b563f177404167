"""Selectors of opportunities: the funnel and weighted pipeline are exact Decimals aggregated in the
database, and the board shows each user only their scope."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.sales.selectors import opportunities as opportunity_selectors
from keshang.sales.tests.factories import OpportunityFactory, default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return default_stages()


def viewer(scope=Scope.ALL, department=None):
    user = UserFactory(department=department or DepartmentFactory())
    grant(user, "sales.opportunity", [Action.VIEW], scope)
    user.grants()  # read once per request in real use; not what the query counts below measure
    return user


def test_funnel_sums_and_weights_each_open_stage_exactly(stages, django_assert_max_num_queries):
    # given: amounts whose weighted values need half-up rounding to cents
    OpportunityFactory(stage=stages["需求确认"], expected_amount=Decimal("0.10"))  # 25 % → 0.025
    OpportunityFactory(stage=stages["需求确认"], expected_amount=Decimal("100.00"))
    OpportunityFactory(stage=stages["商务谈判"], expected_amount=Decimal("333333.33"))  # 75 % → 249999.9975
    OpportunityFactory(stage=stages["赢单"], expected_amount=Decimal("999.00"), close_reason="签约")
    user = viewer()
    # when
    with django_assert_max_num_queries(2):
        funnel = opportunity_selectors.get_funnel(user=user)
    # then
    by_name = {item.stage.name: item for item in funnel.stages}
    assert list(by_name) == ["初步接洽", "需求确认", "方案报价", "商务谈判"]
    assert (by_name["需求确认"].count, by_name["需求确认"].amount) == (2, Decimal("100.10"))
    assert by_name["需求确认"].weighted == Decimal("25.03")  # 100.10 × 25 % = 25.025 → 25.03
    assert by_name["商务谈判"].weighted == Decimal("250000.00")  # 249999.9975 → 250000.00
    assert (by_name["初步接洽"].count, by_name["初步接洽"].amount) == (0, Decimal("0.00"))
    assert funnel.count == 3
    assert funnel.amount == Decimal("333433.43")
    assert funnel.weighted_total == Decimal("250025.03")
    assert all(isinstance(item.weighted, Decimal) for item in funnel.stages)


def test_board_shows_a_rep_only_their_own_opportunities(stages):
    # given
    department = DepartmentFactory()
    rep = viewer(Scope.OWN, department)
    colleague = UserFactory(department=department)
    mine = OpportunityFactory(owner=rep, stage=stages["方案报价"], expected_amount=Decimal("1000.00"))
    OpportunityFactory(owner=colleague, stage=stages["方案报价"], expected_amount=Decimal("5000.00"))
    # when
    board = opportunity_selectors.get_board(user=rep)
    # then
    column = next(column for column in board.columns if column.stage == stages["方案报价"])
    assert [card.pk for card in column.opportunities] == [mine.pk]
    assert (column.count, column.amount, column.weighted) == (1, Decimal("1000.00"), Decimal("500.00"))
    assert board.weighted_total == Decimal("500.00")


def test_board_keeps_recently_closed_deals_and_drops_old_ones(stages):
    # given
    user = viewer()
    recent = OpportunityFactory(stage=stages["赢单"], close_reason="签约")
    old = OpportunityFactory(stage=stages["输单"], close_reason="价格")
    old.__class__.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=60))
    # when
    board = opportunity_selectors.get_board(user=user)
    # then
    cards = {card.pk for column in board.columns for card in column.opportunities}
    assert recent.pk in cards
    assert old.pk not in cards
    assert board.open_count == 0
    assert board.weighted_total == Decimal("0.00")


def test_board_caps_cards_per_column_but_counts_them_all(stages, monkeypatch, django_assert_max_num_queries):
    # given
    monkeypatch.setattr(opportunity_selectors, "BOARD_CARD_LIMIT", 2)
    for day in (3, 1, 2):
        OpportunityFactory(
            stage=stages["初步接洽"],
            expected_amount=Decimal("10.00"),
            expected_close_date=timezone.localdate() + datetime.timedelta(days=day),
        )
    user = viewer()
    # when
    with django_assert_max_num_queries(3):
        board = opportunity_selectors.get_board(user=user)
        column = board.columns[0]
        cards = list(column.opportunities)
        names = [(card.partner.name, card.owner.name) for card in cards]
    # then: the two closing soonest, and the column still counts and sums all three
    assert [card.expected_close_date.day for card in cards] == [
        (timezone.localdate() + datetime.timedelta(days=day)).day for day in (1, 2)
    ]
    assert len(names) == 2
    assert (column.count, column.amount, column.hidden_count) == (3, Decimal("30.00"), 1)
