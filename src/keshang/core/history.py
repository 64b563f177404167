"""Audit entries as people read them: field labels, display values, sensitive values masked."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.dateparse import parse_datetime

from .masking import mask_value
from .models import AuditAction, AuditEntry
from .permissions import Action, resource_for_model
from .scope import has_action
from .tables import display_value

__all__ = ["ChangeRow", "describe_changes", "entries_shown_clear", "shows_sensitive"]

# Bookkeeping columns that say nothing to a reader of the history.
HIDDEN = {"id", "created_at", "updated_at", "path", "depth"}
EMPTY = (None, "", [], {})


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def _fields(model) -> dict[str, models.Field]:
    if model is None:
        return {}
    fields = {field.attname: field for field in model._meta.concrete_fields}
    fields.update({field.name: field for field in model._meta.many_to_many})
    return fields


def _related_names(field: models.Field, values) -> dict:
    """str() of the related rows named in ``values`` (ids), one query per field and entry."""
    # Permission entries name roles rather than numbering them; only ids are looked up.
    ids = [value for value in values if isinstance(value, int)]
    if not ids:
        return {}
    related = field.related_model._default_manager.filter(pk__in=ids)
    return {obj.pk: str(obj) for obj in related}


def _display(field: models.Field | None, value, names: dict) -> str:
    if value in EMPTY:
        return ""
    if field is not None:
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.many_to_many:
            return "、".join(names.get(item, f"#{item}" if isinstance(item, int) else str(item)) for item in value)
        if field.is_relation:
            return names.get(value, f"#{value}")
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            return display_value(parse_datetime(value) or value)
        if isinstance(field, models.DateField) and isinstance(value, str):
            return display_value(datetime.date.fromisoformat(value))
    return display_value(value)


def shows_sensitive(entry: AuditEntry, user, model) -> bool:
    """Whether ``user`` sees the sensitive values of ``entry`` in clear (see :func:`entries_shown_clear`)."""
    return entry.pk in entries_shown_clear([entry], user)


def entries_shown_clear(entries, user) -> set[int]:
    """The entries whose sensitive values ``user`` sees in clear: by the record itself while it exists
    (``view_sensitive`` within its scope), else by the grant alone. Two queries per model, however many
    entries (a page of the audit API holds up to 500)."""
    clear, by_model = set(), defaultdict(list)
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
        if getattr(model, "sensitive_fields", ()):
            by_model[model].append(entry)
        else:
            clear.add(entry.pk)
    for model, group in by_model.items():
        ids = {int(entry.object_id) for entry in group if entry.object_id.isdigit()}
        # Which rule applies depends on whether the record still exists, whoever may see it.
        existing = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        allowed = set(
            model._default_manager.visible_to(user, Action.VIEW_SENSITIVE)
            .filter(pk__in=existing)
            .values_list("pk", flat=True)
        )
        granted = has_action(user, resource_for_model(model), Action.VIEW_SENSITIVE)
        for entry in group:
            pk = int(entry.object_id) if entry.object_id.isdigit() else None
            if (pk in allowed) if pk in existing else granted:
                clear.add(entry.pk)
    return clear


def describe_changes(entry: AuditEntry, user) -> list[ChangeRow]:
    """The changed fields of ``entry`` with labels and display values, masked for ``user``."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    fields = _fields(model)
    sensitive = set(getattr(model, "sensitive_fields", ())) if model else set()
    clear = shows_sensitive(entry, user, model) if model and sensitive else True
    rows = []
    for key, before, after in entry.changed_fields():
        if key in HIDDEN:
            continue
        if entry.action == AuditAction.CREATE and after in EMPTY:
            continue
        field = fields.get(key)
        names = {}
        if field is not None and field.is_relation:
            values = [*(before or []), *(after or [])] if field.many_to_many else [before, after]
            names = _related_names(field, values)
        label = str(field.verbose_name) if field is not None else key
        before_text, after_text = _display(field, before, names), _display(field, after, names)
        if field is not None and field.name in sensitive and not clear:
            before_text, after_text = mask_value(before_text), mask_value(after_text)
        rows.append(ChangeRow(label, before_text, after_text))
    return rows
