"""Every write to the catalog (STYLE.md §2): units, brands and the category tree (``masters``), products and their
unit conversions with the duplicate control (``products``), price rules and the customer-merge step (``prices``),
and the product import (``importing``). Each validates, saves in one transaction and audits."""

from .importing import ProductImporter, parse_price, parse_vat_rate
from .masters import delete_brand, delete_category, delete_unit, save_brand, save_category, save_unit
from .prices import delete_price_rule, move_price_rules, save_price_rule
from .products import (
    PRODUCT_FIELDS,
    DuplicateProductError,
    check_sellable,
    create_product,
    delete_product,
    delete_product_unit,
    derive_product_keys,
    find_duplicate_product,
    is_sellable,
    product_name_key,
    save_product_unit,
    update_product,
)

__all__ = [
    "save_unit",
    "delete_unit",
    "save_brand",
    "delete_brand",
    "save_category",
    "delete_category",
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
    "save_price_rule",
    "delete_price_rule",
    "move_price_rules",
    "ProductImporter",
    "parse_vat_rate",
    "parse_price",
]
