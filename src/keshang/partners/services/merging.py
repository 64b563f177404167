"""The merge tool (合并, issue 3): one partner absorbs its duplicate.

**Who.** Both need the "assign" action on partners, and both only ever see partners visible to the
actor for "assign". Merging decides who owns a customer and deletes a record, which is what "assign"
already stands for; in the default roles that is the sales managers (their department tree) and the
administrators (everything). Reps, who may view, add and change their own partners, never see the tool.

:func:`merge_partners` moves everything of the duplicate onto the survivor in one
transaction with both rows locked, runs the merge steps later modules registered
(:func:`register_merge_step`), refuses to go on if any row still points at the duplicate, deletes it,
and records the merge in the audit trail and as a handover.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import attachments, audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.models import AuditAction, Collaboration
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope

from ..models import Handover, HandoverKind, Partner, SupplierProfile
from ..registry import merge_step_labels, merge_steps
from ..selectors.merging import MERGE_FIELDS, PARTS, MergeChoice, default_choice, is_empty
from .ownership import notify_previous_owners
from .partners import derive_partner_keys

__all__ = ["MergeError", "merge_partners"]


class MergeError(ApplicationError):
    pass


def _check_choices(field_choices: dict | None) -> dict[str, str]:
    choices = dict(field_choices or {})
    unknown = sorted(set(choices) - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError({"field_choices": _("不能选择的字段：%(fields)s。") % {"fields": "、".join(unknown)}})
    invalid = sorted(name for name, choice in choices.items() if choice not in MergeChoice.values)
    if invalid:
        raise ValidationError(
            {"field_choices": _("字段 %(fields)s 只能选择 survivor 或 duplicate。") % {"fields": "、".join(invalid)}}
        )
    return choices


def _lock_pair(actor, survivor_pk: int, duplicate_pk: int) -> tuple[Partner, Partner]:
    """Both partners, locked in pk order (every merge locks the same way, so two merges cannot deadlock)."""
    rows = list(
        Partner.objects.visible_to(actor, Action.ASSIGN)
        .filter(pk__in=[survivor_pk, duplicate_pk])
        .select_for_update()
        .order_by("pk")
    )
    by_pk = {partner.pk: partner for partner in rows}
    if survivor_pk not in by_pk or duplicate_pk not in by_pk:
        raise ScopeViolation(_("客商不存在或超出您的数据权限范围。"))
    return by_pk[survivor_pk], by_pk[duplicate_pk]


def _move_rows(*, actor, rows, survivor: Partner, clear_flag: str = "", keep_flag=lambda row: True) -> int:
    """Re-parent ``rows`` onto the survivor, each audited on the survivor; ``clear_flag`` (primary,
    default) is cleared where ``keep_flag(row)`` says the survivor already has one."""
    count = 0
    for row in rows:
        before = audit.snapshot(row)
        row.partner = survivor
        if clear_flag and getattr(row, clear_flag) and not keep_flag(row):
            setattr(row, clear_flag, False)
        row.full_clean()
        row.save()
        audit.record(
            actor=actor, obj=row, action=AuditAction.UPDATE, before=before, after=audit.snapshot(row), related=survivor
        )
        count += 1
    return count


def _move_supplier_profile(*, actor, survivor: Partner, duplicate: Partner) -> int:
    """Move the duplicate's profile; if the survivor has one, keep it and fill only its blanks."""
    profile = SupplierProfile.objects.filter(partner=duplicate).first()
    if profile is None:
        return 0
    kept = SupplierProfile.objects.filter(partner=survivor).first()
    if kept is None:
        return _move_rows(actor=actor, rows=[profile], survivor=survivor)
    before = audit.snapshot(kept)
    for name in ("main_products", "rating_delivery", "rating_quality", "rating_price", "rating_service"):
        if is_empty(getattr(kept, name)):
            setattr(kept, name, getattr(profile, name))
    kept.full_clean()
    kept.save()
    if before != audit.snapshot(kept):
        audit.record(actor=actor, obj=kept, action=AuditAction.UPDATE, before=before, related=survivor)
    audit.record(actor=actor, obj=profile, action=AuditAction.DELETE, before=audit.snapshot(profile), related=survivor)
    profile.delete()
    return 1


def _move_collaborators(*, actor, survivor: Partner, duplicate: Partner) -> int:
    """Share the survivor with the duplicate's collaborators; someone on both keeps the wider right."""
    count = 0
    existing = {row.user_id: row for row in Collaboration.objects.for_object(survivor)}
    for collaboration in Collaboration.objects.for_object(duplicate):
        before = audit.snapshot(collaboration)
        kept = existing.get(collaboration.user_id)
        if kept is None:
            collaboration.object_id = survivor.pk
            collaboration.full_clean()
            collaboration.save()
            audit.record(actor=actor, obj=collaboration, action=AuditAction.UPDATE, before=before, related=survivor)
        else:
            if collaboration.can_write and not kept.can_write:
                kept_before = audit.snapshot(kept)
                kept.can_write = True
                kept.save(update_fields=["can_write"])
                audit.record(actor=actor, obj=kept, action=AuditAction.UPDATE, before=kept_before, related=survivor)
            audit.record(actor=actor, obj=collaboration, action=AuditAction.DELETE, before=before, related=survivor)
            collaboration.delete()
        count += 1
    return count


def _move_parts(*, actor, survivor: Partner, duplicate: Partner) -> dict[str, int]:
    has_primary = survivor.contacts.filter(is_primary=True).exists()
    default_kinds = set(survivor.addresses.filter(is_default=True).values_list("kind", flat=True))
    has_default_account = survivor.bank_accounts.filter(is_default=True).exists()
    return {
        "contacts": _move_rows(
            actor=actor,
            rows=duplicate.contacts.all(),
            survivor=survivor,
            clear_flag="is_primary",
            keep_flag=lambda contact: not has_primary,
        ),
        "addresses": _move_rows(
            actor=actor,
            rows=duplicate.addresses.all(),
            survivor=survivor,
            clear_flag="is_default",
            keep_flag=lambda address: address.kind not in default_kinds,
        ),
        "bank_accounts": _move_rows(
            actor=actor,
            rows=duplicate.bank_accounts.all(),
            survivor=survivor,
            clear_flag="is_default",
            keep_flag=lambda account: not has_default_account,
        ),
        "qualifications": _move_rows(actor=actor, rows=duplicate.qualifications.all(), survivor=survivor),
        "supplier_profile": _move_supplier_profile(actor=actor, survivor=survivor, duplicate=duplicate),
        "handovers": _move_rows(actor=actor, rows=duplicate.handovers.all(), survivor=survivor),
        "attachments": attachments.move_attachments(actor=actor, source=duplicate, target=survivor),
        "collaborators": _move_collaborators(actor=actor, survivor=survivor, duplicate=duplicate),
    }


def _check_nothing_left(duplicate: Partner) -> None:
    """Deleting the duplicate would cascade to (or orphan, or be refused by) any row still pointing at
    it: a module that added a relation to partners without a merge step. Stop instead of losing data."""
    # include_hidden: relations declared with related_name="+" (a document's customer, a price rule's) are
    # hidden from ``_meta.related_objects``, and a cascade would delete their rows just the same. Not counted:
    # the tables Django makes for many-to-many fields (the merge moves the tags itself) and rows derived from the
    # partner's own fields (``derived_from_partner``: its search index, rebuilt for the survivor).
    relations = [
        field
        for field in Partner._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and not field.related_model._meta.auto_created
        and not getattr(field.related_model, "derived_from_partner", False)
    ]
    for relation in relations:
        # Deliberately unscoped: every row counts, whoever may see it.
        left = relation.related_model._base_manager.filter(**{relation.field.name: duplicate.pk}).count()
        if left:
            raise MergeError(
                _("“%(name)s”还有 %(count)s 条%(model)s无法转移，合并已取消。")
                % {"name": duplicate, "count": left, "model": relation.related_model._meta.verbose_name},
                code="merge_incomplete",
            )


def _take_fields(survivor: Partner, duplicate: Partner, choices: dict[str, str]) -> None:
    for field_name in MERGE_FIELDS:
        choice = choices.get(field_name) or default_choice(survivor, duplicate, field_name)
        if choice != MergeChoice.DUPLICATE:
            continue
        if field_name == "owner":
            survivor.owner_id, survivor.department_id = duplicate.owner_id, duplicate.department_id
            survivor.owned_since = duplicate.owned_since
        else:
            attname = Partner._meta.get_field(field_name).attname
            setattr(survivor, attname, getattr(duplicate, attname))
            if field_name == "phone":
                survivor.phone_unverified = duplicate.phone_unverified  # the number comes with what is known of it
    survivor.is_customer = survivor.is_customer or duplicate.is_customer
    survivor.is_supplier = survivor.is_supplier or duplicate.is_supplier
    for name in ("last_followup_at", "last_deal_at"):
        dates = [value for value in (getattr(survivor, name), getattr(duplicate, name)) if value is not None]
        setattr(survivor, name, max(dates, default=None))


def _summary(moved: dict[str, int]) -> str:
    labels = {key: str(label) for key, _related, label in PARTS}
    labels.update(supplier_profile=_("供应商档案"), attachments=_("附件"), collaborators=_("协作人"))
    labels.update({name: str(label) for name, label in merge_step_labels().items()})
    return "、".join(f"{labels.get(name, name)} {count}" for name, count in moved.items() if count)


def merge_partners(
    *, actor, survivor: Partner, duplicate: Partner, field_choices: dict[str, str] | None = None
) -> Partner:
    """Merge ``duplicate`` into ``survivor`` and delete it; returns the survivor.

    ``field_choices`` maps fields of :data:`MERGE_FIELDS` to "survivor" or "duplicate"; a field not
    named keeps :func:`default_choice`. Both partners must be visible to ``actor`` for "assign"
    (:class:`~keshang.core.exceptions.ScopeViolation` otherwise); on any refusal nothing changes.
    """
    if survivor.pk == duplicate.pk:
        raise MergeError(_("不能将客商与其自身合并。"), code="merge_self")
    choices = _check_choices(field_choices)
    with transaction.atomic():
        survivor, duplicate = _lock_pair(actor, survivor.pk, duplicate.pk)
        survivor_before = audit.snapshot(survivor)
        duplicate_before = audit.snapshot(duplicate)
        duplicate_tags = list(duplicate.tags.all())
        from_owner = duplicate.owner

        moved = _move_parts(actor=actor, survivor=survivor, duplicate=duplicate)
        for name, step in merge_steps():
            moved[name] = step(survivor=survivor, duplicate=duplicate, actor=actor)
        _check_nothing_left(duplicate)

        merged_name, merged_pk = duplicate.name, duplicate.pk
        _take_fields(survivor, duplicate, choices)
        audit.record(
            actor=actor,
            obj=duplicate,
            action=AuditAction.DELETE,
            before=duplicate_before,
            message=_("已合并到“%(name)s”(#%(pk)s)") % {"name": survivor_before["name"], "pk": survivor.pk},
            related=survivor,
        )
        # Deleted before the survivor is saved: the credit code is unique and may be the one it takes over.
        duplicate.delete()

        derive_partner_keys(survivor)
        # A new version: an edit form opened on the survivor before the merge must not write its old values back.
        survivor.version += 1
        survivor.full_clean()
        survivor.save()
        survivor.tags.add(*duplicate_tags)
        message = _("合并了“%(name)s”(#%(pk)s)") % {"name": merged_name, "pk": merged_pk}
        summary = _summary(moved)
        handover = Handover(
            partner=survivor,
            kind=HandoverKind.MERGE,
            from_owner=from_owner,
            to_owner=survivor.owner,
            notes=f"{message}：{summary}" if summary else message,
            moved={name: count for name, count in moved.items() if count},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        handover.full_clean()
        handover.save()
        audit.record(actor=actor, obj=handover, action=AuditAction.CREATE, related=survivor)
        notify_previous_owners(handovers=[handover], actor=actor)
        if survivor_before["owner_id"] not in (None, survivor.owner_id):
            # The survivor took the duplicate's owner: its own owner lost it too.
            lost = Handover(partner=survivor, kind=HandoverKind.MERGE, from_owner_id=survivor_before["owner_id"])
            lost.to_owner = survivor.owner
            notify_previous_owners(handovers=[lost], actor=actor)
        audit.record(actor=actor, obj=survivor, action=AuditAction.UPDATE, before=survivor_before, message=message)
        recheck_scope(user=actor, obj=survivor, action=Action.ASSIGN)
    return survivor
