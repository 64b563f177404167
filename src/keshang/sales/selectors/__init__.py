"""Every read sales offers, through the data scope (STYLE.md §2)."""

from .documents import (
    CONFIRMED_STATES,
    CustomerMonthSales,
    LastPrice,
    last_prices,
    list_quotations,
    list_sales_orders,
    sales_by_customer_month,
)
from .opportunities import (
    Board,
    BoardColumn,
    Funnel,
    FunnelStage,
    get_board,
    get_funnel,
    list_active_stages,
    list_competitors,
    list_opportunities,
    list_stage_changes,
    list_stages,
)

__all__ = [
    "CONFIRMED_STATES",
    "CustomerMonthSales",
    "LastPrice",
    "last_prices",
    "list_quotations",
    "list_sales_orders",
    "sales_by_customer_month",
    "Board",
    "BoardColumn",
    "Funnel",
    "FunnelStage",
    "get_board",
    "get_funnel",
    "list_active_stages",
    "list_competitors",
    "list_opportunities",
    "list_stage_changes",
    "list_stages",
]
