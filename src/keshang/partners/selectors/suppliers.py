"""Reads of suppliers' profiles and qualifications, through the partner's scope."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from keshang.core.permissions import Action

from ..models import Partner, Qualification, SupplierProfile

__all__ = ["get_supplier_profile", "list_qualifications", "list_expiring_qualifications"]


def get_supplier_profile(*, user, partner: Partner, action: str = Action.VIEW) -> SupplierProfile | None:
    return SupplierProfile.objects.visible_to(user, action).filter(partner=partner).first()


def list_qualifications(*, user, action: str = Action.VIEW) -> QuerySet[Qualification]:
    return Qualification.objects.visible_to(user, action).select_related("partner")


def list_expiring_qualifications(*, user, within_days: int, today: datetime.date) -> QuerySet[Qualification]:
    """Suppliers' qualifications that expire within ``within_days`` of ``today``, or have expired."""
    return list_qualifications(user=user).filter(
        partner__is_supplier=True, expires_on__isnull=False, expires_on__lte=today + datetime.timedelta(within_days)
    )
