"""Pricing product lines: one place turns what a form, the API or a copy gives (:class:`LineInput`) into a
line's figures, so a quotation, the order copied from it, the benchmark's orders and every later document
get the same cents.

A line keeps the one price the user typed (含税 or 不含税, ``price_entry``) and ``core.money.price_line``
derives everything else from it once. A price not typed comes from the catalog's rules
(``catalog.selectors.resolve_price``) and says which rule (``price_origin`` code + ``price_source`` text); the
catalog's prices are CNY, so on a document in another currency they are converted at the document's rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.documents.models import PriceEntry, PriceOrigin
from keshang.core.exceptions import ApplicationError
from keshang.core.money import price_line, quantize_price, to_decimal

from ..models import Product, ProductStatus, Unit
from ..selectors.pricing import load_conversions, price_rules_for, resolve_price, unit_factor

__all__ = [
    "NO_LINES",
    "LineInput",
    "LinePricing",
    "build_line",
    "replace_lines",
    "copy_lines",
    "check_product_sellable",
    "is_historical",
]

# A document has lines: said the same by the service and by an API refusing an empty list before it.
NO_LINES = gettext_lazy("至少需要一行明细。")


@dataclass
class LineInput:
    """One line as a form or the API gives it. ``unit_price`` None takes the price the rules give."""

    product: Product
    quantity: Decimal
    unit: Unit | None = None
    price_entry: str = PriceEntry.GROSS
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal("0")
    description: str = ""

    @classmethod
    def from_line(cls, line) -> LineInput:
        """A saved line as its editor sends it back: a typed price stays as typed; a price the rules gave is
        left to the rules, which price it again (for the customer and date the document has then)."""
        return cls(
            product=line.product,
            quantity=line.quantity,
            unit=line.unit,
            price_entry=line.price_entry,
            unit_price=line.typed_price if line.is_manual_price else None,
            discount_percent=line.discount_percent,
            description=line.description,
        )


@dataclass(frozen=True)
class LinePricing:
    """What prices a document's lines, read once for all of them: unit conversions, price rules, the rate of
    the document's currency, and whether discontinued products may appear (a document dated in the past)."""

    partner: object
    on: datetime.date
    conversions: dict
    rules: dict
    rate: Decimal = Decimal("1")
    historical: bool = False

    @classmethod
    def load(cls, items, *, partner, on, rate=Decimal("1"), today: datetime.date | None = None) -> LinePricing:
        """For ``items`` (:class:`LineInput`): the conversions only of products a line names in another unit than
        its base one (most documents have none, and save the query)."""
        products = list({item.product.pk: item.product for item in items}.values())
        converted = {item.product.pk: item.product for item in items if not _in_base_unit(item)}
        return cls(
            partner=partner,
            on=on,
            conversions=load_conversions(converted.values()) if converted else {},
            rules=price_rules_for(products=products, partner=partner, on=on),
            rate=to_decimal(rate),
            historical=is_historical(on, today=today),
        )

    def in_currency(self, cny_price: Decimal) -> Decimal:
        return cny_price if self.rate == 1 else quantize_price(cny_price / self.rate)


def _in_base_unit(item: LineInput) -> bool:
    return item.unit is None or item.unit.pk == item.product.unit_id


def is_historical(on: datetime.date, *, today: datetime.date | None = None) -> bool:
    """A document dated before today records the past: it may name products discontinued since."""
    return on < (today or timezone.localdate())


def check_product_sellable(product: Product, *, historical: bool = False) -> None:
    """A discontinued product is refused on a new document, saying so; a document dated in the past (an order
    recorded after the fact, a migrated history) may name it."""
    if product.status != ProductStatus.ACTIVE and not historical:
        raise ValidationError(
            {"product": _("商品“%(product)s”已停售，不能添加到新单据。") % {"product": product}}, code="discontinued"
        )


def build_line(line, item: LineInput, *, pricing: LinePricing, position: int):
    """Fill ``line`` (unsaved) from ``item``: the default price from the catalog's rules when none was typed,
    then every amount from the one typed price."""
    product = item.product
    check_product_sellable(product, historical=pricing.historical)
    quantity = to_decimal(item.quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("数量必须大于 0。")})
    try:
        factor = unit_factor(product, item.unit, pricing.conversions)
    except ApplicationError as error:
        raise ValidationError(error.fields) from error
    entry = item.price_entry if item.price_entry in PriceEntry.values else PriceEntry.GROSS
    typed = item.unit_price
    if typed is None:
        quote = resolve_price(
            product=product,
            partner=pricing.partner,
            quantity=quantity,
            on=pricing.on,
            unit_factor=factor,
            rules=pricing.rules,
        )
        typed, entry, origin, source = pricing.in_currency(quote.price), PriceEntry.GROSS, quote.kind, quote.source
    else:
        typed = to_decimal(typed)
        if typed < 0:
            raise ValidationError({"unit_price": _("单价不能为负数。")})
        origin, source = PriceOrigin.MANUAL, ""
    amounts = price_line(
        quantity=quantity,
        unit_price=typed,
        entry=entry,
        vat_rate=product.vat_rate,
        discount_percent=item.discount_percent or 0,
    )
    line.position = position
    line.product = product
    line.description = item.description or ""
    line.unit_id = item.unit.pk if item.unit is not None else product.unit_id
    line.unit_factor = factor
    line.quantity = quantity
    line.vat_rate = Decimal(product.vat_rate)
    line.price_entry = entry
    line.unit_price_net = amounts.unit_price_net
    line.unit_price_gross = amounts.unit_price_gross
    line.discount_percent = to_decimal(item.discount_percent or 0)
    line.net_amount = amounts.net_amount
    line.tax_amount = amounts.tax_amount
    line.gross_amount = amounts.gross_amount
    line.discount_amount = amounts.discount_amount
    line.list_price = pricing.in_currency(quantize_price(product.list_price * factor))
    line.min_price = (
        pricing.in_currency(quantize_price(product.min_price * factor)) if product.min_price is not None else None
    )
    line.price_origin = origin
    line.price_source = source[:200]
    return line


def _line_errors(position: int, error: ValidationError) -> list[str]:
    messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return [
        _("第 %(line)s 行：%(message)s") % {"line": position, "message": text}
        for texts in messages.values()
        for text in texts
    ]


def replace_lines(document, line_model, items: list[LineInput], *, pricing: LinePricing, new: bool = False) -> list:
    """Delete the document's lines and write ``items`` instead (a draft's lines have no identity worth keeping),
    after validating every one; errors name the line. A ``new`` document, created in this transaction, has no
    lines to delete."""
    if not items:
        raise ValidationError({"lines": NO_LINES}, code="no_lines")
    parent_field = line_model.scope_parent
    lines = []
    errors = []
    for position, item in enumerate(items, start=1):
        try:
            line = build_line(line_model(**{parent_field: document}), item, pricing=pricing, position=position)
            # Product and unit are rows already loaded (the unit checked against the product's conversions):
            # a query per line to prove they exist would only slow a document of many lines.
            line.full_clean(exclude=[parent_field, "product", "unit"])
        except ValidationError as error:
            errors.extend(_line_errors(position, error))
            continue
        lines.append(line)
    if errors:
        raise ValidationError({"lines": errors})
    if not new:
        line_model.objects.filter(**{parent_field: document}).delete()
    line_model.objects.bulk_create(lines)
    return lines


def copy_lines(source_lines, target, line_model, *, skip: tuple[str, ...] = ()) -> list:
    """Copy lines exactly as priced (a quotation's lines onto its order, a revision, a copy): every figure and
    the price's origin; ``skip`` names fields the target keeps at their defaults (e.g. delivered quantity)."""
    parent_field = line_model.scope_parent
    names = [
        field.name
        for field in line_model._meta.concrete_fields
        if not field.primary_key and field.name != parent_field and field.name not in skip
    ]
    lines = [
        line_model(**{parent_field: target}, **{name: getattr(line, name) for name in names}) for line in source_lines
    ]
    line_model.objects.bulk_create(lines)
    return lines
