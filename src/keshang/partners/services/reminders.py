"""Expiry reminders of suppliers' qualifications through the notification centre, run daily by
``tasks.remind_expiring_qualifications``: 30, 7 and 1 days before a qualification expires, once per threshold."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.models import AuditAction, Notification
from keshang.core.notifications import notify
from keshang.core.permissions import Action, Scope
from keshang.org.models import Grant, User

from ..models import Qualification

__all__ = ["EXPIRY_THRESHOLDS", "expiry_threshold", "notify_expiring_qualifications"]

# Days before expiry at which the supplier's owner is reminded, once each.
EXPIRY_THRESHOLDS = (30, 7, 1)


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
