"""Every read of opportunities through the data scope (STYLE.md §2): lists, the board and the funnel, all
aggregated in the database, in Decimal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from keshang.core.money import quantize_amount, sum_amounts
from keshang.core.permissions import Action

from ..models import Competitor, Opportunity, OpportunityStage, OpportunityStageChange, OpportunityStatus
from ..services.opportunities import weighted_amount

__all__ = [
    "list_opportunities",
    "list_stages",
    "list_active_stages",
    "list_competitors",
    "list_stage_changes",
    "BoardColumn",
    "Board",
    "get_board",
    "FunnelStage",
    "Funnel",
    "get_funnel",
]

# Cards per board column; the column's count and sum still cover every opportunity in it.
BOARD_CARD_LIMIT = 50
# Closed opportunities stay on the board this long, so a rep sees what they won or lost lately.
BOARD_CLOSED_DAYS = 30


def list_opportunities(*, user, action: str = Action.VIEW) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user, action).select_related("partner", "stage", "owner", "department")


def list_stages(*, user, action: str = Action.VIEW) -> QuerySet[OpportunityStage]:
    return OpportunityStage.objects.visible_to(user, action)


def list_active_stages(*, user) -> QuerySet[OpportunityStage]:
    return list_stages(user=user).filter(is_active=True)


def _pipeline_stages() -> QuerySet[OpportunityStage]:
    """The board's columns and the funnel's steps. Deliberately not narrowed by the stage resource's grant:
    stages are the shape of the pipeline, not data, and whoever may see opportunities sees their stages."""
    return OpportunityStage.objects.unscoped().filter(is_active=True)


def list_competitors(*, user, action: str = Action.VIEW) -> QuerySet[Competitor]:
    return Competitor.objects.visible_to(user, action).select_related("opportunity")


def list_stage_changes(*, user, action: str = Action.VIEW) -> QuerySet[OpportunityStageChange]:
    return OpportunityStageChange.objects.visible_to(user, action).select_related(
        "opportunity", "from_stage", "to_stage", "changed_by"
    )


@dataclass
class BoardColumn:
    stage: OpportunityStage
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")
    opportunities: list[Opportunity] = field(default_factory=list)

    @property
    def needs_reason(self) -> bool:
        return self.stage.is_won or self.stage.is_lost

    @property
    def hidden_count(self) -> int:
        return self.count - len(self.opportunities)


@dataclass
class Board:
    columns: list[BoardColumn]
    open_count: int
    open_amount: Decimal
    weighted_total: Decimal


def _board_rows(opportunities: QuerySet[Opportunity], since: datetime.datetime) -> QuerySet[Opportunity]:
    return opportunities.filter(stage__is_active=True).filter(
        Q(status=OpportunityStatus.OPEN) | Q(closed_at__gte=since)
    )


def get_board(*, user, opportunities: QuerySet[Opportunity] | None = None, now=None) -> Board:
    """Columns for the active stages: open opportunities and those closed in the last 30 days, each column
    with its count, sum and weighted sum, and the first cards by expected close date.

    Three queries: the stages, the per-stage totals, and the cards (numbered per stage by a window
    function, so a column of thousands still sends only ``BOARD_CARD_LIMIT`` cards).
    """
    now = now or timezone.now()
    rows = _board_rows(
        opportunities if opportunities is not None else list_opportunities(user=user),
        now - datetime.timedelta(days=BOARD_CLOSED_DAYS),
    )
    columns = {stage.pk: BoardColumn(stage=stage) for stage in _pipeline_stages()}
    for row in rows.order_by().values("stage").annotate(count=Count("pk"), amount=Sum("expected_amount")):
        column = columns.get(row["stage"])
        if column is not None:
            column.count = row["count"]
            column.amount = quantize_amount(row["amount"] or 0)
            column.weighted = weighted_amount(column.amount, column.stage.probability)
    cards = rows.annotate(
        position=Window(
            RowNumber(),
            partition_by=[F("stage")],
            order_by=[F("expected_close_date").asc(nulls_last=True), F("pk").desc()],
        )
    ).filter(position__lte=BOARD_CARD_LIMIT)
    for opportunity in cards.order_by("stage", "position"):
        column = columns.get(opportunity.stage_id)
        if column is not None:
            column.opportunities.append(opportunity)
    open_columns = [column for column in columns.values() if not column.needs_reason]
    return Board(
        columns=list(columns.values()),
        open_count=sum(column.count for column in open_columns),
        open_amount=sum_amounts(column.amount for column in open_columns),
        weighted_total=sum_amounts(column.weighted for column in open_columns),
    )


@dataclass(frozen=True)
class FunnelStage:
    stage: OpportunityStage
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Funnel:
    stages: list[FunnelStage]
    count: int
    amount: Decimal
    weighted_total: Decimal


def get_funnel(*, user, opportunities: QuerySet[Opportunity] | None = None) -> Funnel:
    """Per open stage (in order): open opportunities, their expected amount and the weighted amount
    (sum × probability / 100, rounded once per stage); the weighted pipeline is the sum of the rounded
    stages. Two queries: the stages and the per-stage totals."""
    opportunities = opportunities if opportunities is not None else list_opportunities(user=user)
    totals = {
        row["stage"]: row
        for row in opportunities.filter(status=OpportunityStatus.OPEN)
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"), amount=Sum("expected_amount"))
    }
    stages = []
    for stage in _pipeline_stages().filter(is_won=False, is_lost=False):
        row = totals.get(stage.pk, {})
        amount = quantize_amount(row.get("amount") or 0)
        stages.append(
            FunnelStage(
                stage=stage,
                count=row.get("count", 0),
                amount=amount,
                weighted=weighted_amount(amount, stage.probability),
            )
        )
    return Funnel(
        stages=stages,
        count=sum(item.count for item in stages),
        amount=sum_amounts(item.amount for item in stages),
        weighted_total=sum_amounts(item.weighted for item in stages),
    )
