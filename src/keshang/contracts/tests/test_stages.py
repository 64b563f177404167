"""Payment stages: they always add up to the contract amount, the rounding cent on the last stage; stages that do
not describe the amount are refused saying by how much; due dates count 工作日 where the stage says so."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keshang.core.exceptions import ApplicationError

from ..models import StageTrigger
from ..services import StageInput, due_date, split_amount

D = Decimal


def percent_stages(*shares):
    return [StageInput(name=f"第{i}期", percent=D(share)) for i, share in enumerate(shares, start=1)]


def test_thirds_put_the_rounding_cent_on_the_last_stage():
    assert split_amount(D("100.00"), percent_stages("33.3333", "33.3333", "33.3334")) == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]
    assert split_amount(D("0.10"), percent_stages("33.3333", "33.3333", "33.3334")) == [D("0.03"), D("0.03"), D("0.04")]


def test_a_fixed_deposit_and_a_percent_of_the_rest():
    stages = [StageInput(name="定金", fixed_amount=D("1000")), StageInput(name="尾款", percent=D("90"))]
    assert split_amount(D("10000"), stages) == [D("1000.00"), D("9000.00")]


def test_percents_not_adding_up_to_100_are_refused_with_the_sum():
    with pytest.raises(ApplicationError) as refused:
        split_amount(D("1000"), percent_stages("30", "60"))
    assert refused.value.code == "stages_percent_total"
    assert refused.value.message == "付款阶段比例合计为 90%，应为 100%。"


def test_fixed_amounts_that_do_not_make_the_amount_are_refused_with_the_difference():
    stages = [StageInput(name="定金", fixed_amount=D("1000")), StageInput(name="尾款", percent=D("95"))]
    with pytest.raises(ApplicationError) as refused:
        split_amount(D("10000"), stages)
    assert refused.value.code == "stages_amount_total"
    assert refused.value.message == "付款阶段合计 10,500.00，与合同金额 10,000.00 相差 -500.00。"


@pytest.mark.parametrize(
    "stage, problem",
    [
        (StageInput(name="", percent=D("100")), "请填写名称"),
        (StageInput(name="全款", percent=D("100"), fixed_amount=D("5")), "比例和固定金额须填写且只填写一项"),
        (StageInput(name="全款"), "比例和固定金额须填写且只填写一项"),
        (StageInput(name="全款", percent=D("120")), "比例须大于 0 且不超过 100"),
        (StageInput(name="全款", fixed_amount=D("-5")), "固定金额须大于 0"),
        (StageInput(name="全款", percent=D("100"), trigger="whenever"), "触发条件无效"),
        (
            StageInput(name="全款", percent=D("100"), trigger=StageTrigger.FIXED_DATE),
            "固定日期与触发条件“固定日期”须同时填写",
        ),
        (StageInput(name="全款", percent=D("100"), days=-1), "天数不能为负数"),
    ],
)
def test_a_bad_stage_is_refused_naming_it_and_the_problem(stage, problem):
    with pytest.raises(ApplicationError) as refused:
        split_amount(D("100"), [StageInput(name="预付", percent=D("0.01")), stage])
    assert refused.value.code == "invalid_stage"
    assert refused.value.fields["payment_stages"] == [f"第 2 期：{problem}。"]


def test_due_dates_count_working_days_after_signing_and_wait_for_other_triggers():
    signed = datetime.date(2025, 9, 30)
    events = {StageTrigger.SIGNED: signed}
    assert due_date(
        StageInput(name="预付", percent=D("30"), days=5, working_days=True), events=events
    ) == datetime.date(2025, 10, 14)
    assert due_date(StageInput(name="预付", percent=D("30"), days=5), events=events) == datetime.date(2025, 10, 5)
    assert due_date(StageInput(name="尾款", percent=D("70"), trigger=StageTrigger.AFTER_RECEIPT), events=events) is None
    fixed = StageInput(
        name="质保金", percent=D("5"), trigger=StageTrigger.FIXED_DATE, fixed_date=datetime.date(2026, 3, 1)
    )
    assert due_date(fixed, events={}) == datetime.date(2026, 3, 1)


amounts = st.decimals(min_value=D("0.01"), max_value=D("999999999.99"), places=2)


@st.composite
def percent_lists(draw):
    """Up to 8 shares in basis points (0.01 %) adding up to exactly 100 %."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(
        draw(st.lists(st.integers(min_value=1, max_value=9999), min_size=count - 1, max_size=count - 1, unique=True))
    )
    bounds = [0, *cuts, 10000]
    return [D(high - low) / 100 for low, high in zip(bounds, bounds[1:], strict=False)]


@given(amounts, percent_lists())
def test_percent_stages_always_add_up_to_the_amount_exactly(amount, percents):
    try:
        parts = split_amount(amount, percent_stages(*percents))
    except ApplicationError as refused:
        # only when the last stage is worth less than the cents the others rounded up (a few cents in all)
        assert refused.code == "stages_amount_total"
        assert amount * percents[-1] / 100 < D("0.005") * (len(percents) - 1)
        return
    assert sum(parts) == amount
    assert all(part >= 0 for part in parts)
    # every stage but the last is its percent rounded to the cent
    for part, percent in zip(parts[:-1], percents[:-1], strict=True):
        assert abs(part - amount * percent / 100) <= D("0.005")


@given(amounts, st.lists(st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2), min_size=1, max_size=4))
def test_fixed_amounts_with_a_percent_of_the_rest_add_up_exactly(total, fixed):
    amount = total + sum(fixed)
    rest = total * 100 / amount
    stages = [StageInput(name="定额", fixed_amount=value) for value in fixed]
    stages.append(StageInput(name="其余", percent=rest.quantize(D("0.0001"))))
    try:
        parts = split_amount(amount, stages)
    except ApplicationError as refused:
        # the rest's percent rounded to 4 places may miss by more than half a cent on a large amount
        assert refused.code == "stages_amount_total"
        return
    assert sum(parts) == amount
