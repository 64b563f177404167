"""What a contract template is filled from: plain frozen dataclasses, no models (issue 13).

The contracts app builds a :class:`ContractContext` from its records and hands it to the renderers; this package
never touches the database. Which side is 甲方 and which 乙方 is the caller's decision: the renderers print
``party_a`` as 甲方 and ``party_b`` as 乙方, whoever they are.

Amounts are the stored, already rounded ``Decimal`` values (STYLE.md §5): nothing here recomputes a total.
Percentages (``discount_percent``, ``StageContext.percent``) are in percent (30 = 30 %); a VAT rate is a fraction
(``Decimal("0.13")``), as the catalogue stores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["PartyContext", "LineContext", "StageContext", "ContractContext"]


@dataclass(frozen=True)
class PartyContext:
    """One side of the contract (甲方 or 乙方) as printed: empty strings for what is not known."""

    name: str
    credit_code: str = ""  # 统一社会信用代码
    address: str = ""
    phone: str = ""
    legal_representative: str = ""  # 法定代表人
    signer: str = ""  # 签约代表: who signs for this party
    contact: str = ""
    bank_name: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class LineContext:
    """One line of the 产品明细表, with the amounts the document stored for it."""

    product_code: str
    product_name: str
    spec: str
    unit: str
    quantity: Decimal
    unit_price_gross: Decimal  # 含税单价
    unit_price_net: Decimal  # 不含税单价
    vat_rate: Decimal  # a fraction: Decimal("0.13") is 13 %
    discount_percent: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal


@dataclass(frozen=True)
class StageContext:
    """One instalment of the 付款条款: 第1期 预付款，合同金额的30%，签订后 5 个工作日内支付."""

    name: str  # 预付款, 到货款, 尾款 …
    percent: Decimal | None  # share of the contract amount in percent (30 = 30 %), None for a fixed amount
    amount: Decimal
    trigger_label: str  # what starts the clock: 签订后, 到货验收后 …
    days: int
    working_days: bool  # 工作日 rather than calendar days
    due_date: date | None = None  # known once the trigger has happened


@dataclass(frozen=True)
class ContractContext:
    """Everything a contract template may print."""

    number: str
    title: str
    kind_label: str  # 销售合同, 采购合同 …
    sign_date: date | None
    effective_date: date | None
    end_date: date | None
    currency: str  # ISO code: CNY, USD …
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    party_a: PartyContext  # 甲方
    party_b: PartyContext  # 乙方
    lines: Sequence[LineContext] = ()
    stages: Sequence[StageContext] = ()
    delivery_terms: str = ""
    notes: str = ""
    sign_place: str = ""
