"""Every read of the catalog (STYLE.md §2). The catalog is unscoped master data: a grant opens all rows, no grant
none. ``pricing`` says which price a line gets and why, from the rules of products already read through the
user's grant."""

from .masters import category_subtree, list_brands, list_categories, list_units
from .pricing import (
    PriceQuote,
    describe_rule,
    load_conversions,
    price_rules_for,
    resolve_price,
    resolve_prices,
    unit_choices,
    unit_factor,
)
from .products import (
    list_price_rules,
    list_product_units,
    list_products,
    product_search_condition,
    product_search_hits,
    search_products,
)

__all__ = [
    "list_products",
    "search_products",
    "product_search_hits",
    "product_search_condition",
    "list_product_units",
    "list_price_rules",
    "list_categories",
    "category_subtree",
    "list_brands",
    "list_units",
    "PriceQuote",
    "describe_rule",
    "resolve_price",
    "resolve_prices",
    "price_rules_for",
    "load_conversions",
    "unit_factor",
    "unit_choices",
]
