"""A full contract context and small helpers shared by the template engine's tests (no database)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from keshang.contracts.templating import ContractContext, LineContext, PartyContext, StageContext
from keshang.core.money import price_line, sum_amounts


def line(code: str, name: str, spec: str, unit: str, quantity: str, gross_price: str) -> LineContext:
    amounts = price_line(quantity=Decimal(quantity), unit_price=Decimal(gross_price), entry="gross", vat_rate="0.13")
    return LineContext(
        product_code=code,
        product_name=name,
        spec=spec,
        unit=unit,
        quantity=Decimal(quantity),
        unit_price_gross=amounts.unit_price_gross,
        unit_price_net=amounts.unit_price_net,
        vat_rate=Decimal("0.13"),
        discount_percent=Decimal("0"),
        net_amount=amounts.net_amount,
        tax_amount=amounts.tax_amount,
        gross_amount=amounts.gross_amount,
    )


def full_context(**changes) -> ContractContext:
    """A sales contract of ¥12,345.60 with two lines and two instalments; every field has a value."""
    lines = (
        line("P-001", "不锈钢球阀", "DN50 PN16", "个", "10.000", "1000"),
        line("P-002", "法兰垫片", "DN50", "片", "20", "117.28"),
    )
    context = ContractContext(
        number="HT202612-00001",
        title="不锈钢阀门购销合同",
        kind_label="销售合同",
        sign_date=date(2026, 12, 8),
        effective_date=date(2026, 12, 9),
        end_date=date(2027, 12, 31),
        currency="CNY",
        net_amount=sum_amounts(item.net_amount for item in lines),
        tax_amount=sum_amounts(item.tax_amount for item in lines),
        gross_amount=sum_amounts(item.gross_amount for item in lines),
        party_a=PartyContext(
            name="上海申海贸易有限公司",
            credit_code="91310115MA1H7XXX3K",
            address="上海市浦东新区张江路 88 号",
            phone="021-5080 1234",
            legal_representative="王建国",
            signer="李明",
            contact="张丽",
            bank_name="招商银行上海张江支行",
            bank_account="1219 0987 6543 210",
        ),
        party_b=PartyContext(
            name="杭州科商阀门制造有限公司",
            credit_code="91330100MA2B1XXX7P",
            address="杭州市余杭区文一西路 1 号",
            phone="0571-8888 6666",
            legal_representative="陈志强",
            signer="周杰",
            contact="刘洋",
            bank_name="中国工商银行杭州余杭支行",
            bank_account="1202 0212 0900 1234 567",
        ),
        lines=lines,
        stages=(
            StageContext("预付款", Decimal("30"), Decimal("3703.68"), "签订后", 5, True),
            StageContext("尾款", Decimal("70"), Decimal("8641.92"), "到货验收后", 30, False, date(2027, 1, 31)),
        ),
        delivery_terms="2027年1月15日前送达甲方仓库\n运费由乙方承担",
        notes="一式两份，双方各执一份。",
        sign_place="上海市浦东新区",
    )
    return dataclasses.replace(context, **changes)


class _Table(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """The text of every cell of every table row in ``html``."""
    parser = _Table()
    parser.feed(html)
    return parser.rows


def text_of(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)
