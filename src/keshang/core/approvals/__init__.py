"""The approval engine (DESIGN.md rule 6): flows per document type chosen by conditions, ordered steps,
会签/或签, delegation, an inbox, and the snapshot each decision was made on.

* ``registry``: what a document type tells the engine (``Approvable``), condition choices;
* ``engine``: the services (submit, decide, withdraw) and the notifications they send;
* ``routing``: which flow applies to a document and who decides each step;
* ``selectors``: the inbox, a document's requests and history, the requests a user may open;
* ``delegations``: 审批委托; ``flows``: configuring flows; ``snapshots``: what changed since the last
  approval; ``progress``: every step of a request, those to come included;
* ``forms`` (forms, filters, tables), ``views`` and ``api``: the pages and endpoints, routed by core's URLconfs.

The public names are re-exported here: callers import ``keshang.core.approvals``."""

from .delegations import active_delegate, delete_delegation, list_delegations, save_delegation
from .engine import (
    AUTO_APPROVED_COMMENT,
    ApprovalErrorCode,
    Decision,
    cancel_approval,
    decide_approval,
    submit_for_approval,
)
from .flows import delete_flow, list_flows, save_flow
from .progress import StepProgress, StepState, request_progress
from .registry import (
    Approvable,
    ApprovalFacts,
    approvables,
    condition_choices,
    get_approvable,
    register_approvable,
    register_condition_choices,
    unregister_approvable,
)
from .routing import find_flow, resolve_approvers
from .selectors import (
    approval_history,
    count_my_pending_tasks,
    get_pending_request,
    list_my_tasks,
    list_visible_requests,
    request_document,
    request_url,
)
from .snapshots import SnapshotChange, snapshot_changes

__all__ = [
    "Approvable",
    "ApprovalFacts",
    "register_approvable",
    "unregister_approvable",
    "get_approvable",
    "approvables",
    "register_condition_choices",
    "condition_choices",
    "AUTO_APPROVED_COMMENT",
    "ApprovalErrorCode",
    "Decision",
    "SnapshotChange",
    "find_flow",
    "submit_for_approval",
    "decide_approval",
    "cancel_approval",
    "list_my_tasks",
    "count_my_pending_tasks",
    "get_pending_request",
    "approval_history",
    "list_visible_requests",
    "request_document",
    "request_url",
    "resolve_approvers",
    "StepState",
    "StepProgress",
    "request_progress",
    "snapshot_changes",
    "active_delegate",
    "save_delegation",
    "delete_delegation",
    "list_delegations",
    "save_flow",
    "delete_flow",
    "list_flows",
    "register",
]

HOME_WIDGET_TASKS = 5


def pending_tasks_widget(request):
    """The first pending tasks of the user's inbox; hidden when nothing waits for them."""
    tasks = list_my_tasks(user=request.user)
    count = tasks.count()
    if not count:
        return None
    return {"tasks": tasks[:HOME_WIDGET_TASKS], "pending_count": count}


def register() -> None:
    """Resources and menu items of the engine; called from CoreConfig.ready()."""
    from django.utils.translation import gettext_lazy as _

    from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
    from keshang.core.registry import HomeWidget, MenuItem, register_home_widget, register_menu_item

    crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
    # Flows are company rules: only administrators see or change them.
    register_resource(
        Resource("core.approvalflow", _("审批流程"), actions=crud, defaults={Persona.ADMIN: (crud, Scope.ALL)})
    )
    # Everyone manages their own delegations; administrators everyone's (someone fell ill without setting one).
    register_resource(
        Resource(
            "core.approvaldelegation",
            _("审批委托"),
            actions=crud,
            scoped=True,
            defaults={
                **{persona: (crud, Scope.OWN) for persona in Persona.values},
                Persona.ADMIN: (crud, Scope.ALL),
            },
        )
    )
    # The inbox is personal: every signed-in user may have tasks, whatever their grants.
    register_menu_item(MenuItem("home", _("待我审批"), "core:approval_inbox", order=5))
    register_menu_item(
        MenuItem("home", _("审批委托"), "core:approvaldelegation_list", "core.approvaldelegation", order=15)
    )
    register_menu_item(MenuItem("settings", _("审批流程"), "core:approvalflow_list", "core.approvalflow", order=60))
    register_home_widget(HomeWidget("approvals", "core/approvals/widget.html", pending_tasks_widget, 5))
