"""Approval endpoints: flows and delegations on the API test base; the inbox, decisions and requests."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from keshang.core import approvals
from keshang.core.models import ApprovalDelegation, ApprovalStatus, ApprovalTaskStatus, ApproverKind
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant

from . import memo_approvals
from .memo_approvals import MEMO, make_flow, make_memo, pending_tasks, submit

# The Memo approvable and the organisation (fixtures, from memo_approvals).
memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org


class TestApprovalFlowAPI(APIResourceTests):
    resource = "core.approvalflow"
    basename = "core-api:approvalflow"
    scoped = False

    @pytest.fixture(autouse=True)
    def _memo_is_approvable(self, memo_approvable):
        """Flows are for registered document types: the memo is one while these tests run."""

    def make_object(self, *, ctx, inside):
        return make_flow({"kind": ApproverKind.MANAGER})

    def create_data(self, *, ctx):
        return {
            "name": "大额备忘",
            "document_type": MEMO,
            "min_amount": "50000.00",
            "customer_levels": ["A"],
            "steps": [
                {"order": 1, "name": "经理", "kind": "manager", "levels_up": 1, "mode": "any"},
                {"order": 2, "name": "总经理", "kind": "manager", "levels_up": 2, "mode": "any"},
            ],
        }

    def update_data(self, *, ctx, obj):
        return {"name": "改名的流程"}


@pytest.mark.django_db
def test_flow_api_validates_steps_per_kind(admin_user, memo_approvable):
    client = APIClient()
    client.force_authenticate(admin_user)
    data = {"name": "缺角色", "document_type": MEMO, "steps": [{"order": 1, "name": "财务", "kind": "role"}]}
    response = client.post(reverse("core-api:approvalflow-list"), data, format="json")
    assert response.status_code == 400
    assert "role" in str(response.json()["fields"])


@pytest.mark.django_db
def test_flow_api_replaces_nested_steps(admin_user, org, memo_approvable):
    # given a flow with one manager step
    flow = make_flow({"kind": ApproverKind.MANAGER, "name": "经理"})
    (step,) = flow.steps.all()
    client = APIClient()
    client.force_authenticate(admin_user)
    # when the step is kept and renamed, and a named-user step added before it
    response = client.patch(
        reverse("core-api:approvalflow-detail", args=[flow.pk]),
        {
            "steps": [
                {"order": 1, "name": "总经理", "kind": "user", "users": [org.boss.pk], "mode": "any"},
                {"id": step.pk, "order": 2, "name": "部门经理", "kind": "manager", "levels_up": 1, "mode": "any"},
            ]
        },
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert [(s["order"], s["name"]) for s in response.json()["steps"]] == [(1, "总经理"), (2, "部门经理")]
    assert flow.steps.get(order=2).pk == step.pk


class TestApprovalDelegationAPI(APIResourceTests):
    resource = "core.approvaldelegation"
    basename = "core-api:approvaldelegation"
    scope = Scope.OWN

    def make_object(self, *, ctx, inside):
        today = timezone.localdate()
        user = ctx.actor if inside else ctx.stranger
        return ApprovalDelegation.objects.create(user=user, delegate=ctx.colleague, starts_on=today, ends_on=today)

    def create_data(self, *, ctx):
        # A delegate holds the approving rights they stand in for (issue 12, finding 12).
        grant(ctx.colleague, "sales.quotation", [Action.APPROVE], Scope.ALL)
        today = timezone.localdate()
        return {
            "delegate": ctx.colleague.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=5)).isoformat(),
            "note": "休假",
        }

    def update_data(self, *, ctx, obj):
        grant(ctx.colleague, "sales.quotation", [Action.APPROVE], Scope.ALL)
        return {"note": "延长休假"}


@pytest.mark.django_db
def test_a_delegation_to_oneself_is_refused_on_the_field(user):
    grant(user, "core.approvaldelegation", [Action.VIEW, Action.ADD], Scope.OWN)
    client = APIClient()
    client.force_authenticate(user)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("core-api:approvaldelegation-list"),
        {"delegate": user.pk, "starts_on": today, "ends_on": today},
        format="json",
    )
    assert response.status_code == 400
    assert "delegate" in response.json()["fields"]
    assert not ApprovalDelegation.objects.exists()


#
# The inbox and decisions
#


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
class TestApprovalTasksAPI:
    def test_the_list_is_the_users_own_tasks_filtered_by_status(self, org, memo_approvable):
        # given a task for the manager and one for the boss
        make_flow({"kind": ApproverKind.MANAGER})
        mine = submit(make_memo(org.rep, title="我的"), org.rep)
        make_flow({"kind": ApproverKind.USER, "users": [org.boss]}, priority=1, min_amount=5000)
        submit(make_memo(org.rep, title="老板的", amount="6000"), org.rep)
        # when
        response = client_for(org.manager).get(reverse("core-api:approvaltask-list"), {"status": "pending"})
        # then
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [(row["request"], row["document"], row["status"]) for row in rows] == [(mine.pk, "我的", "pending")]

    def test_approve_decides_and_returns_the_task(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        task = pending_tasks(request)[0]
        response = client_for(org.manager).post(
            reverse("core-api:approvaltask-approve", args=[task.pk]), {"comment": "同意"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["request_status"]) == ("approved", "approved")

    def test_a_second_decision_is_409_already_decided(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        task = pending_tasks(submit(make_memo(org.rep), org.rep))[0]
        client = client_for(org.manager)
        client.post(reverse("core-api:approvaltask-approve", args=[task.pk]), {}, format="json")
        response = client.post(
            reverse("core-api:approvaltask-reject", args=[task.pk]), {"comment": "不对"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "already_decided"

    @pytest.mark.parametrize("route", ["reject", "return"])
    def test_reject_and_return_need_a_comment(self, org, memo_approvable, route):
        make_flow({"kind": ApproverKind.MANAGER})
        task = pending_tasks(submit(make_memo(org.rep), org.rep))[0]
        response = client_for(org.manager).post(
            reverse(f"core-api:approvaltask-{route}", args=[task.pk]), {"comment": ""}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "comment_required"
        assert "comment" in response.json()["fields"]

    def test_return_sends_the_document_back(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep)
        task = pending_tasks(submit(memo, org.rep))[0]
        response = client_for(org.manager).post(
            reverse("core-api:approvaltask-return", args=[task.pk]), {"comment": "请补充"}, format="json"
        )
        assert response.status_code == 200
        assert approvals.approval_history(memo).get().status == ApprovalStatus.RETURNED
        assert [call[0] for call in memo_approvable.calls] == ["returned"]

    def test_someone_elses_task_is_404(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        task = pending_tasks(submit(make_memo(org.rep), org.rep))[0]
        response = client_for(org.boss).post(reverse("core-api:approvaltask-approve", args=[task.pk]), format="json")
        assert response.status_code == 404
        task.refresh_from_db()
        assert task.status == ApprovalTaskStatus.PENDING

    def test_anonymous_is_refused(self, db):
        assert APIClient().get(reverse("core-api:approvaltask-list")).status_code in (401, 403)


@pytest.mark.django_db
class TestApprovalRequestsAPI:
    def test_submitter_reads_the_request_with_snapshot_changes_and_tasks(self, org, memo_approvable):
        # given an approved memo, edited and resubmitted
        make_flow({"kind": ApproverKind.MANAGER})
        memo = make_memo(org.rep, amount="1000")
        approvals.decide_approval(task=pending_tasks(submit(memo, org.rep))[0], actor=org.manager, decision="approve")
        memo.phone = "2000"
        memo.save()
        request = submit(memo, org.rep)
        # when
        response = client_for(org.rep).get(reverse("core-api:approvalrequest-detail", args=[request.pk]))
        # then
        assert response.status_code == 200
        body = response.json()
        assert body["document_type"] == MEMO
        assert body["changes"] == [
            {"kind": "field", "status": "changed", "label": "金额", "before": "1000", "after": "2000", "columns": []}
        ]
        assert [(task["approver"], task["status"]) for task in body["tasks"]] == [(org.manager.pk, "pending")]

    def test_a_stranger_gets_404_and_a_document_viewer_200(self, org, memo_approvable):
        make_flow({"kind": ApproverKind.MANAGER})
        request = submit(make_memo(org.rep), org.rep)
        url = reverse("core-api:approvalrequest-detail", args=[request.pk])
        viewer = UserFactory()
        grant(viewer, "scopeapp.memo", [Action.VIEW], Scope.ALL)
        assert client_for(UserFactory()).get(url).status_code == 404
        assert client_for(viewer).get(url).status_code == 200


@pytest.mark.django_db
def test_flow_api_takes_the_kind_margin_and_payment_terms_conditions(admin_user, memo_approvable):
    client = APIClient()
    client.force_authenticate(admin_user)
    data = {
        "name": "低毛利",
        "document_type": MEMO,
        "kinds": ["sales"],
        "max_margin_percent": "10.00",
        "nonstandard_terms": True,
        "steps": [{"order": 1, "name": "经理", "kind": "manager", "levels_up": 1, "mode": "any"}],
    }
    response = client.post(reverse("core-api:approvalflow-list"), data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kinds"], body["max_margin_percent"], body["nonstandard_terms"]) == (["sales"], "10.00", True)
    response = client.post(reverse("core-api:approvalflow-list"), {**data, "kinds": "sales"}, format="json")
    assert response.status_code == 400 and "kinds" in response.json()["fields"]
