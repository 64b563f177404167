"""What the approval engine's readers see (inbox, history, what changed since the last approval, delegations),
driven through the test-only Memo (``memo_approvals``)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keshang.core import approvals
from keshang.core.models import (
    ApprovalDelegation,
    ApproverKind,
    AuditAction,
    AuditEntry,
)
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import grant

from . import memo_approvals
from .memo_approvals import make_flow, make_memo, pending_tasks, submit

# The Memo approvable and the organisation (fixtures, from memo_approvals).
memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org


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
        # A delegate holds the approving rights they stand in for (issue 12, finding 12).
        grant(org.boss, "sales.quotation", [Action.APPROVE], Scope.ALL)
        delegation = approvals.save_delegation(actor=org.manager, delegate=org.boss, starts_on=today, ends_on=today)
        assert delegation.user == org.manager
        assert AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ApprovalDelegation), action=AuditAction.CREATE
        ).exists()
