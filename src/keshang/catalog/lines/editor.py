"""The product line editor that documents plug into ``core.documents`` edit pages: the formset, the lines its
buttons add (a blank line, products picked together, rows pasted from Excel: ``entry``), the lines it hands to
services, and the preview the server answers on every change (htmx) — every line priced exactly as the
service will price it (unsaved), with totals, 金额大写 and the customer's last price for each product (read once for
all lines)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from keshang.core.documents.models import PricedLine
from keshang.core.documents.totals import store_totals
from keshang.core.money import amount_in_words_for

from .entry import NewLine, list_picked_products, read_pasted_lines
from .forms import PREFIX, LineFormSet, blank_line, line_data, line_inputs, saved_lines_data
from .pricing import LinePricing, build_line, is_historical

__all__ = ["ProductLineEditor", "PreviewLine"]


class PreviewLine:
    """A stand-in line and totals holder the line maths fill in without touching the database."""

    product = None
    exchange_rate = None
    currency = "CNY"
    # Says where the price came from exactly as a saved line does (the editor showed an empty 价格来源 without it).
    price_source_display = PricedLine.price_source_display


@dataclass(frozen=True)
class ProductLineEditor:
    """``last_prices(user=, partner=, products=)`` (optional) answers what this customer paid last time for each of
    ``products``, by product id (products never bought left out); the preview asks it once for all its lines."""

    last_prices: Callable | None = None
    template: str = "catalog/lines_editor.html"
    table_template: str = "catalog/lines_table.html"

    def formset(self, data=None, *, user, document=None):
        """The posted lines; or a saved document's, bound as its editor posts them back, so a reopened document
        shows its amounts and totals exactly as after any change."""
        if data is None and document is not None:
            data = saved_lines_data(document.lines.select_related("product", "unit"))
        return LineFormSet(data, prefix=PREFIX, user=user)

    def add_requested_lines(self, formset, data, *, user, on) -> tuple[LineFormSet, dict]:
        """The formset with the lines an editor button asked for, and what the page says about them: 添加明细
        (``add_line``: a blank line), 添加所选商品 (``add_products``: one line per ticked ``pick``, quantity 1,
        priced by the rules) or 添加粘贴的明细 (``paste_lines``: the good rows of ``paste``, the bad ones named)."""
        if data.get("add_line"):
            return self.with_lines(formset, [blank_line()]), {}
        if data.get("add_products"):
            products = list_picked_products(user=user, product_ids=data.getlist("pick"))
            return self.with_lines(formset, [_new_line(NewLine(product)) for product in products]), {
                "picked": len(products)
            }
        if data.get("paste_lines"):
            pasted = read_pasted_lines(user=user, text=data.get("paste", ""), historical=is_historical(on))
            return self.with_lines(formset, [_new_line(line) for line in pasted.lines]), {"pasted": pasted}
        return formset, {}

    def with_lines(self, formset, lines: list[dict]):
        """The same formset with ``lines`` (each a dict of field values) appended after the posted ones."""
        data = formset.data.copy()
        total = formset.total_form_count()
        for offset, values in enumerate(lines):
            for key, value in line_data(total + offset, values).items():
                data[key] = value
        data[f"{PREFIX}-TOTAL_FORMS"] = str(total + len(lines))
        return LineFormSet(data, prefix=PREFIX, user=formset.user)

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
        pricing = LinePricing.load(list(items.values()), partner=partner, on=on, rate=rate or 1)
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
        if partner is not None and self.last_prices is not None and priced:
            last = self.last_prices(user=user, partner=partner, products=[line.product for line in priced])
            for row in rows:
                if row["line"] is not None:
                    row["last_price"] = last.get(row["line"].product.pk)
        totals = PreviewLine()
        totals.exchange_rate = rate or 1
        store_totals(totals, priced)
        return {
            "rows": rows,
            "totals": totals,
            "currency": currency,
            "amount_in_words": amount_in_words_for(totals.gross_amount, currency),
        }


def _new_line(line: NewLine) -> dict:
    """A line to add as its form's values: a price given is a typed 含税单价, none is left to the rules."""
    return {
        **blank_line(),
        "product": line.product.pk,
        "quantity": line.quantity,
        "price_auto": line.unit_price_gross is None,
        "unit_price_gross": line.unit_price_gross,
    }
