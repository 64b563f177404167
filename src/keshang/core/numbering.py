"""Concurrency-safe document numbers (STYLE.md §6): ``SO202611-00042``.

The sequence row is incremented inside the caller's transaction, so a rolled-back document gives its
number back and numbers stay gap-free. PostgreSQL serialises writers with ``SELECT … FOR UPDATE``;
SQLite (where that is a no-op) does it with ``transaction_mode = IMMEDIATE``, which takes the
database's write lock when the transaction begins.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence

__all__ = ["next_number", "format_number"]


def format_number(doc_type: str, period: str, value: int) -> str:
    return f"{doc_type}{period}-{value:05d}"


def next_number(doc_type: str, *, on: datetime.date | None = None) -> str:
    """The next number of ``doc_type`` for the month of ``on``; call inside the document's transaction."""
    if not doc_type.isalnum() or not doc_type.isupper():
        raise ValueError(f"A document type is upper-case letters/digits: {doc_type!r}")
    on = on or timezone.localdate()
    period = on.strftime("%Y%m")
    with transaction.atomic():
        updated = NumberSequence.objects.filter(doc_type=doc_type, period=period).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                # A savepoint, so losing the race to create the row does not poison the outer transaction.
                with transaction.atomic():
                    NumberSequence.objects.create(doc_type=doc_type, period=period, last_value=1)
            except IntegrityError:
                NumberSequence.objects.filter(doc_type=doc_type, period=period).update(last_value=F("last_value") + 1)
        value = NumberSequence.objects.select_for_update().get(doc_type=doc_type, period=period).last_value
    return format_number(doc_type, period, value)
