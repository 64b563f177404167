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
    fields = {"status": field}
    return SimpleNamespace(status=status, _meta=SimpleNamespace(get_field=fields.__getitem__))


def test_an_undeclared_pair_is_refused_naming_both_states():
    workflow = small_workflow()
    workflow.check(document("a"), to="b")
    with pytest.raises(TransitionError) as refused:
        workflow.check(document("b"), to="c")
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "单据当前状态为“乙”，不能变为“c”。"
    with pytest.raises(TransitionError) as refused:
        workflow.check(document("z"), to="b")
    assert str(refused.value.message) == "单据当前状态为“z”，不能变为“乙”。"


def test_a_move_from_a_state_it_does_not_start_from_is_refused_naming_the_move():
    workflow = small_workflow()
    workflow.check_move(document("a"), workflow.get("go"))
    with pytest.raises(TransitionError) as refused:
        workflow.check_move(document("b"), workflow.get("go"))
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "单据当前状态为“乙”，不能“Go”。"
    with pytest.raises(TransitionError) as refused:
        workflow.check_move(document("z"), workflow.get("go"))
    assert str(refused.value.message) == "单据当前状态为“z”，不能“Go”。"


def user(grants=(), superuser=False):
    """A signed-in user whose roles grant ``grants`` ((resource, action) pairs) at scope all."""
    return SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        is_superuser=superuser,
        grant_scope=lambda resource, action: "all" if (resource, action) in grants else None,
    )


def test_a_move_needs_its_permission_and_add_on_what_it_creates():
    workflow = QUOTATION.workflow
    to_order, send = workflow.get("to_order"), workflow.get("send")
    viewer = user({("sales.quotation", Action.VIEW)})
    assert workflow.user_may(viewer, to_order) is False
    assert workflow.user_may(user({("sales.quotation", Action.VIEW), ("sales.salesorder", Action.ADD)}), to_order)
    assert workflow.user_may(user({("sales.salesorder", Action.ADD)}), to_order) is False
    assert workflow.user_may(viewer, send) is False
    assert workflow.user_may(user({("sales.quotation", Action.CHANGE)}), send) is True
    assert workflow.user_may(user(superuser=True), to_order) is True


def test_the_available_moves_skip_a_move_the_document_does_not_allow_now_and_go_on():
    workflow = Workflow(
        resource="sales.quotation",
        document_kwarg="quotation",
        moves=[
            Move("first", "First", ("a",), ("b",), service=print, allowed=lambda doc: False),
            Move("second", "Second", ("a",), ("b",), service=print, allowed=lambda doc: doc.status == "a"),
            Move("third", "Third", ("b",), ("a",), service=print),
            Move("fourth", "Fourth", ("a",), ("c",), service=print, permission=Action.VIEW),
        ],
    )
    asked = []

    def visible(action):
        asked.append(action)
        return action == Action.CHANGE

    editor = user({("sales.quotation", Action.CHANGE), ("sales.quotation", Action.VIEW)})
    assert [move.name for move in workflow.available(editor, document("a"), visible=visible)] == ["second"]
    assert asked == [Action.CHANGE, Action.VIEW]


class Document(SimpleNamespace):
    def __str__(self):
        return "QT-1"

    def get_status_display(self):
        return {"a": "甲", "b": "乙"}.get(self.status, self.status)


def test_the_message_after_a_move_says_where_the_document_landed(monkeypatch):
    from keshang.core import approvals

    pending = {}
    monkeypatch.setattr(approvals, "get_pending_request", lambda document: pending.get(document.status))
    workflow = Workflow(
        resource="sales.quotation",
        document_kwarg="quotation",
        pending="wait",
        moves=[Move("go", "提交", ("a",), ("wait", "b")), Move("stop", "停止", ("b",), ("a",))],
    )
    go, stop = workflow.get("go"), workflow.get("stop")
    assert workflow.done_message(go, Document(status="wait")) == "已提交审批，等待审批：QT-1"
    # waiting in a flow, the message names it (why it waits: price control, an amount…)
    pending["wait"] = SimpleNamespace(flow_name="价格管控")
    assert workflow.done_message(go, Document(status="wait")) == "已提交审批（价格管控），等待审批：QT-1"
    assert workflow.done_message(go, Document(status="b")) == "提交：QT-1（乙）"
    assert workflow.done_message(stop, Document(status="a")) == "停止：QT-1"
    assert workflow.done_message(go, Document(status="elsewhere")) == "提交：QT-1"
    assert workflow.done_message(go, Document()) == "提交：QT-1"
    # a result without a display method shows its raw state
    assert workflow.done_message(go, SimpleNamespace(status="b")) == "提交：namespace(status='b')（b）"
    no_pending = small_workflow()
    assert no_pending.done_message(no_pending.get("go"), Document(status=None)) == "Go：QT-1"


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))


def test_a_sent_back_document_returns_to_draft_with_the_approvers_comment():
    workflow = small_workflow()
    workflow.draft = "a"
    workflow.move = Recorder()
    callback = workflow.sent_back("驳回")
    callback("doc", "boss", "价格太低")
    callback("doc", "boss")
    assert workflow.move.calls == [
        (("doc", "a"), {"actor": "boss", "message": "驳回：价格太低"}),
        (("doc", "a"), {"actor": "boss", "message": "驳回"}),
    ]


def saved_document(status):
    saved = document(status)
    saved.saves = 0

    def save():
        saved.saves += 1

    saved.save = save
    return saved


def test_a_move_is_checked_saved_and_audited_as_a_state_change(monkeypatch):
    from keshang.core import audit
    from keshang.core.models import AuditAction

    recorded = Recorder()
    monkeypatch.setattr(audit, "record", recorded)
    monkeypatch.setattr(audit, "snapshot", lambda obj: {"status": "snapshot"} if obj is doc else {})
    workflow = small_workflow()
    doc = saved_document("a")
    workflow.move(doc, "b", actor="rep", message="m")
    assert (doc.status, doc.saves) == ("b", 1)
    assert recorded.calls == [
        (
            (),
            {"actor": "rep", "obj": doc, "action": AuditAction.STATE, "before": {"status": "snapshot"}, "message": "m"},
        )
    ]
    workflow.move(doc, "a", actor="rep", before={"status": "given"})
    assert recorded.calls[1][1]["before"] == {"status": "given"} and recorded.calls[1][1]["message"] == ""
    with pytest.raises(TransitionError) as refused:
        workflow.move(doc, "a", actor="rep")
    assert refused.value.code == "invalid_transition"
    assert (doc.status, doc.saves, len(recorded.calls)) == ("a", 2, 2)


def test_withdrawing_cancels_the_approval_and_moves_back_to_draft(monkeypatch):
    from keshang.core import approvals

    cancelled = Recorder()
    monkeypatch.setattr(approvals, "cancel_approval", cancelled)
    workflow = small_workflow()
    workflow.draft = "a"
    workflow.move = Recorder()
    doc = document("b")
    workflow.withdraw_from_approval(doc, actor="rep")
    assert cancelled.calls == [((), {"obj": doc, "actor": "rep"})]
    assert workflow.move.calls == [((doc, "a"), {"actor": "rep", "message": "撤回审批"})]
    with pytest.raises(TransitionError) as refused:
        workflow.withdraw_from_approval(document("a"), actor="rep")
    assert refused.value.code == "invalid_transition"
    assert len(cancelled.calls) == 1
