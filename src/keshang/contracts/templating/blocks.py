"""The two block fields: 产品明细表 (a table) and 付款条款 (one paragraph per instalment).

A block is built once from the context as rows of Chinese-keyed strings (:data:`LINE_FIELDS`,
:data:`STAGE_FIELDS`); the HTML renderer draws :meth:`LinesBlock.html` / :meth:`StagesBlock.html`, and the Word
renderer either inserts the same table/paragraphs or lets a template loop over the rows itself
(``{%tr for 行 in 产品明细表 %}`` … ``{{行.商品名称}}``). Row field names are therefore template syntax too, and
checked like the fields are.

The HTML stays inside what fpdf2's ``write_html`` draws: one table, no nesting, plain text in cells, the column
widths on the first row's ``<th>`` and alignment as ``align`` attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext_lazy as _

from keshang.core.money import amount_in_words_for, format_amount, sum_amounts

from .context import ContractContext, LineContext, StageContext
from .formatting import (
    format_date,
    format_money,
    format_percent,
    format_quantity,
    format_rate,
    format_unit_price,
)

__all__ = [
    "RowField",
    "LINE_FIELDS",
    "STAGE_FIELDS",
    "LINE_COLUMNS",
    "LinesBlock",
    "StagesBlock",
    "lines_block",
    "stages_block",
]


@dataclass(frozen=True)
class RowField:
    """A field of one row of a block, as a Word loop reads it: ``{{行.商品名称}}``."""

    name: str
    description: str
    value: Callable  # (item, number, context) -> str


LINE_FIELDS = (
    RowField("序号", _("行号，从 1 开始"), lambda line, number, context: str(number)),
    RowField("商品编码", _("商品编码"), lambda line, number, context: line.product_code),
    RowField("商品名称", _("商品名称"), lambda line, number, context: line.product_name),
    RowField("规格", _("规格型号"), lambda line, number, context: line.spec),
    RowField("单位", _("计量单位"), lambda line, number, context: line.unit),
    RowField("数量", _("数量"), lambda line, number, context: format_quantity(line.quantity)),
    RowField("含税单价", _("含税单价"), lambda line, number, context: format_unit_price(line.unit_price_gross)),
    RowField("不含税单价", _("不含税单价"), lambda line, number, context: format_unit_price(line.unit_price_net)),
    RowField("税率", _("增值税税率，如 13%"), lambda line, number, context: format_rate(line.vat_rate)),
    RowField(
        "折扣", _("折扣百分比，无折扣时为空"), lambda line, number, context: format_percent(line.discount_percent)
    ),
    RowField("不含税金额", _("本行不含税金额"), lambda line, number, context: format_amount(line.net_amount)),
    RowField("税额", _("本行税额"), lambda line, number, context: format_amount(line.tax_amount)),
    RowField("金额", _("本行价税合计（含税金额）"), lambda line, number, context: format_amount(line.gross_amount)),
)


def _stage_condition(stage: StageContext) -> str:
    """签订后 5 个工作日内 / 到货验收后 30 日内 / 签订后当日."""
    if not stage.days:
        return f"{stage.trigger_label}当日" if stage.trigger_label else ""
    unit = "个工作日" if stage.working_days else "日"
    return f"{stage.trigger_label} {stage.days} {unit}内".strip()


def _stage_sentence(stage: StageContext, number: int, context: ContractContext) -> str:
    """第1期 预付款：合同金额的30%，计 ¥3,000.00，签订后 5 个工作日内支付。"""
    parts = []
    if stage.percent is not None:
        parts.append(f"合同金额的{format_percent(stage.percent) or '0%'}")
    parts.append(f"计 {format_money(stage.amount, context.currency)}")
    condition = _stage_condition(stage)
    if condition:
        parts.append(f"{condition}支付")
    if stage.due_date:
        parts.append(f"最迟于{format_date(stage.due_date)}前")
    return f"第{number}期 {stage.name}：{'，'.join(parts)}。"


STAGE_FIELDS = (
    RowField("期次", _("第几期，如 第1期"), lambda s, n, c: f"第{n}期"),
    RowField("名称", _("款项名称，如 预付款"), lambda s, n, c: s.name),
    RowField("比例", _("占合同金额的百分比，固定金额时为空"), lambda s, n, c: format_percent(s.percent)),
    RowField("金额", _("本期金额"), lambda s, n, c: format_money(s.amount, c.currency)),
    RowField("付款条件", _("何时付款，如 签订后 5 个工作日内"), lambda s, n, c: _stage_condition(s)),
    RowField("到期日期", _("本期最迟付款日期，尚未确定时为空"), lambda s, n, c: format_date(s.due_date)),
    RowField("说明", _("整句付款条款，如 第1期 预付款：合同金额的30%，计 ¥3,000.00，签订后 5 个工作日内支付。"),
             _stage_sentence),
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    label: str  # also the row field the cell shows
    width: int  # percent of the table's width
    align: str = "left"


LINE_COLUMNS = (
    Column("序号", 6, "center"),
    Column("商品编码", 13),
    Column("商品名称", 21),
    Column("规格", 12),
    Column("单位", 7, "center"),
    Column("数量", 9, "right"),
    Column("含税单价", 12, "right"),
    Column("税率", 7, "right"),
    Column("金额", 13, "right"),
)


def _rows(fields: tuple[RowField, ...], items, context: ContractContext) -> list[dict[str, str]]:
    return [
        {field.name: field.value(item, number, context) for field in fields} for number, item in enumerate(items, 1)
    ]


@dataclass(frozen=True)
class LinesBlock:
    """产品明细表: the rows, their total (the sum of the rows' 金额) and the total in words."""

    rows: list[dict[str, str]]
    total: str
    total_in_words: str

    def html(self) -> str:
        if not self.rows:
            return ""
        head = "".join(f'<th width="{column.width}%">{column.label}</th>' for column in LINE_COLUMNS)
        body = "".join(
            "<tr>"
            + "".join(f'<td align="{column.align}">{escape(row[column.label])}</td>' for column in LINE_COLUMNS)
            + "</tr>"
            for row in self.rows
        )
        span = len(LINE_COLUMNS)
        totals = (
            f'<tr><td colspan="{span - 1}" align="right">合计</td><td align="right">{escape(self.total)}</td></tr>'
            f'<tr><td colspan="{span}">金额大写：{escape(self.total_in_words)}</td></tr>'
        )
        return (
            f'<table class="contract-lines" border="1" width="100%"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}{totals}</tbody></table>"
        )


def lines_block(context: ContractContext) -> LinesBlock:
    lines: list[LineContext] = list(context.lines)
    total = sum_amounts(line.gross_amount for line in lines)
    return LinesBlock(
        rows=_rows(LINE_FIELDS, lines, context),
        total=format_money(total, context.currency),
        total_in_words=amount_in_words_for(total, context.currency),
    )


@dataclass(frozen=True)
class StagesBlock:
    """付款条款: one sentence per instalment."""

    rows: list[dict[str, str]]

    @property
    def sentences(self) -> list[str]:
        return [row["说明"] for row in self.rows]

    def html(self) -> str:
        return "".join(f"<p>{escape(sentence)}</p>" for sentence in self.sentences)


def stages_block(context: ContractContext) -> StagesBlock:
    return StagesBlock(rows=_rows(STAGE_FIELDS, context.stages, context))
