"""Contract categories: the company's own list, kept like the catalog's master data (one audited row)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from keshang.catalog.services.base import check_fields, delete_row, save_row

from ..models import ContractCategory

__all__ = ["CATEGORY_FIELDS", "save_category", "delete_category"]

CATEGORY_FIELDS = {"name", "kind", "is_active", "sort_order"}


def save_category(*, actor, instance: ContractCategory | None = None, data: dict) -> ContractCategory:
    check_fields(data, CATEGORY_FIELDS, "contract category")
    return save_row(actor=actor, instance=instance or ContractCategory(), data=data)


def delete_category(*, actor, instance: ContractCategory) -> None:
    delete_row(actor=actor, instance=instance, protected_message=_("该分类已被合同使用，不能删除；可停用。"))
