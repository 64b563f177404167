"""Price control, one rule for every priced document (issue 12, finding 1): a document with a line below its
minimum price, or a discount above ``KESHANG_MAX_DISCOUNT_PERCENT`` (15 by default), waits for approval when it is
submitted or confirmed, whatever the flows configured for its type say and whatever path made it (created,
copied, made from another document, edited through a page or the API). The facts are those ``store_totals``
keeps on the document (per line, so splitting a document changes nothing), read without a query.

The approval engine applies it (``core.approvals.routing.find_flow``): when no flow of the document's type
matches a document that breaks the rule, the price-control flow applies, a flow of the type
:data:`PRICE_CONTROL_TYPE` administrators may adjust (who approves) but not switch off; it is created with one
step, the submitter's manager, the first time it is needed."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

__all__ = ["PRICE_CONTROL_TYPE", "max_discount_percent", "breaks_price_control"]

PRICE_CONTROL_TYPE = "core.pricecontrol"


def max_discount_percent() -> Decimal:
    return Decimal(str(getattr(settings, "KESHANG_MAX_DISCOUNT_PERCENT", 15)))


def breaks_price_control(facts) -> bool:
    """``facts`` (``ApprovalFacts``): a line below its minimum price, or a discount above the limit."""
    return bool(facts.below_min_price) or facts.discount_percent > max_discount_percent()
