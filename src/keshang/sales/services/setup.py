"""Reference data sales needs on every installation (``keshang setup`` runs the steps registered in
``apps.py``): the default approval flows, created through the approval engine's own service."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from keshang.core.approvals.flows import save_flow
from keshang.core.models import ApprovalFlow, ApproverKind

__all__ = ["DEFAULT_FLOWS", "ensure_default_flows"]

DEFAULT_FLOWS = (
    # name, document type, conditions, steps (name, kind, levels up)
    ("报价低于最低售价", "sales.quotation", {"below_min_price": True, "priority": 10}, (("销售经理审批", 1),)),
    (
        "报价折扣超过 15%",
        "sales.quotation",
        {"min_discount_percent": Decimal("15"), "priority": 20},
        (("销售经理审批", 1),),
    ),
    (
        "大额订单（10 万元及以上）",
        "sales.salesorder",
        {"min_amount": Decimal("100000"), "priority": 10},
        (("销售经理审批", 1), ("总经理审批", 2)),
    ),
)


def ensure_default_flows() -> None:
    """The default flows (``DEFAULT_FLOWS``), each created for a document type that has no flow yet (idempotent: an
    administrator's own flows are never touched), validated and audited like any flow an administrator saves."""
    configured = set(ApprovalFlow.objects.values_list("document_type", flat=True))
    with transaction.atomic():
        for name, document_type, conditions, steps in DEFAULT_FLOWS:
            if document_type in configured:
                continue
            save_flow(
                actor=None,
                name=name,
                document_type=document_type,
                **conditions,
                steps=[
                    {"order": order, "name": step_name, "kind": ApproverKind.MANAGER, "levels_up": levels_up}
                    for order, (step_name, levels_up) in enumerate(steps, start=1)
                ],
            )
