"""对比: a contract revision side by side with the revision it amends (issue 13) — header fields, lines and payment
stages, each row saying whether it changed. Pure reading: the caller reads both revisions through the user's scope.
The margin is left out (masked for many readers); the rest is what the contract's own page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from keshang.core.money import format_amount

from .models import Contract
from .printing import stage_text

__all__ = ["Row", "Comparison", "compare_revisions"]

HEADER_FIELDS = (
    "kind",
    "category",
    "title",
    "seller",
    "partner",
    "contact",
    "partner_signer",
    "our_signer",
    "currency",
    "sign_date",
    "effective_date",
    "end_date",
    "sign_place",
    "payment_terms",
    "delivery_terms",
    "notes",
)


@dataclass(frozen=True)
class Row:
    label: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Comparison:
    before: Contract
    after: Contract
    fields: list[Row]
    line_headers: tuple[str, ...]
    lines: list[Row]
    stage_headers: tuple[str, ...]
    stages: list[Row]

    @property
    def changed_count(self) -> int:
        return sum(row.changed for row in (*self.fields, *self.lines, *self.stages))


def _display(contract: Contract, name: str) -> str:
    field = contract._meta.get_field(name)
    value = getattr(contract, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(contract, f"get_{name}_display")())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _line_cells(line) -> tuple[str, ...]:
    return (
        str(line.product),
        line.product.specification,
        f"{line.quantity.normalize():f}",
        str(line.unit),
        str(line.unit_price_gross),
        f"{line.discount_percent.normalize():f}",
        f"{(line.vat_rate * 100).normalize():f}%",
        format_amount(line.gross_amount),
    )


def _stage_cells(stage) -> tuple[str, ...]:
    return (
        stage.name,
        stage_text(stage),
        stage.due_date.isoformat() if stage.due_date else "",
        format_amount(stage.amount),
    )


def _pair(before: list, after: list, cells, label) -> list[Row]:
    """Rows matched by position; a row only on one side has blanks on the other."""
    rows = []
    for index in range(max(len(before), len(after))):
        old = cells(before[index]) if index < len(before) else ()
        new = cells(after[index]) if index < len(after) else ()
        rows.append(Row(label(index + 1), old, new))
    return rows


def compare_revisions(before: Contract, after: Contract) -> Comparison:
    fields = [
        Row(str(before._meta.get_field(name).verbose_name), (_display(before, name),), (_display(after, name),))
        for name in HEADER_FIELDS
    ]
    fields.append(
        Row(
            _("价税合计"),
            (f"{format_amount(before.gross_amount)} {before.currency}",),
            (f"{format_amount(after.gross_amount)} {after.currency}",),
        )
    )

    def lines_of(contract):
        return list(contract.lines.select_related("product", "unit").order_by("position", "pk"))

    def stages_of(contract):
        return list(contract.payment_stages.order_by("position", "pk"))

    return Comparison(
        before=before,
        after=after,
        fields=fields,
        line_headers=(
            _("商品"),
            _("规格"),
            _("数量"),
            _("单位"),
            _("含税单价"),
            _("折扣率（%）"),
            _("税率"),
            _("价税合计"),
        ),
        lines=_pair(lines_of(before), lines_of(after), _line_cells, lambda n: _("第 %(n)s 行") % {"n": n}),
        stage_headers=(_("名称"), _("条件"), _("到期日"), _("金额")),
        stages=_pair(stages_of(before), stages_of(after), _stage_cells, lambda n: _("第 %(n)s 期") % {"n": n}),
    )
