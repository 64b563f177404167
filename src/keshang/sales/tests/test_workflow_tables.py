"""The quotation and order workflows written out whole (issue 12, make mutate): every move's states, permission,
created document and reason, and the resulting set of allowed (from, to) pairs. mutmut cannot mutate the
declarations (they run at import), so a changed state, permission or move must fail here; and the workflow
machinery (core.documents.workflow) built from a declaration in the test, so its mutants are reached."""

from types import SimpleNamespace

import pytest

from keshang.core.documents.workflow import Move, TransitionError, Workflow, approval_moves
from keshang.core.permissions import Action
from keshang.sales.documents import QUOTATION, SALES_ORDER

QUOTATION_MOVES = {
    # name: (sources, targets, permission, creates, reason, manual)
    "submit": (("draft",), ("submitted", "approved"), Action.CHANGE, None, None, True),
    "withdraw": (("submitted",), ("draft",), Action.CHANGE, None, None, True),
    "approve": (("submitted",), ("approved",), Action.CHANGE, None, None, False),
    "send_back": (("submitted",), ("draft",), Action.CHANGE, None, None, False),
    "resubmit": (("approved",), ("submitted",), Action.CHANGE, None, None, False),
    "send": (("approved",), ("sent",), Action.CHANGE, None, None, True),
    "accept": (("sent",), ("accepted",), Action.CHANGE, None, None, True),
    "reject": (("sent",), ("rejected",), Action.CHANGE, None, "optional", True),
    "expire": (("approved", "sent"), ("expired",), Action.CHANGE, None, None, False),
    "to_order": (("accepted",), (), Action.VIEW, "sales.salesorder", None, True),
    "revise": (("approved", "sent", "rejected", "expired"), ("superseded",), Action.CHANGE, None, None, True),
    "copy": (
        ("draft", "submitted", "approved", "sent", "accepted", "rejected", "expired", "superseded"),
        (),
        Action.VIEW,
        "sales.quotation",
        None,
        True,
    ),
}

ORDER_MOVES = {
    "confirm": (("draft",), ("submitted", "confirmed"), Action.CHANGE, None, None, True),
    "withdraw": (("submitted",), ("draft",), Action.CHANGE, None, None, True),
    "approve": (("submitted",), ("confirmed",), Action.CHANGE, None, None, False),
    "send_back": (("submitted",), ("draft",), Action.CHANGE, None, None, False),
    "deliver": (
        ("confirmed", "partially_delivered", "delivered"),
        ("confirmed", "partially_delivered", "delivered"),
        Action.CHANGE,
        None,
        None,
        False,
    ),
    "close": (("delivered",), ("closed",), Action.CHANGE, None, None, True),
    "cancel": (("draft", "submitted", "confirmed"), ("cancelled",), Action.CHANGE, None, "required", True),
}

QUOTATION_PAIRS = {
    ("draft", "submitted"),
    ("draft", "approved"),
    ("submitted", "draft"),
    ("submitted", "approved"),
    ("approved", "submitted"),
    ("approved", "sent"),
    ("sent", "accepted"),
    ("sent", "rejected"),
    ("approved", "expired"),
    ("sent", "expired"),
    ("approved", "superseded"),
    ("sent", "superseded"),
    ("rejected", "superseded"),
    ("expired", "superseded"),
}

ORDER_PAIRS = {
    ("draft", "submitted"),
    ("draft", "confirmed"),
    ("submitted", "draft"),
    ("submitted", "confirmed"),
    *(
        (source, target)
        for source in ("confirmed", "partially_delivered", "delivered")
        for target in ("confirmed", "partially_delivered", "delivered")
    ),
    ("delivered", "closed"),
    ("draft", "cancelled"),
    ("submitted", "cancelled"),
    ("confirmed", "cancelled"),
}


def declared(workflow):
    return {
        move.name: (tuple(move.sources), tuple(move.targets), move.permission, move.creates, move.reason, move.manual)
        for move in workflow.moves
    }


@pytest.mark.parametrize(
    ("doc", "moves", "pairs"),
    [(QUOTATION, QUOTATION_MOVES, QUOTATION_PAIRS), (SALES_ORDER, ORDER_MOVES, ORDER_PAIRS)],
    ids=["quotation", "salesorder"],
)
def test_the_workflow_declares_exactly_these_moves_and_transitions(doc, moves, pairs):
    assert declared(doc.workflow) == moves
    assert doc.workflow.transitions == pairs


def test_a_quotation_cannot_skip_approval_and_an_order_cannot_close_before_delivery_or_leave_cancelled():
    quotation_pairs = QUOTATION.workflow.transitions
    order_pairs = SALES_ORDER.workflow.transitions
    assert ("draft", "sent") not in quotation_pairs
    assert ("confirmed", "closed") not in order_pairs
    assert not {pair for pair in order_pairs if pair[0] in ("cancelled", "closed")}


def test_approval_moves_withdraw_by_the_service_and_leave_approve_and_send_back_to_the_engine():
    def withdraw(**kwargs):
        return None

    moves = approval_moves(pending="waiting", approved="ok", withdraw=withdraw, draft="new")
    assert [(m.name, m.sources, m.targets, m.service, m.permission) for m in moves] == [
        ("withdraw", ("waiting",), ("new",), withdraw, Action.CHANGE),
        ("approve", ("waiting",), ("ok",), None, Action.CHANGE),
        ("send_back", ("waiting",), ("new",), None, Action.CHANGE),
    ]
    assert [str(m.label) for m in moves] == ["撤回审批", "审批通过", "驳回或退回"]
    assert approval_moves(pending="p", approved="a", withdraw=withdraw)[0].targets == ("draft",)


def small_workflow():
    return Workflow(
        resource="sales.quotation",
        document_kwarg="quotation",
        moves=[
            Move("go", "Go", ("a",), ("b", "c"), service=print, api_aliases=("start",)),
            Move("stop", "Stop", ("b",), ("a",)),
        ],
    )


def test_a_workflow_indexes_moves_by_name_and_alias_and_pairs_every_source_with_every_target():
    workflow = small_workflow()
    assert workflow.by_name == {"go": workflow.moves[0], "start": workflow.moves[0], "stop": workflow.moves[1]}
    assert workflow.transitions == {("a", "b"), ("a", "c"), ("b", "a")}
    assert workflow.get("start") is workflow.moves[0] and workflow.get("nope") is None
    assert workflow.manual_moves() == [workflow.moves[0]]


@pytest.mark.parametrize("second", ["go", "start"])
def test_a_move_name_or_alias_declared_twice_is_refused(second):
    with pytest.raises(ValueError, match=f"move '{second}' declared twice in sales.quotation"):
        Workflow(
            resource="sales.quotation",
            document_kwarg="quotation",
            moves=[Move("go", "Go", ("a",), ("b",), api_aliases=("start",)), Move(second, "Again", ("b",))],
        )


def test_the_move_properties_follow_the_declaration():
    plain = Move("make_copy", "Copy", ("a",))
    assert (plain.manual, plain.slug, plain.needs_reason, plain.asks_reason, plain.needs_page) == (
        False,
        "make-copy",
        False,
        False,
        False,
    )
    optional = Move("x", "X", ("a",), reason="optional")
    assert (optional.needs_reason, optional.asks_reason, optional.needs_page) == (False, True, True)
    required = Move("x", "X", ("a",), reason="required")
    assert (required.needs_reason, required.asks_reason, required.needs_page) == (True, True, True)
    confirmed = Move("x", "X", ("a",), confirm=True)
    assert confirmed.needs_page is True


def document(status="a"):
    field = SimpleNamespace(choices=[("a", "甲"), ("b", "乙")])
    return SimpleNamespace(status=status, _meta=SimpleNamespace(get_field=lambda name: field))


def test_an_undeclared_pair_is_refused_naming_both_states():
    workflow = small_workflow()
    workflow.check(document("a"), to="b")
    with pytest.raises(TransitionError) as refused:
        workflow.check(document("b"), to="c")
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "单据当前状态为“乙”，不能变为“c”。"


def test_a_move_from_a_state_it_does_not_start_from_is_refused_naming_the_move():
    workflow = small_workflow()
    workflow.check_move(document("a"), workflow.get("go"))
    with pytest.raises(TransitionError) as refused:
        workflow.check_move(document("b"), workflow.get("go"))
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "单据当前状态为“乙”，不能“Go”。"
