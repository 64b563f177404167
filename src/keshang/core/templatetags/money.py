"""Money on screen as on paper: amounts with thousands separators (Django's zh-hans locale has none), unit prices
to two places unless they carry more, quantities without trailing zeros, VAT rates as percentages."""

from decimal import Decimal

from django import template

from keshang.core.money import format_amount, format_price

register = template.Library()


@register.filter
def amount(value):
    """1234.5 → 1,234.50; empty stays empty."""
    return "" if value is None or value == "" else format_amount(value)


@register.filter
def price(value):
    """A unit price: 12.5 → 12.50, 0.123456 → 0.123456, thousands separated."""
    return "" if value is None or value == "" else format_price(value)


@register.filter
def quantity(value):
    """A quantity or a percentage as typed: 1200.0000 → 1,200, 0.5000 → 0.5 (``normalize()`` alone shows 1.2E+3)."""
    if value is None or value == "":
        return ""
    whole, dot, fraction = format(Decimal(value).normalize(), "f").partition(".")
    return f"{Decimal(whole):,}{dot}{fraction}"


@register.filter
def rate(value):
    """A VAT rate stored as a fraction: 0.13 → 13%."""
    if value is None or value == "":
        return ""
    return f"{(Decimal(value) * 100).normalize():f}%"
