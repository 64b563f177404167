"""Every write to the catalog: units, the category tree, brands, products and their parts (STYLE.md §2).

Products are shared master data (not owned), so there is no scope check here beyond the permission the
view or API already checked; every service still validates, saves in one transaction and audits. Unit
conversions and price rules are parts of a product: their changes are recorded against the product too,
so the product's history tab shows them.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.partners import text

from .models import Brand, PriceRule, PriceRuleKind, Product, ProductCategory, ProductStatus, ProductUnit, Unit

__all__ = [
    "PRODUCT_FIELDS",
    "product_name_key",
    "derive_product_keys",
    "DuplicateProductError",
    "find_duplicate_product",
    "is_sellable",
    "check_sellable",
    "create_unit",
    "update_unit",
    "delete_unit",
    "create_category",
    "update_category",
    "delete_category",
    "create_brand",
    "update_brand",
    "delete_brand",
    "create_product",
    "update_product",
    "delete_product",
    "save_product_unit",
    "delete_product_unit",
    "save_price_rule",
    "delete_price_rule",
]

PRODUCT_FIELDS = frozenset(
    {
        "code",
        "name",
        "specification",
        "category",
        "brand",
        "unit",
        "barcode",
        "vat_rate",
        "list_price",
        "cost_price",
        "min_price",
        "status",
        "description",
    }
)


def _check_fields(data: dict, allowed, what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"unknown {what} fields: {sorted(unknown)}")


def _changed(before: dict, instance) -> bool:
    """Whether a save changed anything: Decimals compare by value ("0.05" as typed, "0.050000" as stored)."""
    after = audit.snapshot(instance)
    decimals = {field.attname for field in instance._meta.concrete_fields if isinstance(field, models.DecimalField)}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if key in decimals and old is not None and new is not None:
            if Decimal(old) != Decimal(new):
                return True
        elif old != new:
            return True
    return False


def _save_simple(*, actor, instance, data: dict, related=None):
    """Create or update one row: full_clean, save and one audit entry if anything changed."""
    with transaction.atomic():
        is_new = instance.pk is None
        before = None if is_new else audit.snapshot(type(instance).objects.get(pk=instance.pk))
        for field, value in data.items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()
        if is_new or _changed(before, instance):
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                before=before,
                related=related,
            )
    return instance


def _delete_simple(*, actor, instance, protected_message: str, related=None) -> None:
    try:
        with transaction.atomic():
            audit.record(
                actor=actor,
                obj=instance,
                action=AuditAction.DELETE,
                before=audit.snapshot(instance),
                related=related,
            )
            instance.delete()
    except ProtectedError as exc:
        raise ApplicationError(protected_message, code="protected") from exc


#
# Units and brands
#


def create_unit(*, actor, data: dict) -> Unit:
    _check_fields(data, {"name", "is_active"}, "unit")
    return _save_simple(actor=actor, instance=Unit(), data=data)


def update_unit(*, actor, unit: Unit, data: dict) -> Unit:
    _check_fields(data, {"name", "is_active"}, "unit")
    return _save_simple(actor=actor, instance=unit, data=data)


def delete_unit(*, actor, unit: Unit) -> None:
    # Lines of quotations and orders keep their unit too (PROTECT), so a used unit cannot go.
    in_use = Product.objects.filter(unit=unit).exists() or ProductUnit.objects.filter(unit=unit).exists()
    if in_use:
        raise ApplicationError(_("该单位已被商品使用，不能删除；可改为停用。"), code="protected")
    _delete_simple(actor=actor, instance=unit, protected_message=_("该单位已被单据使用，不能删除；可改为停用。"))


def create_brand(*, actor, data: dict) -> Brand:
    _check_fields(data, {"name"}, "brand")
    return _save_simple(actor=actor, instance=Brand(), data=data)


def update_brand(*, actor, brand: Brand, data: dict) -> Brand:
    _check_fields(data, {"name"}, "brand")
    return _save_simple(actor=actor, instance=brand, data=data)


def delete_brand(*, actor, brand: Brand) -> None:
    _delete_simple(actor=actor, instance=brand, protected_message=_("该品牌下还有商品，不能删除。"))


#
# The category tree: ``path`` holds the ids from the root ("/1/4/"), so a subtree is one prefix query.
#

CATEGORY_FIELDS = {"name", "code", "parent", "order"}


def _set_category_path(category: ProductCategory) -> None:
    parent_path = category.parent.path if category.parent_id else "/"
    category.path = f"{parent_path}{category.pk}/"
    category.depth = category.path.count("/") - 2


def create_category(*, actor, data: dict) -> ProductCategory:
    _check_fields(data, CATEGORY_FIELDS, "category")
    with transaction.atomic():
        category = ProductCategory(**data)
        category.full_clean(exclude=["path"])
        category.save()
        _set_category_path(category)
        category.save(update_fields=["path", "depth"])
        audit.record(actor=actor, obj=category, action=AuditAction.CREATE)
    return category


def update_category(*, actor, category: ProductCategory, data: dict) -> ProductCategory:
    _check_fields(data, CATEGORY_FIELDS, "category")
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
        if _changed(before, category):
            audit.record(actor=actor, obj=category, action=AuditAction.UPDATE, before=before)
    return category


def delete_category(*, actor, category: ProductCategory) -> None:
    if ProductCategory.objects.filter(parent=category).exists():
        raise ApplicationError(_("该分类下还有下级分类，不能删除。"), code="protected")
    if Product.objects.filter(category=category).exists():
        raise ApplicationError(_("该分类下还有商品，不能删除。"), code="protected")
    _delete_simple(actor=actor, instance=category, protected_message=_("该分类仍被使用，不能删除。"))


#
# Products and duplicate control (商品排重)
#


def product_name_key(name: str, specification: str = "") -> str:
    """The duplicate key of name + specification: NFKC (full-width → half-width), case-folded, and only
    letters and digits kept, so "电阻 10KΩ，1/4W" and "电阻10kω 1/4w" are the same product. Name and
    spec are separated so a word cannot move between them unnoticed ("A" + "B1" vs "AB" + "1")."""

    def fold(value: str) -> str:
        value = unicodedata.normalize("NFKC", value or "").casefold()
        return "".join(ch for ch in value if unicodedata.category(ch)[0] in "LN")

    # NFKC can make the key longer than the name (ﷺ folds to 18 letters): cut to the column, as partners do.
    return f"{fold(name)}|{fold(specification)}"[: Product._meta.get_field("name_key").max_length]


class DuplicateProductError(ApplicationError):
    def __init__(self, existing: Product):
        self.existing = existing
        message = _("已有相同名称和规格的商品：%(code)s %(name)s。确认无误可勾选“仍然保存”。") % {
            "code": existing.code,
            "name": existing.name,
        }
        super().__init__(message, code="duplicate_product", fields={"name": [message]})


def find_duplicate_product(*, name: str, specification: str = "", exclude_pk: int | None = None) -> Product | None:
    """The first product with the same name + specification key. Products are unscoped master data."""
    rows = Product.objects.filter(name_key=product_name_key(name, specification))
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.order_by("code").first()


def _check_code(product: Product) -> None:
    rows = Product.objects.filter(code__iexact=product.code)
    if product.pk:
        rows = rows.exclude(pk=product.pk)
    existing = rows.first()
    if existing is not None:
        message = _("商品编码 %(code)s 已被“%(name)s”使用。") % {"code": existing.code, "name": existing.name}
        raise ApplicationError(message, code="duplicate_code", fields={"code": [message]})


def _check_duplicate(product: Product, *, confirm_duplicate: bool) -> None:
    if confirm_duplicate:
        return
    existing = find_duplicate_product(name=product.name, specification=product.specification, exclude_pk=product.pk)
    if existing is not None:
        raise DuplicateProductError(existing)


def derive_product_keys(product: Product) -> None:
    """Trim what people type and derive the duplicate key and the picker's search text."""
    product.code = (product.code or "").strip()
    product.name = (product.name or "").strip()
    product.specification = (product.specification or "").strip()
    product.barcode = (product.barcode or "").strip()
    product.name_key = product_name_key(product.name, product.specification)
    product.search_text = text.search_text(product.name, product.specification, product.code, product.barcode)


def is_sellable(product: Product) -> bool:
    """Whether new lines may use the product: discontinued ones stay on old documents only."""
    return product.status == ProductStatus.ACTIVE


def check_sellable(product: Product) -> None:
    """For the sales services: refuse a discontinued product on a new line, with a field message."""
    if not is_sellable(product):
        message = _("商品 %(code)s 已停售，不能加入新单据。") % {"code": product.code}
        raise ApplicationError(message, code="product_discontinued", fields={"product": [message]})


def create_product(*, actor, data: dict, confirm_duplicate: bool = False) -> Product:
    _check_fields(data, PRODUCT_FIELDS, "product")
    with transaction.atomic():
        product = Product(**data)
        derive_product_keys(product)
        product.created_by = actor if getattr(actor, "is_authenticated", False) else None
        # Before full_clean, whose unique check would refuse the code without naming the product holding it.
        _check_code(product)
        _check_duplicate(product, confirm_duplicate=confirm_duplicate)
        product.full_clean()
        product.save()
        audit.record(actor=actor, obj=product, action=AuditAction.CREATE)
    return product


def update_product(*, actor, product: Product, data: dict, confirm_duplicate: bool = False) -> Product:
    _check_fields(data, PRODUCT_FIELDS, "product")
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = audit.snapshot(product)
        key_before, code_before = product.name_key, product.code
        for field, value in data.items():
            setattr(product, field, value)
        derive_product_keys(product)
        if product.code != code_before:
            _check_code(product)
        # Edits that leave name and spec alone are not re-checked: a confirmed duplicate stays confirmed.
        if product.name_key != key_before:
            _check_duplicate(product, confirm_duplicate=confirm_duplicate)
        if ProductUnit.objects.filter(product=product, unit_id=product.unit_id).exists():
            message = _("基本单位不能同时是该商品的换算单位。")
            raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
        product.full_clean()
        product.save()
        if _changed(before, product):
            audit.record(actor=actor, obj=product, action=AuditAction.UPDATE, before=before)
    return product


def delete_product(*, actor, product: Product) -> None:
    """Parts (conversions, price rules) go with the product and are audited against it; a product on a
    document is protected by the document's lines and cannot be deleted (set it to 停售 instead)."""
    try:
        with transaction.atomic():
            for part in [*product.units.all(), *product.price_rules.all()]:
                audit.record(
                    actor=actor, obj=part, action=AuditAction.DELETE, before=audit.snapshot(part), related=product
                )
            _delete_attachments(actor=actor, product=product)
            audit.record(actor=actor, obj=product, action=AuditAction.DELETE, before=audit.snapshot(product))
            product.delete()
    except ProtectedError as exc:
        raise ApplicationError(_("该商品已被单据使用，不能删除；可改为停售。"), code="protected") from exc


def _delete_attachments(*, actor, product: Product) -> None:
    """A product's images are generic attachments (no cascade): delete them, files included."""
    from keshang.core.attachments import delete_attachments_of

    delete_attachments_of(actor=actor, obj=product)


#
# Parts of a product: unit conversions and price rules
#


def save_product_unit(*, actor, product: Product, product_unit: ProductUnit | None = None, data: dict) -> ProductUnit:
    _check_fields(data, {"unit", "factor", "barcode"}, "product unit")
    instance = product_unit or ProductUnit(product=product)
    unit = data.get("unit", getattr(instance, "unit", None) if instance.unit_id else None)
    if unit is not None and unit.pk == product.unit_id:
        message = _("换算单位不能与基本单位相同。")
        raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
    return _save_simple(actor=actor, instance=instance, data=data, related=product)


def delete_product_unit(*, actor, product_unit: ProductUnit) -> None:
    _delete_simple(
        actor=actor,
        instance=product_unit,
        protected_message=_("该换算仍被使用，不能删除。"),
        related=product_unit.product,
    )


PRICE_RULE_FIELDS = {"kind", "partner_level", "partner", "min_quantity", "price", "valid_from", "valid_until"}


def save_price_rule(*, actor, product: Product, rule: PriceRule | None = None, data: dict) -> PriceRule:
    """Create or update a price rule; the target not belonging to the kind is cleared, so switching a
    rule from 客户专属价 to 数量阶梯价 in the form does not trip the kind/target constraint."""
    _check_fields(data, PRICE_RULE_FIELDS, "price rule")
    data = dict(data)
    kind = data.get("kind", rule.kind if rule else None)
    if kind != PriceRuleKind.CUSTOMER:
        data["partner"] = None
    if kind != PriceRuleKind.LEVEL:
        data["partner_level"] = None
    if kind == PriceRuleKind.CUSTOMER and not data.get("partner", rule.partner if rule else None):
        message = _("客户专属价须选择客户。")
        raise ApplicationError(message, code="invalid", fields={"partner": [message]})
    if kind == PriceRuleKind.LEVEL and not data.get("partner_level", rule.partner_level if rule else None):
        message = _("客户级别价须选择客户级别。")
        raise ApplicationError(message, code="invalid", fields={"partner_level": [message]})
    return _save_simple(actor=actor, instance=rule or PriceRule(product=product), data=data, related=product)


def delete_price_rule(*, actor, rule: PriceRule) -> None:
    _delete_simple(
        actor=actor, instance=rule, protected_message=_("该价格规则仍被使用，不能删除。"), related=rule.product
    )
