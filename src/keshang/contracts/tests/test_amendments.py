"""Amendments (补充协议, issue 13): a contract in force is changed by its next revision, which replaces it only
once approved; the old revision is kept with its lines and stages."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.documents.workflow import TransitionError
from keshang.core.exceptions import ApplicationError
from keshang.sales.tests.document_factories import flow, line

from .. import services
from ..models import Contract, ContractOrder, ContractStatus
from ..services.approvals import contract_snapshot
from .factories import effective, make_contract, make_contract_team, stages

pytestmark = pytest.mark.django_db
S = ContractStatus


@pytest.fixture
def team():
    return make_contract_team()


def lines_of(contract):
    return [(line.product_id, line.quantity, line.unit_price_gross, line.gross_amount) for line in contract.lines.all()]


def edit(team, amendment, quantity="20"):
    return services.update_contract(
        actor=team.rep, contract=amendment, data={}, lines=[line(team.product, quantity)], stages=stages("50", "50")
    )


def test_an_amendment_is_the_next_revision_with_the_same_number_and_a_copy_of_the_contract(team):
    # given a contract in force
    contract = effective(team)
    # when it is amended
    amendment = services.amend_contract(actor=team.rep, contract=contract)
    # then the amendment is a draft with the same number, the next revision, shown -A1, its lines as priced
    assert (amendment.number, amendment.revision, amendment.revised_from) == (contract.number, 2, contract)
    assert amendment.status == S.DRAFT and str(amendment) == f"{contract.number}-A1"
    assert lines_of(amendment) == lines_of(contract)
    assert [(s.name, s.percent, s.amount) for s in amendment.payment_stages.all()] == [
        (s.name, s.percent, s.amount) for s in contract.payment_stages.all()
    ]
    assert amendment.gross_amount == contract.gross_amount and amendment.title == contract.title
    # and the contract itself is still in force until the amendment is approved
    contract.refresh_from_db()
    assert contract.status == S.EFFECTIVE


def test_only_a_contract_in_force_is_amended(team):
    draft = make_contract(team)
    with pytest.raises(TransitionError) as refused:
        services.amend_contract(actor=team.rep, contract=draft)
    assert refused.value.code == "invalid_transition"


def test_only_one_amendment_is_open_at_a_time(team):
    contract = effective(team)
    services.amend_contract(actor=team.rep, contract=contract)
    with pytest.raises(ApplicationError) as refused:
        services.amend_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "amendment_open"
    assert Contract.objects.filter(number=contract.number).count() == 2


def test_an_abandoned_amendment_draft_may_be_deleted_and_another_made(team):
    contract = effective(team)
    amendment = services.amend_contract(actor=team.rep, contract=contract)
    services.delete_contract(actor=team.rep, contract=amendment)
    again = services.amend_contract(actor=team.rep, contract=contract)
    assert again.revision == 2


def test_the_old_revision_is_superseded_only_when_the_amendment_is_approved(team):
    # given a flow for every contract and a contract in force with an order under it
    contract = effective(team)
    order = services.create_order_from_contract(actor=team.rep, contract=contract)
    contract.refresh_from_db()
    assert contract.status == S.EXECUTING
    flow("contracts.contract")
    # when an amendment with more goods is submitted
    amendment = edit(team, services.amend_contract(actor=team.rep, contract=contract))
    amendment = services.submit_contract(actor=team.rep, contract=amendment)
    # then, while it waits, the old revision is in force with its order
    contract.refresh_from_db()
    assert amendment.status == S.SUBMITTED and contract.status == S.EXECUTING
    assert ContractOrder.objects.get(order=order).contract == contract
    # when the manager approves it
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    # then the old revision is 已变更 and the amendment in force as the old one was, with the order
    contract.refresh_from_db()
    amendment.refresh_from_db()
    assert contract.status == S.SUPERSEDED and contract.get_status_display() == "已变更"
    assert amendment.status == S.EXECUTING and amendment.effective_date == contract.effective_date
    assert ContractOrder.objects.get(order=order).contract == amendment
    # and history is kept: the old revision's lines and stages are as they were
    assert [ln.quantity for ln in contract.lines.all()] == [Decimal("10")]
    assert [s.percent for s in contract.payment_stages.all()] == [Decimal("30"), Decimal("70")]
    assert [ln.quantity for ln in amendment.lines.all()] == [Decimal("20")]
    # and a superseded revision is read-only and cannot be amended again
    with pytest.raises(ApplicationError) as refused:
        services.update_contract(actor=team.rep, contract=contract, data={}, lines=[line(team.product, "1")])
    assert refused.value.code == "not_editable"
    with pytest.raises(TransitionError) as refused:
        services.amend_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "invalid_transition"
    # and the amendment itself may be amended: -A2
    second = services.amend_contract(actor=team.rep, contract=amendment)
    assert (second.revision, str(second)) == (3, f"{contract.number}-A2")


def test_a_returned_amendment_leaves_the_contract_in_force(team):
    contract = effective(team)
    flow("contracts.contract")
    amendment = services.submit_contract(
        actor=team.rep, contract=edit(team, services.amend_contract(actor=team.rep, contract=contract))
    )
    decide_approval(
        task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="reject", comment="数量不对"
    )
    contract.refresh_from_db()
    amendment.refresh_from_db()
    assert (contract.status, amendment.status) == (S.EFFECTIVE, S.DRAFT)


def test_approvers_compare_the_amendment_with_the_last_approved_revision(team):
    # given a contract approved through a flow, in force
    flow("contracts.contract")
    contract = services.submit_contract(actor=team.rep, contract=make_contract(team))
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    contract = services.record_signed(actor=team.rep, contract=Contract.objects.get(pk=contract.pk))
    approved_snapshot = contract_snapshot(Contract.objects.get(pk=contract.pk))
    # when its amendment is submitted
    amendment = edit(team, services.amend_contract(actor=team.rep, contract=contract))
    services.submit_contract(actor=team.rep, contract=amendment)
    # then the request carries the old revision's approved snapshot to compare
    request = list_my_tasks(user=team.manager).get().request
    assert request.previous_snapshot is not None
    assert request.previous_snapshot["lines"] == approved_snapshot["lines"]
    assert request.snapshot["lines"] != request.previous_snapshot["lines"]


def test_an_amendment_approved_without_a_flow_takes_effect_at_once(team):
    contract = effective(team)
    amendment = services.submit_contract(
        actor=team.rep, contract=edit(team, services.amend_contract(actor=team.rep, contract=contract))
    )
    contract.refresh_from_db()
    assert (contract.status, amendment.status) == (S.SUPERSEDED, S.EFFECTIVE)
    assert amendment.number == contract.number and amendment.revision == 2


def test_the_compare_page_shows_a_changed_line_and_is_linked_from_both_revisions(team, client):
    # given a contract in force and its amendment with another quantity
    contract = effective(team)
    amendment = edit(team, services.amend_contract(actor=team.rep, contract=contract))
    client.force_login(team.rep)
    # when the rep opens the comparison
    page = client.get(reverse("contracts:contract_compare", args=[amendment.pk]))
    # then the changed line is highlighted, old and new quantity side by side
    assert page.status_code == 200
    lines = page.content.decode().split('data-testid="compare-lines"')[1].split("</section>")[0]
    assert 'data-changed="1"' in lines and ">10<" in lines and ">20<" in lines
    assert page.content.decode().count('data-changed="1"') >= 2  # the line and the amount (and the stages)
    # and both detail pages link to it
    compare_url = reverse("contracts:contract_compare", args=[amendment.pk])
    for revision in (contract, amendment):
        assert compare_url in client.get(reverse("contracts:contract_detail", args=[revision.pk])).content.decode()
    # and opened on the earlier revision it goes to its amendment's comparison
    assert client.get(reverse("contracts:contract_compare", args=[contract.pk])).url == compare_url
    # and a contract with no other revision has none: back to the contract
    plain = make_contract(team)
    response = client.get(reverse("contracts:contract_compare", args=[plain.pk]))
    assert response.url == reverse("contracts:contract_detail", args=[plain.pk])
    # and someone who may not view the contract gets none
    client.force_login(team.other_rep)
    assert client.get(compare_url).status_code == 404


def test_the_amend_button_shows_on_a_contract_in_force_until_an_amendment_is_open(team, client):
    contract = effective(team)
    client.force_login(team.rep)
    detail = reverse("contracts:contract_detail", args=[contract.pk])
    assert "签订补充协议" in client.get(detail).content.decode()
    services.amend_contract(actor=team.rep, contract=contract)
    assert "签订补充协议" not in client.get(detail).content.decode()


def test_the_api_amends_a_contract(team):
    client = APIClient()
    client.force_authenticate(team.rep)
    contract = effective(team)
    response = client.post(reverse("contracts-api:contract-amend", args=[contract.pk]), {}, format="json")
    assert response.status_code in (200, 201), response.content
    amendment = Contract.objects.get(revised_from=contract)
    assert amendment.revision == 2 and amendment.status == S.DRAFT
    again = client.post(reverse("contracts-api:contract-amend", args=[contract.pk]), {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "amendment_open"


def test_an_amendment_cannot_take_effect_once_its_contract_has_ended(team):
    # given an amendment waiting for approval
    contract = effective(team)
    flow("contracts.contract")
    amendment = services.submit_contract(
        actor=team.rep, contract=edit(team, services.amend_contract(actor=team.rep, contract=contract))
    )
    # when the contract is terminated meanwhile
    services.terminate_contract(actor=team.rep, contract=contract, reason="客户取消")
    # then approving the amendment is refused, saying why, and nothing moves
    with pytest.raises(ApplicationError) as refused:
        decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    assert refused.value.code == "amended_not_in_force"
    amendment.refresh_from_db()
    contract.refresh_from_db()
    assert (amendment.status, contract.status) == (S.SUBMITTED, S.TERMINATED)
