"""The approval engine (DESIGN.md rule 6) driven through the test-only Memo as the approvable document.

The memo's amount is its ``phone`` field (a number), its department the submitter's; other facts and the
snapshot's lines come from ``MemoApprovable.facts_for`` / ``lines_for`` so each test sets what it needs.
The view and API tests import the fixtures from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from keshang.core import approvals
from keshang.core.approvals import Approvable, ApprovalFacts
from keshang.core.exceptions import ApplicationError
from keshang.core.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalMode,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    ApprovalTask,
    ApprovalTaskStatus,
    ApproverKind,
    AuditAction,
    AuditEntry,
    Notification,
)
from keshang.core.testing.concurrency import run_together
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, RoleFactory, UserFactory

MEMO = "scopeapp.memo"


#
# The Memo approvable and an organisation to approve in (shared with the view and API tests)
#


@dataclass
class MemoApprovable:
    """Registers scopeapp.memo as approvable for one test and records the callbacks it receives."""

    facts_for: dict = field(default_factory=dict)  # memo pk -> extra ApprovalFacts kwargs
    lines_for: dict = field(default_factory=dict)  # memo pk -> snapshot line rows
    headers: list = field(default_factory=lambda: ["商品", "数量", "单价"])  # the snapshot's line columns
    calls: list = field(default_factory=list)  # (callback, memo pk, actor pk, comment, inside a transaction)

    def facts(self, memo) -> ApprovalFacts:
        extra = dict(self.facts_for.get(memo.pk, {}))
        return ApprovalFacts(
            amount=Decimal(memo.phone or "0"),
            department_id=extra.pop("department_id", memo.department_id),
            **extra,
        )

    def snapshot(self, memo) -> dict:
        return {
            "fields": [["标题", memo.title], ["金额", memo.phone]],
            "lines": {"headers": self.headers, "rows": self.lines_for.get(memo.pk, [])},
        }

    def record(self, name, memo, actor, comment=""):
        self.calls.append((name, memo.pk, actor.pk, comment, connection.in_atomic_block))

    def approvable(self) -> Approvable:
        return Approvable(
            model_label=MEMO,
            verbose_name="备忘",
            facts=lambda memo: self.facts(memo),
            snapshot=self.snapshot,
            url=lambda memo: f"/memos/{memo.pk}/",
            on_approved=lambda memo, actor: self.record("approved", memo, actor),
            on_rejected=lambda memo, actor, comment: self.record("rejected", memo, actor, comment),
            on_returned=lambda memo, actor, comment: self.record("returned", memo, actor, comment),
        )


@pytest.fixture
def memo_approvable():
    recorder = MemoApprovable()
    approvals.register_approvable(recorder.approvable())
    yield recorder
    approvals.unregister_approvable(MEMO)


@dataclass
class Org:
    """总部 ⊃ 销售部 ⊃ 华东组; boss (总部) manages manager (销售部) who manages rep and rep2 (华东组)."""

    hq: object
    sales: object
    east: object
    boss: object
    manager: object
    rep: object
    rep2: object


@pytest.fixture
def org(db) -> Org:
    hq = DepartmentFactory(name="总部")
    sales = DepartmentFactory(name="销售部", parent=hq)
    east = DepartmentFactory(name="华东组", parent=sales)
    boss = UserFactory(username="boss", name="赵总", department=hq)
    manager = UserFactory(username="manager", name="钱经理", department=sales, manager=boss)
    rep = UserFactory(username="rep", name="孙销售", department=east, manager=manager)
    rep2 = UserFactory(username="rep2", name="李销售", department=east, manager=manager)
    return Org(hq, sales, east, boss, manager, rep, rep2)


def make_flow(*steps: dict, name="备忘审批", priority=100, departments=(), **conditions) -> ApprovalFlow:
    """A memo flow whose steps are dicts of ApprovalStep fields (``users`` a list)."""
    flow = ApprovalFlow.objects.create(name=name, document_type=MEMO, priority=priority, **conditions)
    flow.departments.set(departments)
    for order, step in enumerate(steps, start=1):
        step = {"name": f"第{order}步", "kind": ApproverKind.MANAGER, **step}
        users = step.pop("users", [])
        created = ApprovalStep.objects.create(flow=flow, order=order, **step)
        created.users.set(users)
    return flow


def make_memo(owner, *, amount="1000", title="采购备忘") -> Memo:
    return Memo.objects.create(title=title, phone=amount, owner=owner, department=owner.department)


def pending_tasks(request) -> list[ApprovalTask]:
    return list(request.tasks.filter(status=ApprovalTaskStatus.PENDING).order_by("pk"))


def submit(memo, actor, **kwargs):
    with transaction.atomic():
        return approvals.submit_for_approval(obj=memo, actor=actor, **kwargs)


#
# Choosing a flow
#


@pytest.mark.django_db
class TestFlowSelection:
    def test_no_flow_for_the_document_type_needs_no_approval(self, org, memo_approvable):
        # given a memo and no memo flow
        memo = make_memo(org.rep)
        # when
        request = submit(memo, org.rep)
        # then
        assert request is None
        assert not ApprovalRequest.objects.exists()

    def test_amount_condition_applies_from_the_threshold_up(self, org, memo_approvable):
        # given a flow for memos of 10 000 and more
        flow = make_flow({}, min_amount=Decimal("10000"))
        # when / then
        facts = memo_approvable.facts
        assert approvals.find_flow(obj=make_memo(org.rep), facts=facts(make_memo(org.rep, amount="9999.99"))) is None
        assert approvals.find_flow(obj=make_memo(org.rep), facts=facts(make_memo(org.rep, amount="10000"))) == flow

    @pytest.mark.parametrize(
        ("conditions", "matching", "not_matching"),
        [
            ({"min_discount_percent": Decimal("15")}, {"discount_percent": Decimal("15")}, {"discount_percent": 14}),
            ({"below_min_price": True}, {"below_min_price": True}, {"below_min_price": False}),
            ({"customer_levels": ["A", "VIP"]}, {"customer_level": "VIP"}, {"customer_level": "B"}),
        ],
        ids=["discount", "below-min-price", "customer-level"],
    )
    def test_each_condition_restricts_the_flow(self, org, memo_approvable, conditions, matching, not_matching):
        # given a flow with one condition
        flow = make_flow({}, **conditions)
        memo = make_memo(org.rep)
        # when / then
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(**matching)) == flow
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(**not_matching)) is None

    def test_department_condition_covers_the_subtree(self, org, memo_approvable):
        # given a flow for the sales department (and below)
        flow = make_flow({}, departments=[org.sales])
        memo = make_memo(org.rep)
        # when / then: 华东组 is under 销售部, 总部 is above it
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(department_id=org.east.pk)) == flow
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(department_id=org.sales.pk)) == flow
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(department_id=org.hq.pk)) is None
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(department_id=None)) is None

    def test_flows_are_tried_by_priority_and_inactive_ones_are_ignored(self, org, memo_approvable):
        # given a general flow, a stricter one tried first, and an inactive one tried before both
        general = make_flow({}, name="一般", priority=50)
        big = make_flow({}, name="大额", priority=10, min_amount=Decimal("50000"))
        make_flow({}, name="停用", priority=1, is_active=False)
        memo = make_memo(org.rep)
        # when / then
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(amount=Decimal("60000"))) == big
        assert approvals.find_flow(obj=memo, facts=ApprovalFacts(amount=Decimal("100"))) == general


#
# Who approves
#


@pytest.mark.django_db
class TestApproverResolution:
    def test_manager_step_goes_to_the_submitters_manager(self, org, memo_approvable):
        # given
        make_flow({"kind": ApproverKind.MANAGER, "levels_up": 1})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then
        assert [task.approver for task in pending_tasks(request)] == [org.manager]

    def test_two_levels_up_is_the_managers_manager(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER, "levels_up": 2})
        request = submit(make_memo(org.rep), org.rep)
        assert [task.approver for task in pending_tasks(request)] == [org.boss]

    def test_role_step_goes_to_active_holders_of_the_role(self, org, memo_approvable):
        # given a 财务 role held by two active users and one who left
        role = RoleFactory(name="财务审核")
        finance = [UserFactory(department=org.hq), UserFactory(department=org.hq)]
        gone = UserFactory(department=org.hq, is_active=False)
        for user in (*finance, gone):
            user.roles.add(role)
        make_flow({"kind": ApproverKind.ROLE, "role": role, "same_department": False, "mode": ApprovalMode.ALL})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then
        assert {task.approver for task in pending_tasks(request)} == set(finance)

    def test_same_department_role_step_looks_in_the_submitters_department_and_above(self, org, memo_approvable):
        # given role holders in 销售部 (above the rep), 总部 (above) and a sibling department (not above)
        role = RoleFactory(name="部门审批")
        sibling = DepartmentFactory(name="华南组", parent=org.sales)
        above = [UserFactory(department=org.sales), UserFactory(department=org.hq)]
        beside = UserFactory(department=sibling)
        for user in (*above, beside):
            user.roles.add(role)
        make_flow({"kind": ApproverKind.ROLE, "role": role, "same_department": True, "mode": ApprovalMode.ALL})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then
        assert {task.approver for task in pending_tasks(request)} == set(above)

    def test_named_users_step_goes_to_those_users(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.USER, "users": [org.boss, org.rep2], "mode": ApprovalMode.ALL})
        request = submit(make_memo(org.rep), org.rep)
        assert {task.approver for task in pending_tasks(request)} == {org.boss, org.rep2}

    def test_the_submitter_is_never_their_own_approver(self, org, memo_approvable):
        # given a named-users step listing the submitter and a colleague
        make_flow({"kind": ApproverKind.USER, "users": [org.rep, org.rep2]})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then only the colleague is asked
        assert [task.approver for task in pending_tasks(request)] == [org.rep2]

    def test_a_step_only_the_submitter_would_approve_passes_automatically(self, org, memo_approvable):
        # given a flow whose first step is the submitter alone, then their manager
        make_flow({"kind": ApproverKind.USER, "users": [org.rep]}, {"kind": ApproverKind.MANAGER})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then step 1 is recorded as passed, step 2 waits for the manager
        auto = request.tasks.get(step_order=1)
        assert (auto.approver, auto.status, auto.comment) == (
            org.rep,
            ApprovalTaskStatus.APPROVED,
            approvals.AUTO_APPROVED_COMMENT,
        )
        assert request.current_step == 2
        assert [task.approver for task in pending_tasks(request)] == [org.manager]

    def test_when_every_step_passes_automatically_the_request_is_approved_at_once(self, org, memo_approvable):
        # given the manager submits and the only step is the manager themself
        make_flow({"kind": ApproverKind.USER, "users": [org.manager]})
        # when
        request = submit(make_memo(org.manager), org.manager)
        # then
        assert request.status == ApprovalStatus.APPROVED
        assert request.decided_at is not None
        assert memo_approvable.calls == []  # the caller sees request.status; no callback on submit

    def test_a_step_without_any_approver_refuses_and_writes_nothing(self, org, memo_approvable):
        # given the boss has no manager, so "manager" finds nobody
        make_flow({"kind": ApproverKind.MANAGER, "name": "上级审批"})
        memo = make_memo(org.boss)
        audit_before = AuditEntry.objects.count()
        # when
        with pytest.raises(ApplicationError) as error:
            submit(memo, org.boss)
        # then
        assert error.value.code == "no_approver"
        assert "上级审批" in error.value.message
        assert not ApprovalRequest.objects.exists()
        assert not ApprovalTask.objects.exists()
        assert AuditEntry.objects.count() == audit_before

    def test_a_manager_chain_too_short_for_the_levels_has_no_approver(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER, "levels_up": 3})
        with pytest.raises(ApplicationError) as error:
            submit(make_memo(org.rep), org.rep)
        assert error.value.code == "no_approver"

    def test_a_delegating_approver_s_task_goes_to_the_delegate(self, org, memo_approvable):
        # given the manager delegates to rep2 this week, and an old delegation to the boss has ended
        today = timezone.localdate()
        ApprovalDelegation.objects.create(
            user=org.manager, delegate=org.boss, starts_on=today - datetime.timedelta(days=30), ends_on=today
        )
        ApprovalDelegation.objects.filter(delegate=org.boss).update(ends_on=today - datetime.timedelta(days=1))
        ApprovalDelegation.objects.create(
            user=org.manager, delegate=org.rep2, starts_on=today, ends_on=today + datetime.timedelta(days=6)
        )
        make_flow({"kind": ApproverKind.MANAGER})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then
        (task,) = pending_tasks(request)
        assert (task.approver, task.delegated_from) == (org.rep2, org.manager)

    def test_a_delegation_to_the_submitter_is_not_followed(self, org, memo_approvable):
        # given the manager delegated to the rep, who now submits
        today = timezone.localdate()
        ApprovalDelegation.objects.create(user=org.manager, delegate=org.rep, starts_on=today, ends_on=today)
        make_flow({"kind": ApproverKind.MANAGER})
        # when
        request = submit(make_memo(org.rep), org.rep)
        # then the manager keeps the task
        (task,) = pending_tasks(request)
        assert (task.approver, task.delegated_from) == (org.manager, None)


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
# Reads: inbox, history, changes, delegations
#


@pytest.mark.django_db
class TestSelectors:
    def test_the_inbox_lists_only_the_users_own_tasks_newest_first(self, org, memo_approvable):
        # given two requests for the manager and one for the boss
        make_flow({"kind": ApproverKind.MANAGER})
        first = submit(make_memo(org.rep, title="一"), org.rep)
        second = submit(make_memo(org.rep2, title="二"), org.rep2)
        make_flow({"kind": ApproverKind.USER, "users": [org.boss]}, name="总经理", priority=1, min_amount=9000)
        submit(make_memo(org.rep, title="三", amount="9000"), org.rep)
        # when / then
        assert [task.request for task in approvals.list_my_tasks(user=org.manager)] == [second, first]
        assert [task.request.document_repr for task in approvals.list_my_tasks(user=org.boss)] == ["三"]
        assert list(approvals.list_my_tasks(user=org.rep)) == []

    def test_done_lists_what_the_user_decided(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        approvals.decide_approval(task=pending_tasks(request)[0], actor=org.manager, decision="approve")
        assert list(approvals.list_my_tasks(user=org.manager)) == []
        assert [task.request for task in approvals.list_my_tasks(user=org.manager, status="done")] == [request]

    def test_history_lists_every_request_newest_first_with_tasks(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        first = submit(memo, org.rep)
        second = submit(memo, org.rep)
        history = list(approvals.approval_history(memo))
        assert history == [second, first]
        assert [task.approver for task in history[0].tasks.all()] == [org.manager]

    def test_snapshot_changes_name_changed_fields_and_lines(self, org, memo_approvable):
        # given an approved memo with two lines, then edited: amount, one price, one line gone, one new
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep, amount="1000")
        memo_approvable.lines_for[memo.pk] = [["螺丝", "10", "1.50"], ["螺母", "5", "0.80"]]
        approved = submit(memo, org.rep)
        approvals.decide_approval(task=pending_tasks(approved)[0], actor=org.manager, decision="approve")
        memo.phone = "900"
        memo.save()
        memo_approvable.lines_for[memo.pk] = [["螺丝", "10", "1.20"], ["垫片", "100", "0.05"]]
        again = submit(memo, org.rep)
        # when
        changes = approvals.snapshot_changes(again)
        # then
        summary = [(change.kind, change.status, change.label, change.columns) for change in changes]
        assert summary == [
            ("field", "changed", "金额", ()),
            ("line", "changed", "螺丝", ("单价",)),
            ("line", "added", "垫片", ()),
            ("line", "removed", "螺母", ()),
        ]
        assert (changes[0].before, changes[0].after) == ("1000", "900")

    def test_a_first_submission_has_no_changes_to_show(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        assert approvals.snapshot_changes(submit(make_memo(org.rep), org.rep)) == []

    def test_active_delegate_honours_dates_and_the_switch(self, org):
        today = timezone.localdate()
        ApprovalDelegation.objects.create(
            user=org.manager, delegate=org.boss, starts_on=today, ends_on=today, is_active=False
        )
        assert approvals.active_delegate(org.manager, on=today) is None
        ApprovalDelegation.objects.create(user=org.manager, delegate=org.rep2, starts_on=today, ends_on=today)
        assert approvals.active_delegate(org.manager, on=today) == org.rep2
        assert approvals.active_delegate(org.manager, on=today + datetime.timedelta(days=1)) is None

    def test_save_delegation_checks_dates_and_is_audited(self, org):
        today = timezone.localdate()
        with pytest.raises(Exception) as error:
            approvals.save_delegation(
                actor=org.manager, delegate=org.boss, starts_on=today, ends_on=today - datetime.timedelta(days=1)
            )
        assert "结束日期不能早于开始日期" in str(error.value)
        delegation = approvals.save_delegation(actor=org.manager, delegate=org.boss, starts_on=today, ends_on=today)
        assert delegation.user == org.manager
        assert AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ApprovalDelegation), action=AuditAction.CREATE
        ).exists()
