"""Sensitive fields (DESIGN.md rule 3): masked for users without ``view_sensitive`` on the record.

A model lists its sensitive fields in ``sensitive_fields``. Pages, API and exports all ask a
:class:`Masker`, which decides with one query per batch of rows whether each row may be shown in clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from .permissions import Action

__all__ = ["mask_value", "Masker"]

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
