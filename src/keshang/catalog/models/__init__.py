"""Catalog owns what the company sells and buys: units, the product category tree, brands, products with
their unit conversions, and the price rules (by customer level, by quantity, per customer) a line's price
comes from. Products are shared master data, not owned: a grant on ``catalog.product`` opens all of them;
cost price is a sensitive field (``view_sensitive``)."""

# In the order the models were always registered, which lists such as the audit log's 对象类型 filter follow.
# isort: off
from .units import Unit
from .categories import Brand, ProductCategory
from .products import Product, ProductStatus, ProductUnit, VatRate
from .prices import PriceRule, PriceRuleKind

# isort: on

__all__ = [
    "Unit",
    "ProductCategory",
    "Brand",
    "ProductStatus",
    "VatRate",
    "Product",
    "ProductUnit",
    "PriceRuleKind",
    "PriceRule",
]
