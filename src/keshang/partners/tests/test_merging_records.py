"""The merge service leaves a faithful record (issue 12, make mutate): the handover's notes and counts, the
audit of every moved, widened or deleted row by the actor, and the flags (primary contact, default address and
account) the survivor ends with."""

import pytest
from django.contrib.contenttypes.models import ContentType

from keshang.core.models import AuditAction, AuditEntry, Collaboration, Notification
from keshang.org.tests.factories import UserFactory
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
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_merge_handover_notes_name_every_moved_part_with_its_count(manager, pair):
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert handover.notes == (
        f"合并了“深圳华为技术有限公司”(#{duplicate_pk})："
        "联系人 2、地址 1、银行账户 1、资质 1、供应商档案 1、交接记录 1、附件 1、协作人 2"
    )


def test_moved_rows_are_audited_by_the_actor_from_the_duplicate_to_the_survivor(manager, pair):
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    SupplierProfile.objects.filter(partner=duplicate).update(main_products="通信设备")
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Qualification), action=AuditAction.UPDATE
    )
    assert [(entry.user, entry.before["partner_id"], entry.after["partner_id"]) for entry in entries] == [
        (manager, duplicate_pk, survivor.pk)
    ]
    profile = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(SupplierProfile), action=AuditAction.UPDATE
    )
    assert (profile.user, profile.before["partner_id"], profile.after["partner_id"]) == (
        manager,
        duplicate_pk,
        survivor.pk,
    )


def test_filling_the_survivors_profile_is_audited_with_what_it_was(manager, pair):
    survivor, duplicate = pair
    kept = SupplierProfile.objects.create(partner=survivor, rating_quality=3)
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(SupplierProfile),
        object_id=str(kept.pk),
        action=AuditAction.UPDATE,
    )
    assert (entry.user, entry.related_object_id) == (manager, str(survivor.pk))
    assert entry.before["main_products"] == "" and entry.after["main_products"] == "通信设备"


def test_a_primary_contact_stays_primary_when_the_survivor_has_none_and_no_profile_is_counted_when_none_moved():
    root = UserFactory(is_superuser=True)
    survivor, duplicate = PartnerFactory(name="乙公司"), PartnerFactory(name="乙公司（重复）")
    services.save_contact(actor=None, partner=survivor, data={"name": "李助理", "is_primary": False})
    services.save_contact(actor=None, partner=duplicate, data={"name": "王经理", "is_primary": True})
    services.merge_partners(actor=root, survivor=survivor, duplicate=duplicate)
    contacts = set(Contact.objects.filter(partner=survivor).values_list("name", "is_primary"))
    assert contacts == {("李助理", False), ("王经理", True)}
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert "supplier_profile" not in handover.moved and handover.moved["contacts"] == 1


def test_the_handover_notes_name_a_steps_moves_by_its_label_or_else_its_name(monkeypatch):
    root = UserFactory(is_superuser=True)
    survivor, duplicate = PartnerFactory(name="丙公司"), PartnerFactory(name="丙公司（重复）")
    duplicate_pk = duplicate.pk
    monkeypatch.setitem(registry._merge_steps, "orders", lambda **kwargs: 3)
    monkeypatch.setitem(registry._merge_step_labels, "orders", "销售订单")
    monkeypatch.setitem(registry._merge_steps, "visits", lambda **kwargs: 2)
    monkeypatch.setitem(registry._merge_steps, "nothing", lambda **kwargs: 0)
    services.merge_partners(actor=root, survivor=survivor, duplicate=duplicate)
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert handover.notes.endswith("：销售订单 3、visits 2")
    assert handover.notes == f"合并了“丙公司（重复）”(#{duplicate_pk})：销售订单 3、visits 2"


def audit_of(model, action, **filters):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), action=action, **filters)


def test_shares_move_or_widen_audited_on_the_survivor_and_a_read_share_stays_read(manager, pair):
    # given (the pair): a user who reads the survivor and writes the duplicate, a stranger who reads the duplicate
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    reader = UserFactory()
    partner_type = ContentType.objects.get_for_model(Partner)
    Collaboration.objects.create(content_type=partner_type, object_id=survivor.pk, user=reader)
    Collaboration.objects.create(content_type=partner_type, object_id=duplicate.pk, user=reader)
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then the reader still only reads; the writer now writes the survivor
    shares = Collaboration.objects.filter(content_type=partner_type, object_id=survivor.pk)
    assert shares.get(user=reader).can_write is False
    assert sorted(shares.values_list("can_write", flat=True)) == [False, False, True]
    moved = audit_of(Collaboration, AuditAction.UPDATE, before__can_write=False, after__can_write=False)
    assert [(e.user, e.before["object_id"], e.after["object_id"], e.related_object_id) for e in moved] == [
        (manager, duplicate_pk, survivor.pk, str(survivor.pk))
    ]
    widened = audit_of(Collaboration, AuditAction.UPDATE, before__can_write=False, after__can_write=True).get()
    assert (widened.user, widened.before["object_id"], widened.related_object_id) == (
        manager,
        survivor.pk,
        str(survivor.pk),
    )
    deleted = audit_of(Collaboration, AuditAction.DELETE)
    assert (
        sorted((e.user == manager, e.before["object_id"], e.related_object_id) for e in deleted)
        == [(True, duplicate_pk, str(survivor.pk))] * 2
    )
    assert Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE).moved["collaborators"] == 3


def test_the_duplicates_profile_merged_into_the_survivors_is_counted_once_and_its_deletion_audited(manager, pair):
    survivor, duplicate = pair
    SupplierProfile.objects.create(partner=survivor, rating_quality=3)
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    assert Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE).moved["supplier_profile"] == 1
    deleted = audit_of(SupplierProfile, AuditAction.DELETE).get()
    assert (deleted.user, deleted.before["main_products"], deleted.related_object_id) == (
        manager,
        "通信设备",
        str(survivor.pk),
    )


def test_a_default_address_of_a_kind_the_survivor_lacks_stays_default_and_bank_moves_are_audited(manager, pair):
    # given (the pair): both have a default shipping address and a default account; the duplicate also bills
    survivor, duplicate = pair
    services.save_address(
        actor=None, partner=duplicate, data={"detail": "东莞仓库", "kind": "billing", "is_default": True}
    )
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then one default per kind: the survivor's shipping address, the duplicate's billing address
    defaults = set(Address.objects.filter(partner=survivor, is_default=True).values_list("kind", "detail"))
    assert defaults == {("shipping", "坂田基地"), ("billing", "东莞仓库")}
    assert Address.objects.filter(partner=survivor, kind="shipping", is_default=True).count() == 1
    moved_accounts = audit_of(BankAccount, AuditAction.UPDATE, user=manager)
    assert moved_accounts.count() == 1


def test_the_merge_handover_goes_to_the_survivors_owner_and_is_audited_on_the_survivor(manager, pair):
    survivor, duplicate = pair
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert (handover.to_owner, handover.created_by) == (survivor.owner, manager)
    created = audit_of(Handover, AuditAction.CREATE, object_id=str(handover.pk)).get()
    assert (created.user, created.related_object_id) == (manager, str(survivor.pk))
    deleted = audit_of(Partner, AuditAction.DELETE).get()
    assert deleted.related_object_id == str(survivor.pk)


def test_every_audit_entry_of_a_merge_names_the_actor(manager, pair):
    survivor, duplicate = pair
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    written = AuditEntry.objects.filter(pk__gt=last)
    assert written.count() > 10
    assert set(written.values_list("user", flat=True)) == {manager.pk}


def test_a_default_account_stays_default_when_the_survivor_has_none():
    root = UserFactory(is_superuser=True)
    survivor, duplicate = PartnerFactory(name="丁公司"), PartnerFactory(name="丁公司（重复）")
    data = {"bank_name": "招商银行", "account_name": "丁公司", "account_number": "6225880009", "is_default": True}
    services.save_bank_account(actor=None, partner=duplicate, data=data)
    services.merge_partners(actor=root, survivor=survivor, duplicate=duplicate)
    assert list(BankAccount.objects.filter(partner=survivor).values_list("is_default", flat=True)) == [True]


def test_a_merge_that_moves_nothing_says_only_what_was_merged():
    root = UserFactory(is_superuser=True)
    survivor, duplicate = PartnerFactory(name="戊公司"), PartnerFactory(name="戊公司（重复）")
    duplicate_pk = duplicate.pk
    services.merge_partners(actor=root, survivor=survivor, duplicate=duplicate)
    handover = Handover.objects.get(partner=survivor, kind=HandoverKind.MERGE)
    assert (handover.notes, handover.moved) == (f"合并了“戊公司（重复）”(#{duplicate_pk})", {})


def test_the_duplicates_owner_is_told_their_customer_was_merged_by_the_actor(manager, pair):
    # given: the duplicate belongs to a colleague, and the survivor keeps its own owner
    survivor, duplicate = pair
    colleague = UserFactory(department=manager.department)
    Partner.objects.filter(pk=duplicate.pk).update(owner=colleague)
    duplicate.refresh_from_db()
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then: they alone are told, naming the actor and the customer their record went into
    told = Notification.objects.get(recipient=colleague)
    assert told.title == f"您的 1 个客户已被{manager}合并"
    assert told.body == str(survivor)
    assert not Notification.objects.exclude(recipient=colleague).exists()


def test_a_survivor_that_takes_the_duplicates_owner_tells_its_own_former_owner(manager, pair):
    # given: the survivor's owner is a colleague; the duplicate is the actor's, and its owner is taken
    survivor, duplicate = pair
    former = survivor.owner
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate, field_choices={"owner": "duplicate"})
    # then: the survivor's former owner is told it was merged (the actor, the new owner, is not)
    told = Notification.objects.get(recipient=former)
    assert (told.title, told.body) == (f"您的 1 个客户已被{manager}合并", str(survivor))
    assert not Notification.objects.exclude(recipient=former).exists()


def test_keeping_the_survivors_owner_tells_nobody_when_the_actor_owned_the_duplicate(manager, pair):
    survivor, duplicate = pair
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    assert not Notification.objects.exists()
