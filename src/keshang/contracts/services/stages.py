"""Payment stages (付款阶段): the public arithmetic finance builds its payment plans on.

A stage is a percent of the contract amount or a fixed amount. :func:`split_amount` turns a contract's stages
into amounts that always add up to the amount exactly: each percent is rounded to the cent and the cents the
rounding leaves over go to the last stage. Stages that do not describe the amount (percents not adding up to
100, fixed amounts that exceed it) are refused, saying by how much. :func:`due_date` says when a stage falls due
once its trigger happened (签订 now; shipment, sign-off, acceptance and invoice when those apps report them).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from keshang.core.exceptions import ApplicationError
from keshang.core.money import format_amount, quantize_amount, to_decimal
from keshang.core.workdays import add_days

from ..models import PaymentStage, StageTrigger

__all__ = ["StageInput", "split_amount", "due_date", "check_stages", "build_stages", "HUNDRED"]

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class StageInput:
    """One stage as a form or the API gives it: ``percent`` or ``fixed_amount``, not both."""

    name: str
    percent: Decimal | None = None
    fixed_amount: Decimal | None = None
    trigger: str = StageTrigger.SIGNED
    days: int = 0
    working_days: bool = False
    fixed_date: datetime.date | None = None

    @classmethod
    def from_stage(cls, stage: PaymentStage) -> StageInput:
        return cls(
            name=stage.name,
            percent=stage.percent,
            fixed_amount=stage.fixed_amount,
            trigger=stage.trigger,
            days=stage.days,
            working_days=stage.working_days,
            fixed_date=stage.fixed_date,
        )


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"payment_stages": [message]})


def check_stages(stages: Sequence[StageInput]) -> None:
    """Each stage on its own: a name, exactly one of percent (0–100] and fixed amount (> 0), a trigger, a fixed
    date exactly when the trigger is 固定日期, and no negative days. Errors name the stage."""
    errors = []
    for position, stage in enumerate(stages, start=1):
        problems = []
        if not (stage.name or "").strip():
            problems.append(_("请填写名称"))
        if (stage.percent is None) == (stage.fixed_amount is None):
            problems.append(_("比例和固定金额须填写且只填写一项"))
        elif stage.percent is not None and not (0 < to_decimal(stage.percent) <= HUNDRED):
            problems.append(_("比例须大于 0 且不超过 100"))
        elif stage.fixed_amount is not None and to_decimal(stage.fixed_amount) <= 0:
            problems.append(_("固定金额须大于 0"))
        if stage.trigger not in StageTrigger.values:
            problems.append(_("触发条件无效"))
        elif (stage.trigger == StageTrigger.FIXED_DATE) != (stage.fixed_date is not None):
            problems.append(_("固定日期与触发条件“固定日期”须同时填写"))
        if stage.days is None or int(stage.days) < 0:
            problems.append(_("天数不能为负数"))
        if problems:
            errors.append(_("第 %(n)s 期：%(problems)s。") % {"n": position, "problems": "；".join(problems)})
    if errors:
        raise ApplicationError(" ".join(errors), code="invalid_stage", fields={"payment_stages": errors})


def split_amount(amount, stages: Sequence[StageInput]) -> list[Decimal]:
    """The amount of each stage, adding up to ``amount`` exactly (the rounding cents on the last stage).

    Only percents: they must add up to 100. With fixed amounts: fixed plus percents must come to the amount
    within the percents' rounding (half a cent each)."""
    amount = quantize_amount(amount)
    check_stages(stages)
    if not stages:
        return []
    percents = [to_decimal(stage.percent) for stage in stages if stage.percent is not None]
    if len(percents) == len(stages) and sum(percents) != HUNDRED:
        raise _refuse(
            _("付款阶段比例合计为 %(sum)s%%，应为 100%%。") % {"sum": f"{sum(percents).normalize():f}"},
            "stages_percent_total",
        )
    amounts = [
        quantize_amount(amount * to_decimal(stage.percent) / HUNDRED)
        if stage.percent is not None
        else quantize_amount(stage.fixed_amount)
        for stage in stages
    ]
    difference = amount - sum(amounts)
    if abs(difference) > CENT * len(percents) / 2:
        raise _refuse(
            _("付款阶段合计 %(total)s，与合同金额 %(amount)s 相差 %(difference)s。")
            % {
                "total": format_amount(sum(amounts)),
                "amount": format_amount(amount),
                "difference": format_amount(difference),
            },
            "stages_amount_total",
        )
    amounts[-1] += difference
    if amounts[-1] < 0:
        raise _refuse(_("最后一期的金额不能为负数。"), "stages_amount_total")
    return amounts


def due_date(stage: StageInput | PaymentStage, *, events: Mapping[str, datetime.date]) -> datetime.date | None:
    """When ``stage`` falls due: its fixed date, or ``days`` (calendar or 工作日) after the date its trigger
    happened (``events``: trigger → date; 签订后 from the sign date). None while the trigger has not happened
    (待触发)."""
    if stage.trigger == StageTrigger.FIXED_DATE:
        return stage.fixed_date
    happened = events.get(stage.trigger)
    if happened is None:
        return None
    return add_days(happened, int(stage.days or 0), working=bool(stage.working_days))


def build_stages(contract, stages: Sequence[StageInput], *, events: Mapping[str, datetime.date]) -> list[PaymentStage]:
    """Unsaved :class:`PaymentStage` rows of ``contract`` for ``stages``, with their amounts and due dates."""
    amounts = split_amount(contract.gross_amount, stages)
    return [
        PaymentStage(
            contract=contract,
            position=position,
            name=stage.name.strip()[:50],
            percent=stage.percent,
            fixed_amount=stage.fixed_amount,
            amount=amount,
            trigger=stage.trigger,
            days=int(stage.days or 0),
            working_days=bool(stage.working_days),
            fixed_date=stage.fixed_date,
            due_date=due_date(stage, events=events),
        )
        for position, (stage, amount) in enumerate(zip(stages, amounts, strict=True), start=1)
    ]
