"""Contracts through their services: priced as the sales documents are, numbered per kind, approved by the engine,
signed into force, ordered under, called off within a framework's cap, terminated and expired."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from keshang.catalog.tests.factories import ProductFactory
from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.documents.workflow import TransitionError
from keshang.core.exceptions import ApplicationError
from keshang.sales.models import SalesOrder, SalesOrderStatus
from keshang.sales.services import orders, quotations
from keshang.sales.tests.document_factories import flow, line, make_order, make_quotation

from .. import services
from ..models import Contract, ContractKind, ContractStatus, StageTrigger
from ..services import StageInput
from .factories import approved, effective, make_contract, make_contract_team, stages

pytestmark = pytest.mark.django_db
S = ContractStatus


@pytest.fixture
def team():
    return make_contract_team()


def figures(document):
    return [
        (line.unit_price_net, line.unit_price_gross, line.net_amount, line.tax_amount, line.gross_amount)
        for line in document.lines.order_by("position")
    ]


def test_a_contracts_lines_are_priced_exactly_as_a_quotations_for_the_same_inputs(team):
    given = [
        line(team.product, "3", price="99.99"),
        line(team.product, "7", discount="5"),
        line(team.product, "1.5", price="88.5", entry="net"),
    ]
    contract = make_contract(team, *given)
    quotation = make_quotation(team, *given)
    assert figures(contract) == figures(quotation)
    assert (contract.net_amount, contract.tax_amount, contract.gross_amount) == (
        quotation.net_amount,
        quotation.tax_amount,
        quotation.gross_amount,
    )
    assert [stage.amount for stage in contract.payment_stages.all()] == [
        (contract.gross_amount * Decimal("0.3")).quantize(Decimal("0.01")),
        contract.gross_amount - (contract.gross_amount * Decimal("0.3")).quantize(Decimal("0.01")),
    ]


def test_a_purchase_contract_is_made_with_a_supplier_at_typed_prices(team):
    with pytest.raises(ApplicationError) as refused:
        make_contract(team, line(team.product, "5"), kind=ContractKind.PURCHASE, partner=team.supplier)
    assert refused.value.code == "price_required"
    assert refused.value.message == "采购、包装和加工合同须填写每行单价（第 1 行未填写）。"
    with pytest.raises(ApplicationError) as refused:
        make_contract(team, line(team.product, "5", price="50"), kind=ContractKind.PURCHASE)
    assert refused.value.code == "not_a_supplier"
    with pytest.raises(ApplicationError) as refused:
        make_contract(team, line(team.product, "5"), partner=team.supplier)
    assert refused.value.code == "not_a_customer"
    contract = make_contract(
        team, line(team.product, "5", price="50"), kind=ContractKind.PURCHASE, partner=team.supplier
    )
    assert contract.gross_amount == Decimal("250.00") and contract.expected_margin is None
    assert not Contract.objects.filter(partner=team.partner).exists()


def test_the_expected_margin_is_the_amount_less_the_cost_prices(team):
    team.product.cost_price = Decimal("60")
    team.product.save()
    contract = make_contract(team, line(team.product, "10", price="100"))
    assert contract.expected_margin == Decimal("400.00")


def test_submitting_numbers_the_contract_from_its_kinds_sequence(team):
    sale = approved(team)
    purchase = approved(
        team,
        make_contract(team, line(team.product, "1", price="10"), kind=ContractKind.PURCHASE, partner=team.supplier),
    )
    period = timezone.localdate().strftime("%Y%m")
    assert sale.number == f"CS{period}-00001" and sale.status == S.APPROVED
    assert purchase.number == f"CP{period}-00001"


def test_a_contract_without_payment_stages_is_not_submitted(team):
    contract = make_contract(team, stage_list=[])
    with pytest.raises(ApplicationError) as refused:
        services.submit_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "no_stages"
    contract.refresh_from_db()
    assert contract.status == S.DRAFT and contract.number is None


def test_a_large_contract_waits_for_the_manager_and_cannot_be_signed_before(team):
    flow("contracts.contract", min_amount=Decimal("1000"))
    contract = services.submit_contract(actor=team.rep, contract=make_contract(team, line(team.product, "20")))
    assert contract.status == S.SUBMITTED
    with pytest.raises(TransitionError) as refused:
        services.record_signed(actor=team.rep, contract=contract)
    assert refused.value.code == "invalid_transition"
    task = list_my_tasks(user=team.manager).get()
    decide_approval(task=task, actor=team.manager, decision="approve")
    contract.refresh_from_db()
    assert contract.status == S.APPROVED and contract.approved_at is not None


def test_signing_puts_the_contract_in_force_and_dates_the_stages_due_after_signing(team):
    signing = datetime.date(2025, 9, 30)
    contract = make_contract(
        team,
        stage_list=[
            StageInput(name="预付款", percent=Decimal("30"), days=5, working_days=True),
            StageInput(name="尾款", percent=Decimal("70"), trigger=StageTrigger.AFTER_RECEIPT, days=30),
        ],
    )
    contract = services.record_signed(actor=team.rep, contract=approved(team, contract), sign_date=signing)
    assert contract.status == S.EFFECTIVE and contract.effective_date == signing
    assert [stage.due_date for stage in contract.payment_stages.all()] == [datetime.date(2025, 10, 14), None]


def test_only_a_draft_is_edited_and_only_an_unnumbered_draft_deleted(team):
    contract = approved(team)
    with pytest.raises(ApplicationError) as refused:
        services.update_contract(actor=team.rep, contract=contract, data={}, lines=[line(team.product)])
    assert refused.value.code == "not_editable"
    with pytest.raises(ApplicationError) as refused:
        services.delete_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "not_deletable"
    draft = make_contract(team)
    services.delete_contract(actor=team.rep, contract=draft)
    assert not Contract.objects.filter(pk=draft.pk).exists()


def test_editing_a_draft_keeps_the_stage_shares_and_follows_the_new_amount(team):
    contract = make_contract(team, line(team.product, "10", price="100"))
    contract = services.update_contract(
        actor=team.rep, contract=contract, data={}, lines=[line(team.product, "20", price="100")]
    )
    assert [stage.amount for stage in contract.payment_stages.all()] == [Decimal("600.00"), Decimal("1400.00")]
    assert contract.version == 2


def test_terminating_needs_a_reason_and_a_contract_that_was_approved(team):
    with pytest.raises(TransitionError) as refused:
        services.terminate_contract(actor=team.rep, contract=make_contract(team), reason="客户取消")
    assert refused.value.code == "invalid_transition"
    contract = effective(team)
    with pytest.raises(ApplicationError) as refused:
        services.terminate_contract(actor=team.rep, contract=contract, reason="  ")
    assert refused.value.code == "reason_required"
    contract = services.terminate_contract(actor=team.rep, contract=contract, reason="客户取消")
    assert contract.status == S.TERMINATED and contract.termination_reason == "客户取消"


def test_an_order_from_a_sales_contract_copies_its_lines_and_puts_it_into_execution(team):
    contract = effective(team, make_contract(team, line(team.product, "3", price="99.99")))
    order = services.create_order_from_contract(actor=team.rep, contract=contract)
    assert order.status == SalesOrderStatus.DRAFT and order.gross_amount == contract.gross_amount
    assert figures(order) == figures(contract)
    contract.refresh_from_db()
    assert contract.status == S.EXECUTING
    assert list(contract.order_links.values_list("order", flat=True)) == [order.pk]
    with pytest.raises(ApplicationError) as refused:
        services.create_order_from_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "contract_already_ordered"


def test_no_order_before_approval(team):
    with pytest.raises(ApplicationError) as refused:
        services.create_order_from_contract(actor=team.rep, contract=make_contract(team))
    assert refused.value.code == "contract_not_approved"
    assert not SalesOrder.objects.exists()


def framework(team, quantity="100", capped=True):
    contract = make_contract(
        team, line(team.product, quantity, price="100"), kind=ContractKind.FRAMEWORK, capped=capped
    )
    return effective(team, contract)


def test_call_offs_stay_within_a_capped_frameworks_amount_and_quantities(team):
    contract = framework(team)  # 100 × 100 = 10,000
    first = services.call_off(actor=team.rep, contract=contract, lines=[line(team.product, "60", price="100")])
    assert first.gross_amount == Decimal("6000.00")
    left = services.remaining(contract)
    assert left.amount == Decimal("4000.00") and left.quantities == {team.product.pk: Decimal("40")}
    with pytest.raises(ApplicationError) as refused:
        services.call_off(actor=team.rep, contract=contract, lines=[line(team.product, "41", price="90")])
    assert refused.value.code == "framework_cap_exceeded"
    assert refused.value.message == f"超出框架协议剩余数量：{team.product} 剩余 40。"
    with pytest.raises(ApplicationError) as refused:
        services.call_off(actor=team.rep, contract=contract, lines=[line(team.product, "40", price="110")])
    assert refused.value.message == "超出框架协议剩余金额：本次 4,400.00，剩余 4,000.00。"
    assert SalesOrder.objects.count() == 1
    # a cancelled call-off gives its share back
    orders.cancel_sales_order(actor=team.rep, order=first, reason="客户改期")
    assert services.remaining(contract).amount == Decimal("10000.00")


def test_a_call_off_names_a_product_outside_the_framework(team):
    contract = framework(team)
    other = ProductFactory(name="不在协议中的商品")
    with pytest.raises(ApplicationError) as refused:
        services.call_off(actor=team.rep, contract=contract, lines=[line(other, "1", price="1")])
    assert refused.value.code == "framework_product"
    assert refused.value.message == "商品不在框架协议中：不在协议中的商品。"


def test_an_uncapped_framework_takes_any_call_off_and_a_sales_contract_none(team):
    contract = framework(team, capped=False)
    order = services.call_off(actor=team.rep, contract=contract, lines=[line(team.product, "500", price="100")])
    assert order.gross_amount == Decimal("50000.00")
    with pytest.raises(ApplicationError) as refused:
        services.call_off(actor=team.rep, contract=effective(team), lines=[line(team.product, "1")])
    assert refused.value.code == "not_a_framework"


def test_a_contract_from_an_approved_quotation_and_from_an_order(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team, line(team.product, "4")))
    contract = services.create_contract_from_quotation(actor=team.rep, quotation=quotation)
    assert contract.quotation == quotation and figures(contract) == figures(quotation)
    order = make_order(team, line(team.product, "2"))
    from_order = services.create_contract_from_order(actor=team.rep, order=order)
    assert list(from_order.order_links.values_list("order", flat=True)) == [order.pk]
    with pytest.raises(ApplicationError) as refused:
        services.create_contract_from_order(actor=team.rep, order=order)
    assert refused.value.code == "order_has_contract"
    # signed, it is being executed already: its order exists
    services.set_payment_stages(actor=team.rep, contract=from_order, stages=stages("100"))
    assert effective(team, from_order).status == S.EXECUTING
    with pytest.raises(ApplicationError) as refused:
        services.create_contract_from_quotation(actor=team.rep, quotation=make_quotation(team))
    assert refused.value.code == "quotation_not_approved"


def test_a_rep_neither_sees_nor_changes_another_reps_contract(team):
    contract = make_contract(team)
    assert not Contract.objects.visible_to(team.other_rep).filter(pk=contract.pk).exists()
    with pytest.raises(Contract.DoesNotExist):
        services.submit_contract(actor=team.other_rep, contract=contract)
    with pytest.raises(ApplicationError) as refused:
        make_contract(team, actor=team.other_rep)
    assert refused.value.code == "partner_not_writable"
    assert Contract.objects.visible_to(team.manager).filter(pk=contract.pk).exists()


def test_the_daily_job_expires_contracts_past_their_end_date_unless_executing(team):
    today = timezone.localdate()
    lapsed = approved(team, make_contract(team, end_date=today - datetime.timedelta(days=1)))
    running = effective(team, make_contract(team, end_date=today + datetime.timedelta(days=30)))
    executing = effective(team, make_contract(team, end_date=today + datetime.timedelta(days=1)))
    services.create_order_from_contract(actor=team.rep, contract=executing)
    assert services.expire_contracts(today=today + datetime.timedelta(days=2)) == 1
    assert {c.pk: c.status for c in Contract.objects.all()} == {
        lapsed.pk: S.EXPIRED,
        running.pk: S.EFFECTIVE,
        executing.pk: S.EXECUTING,
    }
