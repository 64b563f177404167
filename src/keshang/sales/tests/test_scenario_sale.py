"""Opportunity → quotation with a big discount → approval by the manager → order → confirmation, with the audit
trail checked at each step (STYLE.md §11, after Tryton's scenario_sale)."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.models import ApprovalRequest, ApprovalStatus, AuditAction, AuditEntry
from keshang.sales.models import Opportunity, QuotationStatus, SalesOrderStatus
from keshang.sales.services import opportunities, orders, quotations
from keshang.sales.services.setup import ensure_default_flows

from .document_factories import line, make_team
from .factories import default_stages

pytestmark = pytest.mark.django_db


def trail(obj) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return list(entries.order_by("pk").values_list("action", "user_name"))


def test_from_opportunity_to_confirmed_order(django_capture_on_commit_callbacks):
    # given the default flows, stages and a sales team
    ensure_default_flows()
    stages = default_stages()
    team = make_team()
    opportunity = opportunities.create_opportunity(
        actor=team.rep,
        data={
            "name": "年度采购项目",
            "partner": team.partner,
            "stage": stages["方案报价"],
            "expected_amount": Decimal("5000"),
        },
    )
    assert Opportunity.objects.visible_to(team.rep).filter(pk=opportunity.pk).exists()

    # when the rep quotes 20 % off the list price for that opportunity and submits
    quotation = quotations.create_quotation(
        actor=team.rep,
        data={"partner": team.partner, "opportunity": opportunity},
        lines=[line(team.product, "40", discount="20")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)

    # then it waits for the manager, who has a task and a notification
    assert quotation.status == QuotationStatus.SUBMITTED
    assert quotation.gross_amount == Decimal("3616.00")
    rep = team.rep.username
    assert trail(quotation) == [(AuditAction.CREATE, rep), (AuditAction.STATE, rep)]
    task = list_my_tasks(user=team.manager).get()
    assert task.request.flow_name == "报价折扣超过 15%"
    assert team.manager.notifications.filter(read_at__isnull=True).exists()

    # when the manager approves from the inbox
    with django_capture_on_commit_callbacks(execute=True):
        decide_approval(task=task, actor=team.manager, decision="approve", comment="大客户，同意")
    quotation.refresh_from_db()
    request = ApprovalRequest.objects.get(object_id=quotation.pk)

    # then the quotation is approved by the manager's decision, and the rep is told
    assert quotation.status == QuotationStatus.APPROVED
    assert request.status == ApprovalStatus.APPROVED
    assert trail(quotation)[-1] == (AuditAction.STATE, team.manager.username)
    assert team.rep.notifications.exists()

    # when it is sent, accepted and turned into an order that the rep confirms
    quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    quotation = quotations.accept_quotation(actor=team.rep, quotation=quotation)
    order = orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    order = orders.confirm_sales_order(actor=team.rep, order=order)
    # price control holds on the order too (issue 12, finding 1): the manager approves its 20 % discount again
    assert order.status == SalesOrderStatus.SUBMITTED
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    order.refresh_from_db()

    # then the order is confirmed with a number, the quotation's money, and its own trail
    assert order.status == SalesOrderStatus.CONFIRMED and order.number.startswith("SO")
    assert order.gross_amount == quotation.gross_amount
    manager = team.manager.username
    assert trail(order) == [(AuditAction.CREATE, rep), (AuditAction.STATE, rep), (AuditAction.STATE, manager)]
    assert [action for action, _user in trail(quotation)] == [
        AuditAction.CREATE,
        AuditAction.STATE,  # submitted
        AuditAction.STATE,  # approved
        AuditAction.STATE,  # sent
        AuditAction.STATE,  # accepted
    ]
