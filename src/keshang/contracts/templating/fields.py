"""The merge fields a contract template may use, one declaration each (issue 13).

A field has a Chinese name (what the template writes: ``{{甲方名称}}``), a description for the field picker, a
group, a kind and how its value comes out of a :class:`~.context.ContractContext`. Text fields give a string;
the two block fields (产品明细表, 付款条款) give a :class:`~.blocks.LinesBlock` / :class:`~.blocks.StagesBlock`
that each renderer draws in its own way. Names are template syntax: renaming one breaks saved templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keshang.core.money import amount_in_words_for

from .blocks import lines_block, stages_block
from .context import ContractContext, PartyContext
from .formatting import CURRENCY_NAMES, format_date, format_money

__all__ = [
    "FieldKind",
    "FieldGroup",
    "GROUPS",
    "MergeField",
    "FIELDS",
    "FIELDS_BY_NAME",
    "BLOCK_FIELD_NAMES",
    "field_names",
    "field_groups",
]


class FieldKind(StrEnum):
    TEXT = "text"
    BLOCK = "block"  # a table or list, placed in a paragraph of its own


@dataclass(frozen=True)
class FieldGroup:
    key: str
    label: str | Promise


GROUPS = (
    FieldGroup("contract", _("合同")),
    FieldGroup("party_a", _("甲方")),
    FieldGroup("party_b", _("乙方")),
    FieldGroup("amounts", _("金额")),
    FieldGroup("lines", _("明细")),
    FieldGroup("payment", _("付款")),
)


@dataclass(frozen=True)
class MergeField:
    name: str
    description: str | Promise
    group: str  # a FieldGroup key
    value: Callable[[ContractContext], object]
    kind: FieldKind = FieldKind.TEXT

    @property
    def token(self) -> str:
        return "{{" + self.name + "}}"


def _party_fields(prefix: str, group: str, party: Callable[[ContractContext], PartyContext]) -> list[MergeField]:
    """The same nine fields for 甲方 and 乙方."""
    return [
        MergeField(f"{prefix}名称", _("单位全称"), group, lambda c: party(c).name),
        MergeField(f"{prefix}统一社会信用代码", _("18 位统一社会信用代码"), group, lambda c: party(c).credit_code),
        MergeField(f"{prefix}地址", _("注册或通讯地址"), group, lambda c: party(c).address),
        MergeField(f"{prefix}电话", _("联系电话"), group, lambda c: party(c).phone),
        MergeField(f"{prefix}法定代表人", _("法定代表人姓名"), group, lambda c: party(c).legal_representative),
        MergeField(f"{prefix}签约代表", _("代表该方签字的人"), group, lambda c: party(c).signer),
        MergeField(f"{prefix}联系人", _("履约联系人"), group, lambda c: party(c).contact),
        MergeField(f"{prefix}开户银行", _("开户银行名称"), group, lambda c: party(c).bank_name),
        MergeField(f"{prefix}银行账号", _("银行账号"), group, lambda c: party(c).bank_account),
    ]


FIELDS: tuple[MergeField, ...] = (
    MergeField("合同编号", _("合同编号，如 HT202612-00001"), "contract", lambda c: c.number),
    MergeField("合同名称", _("合同标题"), "contract", lambda c: c.title),
    MergeField("合同类型", _("合同类型，如 销售合同"), "contract", lambda c: c.kind_label),
    MergeField("签订日期", _("签订日期，如 2026年12月8日"), "contract", lambda c: format_date(c.sign_date)),
    MergeField("生效日期", _("合同生效日期"), "contract", lambda c: format_date(c.effective_date)),
    MergeField("到期日期", _("合同到期日期"), "contract", lambda c: format_date(c.end_date)),
    MergeField("签订地点", _("签订地点"), "contract", lambda c: c.sign_place),
    MergeField("交货条款", _("交货时间、地点和方式"), "contract", lambda c: c.delivery_terms),
    MergeField("备注", _("合同备注"), "contract", lambda c: c.notes),
    *_party_fields("甲方", "party_a", lambda c: c.party_a),
    *_party_fields("乙方", "party_b", lambda c: c.party_b),
    MergeField("币种", _("合同币种，如 人民币"), "amounts", lambda c: CURRENCY_NAMES.get(c.currency, c.currency)),
    MergeField("合同金额", _("价税合计，如 ¥12,345.60"), "amounts", lambda c: format_money(c.gross_amount, c.currency)),
    MergeField("合同金额大写", _("价税合计的大写，如 人民币壹万贰仟叁佰肆拾伍元陆角整"), "amounts",
               lambda c: amount_in_words_for(c.gross_amount, c.currency)),
    MergeField("不含税金额", _("不含税金额合计"), "amounts", lambda c: format_money(c.net_amount, c.currency)),
    MergeField("税额", _("增值税税额合计"), "amounts", lambda c: format_money(c.tax_amount, c.currency)),
    MergeField("产品明细表", _("商品明细表格：序号、编码、名称、规格、单位、数量、单价、税率、金额，含合计和大写"),
               "lines", lines_block, FieldKind.BLOCK),
    MergeField("付款条款", _("分期付款条款，每期一段，如 第1期 预付款：合同金额的30%……"), "payment", stages_block,
               FieldKind.BLOCK),
)  # fmt: skip

FIELDS_BY_NAME = {field.name: field for field in FIELDS}
BLOCK_FIELD_NAMES = tuple(field.name for field in FIELDS if field.kind == FieldKind.BLOCK)


def field_names() -> list[str]:
    return [field.name for field in FIELDS]


def field_groups() -> list[tuple[FieldGroup, list[MergeField]]]:
    """The fields by group, in picker order; every group has at least one field."""
    return [(group, [field for field in FIELDS if field.group == group.key]) for group in GROUPS]
