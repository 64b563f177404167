"""How values are printed in a contract: dates as 2026年12月8日, amounts as ¥12,345.60 (or USD 12,345.60),
quantities without trailing zeros, rates and percentages as 13%.

The contract's own words (列 headings, 第1期, 工作日 …) are not translated: a contract is a Chinese document whose
template, field names included, is written in Chinese; only the UI around it follows the user's language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from keshang.core.money import format_amount, format_price
from keshang.core.templatetags.money import quantity, rate

__all__ = [
    "CURRENCY_NAMES",
    "format_date",
    "format_money",
    "format_percent",
    "format_quantity",
    "format_rate",
    "format_unit_price",
]

# 币种 as a contract names it; other currencies print their ISO code.
CURRENCY_NAMES = {
    "CNY": "人民币",
    "USD": "美元",
    "EUR": "欧元",
    "JPY": "日元",
    "HKD": "港币",
    "GBP": "英镑",
}


def format_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def format_money(amount: Decimal, currency: str) -> str:
    """¥12,345.60 for CNY; the ISO code before the amount for any other currency (USD 12,345.60)."""
    return f"¥{format_amount(amount)}" if currency == "CNY" else f"{currency} {format_amount(amount)}"


def format_percent(value: Decimal | None) -> str:
    """A percentage given in percent: 30 → 30%, 33.330 → 33.33%; None or 0 prints nothing."""
    return f"{quantity(value)}%" if value else ""


def format_quantity(value: Decimal) -> str:
    return quantity(value)


def format_rate(value: Decimal) -> str:
    """A VAT rate given as a fraction: 0.13 → 13%."""
    return rate(value)


def format_unit_price(value: Decimal) -> str:
    return format_price(value)
