"""What the approval engine is told about a contract: the sales documents' facts and snapshot (amount in CNY,
discount, below-minimum lines, customer level, department) — price control for the sales kinds only — with the
contract's kind, dates and payment stages added to what approvers read (not the margin: approvers may not
be allowed to see cost prices)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

from keshang.core.approvals import ApprovalFacts
from keshang.sales.services.documents import document_facts, document_snapshot

from ..models import Contract
from ..printing import stage_text

__all__ = ["contract_facts", "contract_snapshot"]


def contract_facts(contract: Contract) -> ApprovalFacts:
    facts = document_facts(contract)
    if not contract.is_sales:
        # Our purchase prices are not held to our selling prices' minimum and discount rules.
        facts = dataclasses.replace(facts, discount_percent=Decimal("0"), below_min_price=False, customer_level="")
    return facts


def contract_snapshot(contract: Contract) -> dict:
    snapshot = document_snapshot(contract)
    fields = snapshot["fields"]
    fields[0:0] = [
        [_("合同类型"), contract.get_kind_display()],
        [_("合同名称"), contract.title],
        [_("签订日期"), contract.sign_date.isoformat()],
        [_("生效日期"), contract.effective_date.isoformat() if contract.effective_date else ""],
        [_("到期日期"), contract.end_date.isoformat() if contract.end_date else ""],
    ]
    fields.extend(
        [_("第%(n)s期 %(name)s") % {"n": stage.position, "name": stage.name}, stage_text(stage)]
        for stage in contract.payment_stages.all()
    )
    return snapshot
