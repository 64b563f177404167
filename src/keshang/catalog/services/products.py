"""Writes to products and their unit conversions, with the duplicate control (商品排重) and the rule of what new
lines may use. Conversions are parts of a product: their changes are recorded against the product too, so the
product's history tab shows them."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.partners import text

from ..models import Product, ProductStatus, ProductUnit
from .base import changed, check_fields, delete_row, save_row

__all__ = [
    "PRODUCT_FIELDS",
    "product_name_key",
    "derive_product_keys",
    "DuplicateProductError",
    "find_duplicate_product",
    "is_sellable",
    "check_sellable",
    "create_product",
    "update_product",
    "delete_product",
    "save_product_unit",
    "delete_product_unit",
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
    check_fields(data, PRODUCT_FIELDS, "product")
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
    check_fields(data, PRODUCT_FIELDS, "product")
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
        if changed(before, product):
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
# Unit conversions, parts of a product
#


def save_product_unit(*, actor, product: Product, product_unit: ProductUnit | None = None, data: dict) -> ProductUnit:
    check_fields(data, {"unit", "factor", "barcode"}, "product unit")
    instance = product_unit or ProductUnit(product=product)
    unit = data.get("unit", getattr(instance, "unit", None) if instance.unit_id else None)
    if unit is not None and unit.pk == product.unit_id:
        message = _("换算单位不能与基本单位相同。")
        raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
    return save_row(actor=actor, instance=instance, data=data, related=product)


def delete_product_unit(*, actor, product_unit: ProductUnit) -> None:
    delete_row(
        actor=actor,
        instance=product_unit,
        protected_message=_("该换算仍被使用，不能删除。"),
        related=product_unit.product,
    )
