"""The approval engine (DESIGN.md rule 6) driven through the test-only Memo as the approvable document
(``memo_approvals``): submitting, deciding step by step, and two decisions at once."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from keshang.core import approvals
from keshang.core.exceptions import ApplicationError
from keshang.core.models import (
    ApprovalMode,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalTask,
    ApprovalTaskStatus,
    ApproverKind,
    AuditAction,
    AuditEntry,
    Notification,
)
from keshang.core.testing.concurrency import run_together

from . import memo_approvals
from .memo_approvals import make_flow, make_memo, pending_tasks, submit

# The Memo approvable and the organisation (fixtures, from memo_approvals).
memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org


#
# Submitting: request contents, notifications, audit, resubmission
#


@pytest.mark.django_db
class TestSubmission:
    def test_the_request_keeps_facts_snapshot_and_notifies_the_approver_after_commit(
        self, org, memo_approvable, django_capture_on_commit_callbacks
    ):
        # given
        flow = make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep, amount="12345.60", title="大额采购")
        memo_approvable.lines_for[memo.pk] = [["螺丝", "10", "1.50"]]
        # when
        with django_capture_on_commit_callbacks(execute=True):
            request = submit(memo, org.rep)
        # then
        assert (request.flow, request.flow_name, request.submitter, request.document_repr) == (
            flow,
            "备忘审批",
            org.rep,
            "大额采购",
        )
        assert request.facts["amount"] == "12345.60"  # a string: money is never a float
        assert request.facts["department_id"] == org.east.pk
        assert request.snapshot["lines"]["rows"] == [["螺丝", "10", "1.50"]]
        assert request.previous_snapshot is None
        notification = Notification.objects.get(recipient=org.manager)
        assert "大额采购" in notification.title
        assert notification.url == f"/core/approvals/requests/{request.pk}/"

    def test_submission_is_audited_on_the_request_and_shows_in_the_documents_history(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        entry = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(ApprovalRequest), object_id=str(request.pk)
        )
        assert (entry.action, entry.user) == (AuditAction.CREATE, org.rep)
        assert entry in AuditEntry.objects.for_object(memo)

    def test_nothing_is_notified_when_the_callers_transaction_rolls_back(
        self, org, memo_approvable, django_capture_on_commit_callbacks
    ):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            approvals.submit_for_approval(obj=memo, actor=org.rep)
            raise RuntimeError("the document failed to save")
        assert not ApprovalRequest.objects.exists()
        assert not Notification.objects.exists()

    def test_resubmitting_cancels_the_pending_request(self, org, memo_approvable):
        # given a pending request
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        first = submit(memo, org.rep)
        # when the edited memo is submitted again
        second = submit(memo, org.rep)
        # then the first is withdrawn and its task needs no decision any more
        first.refresh_from_db()
        assert first.status == ApprovalStatus.CANCELLED
        assert [task.status for task in first.tasks.all()] == [ApprovalTaskStatus.SKIPPED]
        assert approvals.get_pending_request(memo) == second

    def test_resubmitting_an_approved_document_carries_the_approved_snapshot(self, org, memo_approvable):
        # given an approved memo
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep, amount="1000")
        approved = submit(memo, org.rep)
        approvals.decide_approval(task=pending_tasks(approved)[0], actor=org.manager, decision="approve")
        # when it is edited and sent back
        memo.phone = "1500"
        memo.save()
        again = submit(memo, org.rep)
        # then
        assert again.previous_snapshot == approved.snapshot
        assert again.snapshot["fields"][1] == ["金额", "1500"]

    def test_cancel_withdraws_the_pending_request_and_tells_the_approver(
        self, org, memo_approvable, django_capture_on_commit_callbacks
    ):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        with django_capture_on_commit_callbacks(execute=True):
            approvals.cancel_approval(obj=memo, actor=org.rep)
        request.refresh_from_db()
        assert request.status == ApprovalStatus.CANCELLED
        assert approvals.get_pending_request(memo) is None
        assert Notification.objects.filter(recipient=org.manager, title__contains="撤回").exists()
        # and withdrawing again has nothing to do
        approvals.cancel_approval(obj=memo, actor=org.rep)


#
# Deciding
#


@pytest.mark.django_db
class TestDecisions:
    def test_or_sign_one_approval_completes_the_step_and_skips_the_others(self, org, memo_approvable):
        # given a 或签 step of two named users
        make_flow({"kind": ApproverKind.USER, "users": [org.manager, org.boss], "mode": ApprovalMode.ANY})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        manager_task = request.tasks.get(approver=org.manager)
        # when the manager approves
        request = approvals.decide_approval(task=manager_task, actor=org.manager, decision="approve", comment="同意")
        # then
        assert request.status == ApprovalStatus.APPROVED
        assert request.tasks.get(approver=org.boss).status == ApprovalTaskStatus.SKIPPED
        assert memo_approvable.calls == [("approved", memo.pk, org.manager.pk, "", True)]

    def test_countersign_needs_every_approver(self, org, memo_approvable):
        # given a 会签 step of two named users
        make_flow({"kind": ApproverKind.USER, "users": [org.manager, org.boss], "mode": ApprovalMode.ALL})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        # when the first approves
        request = approvals.decide_approval(
            task=request.tasks.get(approver=org.manager), actor=org.manager, decision="approve"
        )
        # then it still waits for the second
        assert request.status == ApprovalStatus.PENDING
        assert memo_approvable.calls == []
        # when the second approves
        request = approvals.decide_approval(
            task=request.tasks.get(approver=org.boss), actor=org.boss, decision="approve"
        )
        # then
        assert request.status == ApprovalStatus.APPROVED
        assert [call[0] for call in memo_approvable.calls] == ["approved"]

    def test_steps_progress_in_order_and_notify_the_next_approver_and_the_submitter(
        self, org, memo_approvable, django_capture_on_commit_callbacks
    ):
        # given manager then boss
        make_flow({"kind": ApproverKind.MANAGER, "name": "经理审批"}, {"kind": ApproverKind.MANAGER, "levels_up": 2})
        memo = make_memo(org.rep, title="年度框架")
        request = submit(memo, org.rep)
        # when the manager approves
        with django_capture_on_commit_callbacks(execute=True):
            request = approvals.decide_approval(
                task=pending_tasks(request)[0], actor=org.manager, decision="approve", comment="可以"
            )
        # then the boss is asked and the rep is told
        assert (request.status, request.current_step) == (ApprovalStatus.PENDING, 2)
        assert [task.approver for task in pending_tasks(request)] == [org.boss]
        assert Notification.objects.filter(recipient=org.boss, title__contains="待您审批").exists()
        assert Notification.objects.filter(recipient=org.rep, title__contains="经理审批").exists()
        # when the boss approves
        with django_capture_on_commit_callbacks(execute=True):
            request = approvals.decide_approval(task=pending_tasks(request)[0], actor=org.boss, decision="approve")
        # then the rep hears the outcome
        assert request.status == ApprovalStatus.APPROVED
        assert Notification.objects.filter(recipient=org.rep, title__contains="审批通过").exists()

    @pytest.mark.parametrize(
        ("decision", "status", "callback"),
        [("reject", ApprovalStatus.REJECTED, "rejected"), ("return", ApprovalStatus.RETURNED, "returned")],
    )
    def test_reject_and_return_end_the_request_and_call_back(
        self, org, memo_approvable, decision, status, callback, django_capture_on_commit_callbacks
    ):
        # given a 会签 step where one has not decided yet, and a later step
        make_flow(
            {"kind": ApproverKind.USER, "users": [org.manager, org.boss], "mode": ApprovalMode.ALL},
            {"kind": ApproverKind.MANAGER, "levels_up": 2},
        )
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        # when the manager says no
        with django_capture_on_commit_callbacks(execute=True):
            request = approvals.decide_approval(
                task=request.tasks.get(approver=org.manager), actor=org.manager, decision=decision, comment="价格太低"
            )
        # then
        assert request.status == status
        assert request.tasks.get(approver=org.boss).status == ApprovalTaskStatus.SKIPPED
        assert memo_approvable.calls == [(callback, memo.pk, org.manager.pk, "价格太低", True)]
        assert Notification.objects.filter(recipient=org.rep, body__contains="价格太低").exists()

    @pytest.mark.parametrize("decision", ["reject", "return"])
    def test_reject_and_return_require_a_comment(self, org, memo_approvable, decision):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        with pytest.raises(ApplicationError) as error:
            approvals.decide_approval(task=pending_tasks(request)[0], actor=org.manager, decision=decision, comment=" ")
        assert error.value.code == "comment_required"
        assert "comment" in error.value.fields
        assert pending_tasks(request)[0].status == ApprovalTaskStatus.PENDING

    def test_someone_else_cannot_decide_a_task(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        with pytest.raises(ApplicationError) as error:
            approvals.decide_approval(task=pending_tasks(request)[0], actor=org.boss, decision="approve")
        assert error.value.code == "not_your_task"
        assert pending_tasks(request)[0].status == ApprovalTaskStatus.PENDING

    def test_a_decided_task_cannot_be_decided_again(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        task = pending_tasks(request)[0]
        approvals.decide_approval(task=task, actor=org.manager, decision="approve")
        with pytest.raises(ApplicationError) as error:
            approvals.decide_approval(task=task, actor=org.manager, decision="reject", comment="改主意了")
        assert error.value.code == "already_decided"
        assert [call[0] for call in memo_approvable.calls] == ["approved"]

    def test_a_withdrawn_requests_task_cannot_be_decided(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        task = pending_tasks(request)[0]
        approvals.cancel_approval(obj=memo, actor=org.rep)
        with pytest.raises(ApplicationError) as error:
            approvals.decide_approval(task=task, actor=org.manager, decision="approve")
        assert error.value.code == "already_decided"

    def test_every_decision_is_audited_in_the_documents_history(self, org, memo_approvable):
        # given
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        task = pending_tasks(request)[0]
        # when
        approvals.decide_approval(task=task, actor=org.manager, decision="approve", comment="好")
        # then the task's decision and the request's new state are both recorded by the manager
        task_entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(ApprovalTask))
        assert (task_entry.action, task_entry.user, task_entry.after["status"]) == (
            AuditAction.STATE,
            org.manager,
            "approved",
        )
        request_entry = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ApprovalRequest), action=AuditAction.STATE
        ).get()
        assert (request_entry.before["status"], request_entry.after["status"]) == ("pending", "approved")
        assert {task_entry, request_entry} <= set(AuditEntry.objects.for_object(memo))


@pytest.mark.django_db(transaction=True)
class TestConcurrentDecisions:
    """Two approvers of a 或签 step, or two clicks of one approver, at the same moment: one decision wins.
    On PostgreSQL the request's row lock serialises them; on SQLite the IMMEDIATE transaction does."""

    def decide_together(self, attempts) -> tuple[list, list]:
        return run_together(
            [
                lambda task=task, actor=actor, decision=decision, comment=comment: approvals.decide_approval(
                    task=task, actor=actor, decision=decision, comment=comment
                )
                for task, actor, decision, comment in attempts
            ]
        )

    def test_two_approvers_of_an_or_sign_step_decide_once(self, org, memo_approvable):
        # given a 或签 step of the manager and the boss
        make_flow({"kind": ApproverKind.USER, "users": [org.manager, org.boss], "mode": ApprovalMode.ANY})
        memo = make_memo(org.rep)
        request = submit(memo, org.rep)
        manager_task, boss_task = request.tasks.get(approver=org.manager), request.tasks.get(approver=org.boss)
        # when one approves while the other rejects
        decided, refused = self.decide_together(
            [(manager_task, org.manager, "approve", ""), (boss_task, org.boss, "reject", "不行")]
        )
        # then exactly one decision happened
        assert len(decided) == 1
        assert refused == ["already_decided"]
        statuses = sorted(ApprovalTask.objects.filter(request=request).values_list("status", flat=True))
        assert statuses in (["approved", "skipped"], ["rejected", "skipped"])
        assert len(memo_approvable.calls) == 1


#
