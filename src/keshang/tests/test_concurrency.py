"""Eight workers at once on the shared machinery: document numbers through real orders, confirming one
order, deciding one approval task (issue 6, "concurrency loses nothing").

Each worker is a thread with its own database connection, released together by a barrier; the same
tests run on SQLite (IMMEDIATE transactions under a busy timeout) and PostgreSQL (row locks). They
live in core because they prove core's numbering and approval engine, driven through the sales
order — the one document type that uses both.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.models import ApprovalTask, AuditAction, AuditEntry, NumberSequence
from keshang.core.testing.concurrency import WORKERS, run_together
from keshang.sales.models import SalesOrder, SalesOrderStatus
from keshang.sales.services import orders
from keshang.sales.tests.document_factories import flow, line, make_order, make_team

pytestmark = pytest.mark.django_db(transaction=True)


def state_entries(order) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_id=str(order.pk), action=AuditAction.STATE, after__status="confirmed"))


def test_eight_simultaneous_confirmations_confirm_an_order_once_with_one_number():
    # given one draft order, no approval flow
    team = make_team()
    order = make_order(team)
    # when 8 workers confirm it at the same moment
    confirmed, refused = run_together([lambda: orders.confirm_sales_order(actor=team.rep, order=order)] * WORKERS)
    # then one confirms it, the others are refused in words, and one number was taken
    assert len(confirmed) == 1
    assert refused == ["invalid_transition"] * (WORKERS - 1)
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED and order.number == confirmed[0].number
    assert len(state_entries(order)) == 1
    assert NumberSequence.objects.get(doc_type="SO").last_value == 1


def test_eight_simultaneous_api_confirmations_answer_one_200_and_seven_clear_refusals():
    # given one draft order and 8 API clients of its rep
    team = make_team()
    order = make_order(team)
    url = reverse("sales-api:salesorder-confirm", args=[order.pk])

    def confirm():
        client = APIClient()
        client.force_authenticate(user=team.rep)
        response = client.post(url, {}, format="json")
        return response.status_code, response.json().get("code")

    # when they all post at the same moment
    answers, _refused = run_together([confirm] * WORKERS)
    # then the server never failed (no "database is locked" as a 500): one confirmation, 7 refusals
    assert sorted(answers, key=str) == sorted([(200, None)] + [(400, "invalid_transition")] * (WORKERS - 1), key=str)
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED and len(state_entries(order)) == 1


def test_eight_workers_confirming_their_own_orders_number_them_without_gap_or_repeat():
    # given 8 reps' worth of draft orders, 3 per worker, all dated in one month
    team = make_team()
    batches = [[make_order(team) for _ in range(3)] for _ in range(WORKERS)]

    def confirm_all(batch):
        return [orders.confirm_sales_order(actor=team.rep, order=order).number for order in batch]

    # when
    numbered, refused = run_together([lambda batch=batch: confirm_all(batch) for batch in batches])
    # then the 24 numbers are exactly 1..24 of that month
    assert refused == []
    period = SalesOrder.objects.first().order_date.strftime("%Y%m")
    numbers = sorted(number for batch in numbered for number in batch)
    assert numbers == [f"SO{period}-{value:05d}" for value in range(1, 3 * WORKERS + 1)]
    assert sorted(SalesOrder.objects.values_list("number", flat=True)) == numbers


def test_eight_simultaneous_decisions_of_one_task_decide_it_once():
    # given an order waiting for the manager's approval
    team = make_team()
    flow("sales.salesorder", min_amount=Decimal("100"))
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team, line(team.product, "10")))
    task = list_my_tasks(user=team.manager).get()
    # when 8 workers decide that task at once, half approving and half rejecting
    decisions = [("approve", ""), ("reject", "价格太低")] * (WORKERS // 2)
    decided, refused = run_together(
        [
            lambda decision=decision, comment=comment: decide_approval(
                task=task, actor=team.manager, decision=decision, comment=comment
            )
            for decision, comment in decisions
        ]
    )
    # then one decision stands, once in the audit trail, and the order followed it exactly once
    assert len(decided) == 1
    assert refused == ["already_decided"] * (WORKERS - 1)
    task.refresh_from_db()
    assert task.status in ("approved", "rejected")
    task_type = ContentType.objects.get_for_model(ApprovalTask)
    assert AuditEntry.objects.filter(content_type=task_type, object_id=str(task.pk)).count() == 1
    order.refresh_from_db()
    if task.status == "approved":
        assert order.status == SalesOrderStatus.CONFIRMED and order.number
        assert len(state_entries(order)) == 1
        assert NumberSequence.objects.get(doc_type="SO").last_value == 1
    else:
        assert order.status != SalesOrderStatus.CONFIRMED and order.number is None
        assert not NumberSequence.objects.filter(doc_type="SO", last_value__gt=0).exists()
