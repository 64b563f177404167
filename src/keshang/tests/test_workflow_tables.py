"""Every declared workflow against a transition table written here by hand (issue 12, "Tests that can fail").

A mutation check found that a quotation allowed from 草稿 straight to 已发送, an order allowed from 已确认 to
已关闭 or from 已取消 back to 草稿, and a quotation move that needs only the view right all passed the suite: the
services' tests try the moves that exist, not the ones that must not. Here each workflow's every (source, target)
pair and every move's permission is compared with a table kept in this file, so any change to a declaration must
be made twice, on purpose. Workflows are discovered (every module-level ``Workflow`` of the apps), so a new app's
workflow fails here until its table is added.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest
from django.apps import apps

from keshang.core.documents.workflow import TransitionError, Workflow

# resource → {move: (sources, targets, permission, creates)}; states by their stored value.
Q_ALL = ("draft", "submitted", "approved", "sent", "accepted", "rejected", "expired", "superseded")

OPP_ALL = ("open", "won", "lost")
EXPECTED = {
    "sales.quotation": {
        "submit": (("draft",), ("submitted", "approved"), "change", None),
        "withdraw": (("submitted",), ("draft",), "change", None),
        "approve": (("submitted",), ("approved",), "change", None),
        "send_back": (("submitted",), ("draft",), "change", None),
        "resubmit": (("approved",), ("submitted",), "change", None),
        "send": (("approved",), ("sent",), "change", None),
        "accept": (("sent",), ("accepted",), "change", None),
        "reject": (("sent",), ("rejected",), "change", None),
        "expire": (("approved", "sent"), ("expired",), "change", None),
        # Turning an accepted quotation into an order, or copying one, changes nothing on it: seeing it, and
        # the right to add the document the move creates, are what they need.
        "to_order": (("accepted",), (), "view", "sales.salesorder"),
        "revise": (("approved", "sent", "rejected", "expired"), ("superseded",), "change", None),
        "copy": (Q_ALL, (), "view", "sales.quotation"),
    },
    "sales.salesorder": {
        "confirm": (("draft",), ("submitted", "confirmed"), "change", None),
        "withdraw": (("submitted",), ("draft",), "change", None),
        "approve": (("submitted",), ("confirmed",), "change", None),
        "send_back": (("submitted",), ("draft",), "change", None),
        "deliver": (
            ("confirmed", "partially_delivered", "delivered"),
            ("confirmed", "partially_delivered", "delivered"),
            "change",
            None,
        ),
        "close": (("delivered",), ("closed",), "change", None),
        "cancel": (("draft", "submitted", "confirmed"), ("cancelled",), "change", None),
    },
    "sales.opportunity": {
        "move": (OPP_ALL, OPP_ALL, "change", None),
    },
    "contracts.contract": {
        "submit": (("draft",), ("submitted", "approved"), "change", None),
        "withdraw": (("submitted",), ("draft",), "change", None),
        "approve": (("submitted",), ("approved",), "change", None),
        "send_back": (("submitted",), ("draft",), "change", None),
        "start_signing": (("approved",), ("signing",), "change", None),
        "record_signed": (("approved", "signing"), ("effective",), "change", None),
        "execute": (("effective",), ("executing",), "change", None),
        # An order under the contract changes nothing on it but its state (effective → executing, by the system).
        "to_order": (("approved", "signing", "effective", "executing"), (), "view", "sales.salesorder"),
        "complete": (("effective", "executing"), ("completed",), "change", None),
        "terminate": (("approved", "signing", "effective", "executing"), ("terminated",), "change", None),
        "expire": (("approved", "signing", "effective"), ("expired",), "change", None),
        # Amendments (issue 13): a new revision (a draft) is made; the old one is superseded only when the new one,
        # approved, takes its place in force (by the system).
        "amend": (("effective", "executing"), (), "change", None),
        "supersede": (("effective", "executing"), ("superseded",), "change", None),
        "amendment_in_force": (("approved",), ("effective", "executing"), "change", None),
    },
}

# The pairs a document must never make, whatever else changes (the mutation survivors, named).
FORBIDDEN = {
    "sales.quotation": {("draft", "sent"), ("draft", "accepted"), ("superseded", "draft"), ("accepted", "draft")},
    "sales.salesorder": {("confirmed", "closed"), ("cancelled", "draft"), ("closed", "draft"), ("draft", "closed")},
    # Never in force without approval; never back from the end states.
    "contracts.contract": {
        ("draft", "effective"),
        ("submitted", "effective"),
        ("draft", "signing"),
        ("terminated", "effective"),
        ("expired", "effective"),
        ("completed", "executing"),
        ("superseded", "effective"),
        ("superseded", "draft"),
    },
}


def declared_workflows() -> dict[str, Workflow]:
    """Every module-level Workflow of the project's apps (their services and document modules imported first)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("keshang."):
            continue
        for name in ("services", "documents"):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.{name}":
                    raise
                continue
            for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
                importlib.import_module(f"{module.__name__}.{info.name}")
    found = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("keshang.") or ".tests" in module_name or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, Workflow):
                found[value.resource] = value
    return found


WORKFLOWS = declared_workflows()


def table_of(workflow: Workflow) -> dict[str, tuple]:
    return {
        move.name: (
            tuple(sorted(move.sources)),
            tuple(sorted(move.targets)),
            str(move.permission),
            move.creates,
        )
        for move in workflow.moves
    }


def normalised(expected: dict[str, tuple]) -> dict[str, tuple]:
    return {
        name: (tuple(sorted(sources)), tuple(sorted(targets)), permission, creates)
        for name, (sources, targets, permission, creates) in expected.items()
    }


def test_every_declared_workflow_has_its_table_here():
    # given the workflows the apps declare (at least sales' three)
    assert {"sales.quotation", "sales.salesorder", "sales.opportunity"} <= set(WORKFLOWS)
    # then each has an expected table in this file (a new app adds its own)
    missing = set(WORKFLOWS) - set(EXPECTED)
    assert not missing, f"workflows without a table in this test: {missing}"
    assert not set(EXPECTED) - set(WORKFLOWS), f"tables of no declared workflow: {set(EXPECTED) - set(WORKFLOWS)}"


@pytest.mark.parametrize("resource", sorted(EXPECTED))
def test_each_workflow_declares_exactly_its_expected_moves_permissions_and_transitions(resource):
    # given the declaration and the table
    workflow, expected = WORKFLOWS[resource], normalised(EXPECTED[resource])
    # then every move has the sources, targets, permission and created resource of the table
    assert table_of(workflow) == expected
    # and the transition check allows exactly the table's pairs
    pairs = {(s, t) for sources, targets, _p, _c in expected.values() for s in sources for t in targets}
    assert workflow.transitions == pairs
    assert not workflow.transitions & FORBIDDEN.get(resource, set())


@pytest.mark.parametrize("resource", sorted(FORBIDDEN))
def test_the_transition_check_refuses_the_forbidden_pairs_with_its_code(resource):
    workflow = WORKFLOWS[resource]
    model = apps.get_model(resource)
    for source, target in sorted(FORBIDDEN[resource]):
        document = model(**{workflow.state_field: source})
        with pytest.raises(TransitionError) as raised:
            workflow.check(document, to=target)
        assert getattr(raised.value, "code", None) == "invalid_transition", (source, target)
