"""Inserting many rows of one model fast: what ``bulk_create`` does, without its per-value overhead.

``QuerySet.bulk_create`` prepares every value through ``Field.get_db_prep_save`` (several calls deep) and, on
SQLite, batches at most 999 parameters: an import of 100,000 partners of 40 columns spent a third of its time
there. :func:`insert_rows` asks each field for its database value only when the value could need converting
(a string, an integer or ``None`` in a plain text, number or foreign-key column goes as it is), sends large
multi-row ``INSERT … RETURNING`` statements, and sets the new primary keys on the objects, as ``bulk_create``
does. For services that have already validated their objects (``full_clean``); no signals are sent, as with
``bulk_create``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connection, models

__all__ = ["insert_rows"]

# Exact classes, not subclasses: a subclass (an encrypted text field, say) may convert plain strings.
_PLAIN_FIELDS = frozenset(
    {
        models.CharField,
        models.TextField,
        models.SlugField,
        models.EmailField,
        models.URLField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.PositiveSmallIntegerField,
        models.ForeignKey,
        models.OneToOneField,
    }
)
_PLAIN_VALUES = (str, int, type(None))
# Parameters per statement: SQLite (3.32+) allows 32,766, PostgreSQL 65,535.
_MAX_PARAMETERS = 30_000


@functools.cache
def _columns(model: type[models.Model]) -> tuple[tuple[models.Field, bool], ...]:
    """The fields an INSERT writes (the auto primary key left out), each with whether it is a plain one."""
    return tuple(
        (field, type(field) in _PLAIN_FIELDS)
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    )


def insert_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` (new, unsaved instances of ``model``) and give each its primary key.

    ``pre_save`` runs for every field as on a normal save, so ``auto_now``/``auto_now_add`` timestamps are
    set on the objects too. Call inside the caller's transaction.
    """
    if not objects:
        return
    if not connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects)  # SQLite before 3.35 has no RETURNING
        return
    columns = _columns(model)
    pk = model._meta.pk
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field, _plain in columns)}) "
        "VALUES "
    )
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch_size = max(1, _MAX_PARAMETERS // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = []
            for obj in batch:
                for field, plain in columns:
                    value = field.pre_save(obj, add=True)
                    if not (plain and isinstance(value, _PLAIN_VALUES)):
                        value = field.get_db_prep_save(value, connection)
                    params.append(value)
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + f" RETURNING {quote(pk.column)}", params)
            # Both databases return the rows of a multi-row VALUES in their order (bulk_create relies on it too).
            for obj, (key,) in zip(batch, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, key)
                obj._state.adding = False
                obj._state.db = connection.alias
