"""What the approval engine is told about a contract: the sales documents' facts and snapshot (amount in CNY,
discount, below-minimum lines, customer level, department) — price control for the sales kinds only — with the
contract's kind, dates and payment stages added to what approvers read (not the margin: approvers may not
be allowed to see cost prices). Flows may route on the contract's kind, its margin in percent and whether its
payment terms are non-standard (issue 13)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from keshang.core.approvals import ApprovalFacts
from keshang.sales.services.documents import document_facts, document_snapshot

from ..models import Contract, StageTrigger
from ..printing import stage_text

__all__ = ["contract_facts", "contract_snapshot", "margin_percent", "has_nonstandard_terms"]


def margin_percent(contract: Contract) -> Decimal | None:
    """The expected margin in percent of the amount (CNY, with VAT); None when unknown (a product without a cost
    price, a purchase) or the amount is nil."""
    if contract.expected_margin is None or not contract.gross_amount_cny:
        return None
    return (contract.expected_margin / contract.gross_amount_cny * 100).quantize(Decimal("0.01"))


def has_nonstandard_terms(contract: Contract) -> bool:
    """A stage paid more than ``KESHANG_CONTRACT_STANDARD_MAX_DAYS`` after its trigger (its typed days, or a fixed
    date that long after the sign date), or a sales contract whose first stage is less than
    ``KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT`` of its amount."""
    max_days = getattr(settings, "KESHANG_CONTRACT_STANDARD_MAX_DAYS", 90)
    min_deposit = Decimal(str(getattr(settings, "KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT", 30)))
    stages = list(contract.payment_stages.all())
    for stage in stages:
        if stage.trigger == StageTrigger.FIXED_DATE:
            if stage.fixed_date and (stage.fixed_date - contract.sign_date).days > max_days:
                return True
        elif stage.days > max_days:
            return True
    if contract.is_sales and stages and contract.gross_amount > 0:
        first = stages[0]
        percent = first.percent if first.percent is not None else first.amount / contract.gross_amount * 100
        if percent < min_deposit:
            return True
    return False


def contract_facts(contract: Contract) -> ApprovalFacts:
    facts = dataclasses.replace(
        document_facts(contract),
        kind=contract.kind,
        margin_percent=margin_percent(contract),
        nonstandard_terms=has_nonstandard_terms(contract),
    )
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
