"""When two customers are merged (``partners.services.merging``), sales moves the duplicate's opportunities,
quotations and orders onto the survivor (registered as a merge step in ``apps.py``): nothing of a customer's sales
history is lost, and a customer with quotations or orders can be merged at all."""

from __future__ import annotations

from keshang.core import audit
from keshang.core.models import AuditAction

from ..models import Opportunity, Quotation, SalesOrder

__all__ = ["move_sales_records"]


def move_sales_records(*, survivor, duplicate, actor) -> int:
    """Re-point every sales record of ``duplicate`` at ``survivor``, each audited on the survivor. Runs inside
    the merge's transaction with both partners locked; the version goes up, so an edit form opened on a moved
    document before the merge cannot write its old customer back."""
    count = 0
    for model in (Opportunity, Quotation, SalesOrder):
        # Every row counts, whoever may see it: the merge re-points the customer's whole history.
        for record in model.objects.unscoped().filter(partner=duplicate).select_for_update().order_by("pk"):
            before = audit.snapshot(record)
            record.partner = survivor
            fields = ["partner"]
            if hasattr(record, "version"):
                record.version += 1
                fields.append("version")
            record.save(update_fields=fields)
            audit.record(actor=actor, obj=record, action=AuditAction.UPDATE, before=before, related=survivor)
            count += 1
    return count
