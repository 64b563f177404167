"""The panels contracts adds to record pages (``core.registry.register_detail_panel``, from ``apps.py``): on a
contract, its payment stages, the orders made under it with what a framework agreement has left, and its
execution; on a sales order, the contract it was made under. Each reads through the user's scope and hides
itself when it has nothing to show."""

from __future__ import annotations

from django.urls import reverse

from keshang.core.permissions import Action
from keshang.core.scope import has_action

from . import selectors
from .models import Contract, ContractKind
from .services import remaining
from .services.contracts import EDITABLE_STATES
from .services.orders import ORDERABLE

__all__ = ["stages_panel", "orders_panel", "execution_panel", "order_contract_panel", "revisions_panel"]


def _may_change(contract: Contract, user) -> bool:
    return Contract.objects.visible_to(user, Action.CHANGE).filter(pk=contract.pk).exists()


def stages_panel(contract: Contract, user) -> dict:
    editable = contract.status in EDITABLE_STATES and _may_change(contract, user)
    return {
        "stages": list(contract.payment_stages.all()),
        "edit_stages_url": reverse("contracts:contract_stages", args=[contract.pk]) if editable else None,
    }


def orders_panel(contract: Contract, user) -> dict | None:
    if not contract.is_sales or not has_action(user, "sales.salesorder", Action.VIEW):
        return None
    framework = contract.kind == ContractKind.FRAMEWORK
    may_call_off = framework and contract.status in ORDERABLE and has_action(user, "sales.salesorder", Action.ADD)
    return {
        "orders": list(selectors.orders_of(contract, user=user)[:50]),
        "remaining": remaining(contract) if framework and contract.capped else None,
        "call_off_url": reverse("contracts:contract_call_off", args=[contract.pk]) if may_call_off else None,
    }


def execution_panel(contract: Contract, user) -> dict | None:
    if not contract.is_sales or contract.status in EDITABLE_STATES:
        return None
    return {"rows": selectors.execution_of(contract, user=user)}


def order_contract_panel(order, user) -> dict | None:
    """On a sales order: the contract it was made under, if the user may view it."""
    contract = selectors.list_contracts(user=user).filter(order_links__order=order).first()
    return {"contract": contract} if contract is not None else None


def revisions_panel(contract: Contract, user) -> dict | None:
    """On a contract that amends or was amended (issue 13): the revision before and after it the user may view,
    each with its 对比 page."""
    visible = Contract.objects.visible_to(user, Action.VIEW)
    before = visible.filter(pk=contract.revised_from_id).first() if contract.revised_from_id else None
    after = visible.filter(revised_from=contract).first()
    if before is None and after is None:
        return None
    return {"before": before, "after": after}
