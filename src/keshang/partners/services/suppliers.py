"""Every write to what suppliers have besides: the profile (main products, ratings) and qualifications with their
certificate files. Keyword-only, explicit actor, one transaction, ``full_clean``, audited against the partner
(``related=partner``) so the partner's history shows them. The expiry reminders are in ``reminders``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import attachments, audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

from ..models import Partner, Qualification, SupplierProfile

__all__ = [
    "RATING_FIELDS",
    "save_supplier_profile",
    "save_qualification",
    "delete_qualification",
    "delete_supplier_records",
]

RATING_FIELDS = ("rating_delivery", "rating_quality", "rating_price", "rating_service")
PROFILE_FIELDS = {"main_products", *RATING_FIELDS}
QUALIFICATION_FIELDS = {"name", "number", "issued_on", "expires_on"}


def _changed(before: dict | None, after: dict) -> bool:
    """Whether a save changed anything a reader cares about (``updated_at`` moves on every save)."""

    def fields(data: dict) -> dict:
        return {key: value for key, value in data.items() if key != "updated_at"}

    return before is None or fields(before) != fields(after)


def _require_supplier(partner: Partner) -> None:
    if not partner.is_supplier:
        raise ApplicationError(
            _("“%(partner)s”不是供应商；请先在客商资料中勾选“供应商”。") % {"partner": partner}, code="not_supplier"
        )


#


def _check_ratings(data: dict) -> None:
    errors = {}
    for field in RATING_FIELDS:
        value = data.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            label = SupplierProfile._meta.get_field(field).verbose_name
            errors[field] = _("%(field)s须在 1 到 5 之间。") % {"field": label}
    if errors:
        raise ValidationError(errors)


def save_supplier_profile(*, actor, partner: Partner, data: dict) -> SupplierProfile:
    """Create or update ``partner``'s supplier profile: main products and ratings (1–5, or none)."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"unknown supplier profile fields: {sorted(unknown)}")
    _check_ratings(data)
    with transaction.atomic():
        _require_supplier(partner)
        profile = SupplierProfile.objects.select_for_update().filter(partner=partner).first()
        before = audit.snapshot(profile) if profile is not None else None
        profile = profile or SupplierProfile(partner=partner)
        for field, value in data.items():
            setattr(profile, field, value)
        profile.full_clean()
        profile.save()
        if _changed(before, audit.snapshot(profile)):
            audit.record(
                actor=actor,
                obj=profile,
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                before=before,
                related=partner,
            )
    return profile


def save_qualification(
    *,
    actor,
    partner: Partner,
    qualification: Qualification | None = None,
    data: dict,
    upload=None,
    remove_file: bool = False,
) -> Qualification:
    """Create or update a qualification, optionally with its certificate file (checked like any
    attachment). A new expiry date starts the reminders afresh."""
    unknown = set(data) - QUALIFICATION_FIELDS
    if unknown:
        raise ValueError(f"unknown qualification fields: {sorted(unknown)}")
    checked = attachments.check_upload(upload) if upload is not None else None
    issued_on, expires_on = data.get("issued_on"), data.get("expires_on")
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": _("到期日期不能早于发证日期。")})
    with transaction.atomic():
        _require_supplier(partner)
        is_new = qualification is None or qualification.pk is None
        if is_new:
            instance, before = Qualification(partner=partner), None
        else:
            instance = Qualification.objects.select_for_update().get(pk=qualification.pk)
            before = audit.snapshot(instance)
        previous_expiry, previous_file = instance.expires_on, instance.file
        for field, value in data.items():
            setattr(instance, field, value)
        if instance.expires_on != previous_expiry:
            instance.expiry_notified_on = None
        replaced = None
        if checked is not None:
            replaced = previous_file.name or None
            instance.file.save(attachments.stored_name(checked.extension), upload, save=False)
        elif remove_file and previous_file:
            replaced, instance.file = previous_file.name, ""
        try:
            instance.full_clean()
            instance.save()
        except Exception:
            if checked is not None:
                instance.file.storage.delete(instance.file.name)
            raise
        if replaced:
            storage = instance.file.storage
            transaction.on_commit(lambda: storage.delete(replaced))
        after = audit.snapshot(instance)
        if _changed(before, after):
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                before=before,
                after=after,
                related=partner,
            )
    return instance


def delete_qualification(*, actor, qualification: Qualification) -> None:
    """Delete a qualification; its certificate file goes after commit."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            obj=qualification,
            action=AuditAction.DELETE,
            before=audit.snapshot(qualification),
            related=qualification.partner,
        )
        qualification.delete()
        if qualification.file:
            storage, name = qualification.file.storage, qualification.file.name
            transaction.on_commit(lambda: storage.delete(name))


def delete_supplier_records(*, actor, partner: Partner) -> None:
    """Delete a partner's profile, qualifications (their files after commit) and attachments, audited,
    before the partner itself is deleted: the database cascade would leave the stored files behind."""
    with transaction.atomic():
        for qualification in Qualification.objects.filter(partner=partner):
            delete_qualification(actor=actor, qualification=qualification)
        profile = SupplierProfile.objects.filter(partner=partner).first()
        if profile is not None:
            audit.record(
                actor=actor, obj=profile, action=AuditAction.DELETE, before=audit.snapshot(profile), related=partner
            )
            profile.delete()
        attachments.delete_attachments_of(actor=actor, obj=partner)
