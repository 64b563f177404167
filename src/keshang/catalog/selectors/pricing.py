"""The price a line gets, and why (issue 4, "Prices").

Rules are 含税 prices per base unit. Of the rules valid on the document's date (``valid_from`` and
``valid_until`` inclusive, empty = open) whose ``min_quantity`` the line reaches in base units, the most
specific kind wins: a customer's own price, then the price of the customer's level, then a quantity break,
then the product's list price. Within one kind the highest ``min_quantity`` reached wins (ties: the rule
that started latest, then the newest). The line's price is the winner × the line unit's factor, rounded
once with :func:`keshang.core.money.quantize_price`.

The functions read the rules of products the caller has already resolved through the user's scope
(``catalog.product`` is unscoped master data), so they query ``PriceRule`` directly: one query for
:func:`resolve_price`, one for any number of products in :func:`resolve_prices`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from django.db.models import Q
from django.utils.translation import gettext as _

from keshang.core.exceptions import ApplicationError
from keshang.core.money import quantize_price, to_decimal

from ..models import PriceRule, PriceRuleKind, Product, ProductUnit, Unit

__all__ = [
    "PriceQuote",
    "describe_rule",
    "resolve_price",
    "resolve_prices",
    "price_rules_for",
    "load_conversions",
    "unit_factor",
    "unit_choices",
]

# Most specific first: the order in which kinds win.
KIND_PRIORITY = {PriceRuleKind.CUSTOMER: 0, PriceRuleKind.LEVEL: 1, PriceRuleKind.QUANTITY: 2}
LIST_PRICE = "list"


@dataclass(frozen=True)
class PriceQuote:
    """``price`` (含税) and ``min_price`` are per the line's unit; ``source`` says on screen which rule gave
    the price; ``kind`` is the same as a stable code (customer, level, quantity or list)."""

    price: Decimal
    source: str
    rule: PriceRule | None
    min_price: Decimal | None
    kind: str = LIST_PRICE


def _quantity_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _dates_text(rule: PriceRule) -> str:
    if rule.valid_from and rule.valid_until:
        return _("%(start)s 至 %(end)s") % {"start": rule.valid_from.isoformat(), "end": rule.valid_until.isoformat()}
    if rule.valid_from:
        return _("%(start)s 起") % {"start": rule.valid_from.isoformat()}
    if rule.valid_until:
        return _("至 %(end)s") % {"end": rule.valid_until.isoformat()}
    return ""


def describe_rule(rule: PriceRule | None) -> str:
    """The explanation shown next to a line's price: 客户专属价（2026-01-01 起）, 客户级别价：A级, 数量阶梯价：≥100."""
    if rule is None:
        return _("标准售价")
    quantity = _("≥%(quantity)s") % {"quantity": _quantity_text(rule.min_quantity)} if rule.min_quantity else ""
    if rule.kind == PriceRuleKind.QUANTITY:
        return _("数量阶梯价：%(quantity)s") % {"quantity": quantity or _("≥0")}
    if rule.kind == PriceRuleKind.LEVEL:
        text = _("客户级别价：%(level)s") % {"level": rule.partner_level}
    else:
        text = _("客户专属价")
    details = "，".join(part for part in (_dates_text(rule), quantity) if part)
    return f"{text}（{details}）" if details else text


def _valid_on(on: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def _targets(partner) -> Q:
    """Quantity breaks apply to everyone; a customer's and a level's rules only to that customer."""
    condition = Q(kind=PriceRuleKind.QUANTITY)
    if partner is not None:
        condition |= Q(kind=PriceRuleKind.CUSTOMER, partner_id=partner.pk)
        if partner.level_id is not None:
            condition |= Q(kind=PriceRuleKind.LEVEL, partner_level_id=partner.level_id)
    return condition


def _rank(rule: PriceRule) -> tuple:
    return (
        KIND_PRIORITY[rule.kind],
        -rule.min_quantity,
        -(rule.valid_from or datetime.date.min).toordinal(),
        -rule.pk,
    )


def _per_line_unit(price: Decimal, factor: Decimal) -> Decimal:
    # Exact product (18 + 18 digits fit in 60), then the one rounding to the price's 6 places.
    with localcontext(Context(prec=60)):
        return quantize_price(price * factor)


def _quote(product: Product, rules: Iterable[PriceRule], base_quantity: Decimal, factor: Decimal) -> PriceQuote:
    applicable = [rule for rule in rules if rule.min_quantity <= base_quantity]
    best = min(applicable, key=_rank, default=None)
    base_price = best.price if best is not None else product.list_price
    return PriceQuote(
        price=_per_line_unit(base_price, factor),
        source=describe_rule(best),
        rule=best,
        min_price=_per_line_unit(product.min_price, factor) if product.min_price is not None else None,
        kind=best.kind if best is not None else LIST_PRICE,
    )


def _check_factor(unit_factor) -> Decimal:
    factor = to_decimal(unit_factor)
    if factor <= 0:
        raise ValueError(f"unit_factor must be positive, not {unit_factor!r}")
    return factor


def resolve_price(
    *,
    product: Product,
    partner=None,
    quantity=Decimal("1"),
    on: datetime.date,
    unit_factor=Decimal("1"),
    rules: dict[int, list[PriceRule]] | None = None,
) -> PriceQuote:
    """The price of ``quantity`` line units (each ``unit_factor`` base units) of ``product`` for ``partner``
    on date ``on``. One query (the rules, with their levels), or none when ``rules`` (from
    :func:`price_rules_for`, for the same partner and date) are given."""
    factor = _check_factor(unit_factor)
    base_quantity = to_decimal(quantity) * factor
    if rules is not None:
        return _quote(product, rules.get(product.pk, ()), base_quantity, factor)
    candidates = (
        PriceRule.objects.filter(_targets(partner), _valid_on(on), product=product, min_quantity__lte=base_quantity)
        .select_related("partner_level")
        .order_by()
    )
    return _quote(product, candidates, base_quantity, factor)


def price_rules_for(*, products: Iterable[Product], partner=None, on: datetime.date) -> dict[int, list[PriceRule]]:
    """Every rule that may price ``products`` for ``partner`` on ``on``, by product id, in one query: a
    document with many lines prices them all from it (``resolve_price(..., rules=…)``)."""
    by_product: dict[int, list[PriceRule]] = {}
    rules = (
        PriceRule.objects.filter(_targets(partner), _valid_on(on), product__in=[product.pk for product in products])
        .select_related("partner_level")
        .order_by()
    )
    for rule in rules:
        by_product.setdefault(rule.product_id, []).append(rule)
    return by_product


def resolve_prices(
    *, products: Iterable[Product], partner=None, on: datetime.date, quantity=Decimal("1")
) -> dict[int, PriceQuote]:
    """The price per base unit of each product for ``quantity`` base units, by product id: one query for
    all of them (the line editor's product picker shows the price a customer would get)."""
    products = list(products)
    base_quantity = to_decimal(quantity)
    by_product: dict[int, list[PriceRule]] = {product.pk: [] for product in products}
    rules = (
        PriceRule.objects.filter(_targets(partner), _valid_on(on), product__in=list(by_product))
        .filter(min_quantity__lte=base_quantity)
        .select_related("partner_level")
        .order_by()
    )
    for rule in rules:
        by_product[rule.product_id].append(rule)
    return {product.pk: _quote(product, by_product[product.pk], base_quantity, Decimal("1")) for product in products}


def unit_choices(product: Product) -> list[tuple[Unit, Decimal]]:
    """The units a line of ``product`` may use: the base unit (factor 1) and its conversions."""
    conversions = ProductUnit.objects.filter(product=product).select_related("unit").order_by("factor")
    return [(product.unit, Decimal("1")), *((conversion.unit, conversion.factor) for conversion in conversions)]


def load_conversions(products: Iterable[Product]) -> dict[tuple[int, int], Decimal]:
    """Every unit conversion of ``products`` in one query, keyed by (product id, unit id), for
    :func:`unit_factor` over many lines."""
    return {
        (product_id, unit_id): factor
        for product_id, unit_id, factor in ProductUnit.objects.filter(
            product__in=[product.pk for product in products]
        ).values_list("product_id", "unit_id", "factor")
    }


def unit_factor(product: Product, unit: Unit | None, conversions: dict | None = None) -> Decimal:
    """How many base units one ``unit`` of ``product`` is; the base unit (or none) is 1. A unit the product
    has no conversion for is refused with a message on the ``unit`` field. ``conversions`` (from
    :func:`load_conversions`) saves the query when many lines are converted."""
    if unit is None or unit.pk == product.unit_id:
        return Decimal("1")
    if conversions is None:
        conversions = load_conversions([product])
    factor = conversions.get((product.pk, unit.pk))
    if factor is None:
        message = _("商品 %(code)s 没有“%(unit)s”的单位换算。") % {"code": product.code, "unit": unit}
        raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
    return factor
