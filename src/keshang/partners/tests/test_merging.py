"""The merge service (合并, issue 3): everything of the duplicate moves to the survivor, or nothing changes."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import Attachment, AuditAction, AuditEntry, Collaboration
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import registry, services
from keshang.partners.models import (
    Address,
    BankAccount,
    Contact,
    Handover,
    HandoverKind,
    Partner,
    Qualification,
    SupplierProfile,
)
from keshang.partners.services import MergeError
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def rows_of(partner_pk):
    """Every row that still names the partner, by kind."""
    partner_type = ContentType.objects.get_for_model(Partner)
    return {
        "contacts": Contact.objects.filter(partner_id=partner_pk).count(),
        "addresses": Address.objects.filter(partner_id=partner_pk).count(),
        "bank_accounts": BankAccount.objects.filter(partner_id=partner_pk).count(),
        "qualifications": Qualification.objects.filter(partner_id=partner_pk).count(),
        "supplier_profile": SupplierProfile.objects.filter(partner_id=partner_pk).count(),
        "handovers": Handover.objects.filter(partner_id=partner_pk).count(),
        "attachments": Attachment.objects.filter(content_type=partner_type, object_id=partner_pk).count(),
        "collaborators": Collaboration.objects.filter(content_type=partner_type, object_id=partner_pk).count(),
    }


def test_merge_moves_every_part_and_leaves_nothing_behind(manager, pair):
    # given
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    # when
    merged = services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    assert not Partner.objects.filter(pk=duplicate_pk).exists()
    assert rows_of(duplicate_pk) == dict.fromkeys(rows_of(duplicate_pk), 0)
    assert rows_of(merged.pk) == {
        "contacts": 4,
        "addresses": 2,
        "bank_accounts": 2,
        "qualifications": 1,
        "supplier_profile": 1,
        "handovers": 3,  # one each, and the merge's own
        "attachments": 2,
        "collaborators": 2,
    }
    assert Contact.objects.filter(partner=merged, is_primary=True).count() == 1
    assert Contact.objects.get(partner=merged, is_primary=True).name == "主联系人13900000001"
    assert Address.objects.filter(partner=merged, is_default=True).count() == 1
    assert BankAccount.objects.filter(partner=merged, is_default=True).count() == 1
    assert sorted(merged.tags.values_list("name", flat=True)) == ["大客户", "长期合作"]
    shared = Collaboration.objects.for_object(merged)
    assert shared.filter(can_write=True).count() == 1


def test_merge_joins_roles_and_keeps_the_survivors_values_unless_empty(manager, pair):
    # given
    survivor, duplicate = pair
    # when
    merged = services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    assert merged.name == "华为技术有限公司"
    assert merged.owner == survivor.owner
    # Empty on the survivor: the duplicate's phone and credit code (which the unique index allows once it is gone).
    assert merged.phone == "0755-28780808" and merged.phone_key == "+8675528780808"
    assert merged.credit_code == "914403001922038216"
    assert merged.is_customer and merged.is_supplier


def test_merge_gives_the_survivor_a_new_version_so_an_open_edit_form_is_refused(manager, pair):
    # given the survivor's version, as an edit form opened before the merge holds it
    survivor, duplicate = pair
    seen = Partner.objects.get(pk=survivor.pk).version
    # when the merge changes the survivor
    merged = services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then saving that form's version is refused
    assert Partner.objects.get(pk=merged.pk).version == seen + 1
    with pytest.raises(ApplicationError) as refused:
        services.update_partner(actor=manager, partner=merged, data={"notes": "旧表单"}, expected_version=seen)
    assert refused.value.code == "conflict"


def test_merge_honours_the_field_choices_and_rederives_the_keys(manager, pair):
    # given
    survivor, duplicate = pair
    # when
    merged = services.merge_partners(
        actor=manager,
        survivor=survivor,
        duplicate=duplicate,
        field_choices={"name": "duplicate", "owner": "duplicate", "phone": "survivor"},
    )
    # then
    merged.refresh_from_db()
    assert merged.name == "深圳华为技术有限公司"
    assert "shenzhen" in merged.search_text
    assert merged.owner == manager and merged.department == manager.department
    assert merged.phone == "" and merged.phone_key == ""


def test_merge_is_recorded_in_the_audit_trail_and_as_a_handover(manager, pair):
    # given
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    partner_type = ContentType.objects.get_for_model(Partner)
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    merged_entry = AuditEntry.objects.get(
        content_type=partner_type, object_id=str(survivor.pk), action=AuditAction.UPDATE, user=manager
    )
    assert merged_entry.message == f"合并了“深圳华为技术有限公司”(#{duplicate_pk})"
    assert merged_entry.before["phone"] == "" and merged_entry.after["phone"] == "0755-28780808"
    deleted_entry = AuditEntry.objects.get(
        content_type=partner_type, object_id=str(duplicate_pk), action=AuditAction.DELETE, user=manager
    )
    assert deleted_entry.message == f"已合并到“华为技术有限公司”(#{survivor.pk})"
    assert deleted_entry.before["name"] == "深圳华为技术有限公司"
    # Every moved contact is audited on the survivor, so its history shows the merge in full.
    moved_contacts = AuditEntry.objects.for_object(survivor).filter(
        content_type=ContentType.objects.get_for_model(Contact), action=AuditAction.UPDATE, user=manager
    )
    assert moved_contacts.count() == 2
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert handover.from_owner == manager and handover.created_by == manager
    assert handover.moved["contacts"] == 2 and handover.moved["attachments"] == 1


def test_merge_fills_the_blanks_of_the_survivors_supplier_profile(manager, pair):
    # given
    survivor, duplicate = pair
    kept = SupplierProfile.objects.create(partner=survivor, rating_quality=3)
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    kept.refresh_from_db()
    # then
    assert kept.main_products == "通信设备" and kept.rating_quality == 3
    assert SupplierProfile.objects.count() == 1


def test_merge_under_the_blocking_duplicate_policy_may_take_the_duplicates_name(manager, pair, settings):
    # given
    settings.KESHANG_PARTNER_DUPLICATES = "block"
    survivor, duplicate = pair
    # when
    merged = services.merge_partners(
        actor=manager, survivor=survivor, duplicate=duplicate, field_choices={"name": "duplicate"}
    )
    # then
    assert merged.name == "深圳华为技术有限公司"


def test_merge_takes_a_code_and_country_like_any_field_and_a_phone_with_its_flag(manager, pair):
    # given: the duplicate's number was kept unverified by an import, in Mexico
    survivor, duplicate = pair
    Partner.objects.filter(pk=duplicate.pk).update(
        phone="(5) 555-4729", phone_unverified=True, phone_key="", country="MX", code="ANATR"
    )
    duplicate.refresh_from_db()
    survivor_code = survivor.code
    # when
    merged = services.merge_partners(
        actor=manager,
        survivor=survivor,
        duplicate=duplicate,
        field_choices={"phone": "duplicate", "country": "duplicate"},
    )
    # then: the survivor keeps its code, takes the number with what is known of it
    assert (merged.code, merged.country) == (survivor_code, "MX")
    assert (merged.phone, merged.phone_unverified, merged.phone_key) == ("(5) 555-4729", True, "")
    again = PartnerFactory(name="另一家", owner=manager)
    taken = services.merge_partners(
        actor=manager, survivor=merged, duplicate=again, field_choices={"code": "duplicate"}
    )
    assert taken.code == again.code


def snapshot_everything():
    return (
        sorted(Partner.objects.values_list("pk", "name", "owner_id", "phone", "credit_code")),
        sorted(Contact.objects.values_list("pk", "partner_id", "is_primary")),
        sorted(Attachment.objects.values_list("pk", "object_id")),
        sorted(Collaboration.objects.values_list("pk", "object_id", "can_write")),
        AuditEntry.objects.count(),
        Handover.objects.count(),
    )


def test_merging_a_partner_outside_the_actors_scope_changes_nothing(manager, pair):
    # given: the duplicate now belongs to another department
    survivor, duplicate = pair
    stranger = UserFactory(department=DepartmentFactory())
    Partner.objects.filter(pk=duplicate.pk).update(owner=stranger, department=stranger.department)
    before = snapshot_everything()
    # when
    with pytest.raises(ScopeViolation):
        services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    assert snapshot_everything() == before


def test_merging_without_the_assign_grant_changes_nothing(pair):
    # given
    survivor, duplicate = pair
    editor = UserFactory(department=survivor.department)
    grant(editor, "partners.partner", [Action.VIEW, Action.CHANGE, Action.DELETE], Scope.ALL)
    before = snapshot_everything()
    # when
    with pytest.raises(ScopeViolation) as refused:
        services.merge_partners(actor=editor, survivor=survivor, duplicate=duplicate)
    # then, refused when the pair is locked (not only by the final recheck), and nothing changed
    assert refused.value.message == "客商不存在或超出您的数据权限范围。"
    assert snapshot_everything() == before


def test_a_partner_cannot_be_merged_with_itself(manager, pair):
    # given
    survivor, _duplicate = pair
    # when
    with pytest.raises(MergeError) as error:
        services.merge_partners(actor=manager, survivor=survivor, duplicate=survivor)
    # then
    assert error.value.code == "merge_self"
    assert error.value.message == "不能将客商与其自身合并。"
    assert Partner.objects.filter(pk=survivor.pk).exists()


def test_unknown_field_choices_are_refused_before_anything_changes(manager, pair):
    # given
    survivor, duplicate = pair
    before = snapshot_everything()
    # when
    with pytest.raises(ValidationError) as error:
        services.merge_partners(
            actor=manager,
            survivor=survivor,
            duplicate=duplicate,
            field_choices={"search_text": "duplicate", "version": "survivor"},
        )
    # then
    assert error.value.message_dict == {"field_choices": ["不能选择的字段：search_text、version。"]}
    assert snapshot_everything() == before


def test_a_field_choice_other_than_survivor_or_duplicate_is_refused(manager, pair):
    survivor, duplicate = pair
    with pytest.raises(ValidationError) as error:
        services.merge_partners(
            actor=manager, survivor=survivor, duplicate=duplicate, field_choices={"phone": "both", "name": "x"}
        )
    assert error.value.message_dict == {"field_choices": ["字段 name、phone 只能选择 survivor 或 duplicate。"]}


def test_registered_merge_steps_run_inside_the_merge_and_their_counts_are_kept(manager, pair, monkeypatch):
    # given
    survivor, duplicate = pair
    calls = []

    def move_orders(*, survivor, duplicate, actor):
        calls.append((survivor.pk, duplicate.pk, actor, Partner.objects.filter(pk=duplicate.pk).exists()))
        return 7

    monkeypatch.setitem(registry._merge_steps, "orders", move_orders)
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    assert calls == [(survivor.pk, duplicate.pk, manager, True)]
    assert Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE).moved["orders"] == 7


def test_a_failing_merge_step_rolls_the_whole_merge_back(manager, pair, monkeypatch):
    # given
    survivor, duplicate = pair
    before = snapshot_everything()

    def broken(*, survivor, duplicate, actor):
        raise MergeError("订单无法转移", code="broken")

    monkeypatch.setitem(registry._merge_steps, "orders", broken)
    # when
    with pytest.raises(MergeError) as refused:
        services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    assert refused.value.code == "broken"
    # then
    assert snapshot_everything() == before


def test_a_survivor_left_outside_the_actors_assign_scope_rolls_the_merge_back(pair, monkeypatch):
    # given: an actor who may change every partner but assign only their department's, and a step that hands
    # the survivor to another department (the final check is for assign, not for change)
    survivor, duplicate = pair
    actor = UserFactory(department=survivor.department)
    grant(actor, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.ALL)
    grant(actor, "partners.partner", [Action.ASSIGN], Scope.DEPARTMENT)
    stranger = UserFactory(department=DepartmentFactory())

    def hand_over(*, survivor, duplicate, actor):
        survivor.owner, survivor.department = stranger, stranger.department
        return 0

    monkeypatch.setitem(registry._merge_steps, "hand_over", hand_over)
    before = snapshot_everything()
    # when
    with pytest.raises(ScopeViolation):
        services.merge_partners(actor=actor, survivor=survivor, duplicate=duplicate)
    # then
    assert snapshot_everything() == before


def test_a_row_left_pointing_at_the_duplicate_stops_the_merge(manager, pair, monkeypatch):
    # given: a step that leaves (here: adds) a row on the duplicate, as a module without a step would
    survivor, duplicate = pair

    def careless(*, survivor, duplicate, actor):
        Contact.objects.create(partner=duplicate, name="遗留联系人")
        return 0

    monkeypatch.setitem(registry._merge_steps, "careless", careless)
    before = snapshot_everything()
    # when
    with pytest.raises(MergeError) as error:
        services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then
    assert error.value.code == "merge_incomplete"
    assert error.value.message == "“深圳华为技术有限公司”还有 1 条联系人无法转移，合并已取消。"
    assert snapshot_everything() == before


@pytest.mark.parametrize("latest", ["survivor", "duplicate"])
def test_merge_keeps_the_latest_follow_up_and_deal_dates_of_either_partner(manager, pair, latest):
    # given a follow-up and a deal on each, the later ones on ``latest`` (the pool's recycling reads them)
    survivor, duplicate = pair
    early = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    late = datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC)
    for partner in (survivor, duplicate):
        partner.last_followup_at = partner.last_deal_at = late if partner is pair[latest == "duplicate"] else early
        partner.save(update_fields=["last_followup_at", "last_deal_at"])
    # when they are merged
    merged = services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then the survivor carries the later dates, whichever partner they came from
    merged.refresh_from_db()
    assert (merged.last_followup_at, merged.last_deal_at) == (late, late)


def test_merge_takes_the_duplicates_dates_when_the_survivor_has_none(manager, pair):
    # given a survivor never followed up and a duplicate that was
    survivor, duplicate = pair
    at = datetime.datetime(2026, 2, 2, 10, tzinfo=datetime.UTC)
    Partner.objects.filter(pk=survivor.pk).update(last_followup_at=None, last_deal_at=None)
    Partner.objects.filter(pk=duplicate.pk).update(last_followup_at=at, last_deal_at=at)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    # when they are merged
    merged = services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then the dates are not dropped
    merged.refresh_from_db()
    assert (merged.last_followup_at, merged.last_deal_at) == (at, at)


def test_taking_the_duplicates_owner_takes_its_department_and_owned_since_and_a_role_is_never_lost():
    # given partners of two reps in different departments, the survivor a supplier only, owned since different days
    import datetime

    from django.utils import timezone

    root = UserFactory(is_superuser=True)
    first, second = UserFactory(department=DepartmentFactory()), UserFactory(department=DepartmentFactory())
    survivor = PartnerFactory(name="甲公司", owner=first, is_customer=False, is_supplier=True)
    duplicate = PartnerFactory(name="甲公司（重复）", owner=second, is_customer=True, is_supplier=False)
    since = timezone.make_aware(datetime.datetime(2024, 5, 6, 9, 0))
    Partner.objects.filter(pk=duplicate.pk).update(owned_since=since)
    # when the duplicate's owner is chosen
    merged = services.merge_partners(
        actor=root, survivor=survivor, duplicate=duplicate, field_choices={"owner": "duplicate"}
    )
    # then the owner comes with their department and the date they took the partner; both roles are kept
    merged = Partner.objects.get(pk=merged.pk)
    assert (merged.owner, merged.department, merged.owned_since) == (second, second.department, since)
    assert (merged.is_customer, merged.is_supplier) == (True, True)
