import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from keshang.core.approvals import decide_approval, list_my_tasks
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalRequest, ApprovalStatus, AuditAction, AuditEntry
from keshang.sales.models import Quotation, QuotationStatus
from keshang.sales.services import quotations

from .document_factories import flow, line, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def audit_actions(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_lines_take_the_catalog_price_and_totals_are_the_sum_of_rounded_lines(team):
    # given no typed price on one line and 99.99 含税 typed on another
    # when
    quotation = make_quotation(team, line(team.product, "2"), line(team.product, "3", price="99.99"))
    # then
    first, second = quotation.lines.order_by("position")
    assert first.unit_price_gross == Decimal("113") and first.gross_amount == Decimal("226.00")
    assert first.price_source
    assert second.gross_amount == Decimal("299.97") and second.price_origin == "manual"
    assert quotation.gross_amount == first.gross_amount + second.gross_amount
    assert quotation.net_amount + quotation.tax_amount == quotation.gross_amount
    assert quotation.number is None and quotation.status == QuotationStatus.DRAFT
    assert audit_actions(quotation) == [AuditAction.CREATE]


def test_a_typed_net_price_is_kept_and_the_gross_price_derived(team):
    quotation = make_quotation(team, line(team.product, "1", price="100", entry="net"))
    item = quotation.lines.get()
    assert item.price_entry == "net"
    assert item.unit_price_net == Decimal("100") and item.unit_price_gross == Decimal("113")
    assert (item.net_amount, item.tax_amount, item.gross_amount) == (Decimal("100"), Decimal("13"), Decimal("113"))


def test_submitting_without_a_matching_flow_approves_and_numbers_the_quotation(team):
    quotation = make_quotation(team)
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    assert quotation.status == QuotationStatus.APPROVED
    assert quotation.number.startswith("QT")
    assert audit_actions(quotation) == [AuditAction.CREATE, AuditAction.STATE]


def test_a_quotation_below_the_minimum_price_waits_for_the_manager(team):
    # given a flow for quotations below the minimum price
    flow("sales.quotation", below_min_price=True)
    quotation = make_quotation(team, line(team.product, "1", price="80"))
    assert quotation.below_min_price
    # when
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    # then
    assert quotation.status == QuotationStatus.SUBMITTED
    task = list_my_tasks(user=team.manager).get()
    decide_approval(task=task, actor=team.manager, decision="approve", comment="同意")
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.APPROVED and quotation.approved_at


def test_a_rejected_quotation_goes_back_to_draft(team):
    flow("sales.quotation", min_discount_percent=Decimal("10"))
    quotation = make_quotation(team, line(team.product, "1", discount="20"))
    assert quotation.max_discount_percent == Decimal("20.00")
    quotations.submit_quotation(actor=team.rep, quotation=quotation)
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="reject", comment="太低")
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.DRAFT


def test_a_typed_low_price_counts_as_a_discount(team):
    quotation = make_quotation(team, line(team.product, "1", price="101.70"))
    assert quotation.max_discount_percent == Decimal("10.00")


def test_editing_an_approved_quotation_sends_it_back_with_the_approved_snapshot(team):
    # given a quotation approved through a flow
    flow("sales.quotation", min_amount=Decimal("0"))
    quotation = make_quotation(team)
    quotations.submit_quotation(actor=team.rep, quotation=quotation)
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    quotation.refresh_from_db()
    # when the rep changes the quantity
    quotation = quotations.update_quotation(
        actor=team.rep, quotation=quotation, data={}, lines=[line(team.product, "5")], expected_version=1
    )
    # then it waits for approval again, and the new request carries what was approved before
    assert quotation.status == QuotationStatus.SUBMITTED
    latest = ApprovalRequest.objects.filter(object_id=quotation.pk).order_by("-pk").first()
    assert latest.status == ApprovalStatus.PENDING
    assert latest.previous_snapshot is not None
    assert latest.previous_snapshot["lines"]["rows"][0][1] == "1"
    assert latest.snapshot["lines"]["rows"][0][1] == "5"


def test_a_stale_version_is_a_conflict_and_changes_nothing(team):
    quotation = make_quotation(team)
    quotations.update_quotation(actor=team.rep, quotation=quotation, data={"notes": "一"}, lines=[line(team.product)])
    with pytest.raises(ApplicationError) as error:
        quotations.update_quotation(
            actor=team.rep, quotation=quotation, data={"notes": "二"}, lines=[line(team.product)], expected_version=1
        )
    assert error.value.code == "conflict"
    quotation.refresh_from_db()
    assert quotation.notes == "一" and quotation.version == 2


def test_copying_an_approved_quotation_does_not_copy_the_approval(team):
    # given an approved quotation below the minimum price
    flow("sales.quotation", below_min_price=True)
    quotation = make_quotation(team, line(team.product, "1", price="80"))
    quotations.submit_quotation(actor=team.rep, quotation=quotation)
    decide_approval(task=list_my_tasks(user=team.manager).get(), actor=team.manager, decision="approve")
    # when it is copied and the copy submitted
    copy = quotations.copy_quotation(actor=team.rep, quotation=quotation)
    assert copy.status == QuotationStatus.DRAFT and copy.number is None
    copy = quotations.submit_quotation(actor=team.rep, quotation=copy)
    # then the copy needs its own approval
    assert copy.status == QuotationStatus.SUBMITTED
    quotation.refresh_from_db()
    assert copy.number != quotation.number


def test_a_revision_keeps_the_number_and_freezes_the_old_one(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    revision = quotations.revise_quotation(actor=team.rep, quotation=quotation)
    quotation.refresh_from_db()
    assert revision.number == quotation.number and revision.revision == 2
    assert str(revision).endswith("-R2")
    assert quotation.status == QuotationStatus.SUPERSEDED
    with pytest.raises(ApplicationError) as refused:
        quotations.update_quotation(actor=team.rep, quotation=quotation, data={}, lines=[line(team.product)])
    assert refused.value.code == "not_editable"


def test_the_customer_answer_needs_a_sent_quotation(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    with pytest.raises(ApplicationError) as refused:
        quotations.accept_quotation(actor=team.rep, quotation=quotation)
    assert refused.value.code == "invalid_transition"
    quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    quotation = quotations.accept_quotation(actor=team.rep, quotation=quotation)
    assert quotation.status == QuotationStatus.ACCEPTED


def test_quotations_past_their_validity_expire(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    count = quotations.expire_quotations(on=quotation.valid_until + datetime.timedelta(days=1))
    quotation.refresh_from_db()
    assert count == 1 and quotation.status == QuotationStatus.EXPIRED


def test_a_rep_cannot_submit_someone_elses_quotation(team):
    quotation = make_quotation(team)
    with pytest.raises(Quotation.DoesNotExist):
        quotations.submit_quotation(actor=team.other_rep, quotation=quotation)
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.DRAFT


def test_only_unnumbered_drafts_can_be_deleted(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    with pytest.raises(ApplicationError) as refused:
        quotations.delete_quotation(actor=team.rep, quotation=quotation)
    assert refused.value.code == "not_deletable"
    draft = make_quotation(team)
    quotations.delete_quotation(actor=team.rep, quotation=draft)
    assert not Quotation.objects.filter(pk=draft.pk).exists()
