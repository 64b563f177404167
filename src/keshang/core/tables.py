"""List columns, defined once for the page and the export (STYLE.md §1 ``tables.py``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .masking import Masker
from .money import format_amount, format_price

__all__ = [
    "Column",
    "AmountColumn",
    "PriceColumn",
    "Table",
    "display_value",
    "AuditEntryTable",
    "CurrencyTable",
    "ExchangeRateTable",
]

# A cell's text that is a plain number (what display_value writes for a Decimal): the only text money columns
# regroup on the page. Masked (****), empty or any other text is shown as it is.
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def display_value(value) -> str:
    """How a value reads on screen and in an export: 是/否, local times, Decimals as written."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, models.Manager):
        return "、".join(str(item) for item in value.all())
    return str(value)


@dataclass(frozen=True)
class Column:
    """``accessor`` is an attribute path ("department.name"); ``order_by`` a database field, or None."""

    accessor: str
    verbose_name: str
    order_by: str | None = None
    link: bool | str = False
    export: bool = True
    # "end" lines the column up on the right on the page (numbers).
    align: str = ""

    def page_text(self, text: str) -> str:
        """The cell on the page, from its text in exports: the same, except for money columns."""
        return text

    @property
    def field(self) -> str:
        return self.accessor.split(".")[0]

    def raw(self, obj):
        value = obj
        parts = self.accessor.split(".")
        for index, part in enumerate(parts):
            if value is None:
                return None
            model_field = _model_field(value, part)
            if model_field is not None and model_field.choices and index == len(parts) - 1:
                return getattr(value, f"get_{part}_display")()
            value = getattr(value, part)
        return value() if callable(value) and not isinstance(value, models.Manager) else value


@dataclass(frozen=True)
class AmountColumn(Column):
    """Money to the cent: 1,234.56 on the page, right-aligned; exports keep the plain 1234.56 that Excel reads
    as a number. Masked and empty cells are left as they are."""

    align: str = "end"

    def page_text(self, text: str) -> str:
        return format_amount(text) if _PLAIN_NUMBER.match(text) else text


@dataclass(frozen=True)
class PriceColumn(AmountColumn):
    """A unit price (up to 6 places): 1,234.50 or 0.752212 on the page, right-aligned; plain in exports."""

    def page_text(self, text: str) -> str:
        return format_price(text) if _PLAIN_NUMBER.match(text) else text


def _model_field(obj, name):
    if not isinstance(obj, models.Model):
        return None
    try:
        return obj._meta.get_field(name)
    except Exception:
        return None


class Table:
    """A list's columns. Subclasses set ``columns`` and ``default_order``."""

    columns: tuple[Column, ...] = ()
    default_order: str = "-pk"

    def __init__(self, *, user, model):
        self.user = user
        self.masker = Masker(user, model)

    @classmethod
    def sortable(cls) -> dict[str, str]:
        return {column.accessor: column.order_by for column in cls.columns if column.order_by}

    @classmethod
    def ordering_for(cls, sort: str | None) -> tuple[str, str]:
        """(sort key as given, database ordering) for a ``?sort=`` value; unknown keys fall back to the default."""
        sortable = cls.sortable()
        if sort:
            descending = sort.startswith("-")
            order_by = sortable.get(sort.lstrip("-"))
            if order_by:
                return sort, f"-{order_by}" if descending else order_by
        # Name the column the default order sorts by, so its header shows the arrow.
        descending = cls.default_order.startswith("-")
        for key, order_by in sortable.items():
            if order_by == cls.default_order.lstrip("-"):
                return (f"-{key}" if descending else key), cls.default_order
        return "", cls.default_order

    def rows(self, objects, detail_url=None) -> list[tuple[object, list[tuple[Column, str, str | None]]]]:
        """(object, [(column, text, link or None)]) per row. ``detail_url(obj)`` links ``link=True``
        columns; ``link="partner"`` links to that related object's ``get_absolute_url()``."""
        objects = list(objects)
        self.masker.prepare(objects)
        return [
            (
                obj,
                [
                    (column, column.page_text(self.cell(obj, column)), self.link(obj, column, detail_url))
                    for column in self.columns
                ],
            )
            for obj in objects
        ]

    def link(self, obj, column: Column, detail_url) -> str | None:
        if column.link is True:
            return detail_url(obj) if detail_url else None
        if column.link:
            target = getattr(obj, column.link, None)
            return target.get_absolute_url() if target is not None else None
        return None

    def cell(self, obj, column: Column) -> str:
        """The cell as exports write it (the page regroups money columns, see ``Column.page_text``)."""
        value = column.raw(obj)
        if column.field in self.masker.fields and column.accessor == column.field:
            value = self.masker.value(obj, column.field, value)
        return display_value(value)

    def export_columns(self) -> list[Column]:
        return [column for column in self.columns if column.export]


class AuditEntryTable(Table):
    columns = (
        Column("created_at", _("时间"), order_by="pk", link=True),
        Column("user_name", _("用户"), order_by="user_name"),
        Column("action", _("操作"), order_by="action"),
        Column("content_type", _("对象类型")),
        Column("object_repr", _("对象")),
        Column("message", _("说明")),
        Column("ip_address", _("IP 地址")),
    )
    default_order = "-pk"


class CurrencyTable(Table):
    columns = (
        Column("code", _("币种代码"), order_by="code", link=True),
        Column("name", _("名称"), order_by="name"),
        Column("symbol", _("符号")),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "code"


class ExchangeRateTable(Table):
    columns = (
        Column("date", _("日期"), order_by="date", link=True),
        Column("currency", _("币种"), order_by="currency__code"),
        Column("rate", _("汇率（折人民币）"), order_by="rate"),
    )
    default_order = "-date"
