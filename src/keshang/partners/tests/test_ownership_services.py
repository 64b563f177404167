"""Ownership services (issue 3): assign, transfer (one and in batches), release and sharing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction, AuditEntry, Collaboration, Notification
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import registry, services
from keshang.partners.models import Handover, HandoverKind, HandoverReason, Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

EVERY = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT, Action.ASSIGN)
REP = (Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT)


@dataclass
class Team:
    """销售部 (a manager) with two groups under it (a rep each), and a stranger in another department."""

    manager: object
    east_rep: object
    south_rep: object
    stranger: object


def make_team() -> Team:
    sales = DepartmentFactory(name="销售部")
    east = DepartmentFactory(name="华东销售组", parent=sales)
    south = DepartmentFactory(name="华南销售组", parent=sales)
    team = Team(
        manager=UserFactory(name="王经理", department=sales),
        east_rep=UserFactory(name="张三", department=east),
        south_rep=UserFactory(name="李四", department=south),
        stranger=UserFactory(name="赵六", department=DepartmentFactory(name="采购部")),
    )
    grant(team.manager, "partners.partner", EVERY, Scope.DEPARTMENT_TREE)
    grant(team.manager, "partners.customerpool", [Action.ADD], Scope.ALL)
    grant(team.manager, "org.user", [Action.VIEW], Scope.DEPARTMENT_TREE)
    for rep in (team.east_rep, team.south_rep, team.stranger):
        grant(rep, "partners.partner", REP, Scope.OWN)
        grant(rep, "partners.customerpool", [Action.ADD], Scope.ALL)  # they are sales reps: they claim customers
        grant(rep, "org.user", [Action.VIEW], Scope.DEPARTMENT)
    return team


@pytest.fixture
def team() -> Team:
    return make_team()


def snapshot(partner: Partner) -> dict:
    return Partner.objects.filter(pk=partner.pk).values("owner", "department", "owned_since").get()


#
# Transfer and assign
#


def test_a_manager_transfers_a_subordinates_customer_with_a_handover_record(team):
    # given a customer of 张三 with two contacts
    partner = PartnerFactory(name="杭州甲贸易有限公司", owner=team.east_rep)
    ContactFactory.create_batch(2, partner=partner)
    # when the manager hands it to 李四
    handover = services.transfer_partner(
        actor=team.manager, partner=partner, owner=team.south_rep, reason=HandoverReason.RESIGNATION, notes="张三离职"
    )
    # then the partner, its department and the record follow
    partner.refresh_from_db()
    assert partner.owner == team.south_rep
    assert partner.department == team.south_rep.department
    assert partner.owned_since is not None
    assert (handover.kind, handover.from_owner, handover.to_owner) == (
        HandoverKind.TRANSFER,
        team.east_rep,
        team.south_rep,
    )
    assert (handover.reason, handover.notes, handover.created_by) == ("resignation", "张三离职", team.manager)
    assert handover.moved == {"contacts": 2}
    entry = AuditEntry.objects.filter(object_id=str(partner.pk), action=AuditAction.UPDATE).get()
    assert entry.user == team.manager
    assert entry.before["owner_id"] == team.east_rep.pk and entry.after["owner_id"] == team.south_rep.pk
    assert "张三" in entry.message and "李四" in entry.message
    # and both owners are told; the new one gets a link to the partner
    gained = Notification.objects.get(recipient=team.south_rep)
    assert "杭州甲贸易有限公司" in gained.title and gained.url == partner.get_absolute_url()
    assert "张三离职" in gained.body
    lost = Notification.objects.get(recipient=team.east_rep)
    assert "李四" in lost.title and "杭州甲贸易有限公司" in lost.body


@pytest.mark.parametrize(
    ("reason", "notes", "field"),
    [("", "交接说明", "reason"), (HandoverReason.WORKLOAD, "  ", "notes"), ("bogus", "交接说明", "reason")],
)
def test_a_transfer_needs_a_valid_reason_and_notes(team, reason, notes, field):
    # given
    partner = PartnerFactory(owner=team.east_rep)
    before = snapshot(partner)
    # when
    with pytest.raises(ApplicationError) as error:
        services.transfer_partner(actor=team.manager, partner=partner, owner=team.south_rep, reason=reason, notes=notes)
    # then
    assert field in error.value.fields
    assert snapshot(partner) == before
    assert not Handover.objects.exists()


def test_a_transfer_to_someone_the_manager_cannot_see_is_refused(team):
    # given
    partner = PartnerFactory(owner=team.east_rep)
    before = snapshot(partner)
    # when
    with pytest.raises(ApplicationError) as error:
        services.transfer_partner(
            actor=team.manager, partner=partner, owner=team.stranger, reason=HandoverReason.OTHER, notes="试试"
        )
    # then
    assert error.value.code == "owner_out_of_scope"
    assert snapshot(partner) == before
    assert not Notification.objects.exists()


def test_an_inactive_user_cannot_receive_customers(team):
    partner = PartnerFactory(owner=team.east_rep)
    team.south_rep.is_active = False
    team.south_rep.save()
    with pytest.raises(ApplicationError) as error:
        services.assign_partner(actor=team.manager, partner=partner, owner=team.south_rep)
    assert error.value.code == "invalid_owner"


def test_a_manager_cannot_move_a_partner_outside_their_scope(team):
    # given a partner of the 采购部 stranger
    partner = PartnerFactory(owner=team.stranger)
    before = snapshot(partner)
    # when
    with pytest.raises(ApplicationError) as error:
        services.assign_partner(actor=team.manager, partner=partner, owner=team.south_rep)
    # then
    assert error.value.code == "not_found"
    assert snapshot(partner) == before


def test_a_rep_without_the_assign_grant_cannot_give_away_their_own_customer(team):
    partner = PartnerFactory(owner=team.east_rep)
    with pytest.raises(ApplicationError) as error:
        services.transfer_partner(
            actor=team.east_rep, partner=partner, owner=team.east_rep, reason=HandoverReason.OTHER, notes="x"
        )
    assert error.value.code == "not_found"
    assert Partner.objects.get(pk=partner.pk).owner == team.east_rep


def test_a_batch_transfer_is_all_or_nothing(team):
    # given two customers of 张三 and one outside the manager's scope
    mine = PartnerFactory.create_batch(2, owner=team.east_rep)
    foreign = PartnerFactory(owner=team.stranger)
    # when the batch includes the foreign one
    with pytest.raises(ApplicationError) as refused:
        services.transfer_partners(
            actor=team.manager,
            partners=[*mine, foreign],
            owner=team.south_rep,
            reason=HandoverReason.RESIGNATION,
            notes="离职交接",
        )
    assert refused.value.code == "not_found"
    # then nothing moved
    assert Partner.objects.filter(owner=team.south_rep).count() == 0
    assert not Handover.objects.exists()
    # when only 张三's
    handovers = services.transfer_partners(
        actor=team.manager, partners=mine, owner=team.south_rep, reason=HandoverReason.RESIGNATION, notes="离职交接"
    )
    # then both moved, and each side is told once
    assert len(handovers) == 2
    assert Partner.objects.filter(owner=team.south_rep).count() == 2
    assert Notification.objects.filter(recipient=team.south_rep).get().title.startswith("2 个客户")
    assert Notification.objects.filter(recipient=team.east_rep).count() == 1


def test_transfer_refuses_a_pool_partner_which_is_assigned_instead(team):
    # given a partner 张三 released (its department stays in the manager's tree)
    partner = PartnerFactory(owner=team.east_rep)
    services.release_partner(actor=team.east_rep, partner=partner)
    # when / then
    with pytest.raises(ApplicationError) as error:
        services.transfer_partner(
            actor=team.manager, partner=partner, owner=team.south_rep, reason=HandoverReason.OTHER, notes="x"
        )
    assert error.value.code == "in_pool"
    handover = services.assign_partner(actor=team.manager, partner=partner, owner=team.south_rep)
    assert handover.kind == HandoverKind.ASSIGN and handover.from_owner is None
    assert Partner.objects.get(pk=partner.pk).owner == team.south_rep


def test_handing_a_partner_to_its_owner_is_refused(team):
    partner = PartnerFactory(owner=team.east_rep)
    with pytest.raises(ApplicationError) as error:
        services.assign_partner(actor=team.manager, partner=partner, owner=team.east_rep)
    assert error.value.code == "same_owner"


def test_counters_registered_by_later_modules_are_recorded_in_the_handover(team, monkeypatch):
    # given a module that reports its records of the partner
    monkeypatch.setattr(registry, "_handover_counters", dict(registry._handover_counters))
    registry.register_handover_counter("orders", lambda partner: 5, label="订单")
    partner = PartnerFactory(owner=team.east_rep)
    # when
    handover = services.assign_partner(actor=team.manager, partner=partner, owner=team.south_rep)
    # then
    assert handover.moved == {"contacts": 0, "orders": 5}
    assert registry.describe_moved(handover.moved) == "订单 5"


#
# Release
#


def test_release_puts_the_partner_in_the_pool_and_drops_its_collaborators(team):
    # given a customer of 张三 shared with 李四
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep)
    # when 张三 lets it go
    handover = services.release_partner(actor=team.east_rep, partner=partner, reason=HandoverReason.OTHER)
    # then
    partner.refresh_from_db()
    assert partner.owner is None and partner.owned_since is None
    assert partner.department == team.east_rep.department
    assert (handover.kind, handover.from_owner, handover.to_owner) == (HandoverKind.RELEASE, team.east_rep, None)
    assert not Collaboration.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, related_object_id=str(partner.pk)).count() == 1
    assert not Partner.objects.visible_to(team.east_rep).filter(pk=partner.pk).exists()


def test_release_needs_change_on_the_partner(team):
    partner = PartnerFactory(owner=team.stranger)
    with pytest.raises(ScopeViolation):
        services.release_partner(actor=team.east_rep, partner=partner)
    assert Partner.objects.get(pk=partner.pk).owner == team.stranger


def test_releasing_a_pool_partner_again_is_refused(team):
    partner = PartnerFactory(owner=None, department=team.east_rep.department)
    with pytest.raises(ApplicationError) as error:
        services.release_partner(actor=team.manager, partner=partner)
    assert error.value.code == "in_pool"


#
# Sharing
#


def test_the_owner_shares_with_a_colleague_who_then_reads_but_cannot_change(team):
    # given 张三's customer and a colleague in his group
    colleague = UserFactory(name="钱七", department=team.east_rep.department)
    grant(colleague, "partners.partner", REP, Scope.OWN)
    partner = PartnerFactory(owner=team.east_rep)
    # when
    services.share_partner(actor=team.east_rep, partner=partner, user=colleague)
    # then
    assert Partner.objects.visible_to(colleague, Action.VIEW).filter(pk=partner.pk).exists()
    assert not Partner.objects.visible_to(colleague, Action.CHANGE).filter(pk=partner.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, related_object_id=str(partner.pk)).exists()
    assert Notification.objects.get(recipient=colleague).url == partner.get_absolute_url()
    # when shared again for writing
    services.share_partner(actor=team.east_rep, partner=partner, user=colleague, can_write=True)
    # then the access changed, not the number of collaborators
    assert Partner.objects.visible_to(colleague, Action.CHANGE).filter(pk=partner.pk).exists()
    assert Collaboration.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, related_object_id=str(partner.pk)).exists()


def test_a_write_collaborator_cannot_share_further(team):
    # given 李四 may write on 张三's customer (shared by the manager)
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep, can_write=True)
    colleague = UserFactory(department=team.south_rep.department)
    # when / then
    with pytest.raises(ScopeViolation):
        services.share_partner(actor=team.south_rep, partner=partner, user=colleague)
    assert Collaboration.objects.count() == 1


def test_sharing_with_the_owner_or_someone_out_of_sight_is_refused(team):
    partner = PartnerFactory(owner=team.east_rep)
    with pytest.raises(ApplicationError) as owner_error:
        services.share_partner(actor=team.manager, partner=partner, user=team.east_rep)
    with pytest.raises(ApplicationError) as stranger_error:
        services.share_partner(actor=team.manager, partner=partner, user=team.stranger)
    assert (owner_error.value.code, stranger_error.value.code) == ("is_owner", "invalid_user")
    assert not Collaboration.objects.exists()


def test_unsharing_removes_the_collaborator_and_audits(team):
    # given
    partner = PartnerFactory(owner=team.east_rep)
    services.share_partner(actor=team.manager, partner=partner, user=team.south_rep)
    # when
    services.unshare_partner(actor=team.east_rep, partner=partner, user=team.south_rep)
    # then
    assert not Collaboration.objects.exists()
    assert not Partner.objects.visible_to(team.south_rep).filter(pk=partner.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, related_object_id=str(partner.pk)).count() == 1
