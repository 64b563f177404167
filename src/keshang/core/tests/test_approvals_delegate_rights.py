"""Issue 12, finding 12: a delegate must hold the approving rights of the person they stand in for, when the
delegation is saved and again when they act (rights change)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from keshang.core import approvals
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalDelegation, ApprovalStatus, ApproverKind
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

from . import memo_approvals
from .memo_approvals import MEMO, make_flow, make_memo, pending_tasks, submit

memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def delegate_to(user, delegate):
    today = TODAY()
    return approvals.save_delegation(
        actor=user, delegate=delegate, starts_on=today, ends_on=today + datetime.timedelta(days=3)
    )


def test_a_delegate_without_any_approve_right_is_refused(org, memo_approvable):
    warehouse = UserFactory(username="keeper")
    with pytest.raises(ApplicationError) as error:
        delegate_to(org.manager, warehouse)
    assert error.value.code == "delegate_lacks_rights"
    assert "delegate" in error.value.fields
    assert not ApprovalDelegation.objects.exists()


def test_a_delegate_needs_the_delegators_approve_rights_at_a_scope_as_wide(org, memo_approvable):
    grant(org.manager, MEMO, [Action.VIEW, Action.APPROVE], Scope.DEPARTMENT_TREE)
    grant(org.rep2, MEMO, [Action.VIEW, Action.APPROVE], Scope.OWN)
    with pytest.raises(ApplicationError) as error:
        delegate_to(org.manager, org.rep2)
    assert error.value.code == "delegate_lacks_rights"
    grant(org.rep2, MEMO, [Action.APPROVE], Scope.DEPARTMENT_TREE)
    assert delegate_to(org.manager, org.rep2).delegate == org.rep2


def test_the_api_refuses_such_a_delegate_with_the_code(org, memo_approvable):
    grant(org.manager, "core.approvaldelegation", [Action.VIEW, Action.ADD], Scope.OWN)
    client = APIClient()
    client.force_authenticate(org.manager)
    today = TODAY().isoformat()
    response = client.post(
        reverse("core-api:approvaldelegation-list"),
        {"delegate": org.rep2.pk, "starts_on": today, "ends_on": today},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "delegate_lacks_rights"
    assert "代理审批人" in body["message"] or "审批权限" in body["message"]
    assert "delegate" in body["fields"]


def test_a_delegate_who_lost_the_right_cannot_decide_the_delegated_task(org, memo_approvable):
    # given the manager delegated to rep2 while rep2 could approve memos
    role = grant(org.rep2, MEMO, [Action.VIEW, Action.APPROVE], Scope.ALL)
    delegate_to(org.manager, org.rep2)
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    (task,) = pending_tasks(request)
    assert (task.approver, task.delegated_from) == (org.rep2, org.manager)
    # when rep2 loses the right, then the decision is refused
    org.rep2.roles.remove(role)
    org.rep2.forget_grants()
    with pytest.raises(ApplicationError) as error:
        approvals.decide_approval(task=task, actor=org.rep2, decision="approve")
    assert error.value.code == "delegate_lacks_rights"
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    # and through the API it is a 403 with the code
    client = APIClient()
    client.force_authenticate(org.rep2)
    response = client.post(reverse("core-api:approvaltask-approve", args=[task.pk]), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "delegate_lacks_rights"


def test_a_new_step_stays_with_the_approver_when_the_delegate_no_longer_qualifies(org, memo_approvable):
    role = grant(org.rep2, MEMO, [Action.VIEW, Action.APPROVE], Scope.ALL)
    delegate_to(org.manager, org.rep2)
    org.rep2.roles.remove(role)
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    (task,) = pending_tasks(request)
    assert (task.approver, task.delegated_from) == (org.manager, None)


def test_a_qualified_delegate_decides(org, memo_approvable):
    grant(org.rep2, MEMO, [Action.VIEW, Action.APPROVE], Scope.ALL)
    delegate_to(org.manager, org.rep2)
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    (task,) = pending_tasks(request)
    approvals.decide_approval(task=task, actor=org.rep2, decision="approve")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
