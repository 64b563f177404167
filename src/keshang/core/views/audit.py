"""审计日志: the searchable list of the audit trail and one entry's page (who, when, from where, what changed)."""

from __future__ import annotations

from .. import selectors
from ..filters import AuditEntryFilterSet
from ..history import describe_changes
from ..models import AuditEntry
from ..tables import AuditEntryTable
from .generic import ObjectDetailView, ObjectListView

__all__ = ["AuditEntryListView", "AuditEntryDetailView"]


class AuditEntryListView(ObjectListView):
    model = AuditEntry
    selector = selectors.list_audit_entries
    table = AuditEntryTable
    filterset = AuditEntryFilterSet
    export_basename = "audit"


class AuditEntryDetailView(ObjectDetailView):
    model = AuditEntry
    selector = selectors.list_audit_entries
    template_name = "core/auditentry_detail.html"

    def extra(self, obj):
        return {**super().extra(obj), "changes": describe_changes(obj, self.request.user)}

    detail_fields = (
        "created_at",
        "user_name",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "message",
        "ip_address",
        "user_agent",
        "request_id",
    )
