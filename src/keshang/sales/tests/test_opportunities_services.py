"""Services of opportunities: creating on visible customers, stage moves with history and audit, won/lost
reasons, competitors as parts, and the stage settings' rules."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.sales.models import Opportunity, OpportunityStage, OpportunityStageChange, OpportunityStatus
from keshang.sales.services import opportunities
from keshang.sales.tests.factories import OpportunityFactory, OpportunityStageFactory, default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    return default_stages()


@pytest.fixture
def rep():
    user = UserFactory(department=DepartmentFactory())
    # Documents are made for customers the author may change (issue 12, finding 5).
    grant(user, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(user, "sales.opportunity", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    return user


def audit_entries(obj, action=None):
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return entries.filter(action=action) if action else entries


def test_create_defaults_owner_department_and_first_stage_and_records_history(rep, stages):
    # given
    partner = PartnerFactory(owner=rep)
    contact = ContactFactory(partner=partner)
    # when
    opportunity = opportunities.create_opportunity(
        actor=rep,
        data={"name": "年度采购", "partner": partner, "expected_amount": Decimal("120000.00")},
        contacts=[contact],
    )
    # then
    assert opportunity.owner == rep
    assert opportunity.department == rep.department
    assert opportunity.stage == stages["初步接洽"]
    assert opportunity.status == OpportunityStatus.OPEN
    assert list(opportunity.contacts.all()) == [contact]
    change = OpportunityStageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage, change.changed_by) == (None, stages["初步接洽"], rep)
    assert audit_entries(opportunity, AuditAction.CREATE).get().user == rep


def test_create_refuses_a_customer_the_actor_cannot_see_and_writes_nothing(rep, stages):
    # given: someone else's customer
    hidden = PartnerFactory(owner=UserFactory())
    # when
    with pytest.raises(ValidationError) as raised:
        opportunities.create_opportunity(
            actor=rep, data={"name": "抢单", "partner": hidden, "expected_amount": Decimal("1.00")}
        )
    # then
    assert "partner" in raised.value.message_dict
    assert not Opportunity.objects.exists()
    assert not OpportunityStageChange.objects.exists()


def test_create_refuses_contacts_of_another_customer(rep, stages):
    # given
    partner = PartnerFactory(owner=rep)
    stranger = ContactFactory(partner=PartnerFactory(owner=rep), name="王五")
    # when
    with pytest.raises(ValidationError) as raised:
        opportunities.create_opportunity(
            actor=rep,
            data={"name": "年度采购", "partner": partner, "expected_amount": Decimal("1.00")},
            contacts=[stranger],
        )
    # then
    assert "王五" in raised.value.message_dict["contacts"][0]
    assert not Opportunity.objects.exists()


def test_move_writes_history_and_audit_and_keeps_status_open(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["初步接洽"])
    # when
    moved = opportunities.move_opportunity_stage(opportunity=opportunity, stage=stages["方案报价"], actor=rep)
    # then
    assert moved.stage == stages["方案报价"]
    assert moved.status == OpportunityStatus.OPEN
    latest = OpportunityStageChange.objects.filter(opportunity=opportunity).first()
    assert (latest.from_stage, latest.to_stage, latest.changed_by) == (stages["初步接洽"], stages["方案报价"], rep)
    entry = audit_entries(opportunity, AuditAction.STATE).get()
    assert entry.before["stage_id"] == stages["初步接洽"].pk
    assert entry.after["stage_id"] == stages["方案报价"].pk
    assert entry.message == "初步接洽 → 方案报价"


def test_moving_to_won_without_a_reason_is_refused_with_a_field_error(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["商务谈判"])
    # when
    with pytest.raises(ApplicationError) as raised:
        opportunities.move_opportunity_stage(opportunity=opportunity, stage=stages["赢单"], actor=rep, reason="  ")
    # then
    assert raised.value.code == "close_reason_required"
    assert "reason" in raised.value.fields
    opportunity.refresh_from_db()
    assert opportunity.stage == stages["商务谈判"]
    assert OpportunityStageChange.objects.filter(opportunity=opportunity).count() == 1


def test_moving_to_won_closes_with_the_reason_and_reopening_clears_it(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["商务谈判"])
    # when
    won = opportunities.move_opportunity_stage(
        opportunity=opportunity, stage=stages["赢单"], actor=rep, reason="价格有优势"
    )
    # then
    assert won.status == OpportunityStatus.WON
    assert won.close_reason == "价格有优势"
    assert won.closed_at is not None
    # when: the deal falls through and is revived
    lost = opportunities.move_opportunity_stage(opportunity=won, stage=stages["输单"], actor=rep, reason="客户取消")
    reopened = opportunities.move_opportunity_stage(opportunity=lost, stage=stages["需求确认"], actor=rep)
    # then
    assert lost.status == OpportunityStatus.LOST
    assert (reopened.status, reopened.close_reason, reopened.closed_at) == (OpportunityStatus.OPEN, "", None)
    assert OpportunityStageChange.objects.filter(opportunity=opportunity).count() == 4


def test_moving_to_the_same_or_an_inactive_stage_is_refused(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["初步接洽"])
    dormant = OpportunityStageFactory(name="搁置", is_active=False)
    # when / then
    with pytest.raises(ApplicationError) as same:
        opportunities.move_opportunity_stage(opportunity=opportunity, stage=stages["初步接洽"], actor=rep)
    with pytest.raises(ApplicationError) as inactive:
        opportunities.move_opportunity_stage(opportunity=opportunity, stage=dormant, actor=rep)
    assert (same.value.code, inactive.value.code) == ("same_stage", "inactive_stage")


def test_update_with_a_new_stage_is_a_move_with_history(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep, stage=stages["初步接洽"])
    # when
    updated = opportunities.update_opportunity(
        actor=rep,
        opportunity=opportunity,
        data={"stage": stages["输单"], "close_reason": "预算取消", "expected_amount": Decimal("5.00")},
    )
    # then
    assert (updated.status, updated.close_reason) == (OpportunityStatus.LOST, "预算取消")
    assert OpportunityStageChange.objects.filter(opportunity=opportunity, to_stage=stages["输单"]).exists()
    assert audit_entries(opportunity, AuditAction.UPDATE).count() == 1


def test_changing_the_customer_drops_the_old_customers_contacts(rep, stages):
    # given
    old = PartnerFactory(owner=rep)
    opportunity = OpportunityFactory(owner=rep, partner=old, contacts=[ContactFactory(partner=old)])
    new = PartnerFactory(owner=rep)
    # when
    updated = opportunities.update_opportunity(actor=rep, opportunity=opportunity, data={"partner": new})
    # then
    assert updated.partner == new
    assert not updated.contacts.exists()


def test_competitors_are_audited_in_the_opportunitys_history(rep, stages):
    # given
    opportunity = OpportunityFactory(owner=rep)
    # when
    competitor = opportunities.save_competitor(
        actor=rep, opportunity=opportunity, data={"name": "恒通工贸", "offer": "低 5%"}
    )
    opportunities.save_competitor(actor=rep, opportunity=opportunity, competitor=competitor, data={"offer": "低 8%"})
    opportunities.delete_competitor(actor=rep, competitor=competitor)
    # then
    related = AuditEntry.objects.filter(
        related_content_type=ContentType.objects.get_for_model(Opportunity), related_object_id=str(opportunity.pk)
    )
    assert list(related.order_by("pk").values_list("action", flat=True)) == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    ]
    assert not opportunity.competitors.exists()


def test_default_stages_are_created_once_and_not_restored_after_an_admin_edits_them():
    # given
    opportunities.ensure_default_stages()
    first = list(OpportunityStage.objects.values_list("name", "probability", "is_won", "is_lost"))
    OpportunityStage.objects.filter(name="初步接洽").update(name="线索")
    # when
    opportunities.ensure_default_stages()
    # then
    assert first == [
        ("初步接洽", 10, False, False),
        ("需求确认", 25, False, False),
        ("方案报价", 50, False, False),
        ("商务谈判", 75, False, False),
        ("赢单", 100, True, False),
        ("输单", 0, False, True),
    ]
    assert OpportunityStage.objects.count() == 6
    assert not OpportunityStage.objects.filter(name="初步接洽").exists()


def test_a_second_won_or_lost_stage_is_refused_with_a_message(stages):
    # when
    with pytest.raises(ValidationError) as second_won:
        opportunities.create_stage(actor=None, data={"name": "签约", "probability": 100, "is_won": True})
    with pytest.raises(ValidationError) as second_lost:
        opportunities.create_stage(actor=None, data={"name": "放弃", "probability": 0, "is_lost": True})
    # then
    assert "赢单" in second_won.value.message_dict["is_won"][0]
    assert "输单" in second_lost.value.message_dict["is_lost"][0]
    assert OpportunityStage.objects.count() == 6


def test_the_only_won_stage_cannot_lose_its_flag_or_be_deleted(stages):
    # when
    with pytest.raises(ValidationError) as unflagged:
        opportunities.update_stage(actor=None, stage=stages["赢单"], data={"is_won": False})
    with pytest.raises(ApplicationError) as deleted:
        opportunities.delete_stage(actor=None, stage=stages["赢单"])
    # then
    assert "is_won" in unflagged.value.message_dict
    assert deleted.value.code == "won_stage_required"
    assert OpportunityStage.objects.get(pk=stages["赢单"].pk).is_won


def test_a_stage_in_use_cannot_be_deleted_or_switched_off_while_open_deals_are_in_it(rep, stages):
    # given
    OpportunityFactory(owner=rep, stage=stages["方案报价"])
    # when
    with pytest.raises(ApplicationError) as deleted:
        opportunities.delete_stage(actor=rep, stage=stages["方案报价"])
    with pytest.raises(ValidationError) as switched_off:
        opportunities.update_stage(actor=rep, stage=stages["方案报价"], data={"is_active": False})
    # then
    assert deleted.value.code == "stage_in_use"
    assert "方案报价" in deleted.value.message
    assert "进行中" in switched_off.value.message_dict["is_active"][0]
    assert OpportunityStage.objects.get(pk=stages["方案报价"].pk).is_active


def test_an_unused_stage_is_deleted_with_an_audit_row(stages):
    # given
    spare = opportunities.create_stage(actor=None, data={"name": "技术评估", "order": 25, "probability": 40})
    # when
    opportunities.delete_stage(actor=None, stage=spare)
    # then
    assert not OpportunityStage.objects.filter(name="技术评估").exists()
    assert AuditEntry.objects.filter(object_repr="技术评估", action=AuditAction.DELETE).count() == 1
