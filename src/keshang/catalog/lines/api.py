"""The API side of product lines: what a client sends for a line, and the fields a line answers with."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from keshang.core.documents.models import PriceEntry

from ..models import Product, Unit
from .pricing import LineInput

__all__ = ["LineInputSerializer", "LINE_OUTPUT_FIELDS", "split_lines"]

LINE_OUTPUT_FIELDS = [
    "id",
    "position",
    "product",
    "description",
    "unit",
    "unit_factor",
    "quantity",
    "vat_rate",
    "price_entry",
    "unit_price_net",
    "unit_price_gross",
    "discount_percent",
    "net_amount",
    "tax_amount",
    "gross_amount",
    "discount_amount",
    "list_price",
    "min_price",
    "price_origin",
    "price_source",
]


class LineInputSerializer(serializers.Serializer):
    """One line as a client sends it: ``unit_price`` is the figure typed (含税 when ``price_entry`` is "gross",
    不含税 when "net"); leave it out to take the catalog's price for this customer."""

    # Any product: a discontinued one is refused by the pricing with a message saying so (or accepted on a
    # document dated in the past), never as "no such object".
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=Decimal("0.0001"))
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    price_entry = serializers.ChoiceField(choices=PriceEntry.choices, default=PriceEntry.GROSS)
    unit_price = serializers.DecimalField(
        max_digits=18, decimal_places=6, min_value=Decimal("0"), required=False, allow_null=True
    )
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), default=Decimal("0")
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def split_lines(validated_data: dict, instance) -> list[LineInput]:
    """The lines a write gives: those sent, or — a PATCH without ``lines`` — the document's own, as their editor
    would send them back (``LineInput.from_line``: typed prices stay typed, rule prices stay with the rules)."""
    if "lines" in validated_data:
        return [LineInput(**line) for line in validated_data.pop("lines")]
    return [LineInput.from_line(line) for line in instance.lines.select_related("product", "unit")]
