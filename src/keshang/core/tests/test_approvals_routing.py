"""Which approval flow a document goes to, and who approves each of its steps (the engine's routing),
driven through the test-only Memo (``memo_approvals``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from keshang.core import approvals
from keshang.core.approvals import ApprovalFacts
from keshang.core.exceptions import ApplicationError
from keshang.core.models import (
    ApprovalDelegation,
    ApprovalMode,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalTask,
    ApprovalTaskStatus,
    ApproverKind,
    AuditEntry,
)
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, RoleFactory, UserFactory, grant

from . import memo_approvals
from .memo_approvals import make_flow, make_memo, pending_tasks, submit

# The Memo approvable and the organisation (fixtures, from memo_approvals).
memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org

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
            # Issue 13: the document's kind, its margin (an unknown margin matches no margin condition) and
            # non-standard payment terms.
            ({"kinds": ["sales", "framework"]}, {"kind": "sales"}, {"kind": "purchase"}),
            (
                {"max_margin_percent": Decimal("10")},
                {"margin_percent": Decimal("10")},
                {"margin_percent": Decimal("10.01")},
            ),
            ({"max_margin_percent": Decimal("10")}, {"margin_percent": Decimal("-5")}, {"margin_percent": None}),
            ({"nonstandard_terms": True}, {"nonstandard_terms": True}, {"nonstandard_terms": False}),
        ],
        ids=["discount", "below-min-price", "customer-level", "kind", "margin", "margin-unknown", "terms"],
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
        grant(org.rep2, memo_approvals.MEMO, [Action.APPROVE], Scope.ALL)  # a delegate holds the approve right
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
