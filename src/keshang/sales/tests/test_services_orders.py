import datetime
from decimal import Decimal

import pytest

from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry
from keshang.sales.models import DeliveryStatus, PaymentStatus, SalesOrder, SalesOrderStatus
from keshang.sales.selectors import sales_by_customer_month
from keshang.sales.services import orders, quotations

from .document_factories import flow, line, make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def accepted_quotation(team, *lines):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team, *lines))
    quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    return quotations.accept_quotation(actor=team.rep, quotation=quotation)


def test_an_order_from_an_accepted_quotation_copies_its_lines_exactly(team):
    quotation = accepted_quotation(team, line(team.product, "3", price="99.99"), line(team.product, "1", discount="5"))
    order = orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    assert order.status == SalesOrderStatus.DRAFT and order.number is None and order.quotation == quotation
    assert order.gross_amount == quotation.gross_amount
    pairs = zip(order.lines.order_by("position"), quotation.lines.order_by("position"), strict=True)
    for copied, original in pairs:
        assert (copied.unit_price_gross, copied.gross_amount, copied.price_source) == (
            original.unit_price_gross,
            original.gross_amount,
            original.price_source,
        )


def test_only_an_accepted_quotation_becomes_an_order(team):
    quotation = make_quotation(team)
    with pytest.raises(ApplicationError) as refused:
        orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    assert refused.value.code == "quotation_not_accepted"
    assert not SalesOrder.objects.exists()


def test_confirming_without_a_flow_numbers_the_order(team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    assert order.status == SalesOrderStatus.CONFIRMED
    assert order.number.startswith("SO") and order.confirmed_by == team.rep


def test_a_large_order_waits_for_approval_and_the_approval_confirms_it(team):
    # given orders of 1,000 or more need the manager
    flow("sales.salesorder", min_amount=Decimal("1000"))
    order = make_order(team, line(team.product, "10"))
    # when
    order = orders.confirm_sales_order(actor=team.rep, order=order)
    # then it is not confirmed (and has no number) until the manager approves
    assert order.status == SalesOrderStatus.SUBMITTED and order.number is None
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED and order.number.startswith("SO")


def test_an_order_cannot_be_confirmed_twice(team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    with pytest.raises(ApplicationError) as refused:
        orders.confirm_sales_order(actor=team.rep, order=order)
    assert refused.value.code == "invalid_transition"
    assert AuditEntry.objects.filter(object_id=str(order.pk), action=AuditAction.STATE).count() == 1


def test_a_confirmed_order_is_read_only(team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    with pytest.raises(ApplicationError) as refused:
        orders.update_sales_order(actor=team.rep, order=order, data={}, lines=[line(team.product, "9")])
    assert refused.value.code == "not_editable"


def test_cancelling_needs_a_reason(team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    with pytest.raises(ApplicationError) as refused:
        orders.cancel_sales_order(actor=team.rep, order=order, reason=" ")
    assert refused.value.code == "reason_required"
    order = orders.cancel_sales_order(actor=team.rep, order=order, reason="客户取消")
    assert order.status == SalesOrderStatus.CANCELLED and order.cancel_reason == "客户取消"


def test_delivery_and_payment_status_are_derived_from_reported_totals(team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team, line(team.product, "4")))
    first = order.lines.get()
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("1")})
    assert (order.status, order.delivery_status) == (SalesOrderStatus.PARTIALLY_DELIVERED, DeliveryStatus.PARTIAL)
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("4")})
    assert (order.status, order.delivery_status) == (SalesOrderStatus.DELIVERED, DeliveryStatus.FULL)
    # Reporting the same totals again changes nothing: they are totals, not increments.
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("4")})
    assert order.lines.get().delivered_quantity == Decimal("4")
    with pytest.raises(ApplicationError) as refused:
        orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("5")})
    assert refused.value.code == "invalid_quantity"
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, paid=Decimal("100"))
    assert (order.payment_status, order.paid_amount) == (PaymentStatus.PARTIAL, Decimal("100.00"))
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, paid=order.gross_amount)
    assert (order.payment_status, order.paid_amount) == (PaymentStatus.FULL, order.gross_amount)
    # A return (the inventory's records now add up to less) moves the order back.
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("3")})
    assert order.status == SalesOrderStatus.PARTIALLY_DELIVERED
    order = orders.sync_order_fulfilment(actor=team.rep, order=order, delivered={first.pk: Decimal("4")})
    order = orders.close_sales_order(actor=team.rep, order=order)
    assert order.status == SalesOrderStatus.CLOSED


def test_sales_by_customer_and_month_sums_confirmed_orders_in_scope(team):
    # given two confirmed orders in November, one in October, a draft, and a stranger's confirmed order
    for day in (datetime.date(2026, 11, 3), datetime.date(2026, 11, 20), datetime.date(2026, 10, 5)):
        order = make_order(team, line(team.product, "2"), order_date=day, historic=True)
        orders.confirm_sales_order(actor=team.rep, order=order)
    make_order(team, order_date=datetime.date(2026, 11, 4), historic=True)
    # when the manager asks
    rows = sales_by_customer_month(user=team.manager)
    # then
    assert [(row.month, row.gross_amount, row.orders) for row in rows] == [
        (datetime.date(2026, 10, 1), Decimal("226.00"), 1),
        (datetime.date(2026, 11, 1), Decimal("452.00"), 2),
    ]
    assert sales_by_customer_month(user=team.other_rep) == []


def test_monthly_sales_add_amounts_exactly_to_the_fen(team):
    # given three confirmed orders of one month whose totals floating point cannot add exactly (0.1 + 0.2 + 0.3)
    day = datetime.date(2026, 11, 3)
    confirmed = [
        orders.confirm_sales_order(
            actor=team.rep, order=make_order(team, line(team.product, "1"), order_date=day, historic=True)
        )
        for _ in range(3)
    ]
    for order, amount in zip(confirmed, ("0.10", "0.20", "0.30"), strict=True):
        SalesOrder.objects.filter(pk=order.pk).update(gross_amount_cny=Decimal(amount), net_amount_cny=Decimal(amount))
    # when the manager asks
    (row,) = sales_by_customer_month(user=team.manager)
    # then the sums are the exact amounts, in yuan and fen
    assert (str(row.gross_amount), str(row.net_amount), row.orders) == ("0.60", "0.60", 3)
    assert row.month == datetime.date(2026, 11, 1)
