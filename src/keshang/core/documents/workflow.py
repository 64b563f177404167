"""A document's workflow, declared once (STYLE.md §7; Tryton's ``_transitions`` with ``_buttons``).

A document type lists its :class:`Move`\\ s: name, label, the states it starts from, the states it may land
in, the service that makes it, the permission it needs, whether it creates another document, whether it
needs a reason. Everything else is derived from that one list, so a button, its URL, its API endpoint and
its permission cannot drift apart:

* the transition check (:meth:`Workflow.check`, :meth:`Workflow.move`), from the (source, target) pairs;
* the detail page's buttons (:meth:`Workflow.available`) and the move view (``core.documents.views``);
* the API actions (``core.documents.api.DocumentViewSet``, one per move with a service).

A move without a service is made by the system only (the approval engine, a nightly job, another app
reporting a delivery): it is a valid transition with no button and no endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.permissions import Action
from keshang.core.scope import has_action

__all__ = ["Move", "Workflow", "TransitionError", "approval_moves"]


class TransitionError(ApplicationError):
    """A state move that is not allowed from the document's current state (STYLE.md §7)."""

    def __init__(self, message, *, code: str = "invalid_transition"):
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Move:
    """One move of a document's state machine.

    ``service(actor=…, <document kwarg>=document[, reason=…])`` makes it and returns the document it leads
    to (the same one, or a new one: a copy, a revision, the order made from a quotation). ``permission`` is
    the action the user needs on the document (within their scope); ``creates`` names the resource of a
    document the move creates, on which the user also needs "add". ``reason``: None (not asked), "optional"
    or "required".
    """

    name: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...] = ()
    service: Callable | None = None
    permission: str = Action.CHANGE
    creates: str | None = None
    reason: str | None = None
    confirm: bool = False  # the button opens a confirmation page first (always so when a reason is asked)
    # Whether the document allows the move now beyond its state (a quotation not ordered yet): no button when it
    # says no. The service still decides under its row lock; this only keeps a button from promising a refusal.
    allowed: Callable | None = None
    style: str = "btn-outline-secondary"
    # Other API route names for the same move (kept for clients of an earlier API).
    api_aliases: tuple[str, ...] = ()

    @property
    def manual(self) -> bool:
        """Made by a user (a button and an endpoint), not only by the system."""
        return self.service is not None

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def needs_reason(self) -> bool:
        return self.reason == "required"

    @property
    def asks_reason(self) -> bool:
        return self.reason is not None

    @property
    def needs_page(self) -> bool:
        return self.confirm or self.asks_reason


def approval_moves(*, pending: str, approved: str, withdraw: Callable, draft: str = "draft") -> list[Move]:
    """The moves around approval every document that waits for the engine has: whoever may change the document
    (its owner, a manager over it) withdraws it (``withdraw`` is the document's service: it locks the row and
    calls :meth:`Workflow.withdraw_from_approval`); the engine approves, or rejects or returns to draft
    (:meth:`Workflow.sent_back`)."""
    return [
        Move("withdraw", _lazy("撤回审批"), (pending,), (draft,), service=withdraw),
        Move("approve", _lazy("审批通过"), (pending,), (approved,)),
        Move("send_back", _lazy("驳回或退回"), (pending,), (draft,)),
    ]


@dataclass
class Workflow:
    """The moves of one document type. ``pending`` is the state a document waits in for approval: a move
    that lands there says so instead of claiming it was done."""

    resource: str
    document_kwarg: str
    moves: list[Move]
    state_field: str = "status"
    pending: str | None = None
    draft: str = "draft"
    by_name: dict[str, Move] = field(init=False, repr=False)

    def __post_init__(self):
        self.by_name = {}
        for move in self.moves:
            for name in (move.name, *move.api_aliases):
                if name in self.by_name:
                    raise ValueError(f"move {name!r} declared twice in {self.resource}")
                self.by_name[name] = move
        self.transitions = frozenset(
            (source, target) for move in self.moves for source in move.sources for target in move.targets
        )

    def get(self, name: str) -> Move | None:
        return self.by_name.get(name)

    def manual_moves(self) -> list[Move]:
        return [move for move in self.moves if move.manual]

    #
    # The transition check
    #

    def check(self, document, *, to: str) -> None:
        current = getattr(document, self.state_field)
        if (current, to) not in self.transitions:
            choices = dict(document._meta.get_field(self.state_field).choices)
            raise TransitionError(
                _("单据当前状态为“%(state)s”，不能变为“%(target)s”。")
                % {"state": choices.get(current, current), "target": choices.get(to, to)}
            )

    def check_move(self, document, move: Move) -> None:
        """``move`` may start from the document's current state (before its service decides the target)."""
        if getattr(document, self.state_field) not in move.sources:
            choices = dict(document._meta.get_field(self.state_field).choices)
            current = getattr(document, self.state_field)
            raise TransitionError(
                _("单据当前状态为“%(state)s”，不能“%(move)s”。")
                % {"state": choices.get(current, current), "move": move.label}
            )

    def move(self, document, to: str, *, actor, message: str = "", before: dict | None = None) -> None:
        """One checked state move: the pair must be declared; saved and audited (STYLE.md §7)."""
        before = before if before is not None else audit.snapshot(document)
        self.check(document, to=to)
        setattr(document, self.state_field, to)
        document.save()
        audit.record(actor=actor, obj=document, action=AuditAction.STATE, before=before, message=message)

    #
    # Who may make a move: one rule for the button, the page and the endpoint
    #

    def user_may(self, user, move: Move) -> bool:
        """The grants a move needs, before looking at any document."""
        if not has_action(user, self.resource, move.permission):
            return False
        return move.creates is None or has_action(user, move.creates, Action.ADD)

    def available(self, user, document, *, visible: Callable[[str], bool]) -> list[Move]:
        """The manual moves this user may make on ``document`` now: its state allows them, the user holds the
        grants, and the document is within the user's scope for the move's permission (``visible(action)``)."""
        state = getattr(document, self.state_field)
        checked: dict[str, bool] = {}
        moves = []
        for move in self.manual_moves():
            if state not in move.sources or not self.user_may(user, move):
                continue
            if move.allowed is not None and not move.allowed(document):
                continue
            if move.permission not in checked:
                checked[move.permission] = visible(move.permission)
            if checked[move.permission]:
                moves.append(move)
        return moves

    #
    # Approval: what every document that waits for the approval engine does the same way
    #

    def withdraw_from_approval(self, document, *, actor) -> None:
        """Take a locked document back from approval to draft (the approval request is cancelled)."""
        from keshang.core.approvals import cancel_approval

        self.check(document, to=self.draft)
        cancel_approval(obj=document, actor=actor)
        self.move(document, self.draft, actor=actor, message=_("撤回审批"))

    def sent_back(self, message) -> Callable:
        """The engine's callback when an approver rejects or returns the document: back to draft, saying why."""

        def callback(document, actor, comment: str = "") -> None:
            self.move(document, self.draft, actor=actor, message=f"{message}：{comment}" if comment else str(message))

        return callback

    def done_message(self, move: Move, result) -> str:
        """What the user is told after ``move``: the truth about where the document landed."""
        state = getattr(result, self.state_field, None)
        if self.pending and state == self.pending:
            from keshang.core.approvals import get_pending_request

            # Which flow it waits in says why (price control, an amount, the customer's level).
            request = get_pending_request(result)
            if request is not None:
                return _("已提交审批（%(flow)s），等待审批：%(object)s") % {"flow": request.flow_name, "object": result}
            return _("已提交审批，等待审批：%(object)s") % {"object": result}
        if len(move.targets) > 1 and state in move.targets:
            # A move with several outcomes (submit: approval, or approved at once) says which one it had.
            display = getattr(result, f"get_{self.state_field}_display", lambda: state)()
            return _("%(move)s：%(object)s（%(state)s）") % {"move": move.label, "object": result, "state": display}
        return _("%(move)s：%(object)s") % {"move": move.label, "object": result}
