"""Catalog: importing products from Excel or CSV (issue 4), on core's import framework
(:mod:`keshang.core.importing`: upload, column mapping, preview, all-or-nothing commit, error report, and
``keshang import products FILE``).

Rules worth knowing:

* **Identity.** A row is the product with its 商品编码. Policy ``skip`` leaves an existing code alone,
  ``update`` overwrites the fields the row fills (empty cells change nothing), ``create`` only adds: an
  existing code is an error there (codes are unique).
* **商品排重.** A new row whose name + specification (compared as :func:`.products.product_name_key` does)
  matches an existing product under another code is refused under ``skip`` and ``update``, naming that
  product; under ``create`` (仍然新增) it is added with a notice. Two rows of one file may not share a code,
  nor (except under ``create``) a name + specification.
* **Units, categories and brands** are matched by name (categories also by code, or by a path such as
  ``电子元器件/电阻``), ignoring case and full-width forms. Missing ones are created by the import — a
  spreadsheet from another system names its own units and groups, and refusing every row until someone has
  typed them in first helps nobody; the preview lists what will be created. A new product needs a unit.
* **Numbers.** VAT rate as ``13%``, ``0.13`` or ``13``; prices may carry ``¥``, ``元`` and thousands
  separators and are rounded to 6 places with :func:`keshang.core.money.quantize_price`.
* Rows are written through the services (audited one by one): product files are thousands of rows, not the
  hundreds of thousands the partners' bulk path is built for.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.exceptions import ApplicationError
from keshang.core.importing import DuplicatePolicy, Importer, ImportField, Row, normalise_header
from keshang.core.money import quantize_price, to_decimal

from ..models import Brand, Product, ProductCategory, ProductStatus, Unit, VatRate
from .masters import save_brand, save_category, save_unit
from .products import create_product, derive_product_keys, update_product

__all__ = ["ProductImporter", "parse_vat_rate", "parse_price"]

FIELDS = (
    ImportField(
        "code",
        gettext_lazy("商品编码"),
        required=True,
        synonyms=(
            "编码",
            "商品编号",
            "商品代码",
            "产品编码",
            "产品编号",
            "物料编码",
            "物料号",
            "货号",
            "SKU",
            "code",
            "ProductCode",
            "product_id",
            "item_code",
            "item_id",
        ),
        example="R-0603-10K",
    ),
    ImportField(
        "name",
        gettext_lazy("商品名称"),
        required=True,
        synonyms=("名称", "品名", "物料名称", "name", "ProductName", "item_name"),
        example="贴片电阻",
    ),
    ImportField(
        "specification",
        gettext_lazy("规格型号"),
        synonyms=("规格", "型号", "规格型号", "spec", "specification", "model"),
        example="0603 10KΩ ±1%",
    ),
    ImportField(
        "unit",
        gettext_lazy("单位"),
        synonyms=("基本单位", "计量单位", "unit", "uom"),
        help_text=gettext_lazy("新商品必填；系统中没有的单位会自动新建。"),
        example="个",
    ),
    ImportField(
        "category",
        gettext_lazy("商品分类"),
        synonyms=("分类", "类别", "商品类别", "category"),
        help_text=gettext_lazy("分类名称或编码，也可写路径如“电子元器件/电阻”；没有的分类会自动新建。"),
        example="电子元器件/电阻",
    ),
    ImportField(
        "brand",
        gettext_lazy("品牌"),
        synonyms=("品牌名称", "brand"),
        help_text=gettext_lazy("没有的品牌会自动新建。"),
    ),
    ImportField("barcode", gettext_lazy("条码"), synonyms=("条形码", "barcode", "EAN", "UPC")),
    ImportField(
        "vat_rate",
        gettext_lazy("税率"),
        synonyms=("增值税税率", "增值税率", "vat", "vat_rate", "tax_rate"),
        help_text=gettext_lazy("13%、9%、6%、3%、1% 或 0%，也可写 0.13 或 13；不填为 13%。"),
        example="13%",
    ),
    ImportField(
        "list_price",
        gettext_lazy("标准售价"),
        synonyms=("售价", "销售价", "含税售价", "标准售价（含税）", "list_price", "price", "UnitPrice"),
        help_text=gettext_lazy("含税单价，按基本单位。"),
        example="0.05",
    ),
    ImportField(
        "cost_price",
        gettext_lazy("成本价"),
        synonyms=("成本", "进价", "采购价", "成本价（含税）", "cost_price", "cost"),
        example="0.02",
    ),
    ImportField(
        "min_price",
        gettext_lazy("最低售价"),
        synonyms=("最低价", "底价", "最低售价（含税）", "min_price"),
        example="0.04",
    ),
    ImportField(
        "status",
        gettext_lazy("状态"),
        synonyms=("销售状态", "status"),
        help_text=gettext_lazy("在售或停售；不填为在售。"),
    ),
    ImportField("description", gettext_lazy("描述"), synonyms=("说明", "备注", "description", "notes", "remark")),
)

PRICE_FIELDS = ("list_price", "cost_price", "min_price")
_PRICE_NOISE = re.compile(r"[¥￥,，\s]|元$|RMB|CNY", re.IGNORECASE)
_STATUS_ALIASES = {
    "在售": ProductStatus.ACTIVE,
    "正常": ProductStatus.ACTIVE,
    "启用": ProductStatus.ACTIVE,
    "active": ProductStatus.ACTIVE,
    "停售": ProductStatus.DISCONTINUED,
    "停用": ProductStatus.DISCONTINUED,
    "停产": ProductStatus.DISCONTINUED,
    "下架": ProductStatus.DISCONTINUED,
    "discontinued": ProductStatus.DISCONTINUED,
    "inactive": ProductStatus.DISCONTINUED,
}
_CATEGORY_PATH = re.compile(r"\s*[/>＞／]\s*")


def _key(value: str) -> str:
    """How names of units, brands and categories compare: NFKC, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def parse_vat_rate(value: str) -> str | None:
    """ "13%", "0.13", "13", "１３％" → "0.13" (a :class:`VatRate` value); None if it is not one of them."""
    text = unicodedata.normalize("NFKC", value or "").strip().rstrip("%").strip()
    try:
        number = to_decimal(text)
    except ValueError:
        return None
    if value.strip().endswith(("%", "％")) or number >= 1:
        number = number / 100
    for rate in VatRate.values:
        if Decimal(rate) == number:
            return rate
    return None


def parse_price(value: str) -> Decimal:
    """ "¥1,234.50", "12元", "0.05" → a Decimal rounded to 6 places; ValueError if it is not a number ≥ 0."""
    text = _PRICE_NOISE.sub("", unicodedata.normalize("NFKC", value or ""))
    number = to_decimal(text)
    if number < 0:
        raise ValueError(value)
    return quantize_price(number)


class ProductImporter(Importer):
    kind = "products"
    verbose_name = gettext_lazy("商品")
    resource = "catalog.product"
    list_url_name = "catalog:product_list"
    fields = FIELDS
    instructions = (
        gettext_lazy("已存在的商品按商品编码识别；名称和规格相同但编码不同的商品视为重复。"),
        gettext_lazy("系统中没有的单位、分类和品牌会自动新建。"),
        gettext_lazy("导入前先校验全部数据；只要有一行有误，就不会写入任何数据。"),
    )

    def prepare(self) -> None:
        # Products are unscoped master data: a grant on catalog.product opens all of them, as here.
        self._by_code: dict[str, tuple[int, str]] = {}
        self._by_name_key: dict[str, str] = {}
        for pk, code, name, name_key in Product.objects.values_list("pk", "code", "name", "name_key"):
            self._by_code[code.casefold()] = (pk, name)
            self._by_name_key.setdefault(name_key, code)
        self._units = {_key(name): pk for pk, name in Unit.objects.values_list("pk", "name")}
        self._brands = {_key(name): pk for pk, name in Brand.objects.values_list("pk", "name")}
        self._categories: dict[tuple[int | None, str], int] = {}
        self._category_codes: dict[str, int] = {}
        self._category_names: dict[str, list[int]] = {}
        for pk, name, code, parent_id in ProductCategory.objects.values_list("pk", "name", "code", "parent_id"):
            self._categories[(parent_id, _key(name))] = pk
            self._category_codes[code.casefold()] = pk
            self._category_names.setdefault(_key(name), []).append(pk)
        self._statuses = {normalise_header(value): value for value in ProductStatus.values}
        self._statuses.update({normalise_header(key): value for key, value in _STATUS_ALIASES.items()})
        self._labels = {item.name: str(item.label) for item in self.fields}
        self._announced: set[tuple[str, str]] = set()

    #
    # Checking a row
    #

    def clean(self, row: Row) -> None:
        values = row.values
        changes: dict = {}
        for name in ("code", "name", "specification", "barcode", "description"):
            if values.get(name):
                changes[name] = values[name].strip()
        for name in ("code", "name"):
            if not changes.get(name):
                row.error(_("%(label)s不能为空。") % {"label": self._labels[name]})
        if values.get("vat_rate"):
            rate = parse_vat_rate(values["vat_rate"])
            if rate is None:
                row.error(
                    _("税率“%(value)s”无效（可填 13%%、9%%、6%%、3%%、1%% 或 0%%）。") % {"value": values["vat_rate"]}
                )
            else:
                changes["vat_rate"] = rate
        for name in PRICE_FIELDS:
            if values.get(name):
                try:
                    changes[name] = parse_price(values[name])
                except ValueError:
                    row.error(
                        _("%(label)s“%(value)s”不是有效的金额。") % {"label": self._labels[name], "value": values[name]}
                    )
        if values.get("status"):
            status = self._statuses.get(normalise_header(values["status"]))
            if status is None:
                row.error(_("状态“%(value)s”无效（可填在售或停售）。") % {"value": values["status"]})
            else:
                changes["status"] = status
        references = self._clean_references(row)
        if row.errors:
            return
        product = Product(**{key: value for key, value in changes.items()})
        try:
            product.full_clean(exclude=("unit", "category", "brand"), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = Product._meta.get_field(field).verbose_name if field != "__all__" else ""
                row.error("".join([f"{label}：" if label else "", messages[0]]))
            return
        derive_product_keys(product)
        row.data = {"changes": changes, "references": references, "name_key": product.name_key}

    def _clean_references(self, row: Row) -> dict:
        """Unit, category and brand as written; each is a known pk or a name to create (announced once)."""
        values = row.values
        references = {}
        if values.get("unit"):
            references["unit"] = values["unit"].strip()
            if _key(values["unit"]) not in self._units:
                self._announce(row, "unit", values["unit"].strip(), _("将新建单位“%(name)s”。"))
        if values.get("brand"):
            references["brand"] = values["brand"].strip()
            if _key(values["brand"]) not in self._brands:
                self._announce(row, "brand", values["brand"].strip(), _("将新建品牌“%(name)s”。"))
        if values.get("category"):
            written = values["category"].strip()
            references["category"] = written
            if self._find_category(row, written) is None and not row.errors:
                self._announce(row, "category", written, _("将新建分类“%(name)s”。"))
        return references

    def _announce(self, row: Row, kind: str, name: str, message: str) -> None:
        if (kind, _key(name)) not in self._announced:
            self._announced.add((kind, _key(name)))
            row.notice(message % {"name": name})

    def _find_category(self, row: Row | None, written: str) -> int | None:
        """A code, a path (电子元器件/电阻) or a name; a name that several categories carry is an error."""
        pk = self._category_codes.get(written.casefold())
        if pk is not None:
            return pk
        parts = [part for part in _CATEGORY_PATH.split(written) if part]
        if len(parts) > 1:
            parent = None
            for part in parts:
                parent = self._categories.get((parent, _key(part)))
                if parent is None:
                    return None
            return parent
        matches = self._category_names.get(_key(written), [])
        if len(matches) > 1 and row is not None:
            row.error(_("分类“%(value)s”有重名，请填写分类编码或路径（如“电子元器件/电阻”）。") % {"value": written})
        return matches[0] if len(matches) == 1 else None

    def identities(self, row: Row) -> list[tuple[str, str]]:
        keys = [(row.data["changes"]["code"].casefold(), self._labels["code"])]
        if self.policy != DuplicatePolicy.CREATE:
            keys.append((row.data["name_key"], _("名称和规格")))
        return keys

    def resolve(self, row: Row) -> None:
        changes = row.data["changes"]
        existing = self._by_code.get(changes["code"].casefold())
        if existing is not None:
            pk, name = existing
            if self.policy == DuplicatePolicy.CREATE:
                row.error(_("商品编码 %(code)s 已被“%(name)s”使用。") % {"code": changes["code"], "name": name})
            elif self.policy == DuplicatePolicy.SKIP:
                row.action, row.target = Row.SKIP, pk
                row.notice(_("已存在，跳过：%(code)s %(name)s。") % {"code": changes["code"], "name": name})
            else:
                row.action, row.target = Row.UPDATE, pk
                row.notice(_("将更新已有商品“%(name)s”。") % {"name": name})
            return
        if "unit" not in row.data["references"]:
            row.error(_("新商品必须填写单位。"))
            return
        twin = self._by_name_key.get(row.data["name_key"])
        if twin is not None:
            if self.policy != DuplicatePolicy.CREATE:
                row.error(_("已有名称和规格相同的商品：%(code)s。如确为不同商品，请选择“仍然新增”。") % {"code": twin})
                return
            row.notice(_("与已有商品 %(code)s 名称和规格相同，仍将新增。") % {"code": twin})
        row.action = Row.CREATE

    #
    # Writing
    #

    def write(self, rows: list[Row]) -> None:
        for row in rows:
            try:
                with transaction.atomic():
                    data = {**row.data["changes"], **self._reference_objects(row.data["references"])}
                    if row.action == Row.CREATE:
                        product = create_product(actor=self.actor, data=data, confirm_duplicate=True)
                        self._by_code[product.code.casefold()] = (product.pk, product.name)
                    else:
                        # Visible for "change": check_grants asked for it, and products are unscoped.
                        product = Product.objects.get(pk=row.target)
                        data.pop("code", None)
                        update_product(actor=self.actor, product=product, data=data, confirm_duplicate=True)
            except ValidationError as error:
                row.error("；".join(error.messages))
            except ApplicationError as error:
                row.error(error.message)

    def _reference_objects(self, references: dict) -> dict:
        """Unit, category and brand objects for the written names, created (through the services) if missing."""
        objects = {}
        if "unit" in references:
            pk = self._units.get(_key(references["unit"]))
            if pk is None:
                pk = self._units[_key(references["unit"])] = save_unit(
                    actor=self.actor, data={"name": references["unit"]}
                ).pk
            objects["unit"] = Unit.objects.get(pk=pk)
        if "brand" in references:
            pk = self._brands.get(_key(references["brand"]))
            if pk is None:
                pk = self._brands[_key(references["brand"])] = save_brand(
                    actor=self.actor, data={"name": references["brand"]}
                ).pk
            objects["brand"] = Brand.objects.get(pk=pk)
        if "category" in references:
            pk = self._find_category(None, references["category"]) or self._create_category(references["category"])
            objects["category"] = ProductCategory.objects.get(pk=pk)
        return objects

    def _create_category(self, written: str) -> int:
        parent = None
        for part in [part for part in _CATEGORY_PATH.split(written) if part]:
            pk = self._categories.get((parent, _key(part)))
            if pk is None:
                parent_category = ProductCategory.objects.get(pk=parent) if parent else None
                category = save_category(
                    actor=self.actor,
                    data={"name": part, "code": self._free_category_code(), "parent": parent_category},
                )
                pk = self._categories[(parent, _key(part))] = category.pk
                self._category_codes[category.code.casefold()] = pk
                self._category_names.setdefault(_key(part), []).append(pk)
            parent = pk
        return parent

    def _free_category_code(self) -> str:
        number = len(self._category_codes) + 1
        while f"imp{number:04d}" in self._category_codes:
            number += 1
        return f"IMP{number:04d}"
