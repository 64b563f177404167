"""Reference data contracts need on every installation (``keshang setup`` runs the steps registered in
``apps.py``): the default approval flows of contracts (issue 13), created through the approval engine's service."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from keshang.core.approvals.flows import save_flow
from keshang.core.models import ApprovalFlow, ApproverKind

from ..models import ContractKind

__all__ = ["DEFAULT_CONTRACT_FLOWS", "ensure_default_contract_flows"]

CONTRACT = "contracts.contract"
DEFAULT_CONTRACT_FLOWS = (
    # name, conditions, steps (name, levels up): the first that matches applies, by priority.
    (
        "大额销售合同（50 万元及以上）",
        {"kinds": [ContractKind.SALES.value], "min_amount": Decimal("500000"), "priority": 10},
        (("上级审批", 1), ("上级的上级审批", 2)),
    ),
    ("非标准付款条件的合同", {"nonstandard_terms": True, "priority": 20}, (("上级审批", 1),)),
    (
        "低毛利销售合同（毛利率 10% 及以下）",
        {"kinds": [ContractKind.SALES.value], "max_margin_percent": Decimal("10"), "priority": 30},
        (("上级审批", 1),),
    ),
)


def ensure_default_contract_flows() -> None:
    """The default flows of contracts, created when contracts have no flow yet (idempotent: an administrator's own
    flows are never touched), validated and audited like any flow an administrator saves."""
    if ApprovalFlow.objects.filter(document_type=CONTRACT).exists():
        return
    with transaction.atomic():
        for name, conditions, steps in DEFAULT_CONTRACT_FLOWS:
            save_flow(
                actor=None,
                name=name,
                document_type=CONTRACT,
                **conditions,
                steps=[
                    {"order": order, "name": step_name, "kind": ApproverKind.MANAGER, "levels_up": levels_up}
                    for order, (step_name, levels_up) in enumerate(steps, start=1)
                ],
            )
