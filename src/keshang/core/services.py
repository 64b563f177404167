"""Writes of core's own records: currencies and exchange rates."""

from __future__ import annotations

from django.db import transaction

from . import audit
from .models import AuditAction, Currency, ExchangeRate

__all__ = [
    "save_instance",
    "delete_instance",
    "save_currency",
    "save_exchange_rate",
    "delete_currency",
    "delete_exchange_rate",
]


def save_instance(*, actor, instance, data: dict):
    """Create or update a plain record from validated data: full_clean, save, audit, one transaction."""
    with transaction.atomic():
        is_new = instance.pk is None
        before = None if is_new else audit.snapshot(type(instance)._default_manager.get(pk=instance.pk))
        for field, value in data.items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()
        if is_new or before != audit.snapshot(instance):
            audit.record(
                actor=actor, obj=instance, action=AuditAction.CREATE if is_new else AuditAction.UPDATE, before=before
            )
    return instance


def delete_instance(*, actor, instance) -> None:
    with transaction.atomic():
        audit.record(actor=actor, obj=instance, action=AuditAction.DELETE, before=audit.snapshot(instance))
        instance.delete()


def save_currency(*, actor, currency: Currency | None = None, **data) -> Currency:
    return save_instance(actor=actor, instance=currency or Currency(), data=data)


def delete_currency(*, actor, currency: Currency) -> None:
    delete_instance(actor=actor, instance=currency)


def save_exchange_rate(*, actor, exchange_rate: ExchangeRate | None = None, **data) -> ExchangeRate:
    return save_instance(actor=actor, instance=exchange_rate or ExchangeRate(), data=data)


def delete_exchange_rate(*, actor, exchange_rate: ExchangeRate) -> None:
    delete_instance(actor=actor, instance=exchange_rate)
