"""A priced document's totals and the figures approvals decide on, from its lines (STYLE.md §5): each total is
the sum of the rounded lines; the discount is measured against the list price, a typed low price counting
as much as a discount rate; a line is below the minimum price when its effective price is, in cents."""

from __future__ import annotations

from decimal import Decimal

from keshang.core.money import convert_to_cny, document_totals, quantize_amount

__all__ = ["TOTAL_FIELDS", "store_totals", "line_discount_percent", "is_below_min_price", "effective_price"]

HUNDRED = Decimal("100")
# What store_totals sets: a document saved again only for its totals writes these alone.
TOTAL_FIELDS = (
    "net_amount",
    "tax_amount",
    "gross_amount",
    "discount_amount",
    "net_amount_cny",
    "gross_amount_cny",
    "max_discount_percent",
    "below_min_price",
)


def effective_price(line) -> Decimal:
    """The tax-inclusive price per unit the customer really pays: 价税合计 / quantity."""
    return line.gross_amount / line.quantity if line.quantity else Decimal("0")


def line_discount_percent(line) -> Decimal:
    """How far the line's effective tax-inclusive price is below the list price, in percent (0 when at or above
    it, or without a list price)."""
    if not line.list_price:
        return Decimal("0")
    percent = (1 - effective_price(line) / line.list_price) * HUNDRED
    return max(quantize_amount(percent), Decimal("0"))


def is_below_min_price(line) -> bool:
    if line.min_price is None:
        return False
    # Compared in cents: a price that only differs from the minimum below a cent per unit is not below it.
    return quantize_amount(effective_price(line)) < quantize_amount(line.min_price)


def store_totals(document, lines) -> None:
    """Totals, each the sum of the rounded lines; the CNY equivalents at the document's rate (reports add those);
    and the figures approvals are decided on: the largest discount and whether any line is below its minimum
    price."""
    lines = list(lines)
    totals = document_totals(lines)
    document.net_amount = totals.net_amount
    document.tax_amount = totals.tax_amount
    document.gross_amount = totals.gross_amount
    document.discount_amount = totals.discount_amount
    rate = getattr(document, "exchange_rate", None) or Decimal("1")
    document.net_amount_cny = convert_to_cny(totals.net_amount, rate)
    document.gross_amount_cny = convert_to_cny(totals.gross_amount, rate)
    document.max_discount_percent = max((line_discount_percent(line) for line in lines), default=Decimal("0"))
    document.below_min_price = any(is_below_min_price(line) for line in lines)
