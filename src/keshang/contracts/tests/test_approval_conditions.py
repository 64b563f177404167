"""Approval flows of contracts per kind, amount, margin and payment terms (issue 13): what ``contract_facts``
tells the engine, and the default flows ``keshang setup`` creates."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from keshang.core.approvals import find_flow
from keshang.core.models import ApprovalFlow
from keshang.sales.tests.document_factories import flow, line

from .. import services
from ..models import ContractKind, ContractStatus, StageTrigger
from ..services import StageInput
from ..services.approvals import contract_facts
from ..services.setup import ensure_default_contract_flows
from .factories import make_contract, make_contract_team, stages

pytestmark = pytest.mark.django_db
S = ContractStatus


@pytest.fixture
def team():
    return make_contract_team()


def with_cost(team, cost):
    team.product.cost_price = Decimal(cost)
    team.product.save()


def test_the_facts_carry_the_kind_and_the_margin_in_percent(team):
    with_cost(team, "90")
    contract = make_contract(team, line(team.product, "10", price="100"))
    facts = contract_facts(contract)
    assert facts.kind == ContractKind.SALES
    assert facts.margin_percent == Decimal("10.00")  # 100 of 1000
    team.product.cost_price = None
    team.product.save()
    assert contract_facts(make_contract(team)).margin_percent is None


@pytest.mark.parametrize(
    ("stage_list", "nonstandard"),
    [
        (stages("30", "70"), False),
        (stages("20", "80"), True),  # a deposit below 30 %
        (
            [StageInput(name="预付", percent=Decimal("30")), StageInput(name="尾款", percent=Decimal("70"), days=90)],
            False,
        ),
        (
            [StageInput(name="预付", percent=Decimal("30")), StageInput(name="尾款", percent=Decimal("70"), days=91)],
            True,
        ),
        (
            [
                StageInput(name="预付", percent=Decimal("30")),
                StageInput(
                    name="尾款",
                    percent=Decimal("70"),
                    trigger=StageTrigger.FIXED_DATE,
                    fixed_date=datetime.date(2031, 1, 1),
                ),
            ],
            True,
        ),
    ],
    ids=["standard", "low-deposit", "90-days", "91-days", "far-fixed-date"],
)
def test_nonstandard_payment_terms(team, stage_list, nonstandard):
    contract = make_contract(team, stage_list=stage_list, sign_date=datetime.date.today())
    assert contract_facts(contract).nonstandard_terms is nonstandard


def test_the_thresholds_of_standard_terms_are_settings(team):
    contract = make_contract(team, stage_list=stages("20", "80"))
    with override_settings(KESHANG_CONTRACT_MIN_DEPOSIT_PERCENT=20):
        assert contract_facts(contract).nonstandard_terms is False
    late = [StageInput(name="预付", percent=Decimal("30")), StageInput(name="尾款", percent=Decimal("70"), days=100)]
    contract = make_contract(team, stage_list=late)
    with override_settings(KESHANG_CONTRACT_STANDARD_MAX_DAYS=120):
        assert contract_facts(contract).nonstandard_terms is False


def test_a_purchase_contract_is_not_held_to_the_deposit_rule(team):
    contract = make_contract(
        team,
        line(team.product, "5", price="50"),
        kind=ContractKind.PURCHASE,
        partner=team.supplier,
        stage_list=stages("10", "90"),
    )
    assert contract_facts(contract).nonstandard_terms is False


def test_a_flow_per_kind_routes_sales_contracts_and_not_purchases(team):
    sales_flow = flow("contracts.contract", kinds=[ContractKind.SALES])
    sale = make_contract(team)
    purchase = make_contract(
        team, line(team.product, "5", price="50"), kind=ContractKind.PURCHASE, partner=team.supplier
    )
    assert find_flow(obj=sale, facts=contract_facts(sale)) == sales_flow
    assert find_flow(obj=purchase, facts=contract_facts(purchase)) is None


def test_a_low_margin_contract_waits_and_a_good_margin_one_does_not(team):
    flow("contracts.contract", max_margin_percent=Decimal("10"))
    with_cost(team, "95")
    low = services.submit_contract(actor=team.rep, contract=make_contract(team, line(team.product, "10", price="100")))
    with_cost(team, "50")
    good = services.submit_contract(actor=team.rep, contract=make_contract(team, line(team.product, "10", price="100")))
    assert (low.status, good.status) == (S.SUBMITTED, S.APPROVED)


def test_nonstandard_terms_wait_and_standard_ones_do_not(team):
    flow("contracts.contract", nonstandard_terms=True)
    late = services.submit_contract(actor=team.rep, contract=make_contract(team, stage_list=stages("10", "90")))
    normal = services.submit_contract(actor=team.rep, contract=make_contract(team))
    assert (late.status, normal.status) == (S.SUBMITTED, S.APPROVED)


def test_the_default_flows_route_large_sales_nonstandard_terms_and_low_margins(team):
    # given the default flows (idempotent)
    ensure_default_contract_flows()
    ensure_default_contract_flows()
    flows = {f.name: f for f in ApprovalFlow.objects.filter(document_type="contracts.contract")}
    assert len(flows) == 3
    large, terms, margin = sorted(flows.values(), key=lambda f: f.priority)
    assert [step.levels_up for step in large.steps.all()] == [1, 2]
    with_cost(team, "50")
    # then a sales contract of ¥500,000 goes to the manager and the manager's manager
    big = make_contract(team, line(team.product, "5000", price="100"))
    assert find_flow(obj=big, facts=contract_facts(big)) == large
    # and a small one with a low deposit to the manager
    small = make_contract(team, line(team.product, "10", price="100"), stage_list=stages("10", "90"))
    assert find_flow(obj=small, facts=contract_facts(small)) == terms
    # and a small standard one with a margin of 10 % to the manager; with a good margin, to nobody
    with_cost(team, "90")
    thin = make_contract(team, line(team.product, "10", price="100"))
    assert find_flow(obj=thin, facts=contract_facts(thin)) == margin
    with_cost(team, "50")
    fine = make_contract(team, line(team.product, "10", price="100"))
    assert find_flow(obj=fine, facts=contract_facts(fine)) is None
    # and a large purchase contract is not a large sales contract
    purchase = make_contract(
        team, line(team.product, "5000", price="100"), kind=ContractKind.PURCHASE, partner=team.supplier
    )
    assert find_flow(obj=purchase, facts=contract_facts(purchase)) is None
