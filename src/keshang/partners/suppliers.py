"""Partners: the supplier profile (main products, ratings), qualifications with expiry reminders
through the notification centre, partner attachments, and the classification lists (客户级别, 行业,
标签) with their admin pages (issue 3).

Services and selectors follow STYLE.md §2: keyword-only, explicit actor, one transaction, full_clean,
audited against the partner (``related=partner``) so the partner's history shows them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import attachments, audit
from keshang.core import services as core_services
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, Notification
from keshang.core.notifications import notify
from keshang.core.permissions import Action, Scope
from keshang.org.models import Grant, User

from .models import Industry, Partner, PartnerLevel, Qualification, SupplierProfile, Tag

__all__ = [
    "RATING_FIELDS",
    "EXPIRY_THRESHOLDS",
    "get_supplier_profile",
    "save_supplier_profile",
    "list_qualifications",
    "list_expiring_qualifications",
    "save_qualification",
    "delete_qualification",
    "delete_supplier_records",
    "expiry_threshold",
    "notify_expiring_qualifications",
    "list_partner_levels",
    "list_industries",
    "list_tags",
    "count_partners_using",
    "save_classification",
    "delete_classification",
    "register",
]

RATING_FIELDS = ("rating_delivery", "rating_quality", "rating_price", "rating_service")
PROFILE_FIELDS = {"main_products", *RATING_FIELDS}
QUALIFICATION_FIELDS = {"name", "number", "issued_on", "expires_on"}
# Days before expiry at which the supplier's owner is reminded, once each.
EXPIRY_THRESHOLDS = (30, 7, 1)


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
# Supplier profile
#


def get_supplier_profile(*, user, partner: Partner, action: str = Action.VIEW) -> SupplierProfile | None:
    return SupplierProfile.objects.visible_to(user, action).filter(partner=partner).first()


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


#
# Qualifications
#


def list_qualifications(*, user, action: str = Action.VIEW) -> QuerySet[Qualification]:
    return Qualification.objects.visible_to(user, action).select_related("partner")


def list_expiring_qualifications(*, user, within_days: int, today: datetime.date) -> QuerySet[Qualification]:
    """Suppliers' qualifications that expire within ``within_days`` of ``today``, or have expired."""
    return list_qualifications(user=user).filter(
        partner__is_supplier=True, expires_on__isnull=False, expires_on__lte=today + datetime.timedelta(within_days)
    )


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


#
# Expiry reminders (run daily by supplier_tasks.remind_expiring_qualifications)
#


def expiry_threshold(*, expires_on: datetime.date, today: datetime.date) -> int | None:
    """The reminder window ``today`` falls in: the smallest threshold not below the days left
    (5 days left → 7), or None while expiry is further away than the largest threshold."""
    days_left = (expires_on - today).days
    due = [threshold for threshold in EXPIRY_THRESHOLDS if days_left <= threshold]
    return min(due) if due else None


def _reminder_due(qualification: Qualification, today: datetime.date) -> bool:
    """Due once per window: ``expiry_notified_on`` is the last reminder's date, so a reminder sent on
    or after the day the current window opened (expiry minus the threshold) covers it. A missed day
    (the job did not run) is caught up on the next run; an already expired qualification is
    reminded once, in the last window."""
    threshold = expiry_threshold(expires_on=qualification.expires_on, today=today)
    if threshold is None:
        return False
    window_opened = qualification.expires_on - datetime.timedelta(days=threshold)
    return qualification.expiry_notified_on is None or qualification.expiry_notified_on < window_opened


def _pool_recipients() -> list[User]:
    """Who answers for a supplier in the pool: superusers and whoever may assign any partner."""
    role_ids = [
        role_id
        for role_id, actions in Grant.objects.filter(
            resource="partners.partner", scope=Scope.ALL, role__is_active=True
        ).values_list("role_id", "actions")
        if Action.ASSIGN in actions
    ]
    return list(User.objects.filter(Q(is_superuser=True) | Q(roles__in=role_ids), is_active=True).distinct())


def _remind(qualification: Qualification, today: datetime.date, pool_recipients) -> None:
    partner = qualification.partner
    days_left = (qualification.expires_on - today).days
    values = {
        "partner": partner.name,
        "name": qualification.name,
        "number": qualification.number or "—",
        "date": qualification.expires_on.isoformat(),
        "days": days_left,
    }
    if days_left > 0:
        title = _("资质即将到期：%(partner)s %(name)s") % values
        body = _("%(partner)s 的“%(name)s”（证书编号：%(number)s）将于 %(date)s 到期，还有 %(days)s 天。") % values
    else:
        title = _("资质已到期：%(partner)s %(name)s") % values
        body = _("%(partner)s 的“%(name)s”（证书编号：%(number)s）已于 %(date)s 到期。") % values
    recipients = [partner.owner] if partner.owner_id and partner.owner.is_active else pool_recipients()
    notify(
        recipients=recipients,
        title=title,
        body=body,
        url=reverse("partners:partner_supplier", args=[partner.pk]),
        level=Notification.Level.WARNING if days_left > 1 else Notification.Level.DANGER,
        email=True,
    )


def notify_expiring_qualifications(*, today: datetime.date) -> int:
    """Remind each supplier's owner (or, for a supplier in the pool, whoever may assign any partner)
    30, 7 and 1 days before a qualification expires, once per threshold; returns how many were sent."""
    horizon = today + datetime.timedelta(days=max(EXPIRY_THRESHOLDS))
    # A system job: it reminds about every supplier, whoever owns it.
    candidates = Qualification.objects.unscoped().filter(
        partner__is_supplier=True, expires_on__isnull=False, expires_on__lte=horizon
    )
    pool: list[User] | None = None

    def pool_recipients() -> list[User]:
        nonlocal pool
        if pool is None:
            pool = _pool_recipients()
        return pool

    sent = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and re-checked, so two workers running the job at once remind only once.
            qualification = (
                Qualification.objects.unscoped()
                .select_for_update(of=("self",))
                .select_related("partner__owner")
                .get(pk=pk)
            )
            if not _reminder_due(qualification, today):
                continue
            _remind(qualification, today, pool_recipients)
            before = audit.snapshot(qualification)
            qualification.expiry_notified_on = today
            qualification.full_clean()
            qualification.save(update_fields=["expiry_notified_on"])
            audit.record(
                actor=None,
                obj=qualification,
                action=AuditAction.UPDATE,
                before=before,
                after=audit.snapshot(qualification),
                related=qualification.partner,
                message=_("已发送到期提醒"),
            )
            sent += 1
    return sent


#
# Classification lists: levels, industries, tags
#


def list_partner_levels(*, user, action: str = Action.VIEW) -> QuerySet[PartnerLevel]:
    return PartnerLevel.objects.visible_to(user, action)


def list_industries(*, user, action: str = Action.VIEW) -> QuerySet[Industry]:
    return Industry.objects.visible_to(user, action)


def list_tags(*, user, action: str = Action.VIEW) -> QuerySet[Tag]:
    return Tag.objects.visible_to(user, action)


def count_partners_using(classification: PartnerLevel | Industry | Tag) -> int:
    """How many partners carry this level, industry or tag. Deliberately across all partners, not
    the user's scope: whether a classification is still in use is a fact about the whole company."""
    return classification.partners.count()


def save_classification(*, actor, instance: models.Model, data: dict) -> models.Model:
    """Create or update a level, industry or tag (full_clean checks the unique names and codes)."""
    return core_services.save_instance(actor=actor, instance=instance, data=data)


def delete_classification(*, actor, instance: PartnerLevel | Industry | Tag) -> None:
    """Refuse while partners use it: clearing it from them silently would change partners without a
    trace in their history. Rename it instead, or move the partners to another one first."""
    with transaction.atomic():
        in_use = count_partners_using(instance)
        if in_use:
            raise ApplicationError(
                _(
                    "“%(name)s”仍有 %(count)s 个客商在使用，不能删除。"
                    "请先将这些客商改为其他%(kind)s，或直接修改它的名称。"
                )
                % {"name": instance, "count": in_use, "kind": instance._meta.verbose_name},
                code="in_use",
            )
        core_services.delete_instance(actor=actor, instance=instance)


#
# Registration
#


def register() -> None:
    """Menu items, detail tabs, attachments and the reminder job of this feature; called from
    PartnersConfig.ready()."""
    from keshang.core.registry import DetailTab, MenuItem, register_detail_tab, register_menu_item

    from . import supplier_tasks  # noqa: F401  (importing registers the periodic job with Huey)

    attachments.register_attachable(Partner)
    register_detail_tab(
        "partners.partner",
        DetailTab("attachments", gettext_lazy("附件"), attachments.attachment_url_name(Partner, "list"), 40),
    )
    register_detail_tab(
        "partners.partner", DetailTab("supplier", gettext_lazy("供应商档案"), "partners:partner_supplier", 50)
    )
    # Everyone may read the lists (forms and filters need them); the menu shows them to those who maintain them.
    for label, url_name, resource, order in (
        (gettext_lazy("客户级别"), "partners:partnerlevel_list", "partners.partnerlevel", 60),
        (gettext_lazy("行业"), "partners:industry_list", "partners.industry", 61),
        (gettext_lazy("标签"), "partners:tag_list", "partners.tag", 62),
    ):
        register_menu_item(MenuItem("settings", label, url_name, resource, action=Action.CHANGE, order=order))
