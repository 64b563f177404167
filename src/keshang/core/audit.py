"""Writing the audit trail, explicitly from services (STYLE.md §4).

``snapshot(obj)`` before a change, ``record(actor=…, obj=…, action=…, before=…)`` after it, inside
the same transaction, so a rolled-back change leaves no audit row and a committed one always has one.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from .context import current_request
from .masking import mask_value
from .models import AuditAction, AuditEntry

__all__ = ["snapshot", "record", "record_event", "serialize_value"]

_AS_IS = frozenset({str, int, bool})


def serialize_value(value):
    """JSON-safe form of a field value: Decimals as strings, so money is never turned into a float."""
    if value is None or type(value) in _AS_IS:
        return value  # most values: one look-up instead of the checks below (imports snapshot 100,000 rows)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [serialize_value(item) for item in value]
    if isinstance(value, dict):
        return {key: serialize_value(item) for key, item in value.items()}
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(obj: models.Model) -> dict:
    """Concrete fields (FKs by id) and many-to-many ids, minus ``audit_exclude``, with ``audit_masked``
    fields masked (encrypted columns must not reappear in clear in the unencrypted trail)."""
    excluded = set(getattr(obj, "audit_exclude", ())) | {"password"}
    masked = set(getattr(obj, "audit_masked", ()))
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in excluded:
            continue
        value = serialize_value(field.value_from_object(obj))
        data[field.attname] = mask_value(value) if field.name in masked else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if field.name not in excluded:
                data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def record(
    *,
    actor,
    obj: models.Model | None,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    user_name: str = "",
    related: models.Model | None = None,
) -> AuditEntry:
    """Append one entry; ``after`` defaults to a fresh snapshot unless the object was deleted.

    ``related`` names the record this object is part of (a contact's partner), so the change also
    shows in that record's history (NB ObjectChange.related_object).
    """
    if after is None and obj is not None and action != AuditAction.DELETE:
        after = snapshot(obj)
    context = current_request.get()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        user=user,
        user_name=user.get_username() if user else user_name,
        request_id=context.request_id if context else "",
        ip_address=context.ip_address if context else None,
        user_agent=context.user_agent if context else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        message=message[:500],
        related_content_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_object_id=str(related.pk) if related is not None else "",
    )


def record_event(*, actor, action: str, message: str = "", obj: models.Model | None = None, user_name: str = ""):
    """A security or system event (login, export…) that changes no record's fields."""
    return record(actor=actor, obj=obj, action=action, after={}, message=message, user_name=user_name)
