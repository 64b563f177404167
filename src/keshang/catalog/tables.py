"""List columns of the catalog pages and exports."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from keshang.core.masking import MASK
from keshang.core.tables import Column, PriceColumn, Table

__all__ = ["mask_cost", "price_text", "ProductTable", "CategoryTable", "BrandTable", "UnitTable"]


def mask_cost(value):
    """A masked price shows nothing of its digits. core's mask_value keeps the first three and last four
    characters (right for phone numbers), which for "1234.560000" would give away the leading digits."""
    return value if value in (None, "") else MASK


def price_text(value) -> str:
    """A stored price (6 places) as people write it: at least 2 decimals, no trailing zeros beyond them
    (2.500000 → 2.50, 0.012000 → 0.012). Only zeros are dropped: the value is unchanged."""
    if value is None:
        return ""
    whole, _point, decimals = format(Decimal(value).normalize(), "f").partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


PRICE_COLUMNS = ("list_price", "min_price", "cost_price")


class ProductTable(Table):
    columns = (
        Column("code", _("商品编码"), order_by="code", link=True),
        Column("name", _("商品名称"), order_by="name", link=True),
        Column("specification", _("规格型号"), order_by="specification"),
        Column("category", _("商品分类"), order_by="category__path"),
        Column("brand", _("品牌"), order_by="brand__name"),
        Column("unit", _("基本单位")),
        Column("vat_rate", _("税率"), order_by="vat_rate"),
        PriceColumn("list_price", _("标准售价"), order_by="list_price"),
        PriceColumn("min_price", _("最低售价"), order_by="min_price"),
        PriceColumn("cost_price", _("成本价"), order_by="cost_price"),
        Column("barcode", _("条码")),
        Column("status", _("状态"), order_by="status"),
    )
    default_order = "code"

    def cell(self, obj, column):
        if column.field in self.masker.fields and not self.masker.shows_clear(obj):
            return mask_cost(column.raw(obj))
        if column.accessor in PRICE_COLUMNS:
            return price_text(column.raw(obj))
        return super().cell(obj, column)


class CategoryTable(Table):
    """In tree order (by path), each name indented by its depth."""

    columns = (
        Column("name", _("分类名称"), link=True),
        Column("code", _("分类编码"), order_by="code"),
        Column("parent", _("上级分类")),
        Column("product_count", _("商品数")),
        Column("order", _("排序"), order_by="order"),
    )
    default_order = "path"

    def cell(self, obj, column):
        text = super().cell(obj, column)
        return f"{'　' * obj.depth}{text}" if column.accessor == "name" else text


class BrandTable(Table):
    columns = (
        Column("name", _("品牌名称"), order_by="name", link=True),
        Column("product_count", _("商品数"), order_by="product_count"),
    )
    default_order = "name"


class UnitTable(Table):
    columns = (
        Column("name", _("单位名称"), order_by="name", link=True),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "name"
