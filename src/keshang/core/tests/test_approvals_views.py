"""Approval pages: the inbox, a request with its decision form, flow configuration, delegations."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from keshang.core import approvals
from keshang.core.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalStatus,
    ApprovalTaskStatus,
    ApproverKind,
    AuditAction,
    AuditEntry,
)
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import RoleFactory, UserFactory, grant

from . import memo_approvals
from .memo_approvals import make_flow, make_memo, pending_tasks, submit

# The Memo approvable and the organisation (fixtures, from memo_approvals).
memo_approvable = memo_approvals.memo_approvable
org = memo_approvals.org

pytestmark = pytest.mark.django_db

INBOX = reverse("core:approval_inbox")


def request_page(request) -> str:
    return reverse("core:approvalrequest_detail", args=[request.pk])


#
# The inbox
#


def test_the_inbox_shows_only_the_users_own_pending_tasks(client, org, memo_approvable):
    # given one memo waiting for the manager, one for the boss
    make_flow({"kind": ApproverKind.MANAGER})
    submit(make_memo(org.rep, title="经理的"), org.rep)
    make_flow({"kind": ApproverKind.USER, "users": [org.boss]}, priority=1, min_amount=5000)
    submit(make_memo(org.rep, title="总经理的", amount="5000"), org.rep)
    client.force_login(org.manager)
    # when
    response = client.get(INBOX)
    # then
    assert response.status_code == 200
    assert "经理的" in response.content.decode()
    assert "总经理的" not in response.content.decode()


def test_the_done_tab_lists_decided_tasks_and_search_narrows_by_document(client, org, memo_approvable):
    # given two memos the manager approved
    make_flow({"kind": ApproverKind.MANAGER})
    for title in ("螺丝采购", "办公用品"):
        request = submit(make_memo(org.rep, title=title), org.rep)
        approvals.decide_approval(task=pending_tasks(request)[0], actor=org.manager, decision="approve")
    client.force_login(org.manager)
    # when
    pending = client.get(INBOX).content.decode()
    done = client.get(INBOX, {"tab": "done", "q": "螺丝"}).content.decode()
    # then
    assert "螺丝采购" not in pending
    assert "螺丝采购" in done
    assert "办公用品" not in done


def test_the_home_page_widget_lists_pending_tasks(client, org, memo_approvable):
    make_flow({"kind": ApproverKind.MANAGER})
    submit(make_memo(org.rep, title="待批备忘"), org.rep)
    client.force_login(org.manager)
    response = client.get(reverse("web:home"))
    assert 'data-testid="widget-approvals"' in response.content.decode()
    assert "待批备忘" in response.content.decode()


def test_the_inbox_is_in_everyones_menu(client, org):
    client.force_login(org.rep)
    assert INBOX in client.get(reverse("web:home")).content.decode()


#
# The request page
#


@pytest.mark.parametrize("who", ["submitter", "approver", "document_viewer"])
def test_the_request_page_opens_for_the_submitter_the_approvers_and_document_viewers(client, org, memo_approvable, who):
    # given a pending request, and a stranger who may view every memo
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep, title="框架协议"), org.rep)
    viewer = UserFactory()
    grant(viewer, "scopeapp.memo", [Action.VIEW], Scope.ALL)
    user = {"submitter": org.rep, "approver": org.manager, "document_viewer": viewer}[who]
    client.force_login(user)
    # when
    response = client.get(request_page(request))
    # then
    assert response.status_code == 200
    assert "框架协议" in response.content.decode()
    # only the approver gets the decision form
    assert ('data-testid="decision-form"' in response.content.decode()) == (who == "approver")


def test_a_stranger_gets_404_on_the_request_page(client, org, memo_approvable):
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    client.force_login(UserFactory())
    assert client.get(request_page(request)).status_code == 404


def test_the_request_page_shows_the_steps_to_come_with_who_will_decide(client, org, memo_approvable):
    # given a three-step flow: the manager, the boss by name, then the submitter's manager four levels up
    # (nobody: the request will stop there); the rep submitted and nothing is decided yet
    make_flow(
        {"kind": ApproverKind.MANAGER, "name": "经理审批"},
        {"kind": ApproverKind.USER, "name": "总经理审批", "users": [org.boss]},
        {"kind": ApproverKind.MANAGER, "name": "董事会审批", "levels_up": 4},
    )
    request = submit(make_memo(org.rep), org.rep)
    client.force_login(org.rep)
    # when
    response = client.get(request_page(request))
    # then every step is listed in order with its state, the later ones with their approvers
    steps = response.context["steps"]
    assert [(step.name, step.state) for step in steps] == [
        ("经理审批", approvals.StepState.CURRENT),
        ("总经理审批", approvals.StepState.UPCOMING),
        ("董事会审批", approvals.StepState.UPCOMING),
    ]
    assert steps[1].approvers == [org.boss]
    assert steps[2].approvers == [] and not steps[2].automatic
    html = response.content.decode()
    assert html.count('data-testid="approval-step"') == 3
    assert f"审批人：{org.boss}" in html
    assert "找不到审批人" in html


def test_a_step_to_come_that_only_the_submitter_approves_says_it_will_pass_by_itself(client, org, memo_approvable):
    # given the manager submits to a flow whose second step is the manager themself
    make_flow(
        {"kind": ApproverKind.MANAGER, "name": "上级审批"},
        {"kind": ApproverKind.USER, "name": "经理复核", "users": [org.manager]},
    )
    request = submit(make_memo(org.manager), org.manager)
    client.force_login(org.manager)
    # when
    response = client.get(request_page(request))
    # then
    assert response.context["steps"][1].automatic
    assert "提交人即审批人，将自动通过" in response.content.decode()


def test_a_rejected_request_shows_the_passed_steps_done_and_the_rejecting_step_ended(client, org, memo_approvable):
    # given a two-step flow, the first step approved and the second rejected
    make_flow({"kind": ApproverKind.MANAGER, "name": "经理审批"}, {"kind": ApproverKind.MANAGER, "levels_up": 2})
    request = submit(make_memo(org.rep), org.rep)
    approvals.decide_approval(task=pending_tasks(request)[0], actor=org.manager, decision="approve")
    approvals.decide_approval(task=pending_tasks(request)[0], actor=org.boss, decision="reject", comment="超预算")
    client.force_login(org.rep)
    # when
    steps = client.get(request_page(request)).context["steps"]
    # then no step is still to come: the request ended at the second
    assert [step.state for step in steps] == [approvals.StepState.DONE, approvals.StepState.ENDED]


def test_approving_from_the_page_goes_back_to_the_inbox_with_a_message(client, org, memo_approvable):
    # given
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep, title="展会物料"), org.rep)
    client.force_login(org.manager)
    # when
    response = client.post(request_page(request), {"decision": "approve", "comment": "同意，注意控制预算"}, follow=True)
    # then
    assert response.redirect_chain[-1][0] == INBOX
    assert "已同意“展会物料”" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    assert request.tasks.get().comment == "同意，注意控制预算"


def test_rejecting_without_a_comment_shows_a_field_error_and_changes_nothing(client, org, memo_approvable):
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    client.force_login(org.manager)
    response = client.post(request_page(request), {"decision": "reject", "comment": ""})
    assert response.status_code == 200
    assert "驳回或退回时请填写审批意见。" in response.content.decode()
    assert pending_tasks(request)[0].status == ApprovalTaskStatus.PENDING


def test_a_second_click_after_the_decision_is_told_it_was_decided(client, org, memo_approvable):
    make_flow({"kind": ApproverKind.MANAGER})
    request = submit(make_memo(org.rep), org.rep)
    client.force_login(org.manager)
    client.post(request_page(request), {"decision": "approve"})
    response = client.post(request_page(request), {"decision": "approve"}, follow=True)
    assert "该审批已处理" in response.content.decode()
    assert request.tasks.filter(status=ApprovalTaskStatus.APPROVED).count() == 1


def test_the_page_highlights_changes_since_the_last_approval_and_shows_delegations(client, org, memo_approvable):
    # given an approved memo, edited and resubmitted while the manager delegates to rep2
    make_flow({"kind": ApproverKind.MANAGER})
    memo = make_memo(org.rep, amount="1000")
    memo_approvable.lines_for[memo.pk] = [["螺丝", "10", "1.50"]]
    approvals.decide_approval(task=pending_tasks(submit(memo, org.rep))[0], actor=org.manager, decision="approve")
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=org.manager, delegate=org.rep2, starts_on=today, ends_on=today)
    grant(org.rep2, memo_approvals.MEMO, [Action.APPROVE], Scope.ALL)  # a delegate holds the approve right
    memo.phone = "800"
    memo.save()
    memo_approvable.lines_for[memo.pk] = [["螺丝", "10", "1.20"]]
    request = submit(memo, org.rep)
    client.force_login(org.rep2)
    # when
    html = client.get(request_page(request)).content.decode()
    # then
    assert html.count('data-changed="true"') == 2  # 金额 and the line's 单价
    assert "<del" in html and "1000" in html
    assert f"{org.rep2}（代{org.manager}）" in html


def test_the_history_partial_lists_requests_with_their_approvers(org, memo_approvable):
    make_flow({"kind": ApproverKind.MANAGER})
    memo = make_memo(org.rep)
    request = submit(memo, org.rep)
    approvals.decide_approval(task=pending_tasks(request)[0], actor=org.manager, decision="return", comment="补充附件")
    html = render_to_string(
        "core/approvals/history.html",
        {"approval_requests": approvals.approval_history(memo)},
    )
    assert "退回修改" in html
    assert "补充附件" in html
    assert request_page(request) in html


#
# Flow configuration
#


@pytest.fixture(autouse=True)
def customer_levels(monkeypatch):
    """The levels a flow may name, as partners registers them in a running site (fixed here)."""
    from keshang.core.approvals import registry

    monkeypatch.setitem(registry._condition_choices, "customer_levels", lambda: [("A", "A 类"), ("VIP", "VIP")])


def flow_post(**overrides) -> dict:
    data = {
        "name": "大额备忘",
        "document_type": "scopeapp.memo",
        "priority": "10",
        "is_active": "on",
        "min_amount": "10000",
        "min_discount_percent": "",
        "customer_levels": ["A", "VIP"],
        "description": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-order": "1",
        "steps-0-name": "经理审批",
        "steps-0-kind": "manager",
        "steps-0-levels_up": "1",
        "steps-0-mode": "any",
        "steps-0-same_department": "on",
        # A blank row as the browser posts it: the defaults shown, nothing typed (so it is not saved).
        "steps-1-order": "",
        "steps-1-name": "",
        "steps-1-kind": "manager",
        "steps-1-levels_up": "1",
        "steps-1-mode": "any",
        "steps-1-same_department": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_flow_with_its_steps(client, admin_user, memo_approvable):
    # given
    client.force_login(admin_user)
    # when
    response = client.post(reverse("core:approvalflow_add"), flow_post())
    # then
    flow = ApprovalFlow.objects.get()
    assert response.status_code == 302
    assert (flow.min_amount, flow.customer_levels) == (10000, ["A", "VIP"])
    assert [(step.order, step.name, step.kind) for step in flow.steps.all()] == [(1, "经理审批", "manager")]
    assert AuditEntry.objects.filter(object_repr="大额备忘", action=AuditAction.CREATE).exists()
    assert AuditEntry.objects.for_object(flow).filter(object_repr="1. 经理审批").exists()


def test_a_role_step_without_a_role_is_refused_on_the_field(client, admin_user, memo_approvable):
    client.force_login(admin_user)
    response = client.post(reverse("core:approvalflow_add"), flow_post(**{"steps-0-kind": "role"}))
    assert response.status_code == 200
    assert "按角色审批时请选择角色。" in response.content.decode()
    assert not ApprovalFlow.objects.exists()


def test_a_flow_without_steps_is_refused(client, admin_user, memo_approvable):
    client.force_login(admin_user)
    response = client.post(reverse("core:approvalflow_add"), flow_post(**{"steps-0-order": "", "steps-0-name": ""}))
    assert "审批流程至少需要一个步骤。" in response.content.decode()
    assert not ApprovalFlow.objects.exists()


def test_an_unregistered_document_type_is_not_offered(client, admin_user, memo_approvable):
    client.force_login(admin_user)
    response = client.post(reverse("core:approvalflow_add"), flow_post(document_type="sales.nothing"))
    assert response.status_code == 200
    assert not ApprovalFlow.objects.exists()


def test_editing_a_flow_reorders_and_replaces_steps(client, admin_user, org, memo_approvable):
    # given a flow: 1 manager, 2 named boss
    role = RoleFactory(name="财务")
    flow = make_flow(
        {"kind": ApproverKind.MANAGER, "name": "经理"},
        {"kind": ApproverKind.USER, "users": [org.boss], "name": "总经理"},
    )
    first, second = flow.steps.order_by("order")
    client.force_login(admin_user)
    # when the boss step moves first and the manager step becomes a role step
    data = flow_post(
        **{
            "steps-INITIAL_FORMS": "2",
            "steps-0-pk": str(first.pk),
            "steps-0-order": "2",
            "steps-0-name": "财务",
            "steps-0-kind": "role",
            "steps-0-role": str(role.pk),
            "steps-1-pk": str(second.pk),
            "steps-1-order": "1",
            "steps-1-name": "总经理",
            "steps-1-kind": "user",
            "steps-1-users": [str(org.boss.pk)],
            "steps-1-levels_up": "1",
            "steps-1-mode": "any",
        }
    )
    response = client.post(reverse("core:approvalflow_edit", args=[flow.pk]), data)
    # then
    assert response.status_code == 302, response.content.decode()
    steps = list(flow.steps.order_by("order"))
    assert [(step.pk, step.order, step.name, step.role) for step in steps] == [
        (second.pk, 1, "总经理", None),
        (first.pk, 2, "财务", role),
    ]


def test_a_flow_with_pending_requests_cannot_be_deleted(client, admin_user, org, memo_approvable):
    flow = make_flow({"kind": ApproverKind.MANAGER})
    submit(make_memo(org.rep), org.rep)
    client.force_login(admin_user)
    response = client.post(reverse("core:approvalflow_delete", args=[flow.pk]), follow=True)
    assert "还有审批中的单据" in response.content.decode()
    assert ApprovalFlow.objects.filter(pk=flow.pk).exists()


def test_flows_are_for_administrators_only(client, org):
    client.force_login(org.manager)
    assert client.get(reverse("core:approvalflow_list")).status_code == 403


def test_the_flow_detail_lists_its_steps(client, admin_user, org, memo_approvable):
    flow = make_flow({"kind": ApproverKind.MANAGER, "levels_up": 2, "name": "二级上级"})
    client.force_login(admin_user)
    html = client.get(reverse("core:approvalflow_detail", args=[flow.pk])).content.decode()
    assert "二级上级" in html
    assert "向上 2 级" in html


#
# Delegations
#


def test_a_user_creates_and_lists_only_their_own_delegations(client, org):
    # given the default role grants (own delegations) and someone else's delegation
    for user in (org.manager, org.boss):
        grant(user, "core.approvaldelegation", [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE], Scope.OWN)
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=org.boss, delegate=org.rep2, starts_on=today, ends_on=today, note="老板的")
    grant(org.rep, "sales.quotation", [Action.APPROVE], Scope.ALL)  # a delegate holds an approve right
    client.force_login(org.manager)
    # when
    response = client.post(
        reverse("core:approvaldelegation_add"),
        {
            "delegate": org.rep.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=3)).isoformat(),
            "is_active": "on",
            "note": "出差",
        },
    )
    listing = client.get(reverse("core:approvaldelegation_list")).content.decode()
    # then
    assert response.status_code == 302
    assert ApprovalDelegation.objects.get(note="出差").user == org.manager
    assert "出差" in listing
    assert str(org.rep) in listing
    assert "老板的" not in listing


def test_the_flow_page_saves_the_kind_margin_and_payment_terms_conditions(
    client, admin_user, memo_approvable, monkeypatch
):
    # given kinds registered by an app (contracts, issue 13)
    from keshang.core.approvals import registry

    monkeypatch.setitem(registry._condition_choices, "kinds", lambda: [("sales", "销售合同"), ("purchase", "采购合同")])
    client.force_login(admin_user)
    # when a flow is saved with the three conditions
    data = flow_post(kinds=["sales"], max_margin_percent="10", nonstandard_terms="on")
    response = client.post(reverse("core:approvalflow_add"), data)
    # then they are stored and described in the list
    assert response.status_code == 302
    flow = ApprovalFlow.objects.get()
    assert (flow.kinds, flow.max_margin_percent, flow.nonstandard_terms) == (["sales"], 10, True)
    page = client.get(reverse("core:approvalflow_list")).content.decode()
    assert "种类：销售合同" in page and "毛利率 ≤ 10.00%" in page and "非标准付款条件" in page
    # and the edit page offers them
    page = client.get(reverse("core:approvalflow_edit", args=[flow.pk])).content.decode()
    assert 'name="kinds"' in page and 'name="max_margin_percent"' in page and 'name="nonstandard_terms"' in page
