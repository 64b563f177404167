"""When two customers are merged (``partners.merging``), their customer prices go with them: the duplicate's
price rules are moved onto the survivor (registered as a merge step in ``apps.py``) instead of being deleted
with it."""

from __future__ import annotations

from keshang.core import audit
from keshang.core.models import AuditAction

from .models import PriceRule

__all__ = ["move_price_rules"]


def move_price_rules(*, survivor, duplicate, actor) -> int:
    """Re-point the duplicate's customer prices at the survivor, each audited on the survivor (and on its
    product, where price rules show in the history)."""
    count = 0
    for rule in PriceRule.objects.unscoped().filter(partner=duplicate).select_for_update().order_by("pk"):
        before = audit.snapshot(rule)
        rule.partner = survivor
        rule.save(update_fields=["partner"])
        audit.record(actor=actor, obj=rule, action=AuditAction.UPDATE, before=before, related=survivor)
        count += 1
    return count
