"""The approval engine's services (DESIGN.md rule 6): submitting, deciding and withdrawing, with the
notifications they send. Which flow and who decides: ``routing``; the reads: ``selectors``; delegations:
``delegations``.

A consumer calls :func:`submit_for_approval` inside its own transaction; approvers decide with
:func:`decide_approval`; the engine calls the consumer back (``on_approved`` …) with the document locked.

Rules decided here (see also docs/architecture.md):

* The submitter is never their own approver. They are dropped from a step's approvers; when that leaves
  nobody, the step is passed automatically and recorded as an approved task of the submitter with the
  comment "提交人即审批人，自动通过", so the history says why the step needed no one.
* A step that resolves to nobody at all (no role holder, no manager that far up, no active named user)
  refuses the submission with ``no_approver``; the caller's transaction rolls back.
* An approver with an active delegation covering today gets their task assigned to the delegate (one hop,
  delegations of delegates are not followed); not when the delegate is the submitter or already has a task in
  that step, then the approver keeps it.
* Steps are read from the flow as it is when each step starts, so an administrator's change to a flow
  applies to the steps of pending requests that have not started yet.
"""

from __future__ import annotations

import dataclasses
import enum

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import (
    ApprovalMode,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    ApprovalTask,
    ApprovalTaskStatus,
    AuditAction,
    Notification,
)
from keshang.core.notifications import notify

from .delegations import DELEGATE_LACKS_RIGHTS, active_delegate, delegate_may_approve
from .registry import Approvable, get_approvable
from .routing import find_flow, resolve_approvers
from .selectors import request_url, requests_of

__all__ = [
    "ApprovalErrorCode",
    "Decision",
    "AUTO_APPROVED_COMMENT",
    "submit_for_approval",
    "decide_approval",
    "cancel_approval",
]


class ApprovalErrorCode(enum.StrEnum):
    NO_APPROVER = "no_approver"
    ALREADY_DECIDED = "already_decided"
    NOT_YOUR_TASK = "not_your_task"
    COMMENT_REQUIRED = "comment_required"
    INVALID_DECISION = "invalid_decision"
    NOT_APPROVABLE = "not_approvable"
    DOCUMENT_MISSING = "document_missing"
    FLOW_MISSING = "flow_missing"
    DELEGATE_LACKS_RIGHTS = DELEGATE_LACKS_RIGHTS


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


# Stored on the task (not translated at read time): the history shows what was recorded.
AUTO_APPROVED_COMMENT = "提交人即审批人，自动通过"

DECISION_OUTCOMES = {
    Decision.APPROVE: (ApprovalTaskStatus.APPROVED, ApprovalStatus.APPROVED),
    Decision.REJECT: (ApprovalTaskStatus.REJECTED, ApprovalStatus.REJECTED),
    Decision.RETURN: (ApprovalTaskStatus.RETURNED, ApprovalStatus.RETURNED),
}


#
# Submitting
#


def _approvable_for(obj: models.Model) -> Approvable:
    approvable = get_approvable(obj._meta.label_lower)
    if approvable is None:
        raise ApplicationError(
            _("“%(type)s”没有接入审批。") % {"type": obj._meta.verbose_name}, code=ApprovalErrorCode.NOT_APPROVABLE
        )
    return approvable


def submit_for_approval(*, obj: models.Model, actor) -> ApprovalRequest | None:
    """Send ``obj`` into its flow; call it inside the caller's transaction, with the document saved.

    Withdraws the document's pending request first. Returns None when no flow matches (no approval
    needed), else the new request: ``status`` is ``approved`` at once when every step passed
    automatically (the submitter approves nothing of their own), else ``pending``.
    """
    approvable = _approvable_for(obj)
    # No savepoint: the caller's transaction is the unit (a refusal here rolls the whole submission back).
    with transaction.atomic(savepoint=False):
        pending = requests_of(obj).select_for_update().filter(status=ApprovalStatus.PENDING).first()
        if pending is not None:
            _close_request(pending, actor=actor, status=ApprovalStatus.CANCELLED, document=obj)
        facts = approvable.facts(obj)
        flow = find_flow(obj=obj, facts=facts)
        if flow is None:
            return None
        last_approved = requests_of(obj).filter(status=ApprovalStatus.APPROVED).order_by("-pk").first()
        revised = approvable.revises(obj) if approvable.revises is not None and last_approved is None else None
        if revised is not None:
            last_approved = requests_of(revised).filter(status=ApprovalStatus.APPROVED).order_by("-pk").first()
        request = ApprovalRequest(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            document_repr=str(obj)[:200],
            flow=flow,
            flow_name=flow.name,
            submitter=actor,
            facts=audit.serialize_value(dataclasses.asdict(facts)),
            snapshot=audit.serialize_value(approvable.snapshot(obj)),
            previous_snapshot=last_approved.snapshot if last_approved is not None else None,
        )
        request.full_clean()
        request.save()
        started = _start_next_step(request, after=0)
        if request.status == ApprovalStatus.APPROVED:
            request.decided_at = timezone.now()
        request.save(update_fields=["current_step", "status", "decided_at"])
        audit.record(
            actor=actor,
            obj=request,
            action=AuditAction.CREATE,
            related=obj,
            message=_("提交审批：%(flow)s") % {"flow": flow.name},
        )
        _notify_approvers(request, started)
    return request


def _start_next_step(request: ApprovalRequest, *, after: int) -> list[ApprovalTask]:
    """Start the first step after ``after`` that needs someone, passing the submitter's own steps.

    Returns the tasks of the started step (to notify), or [] with the request approved when none is left.
    """
    if request.flow_id is None:
        # delete_flow refuses while requests are pending; a flow removed behind its back must not approve them.
        raise ApplicationError(
            _("审批流程“%(flow)s”已不存在，请联系管理员。") % {"flow": request.flow_name},
            code=ApprovalErrorCode.FLOW_MISSING,
        )
    submitter = request.submitter
    steps = (
        ApprovalStep.objects.unscoped()
        .filter(flow_id=request.flow_id, order__gt=after)
        .select_related("role")
        .prefetch_related("users")
        .order_by("order", "pk")
    )
    today = timezone.localdate()
    document_type = f"{request.content_type.app_label}.{request.content_type.model}"
    for step in steps:
        approvers = resolve_approvers(step, submitter)
        if not approvers:
            raise ApplicationError(
                _("审批步骤“%(step)s”找不到审批人，请联系管理员检查审批流程“%(flow)s”。")
                % {"step": step.name, "flow": request.flow_name},
                code=ApprovalErrorCode.NO_APPROVER,
            )
        request.current_step = step.order
        others = [user for user in approvers if user.pk != submitter.pk]
        if not others:
            task = _create_task(request, step, approver=submitter)
            task.status = ApprovalTaskStatus.APPROVED
            task.comment = AUTO_APPROVED_COMMENT
            task.decided_at = timezone.now()
            task.save(update_fields=["status", "comment", "decided_at"])
            continue
        tasks = []
        assigned: set[int] = {user.pk for user in others}
        for approver in others:
            delegate = active_delegate(approver, on=today)
            if (
                delegate is not None
                and delegate.pk != submitter.pk
                and delegate.pk not in assigned
                and delegate_may_approve(user=approver, delegate=delegate, document_type=document_type)
            ):
                assigned.add(delegate.pk)
                tasks.append(_create_task(request, step, approver=delegate, delegated_from=approver))
            else:
                tasks.append(_create_task(request, step, approver=approver))
        return tasks
    request.status = ApprovalStatus.APPROVED
    return []


def _create_task(request, step, *, approver, delegated_from=None) -> ApprovalTask:
    task = ApprovalTask(
        request=request,
        step_order=step.order,
        step_name=step.name,
        mode=step.mode,
        approver=approver,
        delegated_from=delegated_from,
    )
    task.full_clean()
    task.save()
    return task


#
# Deciding
#


def decide_approval(*, task: ApprovalTask, actor, decision: str, comment: str = "") -> ApprovalRequest:
    """同意 / 驳回 / 退回修改 one task. Reject and return need a comment. Refuses a task that is no longer
    pending (``already_decided``) or not the actor's (``not_your_task``), re-checked under the row locks."""
    if decision not in Decision.__members__.values():
        raise ApplicationError(_("无效的审批操作。"), code=ApprovalErrorCode.INVALID_DECISION)
    decision = Decision(decision)
    comment = (comment or "").strip()
    if decision != Decision.APPROVE and not comment:
        message = _("驳回或退回时请填写审批意见。")
        raise ApplicationError(message, code=ApprovalErrorCode.COMMENT_REQUIRED, fields={"comment": [message]})
    with transaction.atomic():
        request = ApprovalRequest.objects.unscoped().select_related("content_type").get(pk=task.request_id)
        # Lock the document before the request: consumers lock the document and then submit (which locks
        # the pending request), so this order cannot deadlock against a resubmission on PostgreSQL.
        document = _lock_document(request)
        request = ApprovalRequest.objects.unscoped().select_for_update().get(pk=request.pk)
        task = ApprovalTask.objects.unscoped().select_related("approver", "delegated_from").get(pk=task.pk)
        if task.approver_id != actor.pk:
            raise ApplicationError(_("这不是您的审批任务。"), code=ApprovalErrorCode.NOT_YOUR_TASK)
        if task.status != ApprovalTaskStatus.PENDING or request.status != ApprovalStatus.PENDING:
            raise ApplicationError(_("该审批已处理，请刷新后查看。"), code=ApprovalErrorCode.ALREADY_DECIDED)
        if task.delegated_from_id is not None and not delegate_may_approve(
            user=task.delegated_from,
            delegate=actor,
            document_type=f"{request.content_type.app_label}.{request.content_type.model}",
        ):
            # Rights change after a delegation is saved: the delegate must still hold them when they act.
            raise ApplicationError(
                _("您已没有代替“%(user)s”审批此单据所需的审批权限。") % {"user": task.delegated_from},
                code=ApprovalErrorCode.DELEGATE_LACKS_RIGHTS,
            )
        approvable = _approvable_for(document)
        now = timezone.now()
        task_before, request_before = audit.snapshot(task), audit.snapshot(request)
        task_status, request_status = DECISION_OUTCOMES[decision]
        task.status, task.comment, task.decided_at = task_status, comment, now
        task.full_clean()
        task.save(update_fields=["status", "comment", "decided_at"])
        audit.record(
            actor=actor,
            obj=task,
            action=AuditAction.STATE,
            before=task_before,
            related=document,
            message=_("%(step)s：%(decision)s") % {"step": task.step_name, "decision": task.get_status_display()},
        )
        started: list[ApprovalTask] = []
        if decision == Decision.APPROVE:
            step_tasks = request.tasks.filter(step_order=task.step_order)
            if task.mode == ApprovalMode.ANY:
                _skip(step_tasks.filter(status=ApprovalTaskStatus.PENDING), now)
            if not step_tasks.filter(status=ApprovalTaskStatus.PENDING).exists():
                started = _start_next_step(request, after=task.step_order)
        else:
            request.status = request_status
            _skip(request.tasks.filter(status=ApprovalTaskStatus.PENDING), now)
        if request.status != ApprovalStatus.PENDING:
            request.decided_at = now
        request.save(update_fields=["current_step", "status", "decided_at"])
        if request.status != ApprovalStatus.PENDING or request_before["current_step"] != request.current_step:
            audit.record(actor=actor, obj=request, action=AuditAction.STATE, before=request_before, related=document)
        # The approver acts for the system here: the consumer's callback changes the document (e.g. the
        # quotation becomes approved) although the approver may have no "change" right on it.
        if request.status == ApprovalStatus.APPROVED:
            approvable.on_approved(document, actor)
        elif request.status == ApprovalStatus.REJECTED:
            approvable.on_rejected(document, actor, comment)
        elif request.status == ApprovalStatus.RETURNED:
            approvable.on_returned(document, actor, comment)
        _notify_decision(request, task, actor)
        _notify_approvers(request, started)
    return request


def _lock_document(request: ApprovalRequest) -> models.Model:
    model = request.content_type.model_class()
    document = (
        model._default_manager.unscoped().select_for_update().filter(pk=request.object_id).first() if model else None
    )
    if document is None:
        raise ApplicationError(
            _("单据“%(document)s”已不存在。") % {"document": request.document_repr},
            code=ApprovalErrorCode.DOCUMENT_MISSING,
        )
    return document


def _skip(tasks, now) -> None:
    """Tasks nobody needs to decide any more (another approver decided a 或签 step, or the request ended)."""
    tasks.update(status=ApprovalTaskStatus.SKIPPED, decided_at=now)


def cancel_approval(*, obj: models.Model, actor) -> None:
    """Withdraw ``obj``'s pending request (the caller checked that ``actor`` may); nothing pending, nothing to do."""
    with transaction.atomic():
        pending = requests_of(obj).select_for_update().filter(status=ApprovalStatus.PENDING).first()
        if pending is not None:
            _close_request(pending, actor=actor, status=ApprovalStatus.CANCELLED, document=obj)


def _close_request(request: ApprovalRequest, *, actor, status: str, document: models.Model) -> None:
    before = audit.snapshot(request)
    waiting = list(request.tasks.filter(status=ApprovalTaskStatus.PENDING).select_related("approver"))
    request.status = status
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    _skip(request.tasks.filter(status=ApprovalTaskStatus.PENDING), request.decided_at)
    audit.record(
        actor=actor, obj=request, action=AuditAction.STATE, before=before, related=document, message=_("撤回审批")
    )
    recipients = [task.approver for task in waiting]
    title = _("审批已撤回：%(document)s") % {"document": request.document_repr}
    transaction.on_commit(lambda: notify(recipients=recipients, title=title, url=request_url(request)))


#
# Notifications (after commit: a rolled-back decision notifies nobody)
#


def _notify_approvers(request: ApprovalRequest, tasks: list[ApprovalTask]) -> None:
    if not tasks:
        return
    recipients = [task.approver for task in tasks]
    title = _("待您审批：%(document)s") % {"document": request.document_repr}
    body = _("%(submitter)s 提交，流程“%(flow)s”，步骤“%(step)s”。") % {
        "submitter": request.submitter,
        "flow": request.flow_name,
        "step": tasks[0].step_name,
    }
    url = request_url(request)
    transaction.on_commit(
        lambda: notify(recipients=recipients, title=title, body=body, url=url, level=Notification.Level.WARNING)
    )


def _notify_decision(request: ApprovalRequest, task: ApprovalTask, actor) -> None:
    """Tell the submitter: the outcome when the request ended, else that a step was passed."""
    values = {"document": request.document_repr, "approver": actor, "step": task.step_name}
    if request.status == ApprovalStatus.APPROVED:
        title, level = _("审批通过：%(document)s") % values, Notification.Level.SUCCESS
    elif request.status == ApprovalStatus.REJECTED:
        title, level = _("审批被驳回：%(document)s") % values, Notification.Level.DANGER
    elif request.status == ApprovalStatus.RETURNED:
        title, level = _("审批被退回修改：%(document)s") % values, Notification.Level.WARNING
    elif task.status == ApprovalTaskStatus.APPROVED:
        title, level = _("%(approver)s 已同意“%(step)s”：%(document)s") % values, Notification.Level.INFO
    else:
        return
    body = _("%(approver)s：%(comment)s") % {"approver": actor, "comment": task.comment} if task.comment else ""
    url = request_url(request)
    submitter = request.submitter
    transaction.on_commit(lambda: notify(recipients=[submitter], title=title, body=body, url=url, level=level))
