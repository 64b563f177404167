"""What every catalog write shares: refusing unknown fields, saving one row with its audit entry (only when
something changed), and deleting one with a message when other rows still hold it. Products are shared master
data (not owned), so there is no scope check here beyond the permission the view or API already checked."""

from __future__ import annotations

from decimal import Decimal

from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

__all__ = ["check_fields", "changed", "save_row", "delete_row"]


def check_fields(data: dict, allowed, what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"unknown {what} fields: {sorted(unknown)}")


def changed(before: dict, instance) -> bool:
    """Whether a save changed anything: Decimals compare by value ("0.05" as typed, "0.050000" as stored)."""
    after = audit.snapshot(instance)
    decimals = {field.attname for field in instance._meta.concrete_fields if isinstance(field, models.DecimalField)}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if key in decimals and old is not None and new is not None:
            if Decimal(old) != Decimal(new):
                return True
        elif old != new:
            return True
    return False


def save_row(*, actor, instance, data: dict, related=None):
    """Create or update one row: full_clean, save and one audit entry if anything changed."""
    with transaction.atomic():
        is_new = instance.pk is None
        before = None if is_new else audit.snapshot(type(instance).objects.get(pk=instance.pk))
        for field, value in data.items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()
        if is_new or changed(before, instance):
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                before=before,
                related=related,
            )
    return instance


def delete_row(*, actor, instance, protected_message: str, related=None) -> None:
    try:
        with transaction.atomic():
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.DELETE,
                before=audit.snapshot(instance),
                related=related,
            )
            instance.delete()
    except ProtectedError as exc:
        raise ApplicationError(protected_message, code="protected") from exc
