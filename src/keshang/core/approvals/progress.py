"""How far a request has come: the steps passed, the one waiting, and those still to come with who will decide.

Steps that have started are read from their tasks (who was asked, who decided). The steps after the current one
are read from the flow as it stands now and resolved for the submitter as the engine will resolve them when they
start, so an administrator's change to the flow shows here at once. A delegation is applied when a step starts,
so steps to come name the approvers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from keshang.core.models import ApprovalRequest, ApprovalStatus, ApprovalStep, ApprovalTask

from .routing import resolve_approvers

__all__ = ["StepState", "StepProgress", "request_progress"]


class StepState(models.TextChoices):
    DONE = "done", _("已完成")
    CURRENT = "current", _("审批中")
    UPCOMING = "upcoming", _("待进行")
    # The request was rejected, returned or withdrawn at this step.
    ENDED = "ended", _("已结束")


@dataclass(frozen=True)
class StepProgress:
    """One step of a request. A started step has its ``tasks``; a step to come has the ``approvers`` it will
    ask (the submitter left out), is ``automatic`` when only the submitter would approve it (it will pass by
    itself), and has neither when nobody can approve it (the request will stop there with ``no_approver``)."""

    order: int
    name: str
    mode: str
    state: StepState
    tasks: list[ApprovalTask] = field(default_factory=list)
    approvers: list = field(default_factory=list)
    automatic: bool = False


def _started_state(request: ApprovalRequest, order: int) -> StepState:
    if order < request.current_step or request.status == ApprovalStatus.APPROVED:
        return StepState.DONE
    if request.status == ApprovalStatus.PENDING:
        return StepState.CURRENT
    return StepState.ENDED


def request_progress(request: ApprovalRequest) -> list[StepProgress]:
    """Every step of ``request`` in order: started steps with their tasks, then, while it is pending, the flow's
    steps after the current one with who will decide them."""
    tasks = request.tasks.select_related("approver", "delegated_from").order_by("step_order", "pk")
    started: dict[int, StepProgress] = {}
    for task in tasks:
        step = started.get(task.step_order)
        if step is None:
            step = started[task.step_order] = StepProgress(
                order=task.step_order,
                name=task.step_name,
                mode=task.get_mode_display(),
                state=_started_state(request, task.step_order),
            )
        step.tasks.append(task)
    steps = list(started.values())
    if request.status != ApprovalStatus.PENDING or request.flow_id is None:
        return steps
    submitter = request.submitter
    # The steps to come are the flow's, read for the system like the engine reads them: the reader needs no
    # grant on flow configuration to see who will decide their request.
    upcoming = (
        ApprovalStep.objects.unscoped()
        .filter(flow_id=request.flow_id, order__gt=request.current_step)
        .select_related("role")
        .prefetch_related("users")
        .order_by("order", "pk")
    )
    for step in upcoming:
        resolved = resolve_approvers(step, submitter)
        others = [user for user in resolved if user.pk != submitter.pk]
        steps.append(
            StepProgress(
                order=step.order,
                name=step.name,
                mode=step.get_mode_display(),
                state=StepState.UPCOMING,
                approvers=others,
                automatic=bool(resolved) and not others,
            )
        )
    return steps
