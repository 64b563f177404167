"""The product line editor that documents plug into ``core.documents`` edit pages: the formset, its initial
rows, the lines it hands to services, and the preview the server answers on every change (htmx) — every
line priced exactly as the service will price it (unsaved), with totals, 金额大写 and the customer's last
price for each product."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from keshang.core.documents.totals import store_totals
from keshang.core.money import amount_in_words_for

from .forms import LineFormSet, initial_lines, line_inputs
from .pricing import LinePricing, build_line

__all__ = ["ProductLineEditor", "PreviewLine"]


class PreviewLine:
    """A stand-in line and totals holder the line maths fill in without touching the database."""

    product = None
    exchange_rate = None
    currency = "CNY"


@dataclass(frozen=True)
class ProductLineEditor:
    """``last_price(user=, partner=, product=)`` (optional) offers what this customer paid last time."""

    last_price: Callable | None = None
    template: str = "catalog/lines_editor.html"
    table_template: str = "catalog/lines_table.html"

    def formset(self, data=None, *, user, document=None):
        initial = initial_lines(document.lines.select_related("product", "unit")) if document and data is None else None
        return LineFormSet(data, prefix="lines", user=user, initial=initial)

    def with_extra_line(self, formset, data):
        """The same formset with one more empty line at the end (“添加明细” without JavaScript)."""
        data = data.copy()
        total = int(data.get("lines-TOTAL_FORMS") or 0)
        data["lines-TOTAL_FORMS"] = str(total + 1)
        data[f"lines-{total}-price_entry"] = "gross"
        data[f"lines-{total}-quantity"] = "1"
        # A blank new line is not an error yet: it is left out of validation until a product is chosen.
        return LineFormSet(data, prefix="lines", user=formset.user)

    def inputs(self, formset):
        return line_inputs(formset)

    def preview(self, formset, *, user, partner, on, currency="CNY", rate=None) -> dict:
        """Every complete line priced as the service would (unsaved): both unit prices, the amounts, which rule
        gave the price, the customer's last price; the totals and 金额大写 in the document's currency."""
        rows = [{"form": form, "line": None, "error": "", "last_price": None} for form in formset.forms]
        items = {}
        for row in rows:
            form = row["form"]
            data = form.cleaned_data if form.is_bound and form.is_valid() else None
            if data and data.get("product") and not data.get("DELETE"):
                items[id(row)] = form.to_input()
        pricing = LinePricing.load([item.product for item in items.values()], partner=partner, on=on, rate=rate or 1)
        priced = []
        for row in rows:
            item = items.get(id(row))
            if item is None:
                continue
            row["auto"] = item.unit_price is None
            try:
                line = build_line(PreviewLine(), item, pricing=pricing, position=len(priced) + 1)
            except ValidationError as error:
                row["error"] = "；".join(error.messages)
                continue
            row["line"] = line
            priced.append(line)
            if partner is not None and self.last_price is not None:
                row["last_price"] = self.last_price(user=user, partner=partner, product=item.product)
        totals = PreviewLine()
        totals.exchange_rate = rate or 1
        store_totals(totals, priced)
        return {
            "rows": rows,
            "totals": totals,
            "currency": currency,
            "amount_in_words": amount_in_words_for(totals.gross_amount, currency),
        }
