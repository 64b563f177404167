"""Writes to the catalog's simple masters: units, brands and the category tree. Each has one ``save_*`` (create
without ``instance``, else update) and one ``delete_*``, the shape ``core.modelviews`` declares their pages and
API with (``views.masters``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

from ..models import Brand, Product, ProductCategory, ProductUnit, Unit
from .base import changed, check_fields, delete_row, save_row

__all__ = ["save_unit", "delete_unit", "save_brand", "delete_brand", "save_category", "delete_category"]


#
# Units and brands
#


def save_unit(*, actor, instance: Unit | None = None, data: dict) -> Unit:
    check_fields(data, {"name", "is_active"}, "unit")
    return save_row(actor=actor, instance=instance or Unit(), data=data)


def delete_unit(*, actor, instance: Unit) -> None:
    # Lines of quotations and orders keep their unit too (PROTECT), so a used unit cannot go.
    in_use = Product.objects.filter(unit=instance).exists() or ProductUnit.objects.filter(unit=instance).exists()
    if in_use:
        raise ApplicationError(_("该单位已被商品使用，不能删除；可改为停用。"), code="protected")
    delete_row(actor=actor, instance=instance, protected_message=_("该单位已被单据使用，不能删除；可改为停用。"))


def save_brand(*, actor, instance: Brand | None = None, data: dict) -> Brand:
    check_fields(data, {"name"}, "brand")
    return save_row(actor=actor, instance=instance or Brand(), data=data)


def delete_brand(*, actor, instance: Brand) -> None:
    delete_row(actor=actor, instance=instance, protected_message=_("该品牌下还有商品，不能删除。"))


#
# The category tree: ``path`` holds the ids from the root ("/1/4/"), so a subtree is one prefix query.
#

CATEGORY_FIELDS = {"name", "code", "parent", "order"}


def _set_category_path(category: ProductCategory) -> None:
    parent_path = category.parent.path if category.parent_id else "/"
    category.path = f"{parent_path}{category.pk}/"
    category.depth = category.path.count("/") - 2


def save_category(*, actor, instance: ProductCategory | None = None, data: dict) -> ProductCategory:
    """Create a category (without ``instance``) or change one; moving it moves its subtree along."""
    check_fields(data, CATEGORY_FIELDS, "category")
    if instance is None:
        return _create_category(actor=actor, data=data)
    return _update_category(actor=actor, category=instance, data=data)


def _create_category(*, actor, data: dict) -> ProductCategory:
    with transaction.atomic():
        category = ProductCategory(**data)
        category.full_clean(exclude=["path"])
        category.save()
        _set_category_path(category)
        category.save(update_fields=["path", "depth"])
        audit.record(actor=actor, obj=category, action=AuditAction.CREATE)
    return category


def _update_category(*, actor, category: ProductCategory, data: dict) -> ProductCategory:
    with transaction.atomic():
        category = ProductCategory.objects.select_for_update().get(pk=category.pk)
        before = audit.snapshot(category)
        old_path = category.path
        for field, value in data.items():
            setattr(category, field, value)
        if category.parent_id is not None:
            parent = ProductCategory.objects.get(pk=category.parent_id)
            if parent.pk == category.pk or parent.path.startswith(old_path):
                raise ApplicationError(
                    _("不能把分类移到它自己或它的下级分类下面。"),
                    code="category_cycle",
                    fields={"parent": [_("不能把分类移到它自己或它的下级分类下面。")]},
                )
            category.parent = parent
        category.full_clean(exclude=["path"])
        _set_category_path(category)
        category.save()
        if category.path != old_path:
            # Move the subtree with it: every descendant's path starts with the old path.
            for child in ProductCategory.objects.filter(path__startswith=old_path).exclude(pk=category.pk):
                child.path = category.path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 2
                child.save(update_fields=["path", "depth"])
        if changed(before, category):
            audit.record(actor=actor, obj=category, action=AuditAction.UPDATE, before=before)
    return category


def delete_category(*, actor, instance: ProductCategory) -> None:
    if ProductCategory.objects.filter(parent=instance).exists():
        raise ApplicationError(_("该分类下还有下级分类，不能删除。"), code="protected")
    if Product.objects.filter(category=instance).exists():
        raise ApplicationError(_("该分类下还有商品，不能删除。"), code="protected")
    delete_row(actor=actor, instance=instance, protected_message=_("该分类仍被使用，不能删除。"))
