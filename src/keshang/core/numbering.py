"""Concurrency-safe document numbers (STYLE.md §6): ``SO202611-00042``.

The sequence row is incremented inside the caller's transaction, so a rolled-back document gives its
number back and numbers stay gap-free. PostgreSQL serialises writers with ``SELECT … FOR UPDATE``;
SQLite (where that is a no-op) does it with ``transaction_mode = IMMEDIATE``, which takes the
database's write lock when the transaction begins.
"""

from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence

__all__ = ["next_number", "next_numbers", "format_number"]

# An upper-case ASCII letter, then up to 9 more letters or digits: NumberSequence.doc_type holds 10 characters.
DOC_TYPE = re.compile(r"[A-Z][A-Z0-9]{0,9}")


def format_number(doc_type: str, period: str, value: int) -> str:
    return f"{doc_type}{period}-{value:05d}"


def next_number(doc_type: str, *, on: datetime.date | None = None) -> str:
    """The next number of ``doc_type`` for the month of ``on``; call inside the document's transaction.

    ``on`` defaults to today; an aware datetime counts in the local time zone, like the default.
    """
    if not isinstance(doc_type, str) or not DOC_TYPE.fullmatch(doc_type):
        raise ValueError(
            f"A document type is 1-10 upper-case ASCII letters/digits, starting with a letter: {doc_type!r}"
        )
    if on is None:
        on = timezone.localdate()
    elif isinstance(on, datetime.datetime) and timezone.is_aware(on):
        on = timezone.localdate(on)
    period = on.strftime("%Y%m")
    # No savepoint of its own (the document's transaction is the unit), except around the creation race below.
    with transaction.atomic(savepoint=False):
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


_NUMBER = re.compile(r"(\d+)-(\d+)")


def next_numbers(doc_type: str, count: int, *, on: datetime.date | None = None) -> list[str]:
    """``count`` consecutive numbers of ``doc_type`` (a bulk import's): the first from :func:`next_number`, which
    creates the period's sequence row if needed and locks it for this transaction, the others by moving that row
    on past them in one update while it is still locked."""
    with transaction.atomic():
        first = next_number(doc_type, on=on)
        period, value = _NUMBER.fullmatch(first.removeprefix(doc_type)).groups()
        if count > 1:
            NumberSequence.objects.filter(doc_type=doc_type, period=period).update(
                last_value=F("last_value") + count - 1
            )
    return [format_number(doc_type, period, int(value) + offset) for offset in range(count)]
