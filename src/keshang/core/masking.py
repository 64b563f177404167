"""Sensitive fields (DESIGN.md rule 3): masked for users without ``view_sensitive`` on the record.

A model lists its sensitive fields in ``sensitive_fields``. Pages, API and exports all ask a
:class:`Masker`, which decides with one query per batch of rows whether each row may be shown in clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from .permissions import Action, Scope, resource_for_model

__all__ = [
    "mask_value",
    "Masker",
    "sees_clear_wherever_visible",
    "clear_rows",
    "only_clear_or_public_matches",
    "may_sort_by",
    "digits_of",
]

MASK = "****"


def mask_value(value) -> str:
    """138****1234 for phones, z***@example.com for e-mails, ****1234 for account numbers, **** for numbers."""
    if value in (None, ""):
        return value
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        # Part of an amount tells its size (1234.56 → 123****4.56): money is hidden whole.
        return MASK
    text = str(value)
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and len(digits) >= len(text) - 3:
        return f"{text[:3]}{MASK}{text[-4:]}"
    if len(text) > 4:
        return f"{MASK}{text[-4:]}"
    return MASK


def sees_clear_wherever_visible(user, model) -> bool:
    """True when ``user`` sees the sensitive fields of every row of ``model`` they may view in clear (or the
    model has none): they may then search, filter and sort by those fields as by any other."""
    if not getattr(model, "sensitive_fields", ()) or (user is not None and user.is_superuser):
        return True
    if user is None or not user.is_authenticated:
        return False
    resource = resource_for_model(model)
    clear = user.grant_scope(resource, Action.VIEW_SENSITIVE)
    if clear is None:
        return False
    if clear == Scope.ALL:
        return True
    parent = getattr(model, "scope_parent", None)
    owner = model._meta.get_field(parent).related_model if parent else model
    # Shared rows are opened to view, never to view_sensitive (core.scope.COLLABORATOR_ACTIONS).
    return clear == user.grant_scope(resource, Action.VIEW) and not getattr(owner, "scope_collaborators", False)


def clear_rows(user, model) -> QuerySet | None:
    """The ids of the rows of ``model`` that ``user`` sees in clear, as a subquery; None when that is every row
    they may view (:func:`sees_clear_wherever_visible`), so callers add no condition."""
    if sees_clear_wherever_visible(user, model):
        return None
    return model._default_manager.visible_to(user, Action.VIEW_SENSITIVE).order_by().values("pk")


def only_clear_or_public_matches(queryset: QuerySet, *, user, public: Q) -> QuerySet:
    """The rule that keeps masked values from being searched (issue 12, finding 3): of the rows a search
    found, those ``user`` sees masked stay only where ``public`` holds, a condition on what they see in clear
    (name, code, pinyin…) or on a sensitive value typed in whole. Searching a masked number digit by digit or
    an e-mail letter by letter then finds nothing; typing the full number finds the record, which tells the
    reader nothing new."""
    clear = clear_rows(user, queryset.model)
    if clear is None:
        return queryset
    return queryset.filter(Q(pk__in=clear) | public)


def may_sort_by(user, queryset: QuerySet, field: str) -> bool:
    """Whether ``user`` may sort ``queryset`` by ``field`` (a database path, ``-`` allowed): not by a sensitive
    field while any row of it is masked to them, as the order would rank the hidden values."""
    name = field.lstrip("-").split("__")[0]
    if name not in getattr(queryset.model, "sensitive_fields", ()):
        return True
    clear = clear_rows(user, queryset.model)
    return clear is None or not queryset.exclude(pk__in=clear).exists()


_PHONE_SEPARATORS = (" ", "-", "+", "(", ")", ".", "/", "\u3000", "\uff0d", "\uff08", "\uff09")


def digits_of(column: str):
    """A phone column as its digits, in SQL (separators removed), to compare with a typed number whole or to
    remove the number from a stored search text."""
    expression = column
    for separator in _PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


class Masker:
    """Masks the sensitive fields of rows of one model for one user."""

    def __init__(self, user, model):
        self.user = user
        self.model = model
        self.fields = tuple(getattr(model, "sensitive_fields", ()))
        self._checked: set = set()
        self._clear: set = set()

    def prepare(self, objects: Iterable) -> Masker:
        """Decide for a batch of rows at once (one query), before rendering them."""
        pks = {obj.pk for obj in objects} - self._checked
        if self.fields and pks:
            allowed = self.model._default_manager.visible_to(self.user, Action.VIEW_SENSITIVE)
            self._clear |= set(allowed.filter(pk__in=pks).values_list("pk", flat=True))
            self._checked |= pks
        return self

    def shows_clear(self, obj) -> bool:
        if not self.fields:
            return True
        self.prepare([obj])
        return obj.pk in self._clear

    def value(self, obj, field: str, value=None):
        """The value to show of ``field`` (``value`` if the caller already resolved it)."""
        if value is None:
            value = getattr(obj, field)
        if field in self.fields and not self.shows_clear(obj):
            return mask_value(value)
        return value

    def mask_dict(self, obj, data: dict) -> dict:
        if self.fields and not self.shows_clear(obj):
            for field in self.fields:
                if field in data:
                    data[field] = mask_value(data[field])
        return data
