"""The audit trail's API (read-only: the trail is append-only), sensitive values masked as on the history tab."""

from __future__ import annotations

from rest_framework import serializers

from .. import history
from ..filters import AuditEntryFilterSet
from ..masking import mask_value
from ..models import AuditEntry
from .base import ScopedReadOnlyViewSet

__all__ = ["AuditEntrySerializer", "AuditEntryViewSet"]


class AuditEntrySerializer(serializers.ModelSerializer):
    content_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "user",
            "user_name",
            "request_id",
            "ip_address",
            "user_agent",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "message",
        ]

    def get_content_type(self, obj) -> str | None:
        return f"{obj.content_type.app_label}.{obj.content_type.model}" if obj.content_type_id else None

    def to_representation(self, instance):
        """Sensitive values in before/after are masked as the history tab masks them."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        model = instance.content_type.model_class() if instance.content_type_id else None
        sensitive = set(getattr(model, "sensitive_fields", ())) if model else set()
        if request is not None and sensitive and not self._shown_clear(instance, request.user):
            for key in ("before", "after"):
                if isinstance(data.get(key), dict):
                    data[key] = {
                        name: mask_value(value) if name in sensitive else value for name, value in data[key].items()
                    }
        return data

    def _shown_clear(self, instance, user) -> bool:
        """Decided for the whole page at once (history.entries_shown_clear), not with queries per entry."""
        known = self.context.setdefault("entries_shown_clear", {})
        if instance.pk not in known:
            page = self.parent.instance if isinstance(self.parent, serializers.ListSerializer) else [instance]
            clear = history.entries_shown_clear(page, user)
            known.update({entry.pk: entry.pk in clear for entry in page})
        return known[instance.pk]


class AuditEntryViewSet(ScopedReadOnlyViewSet):
    model = AuditEntry
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    ordering_fields = ["id", "created_at"]

    def get_scoped_queryset(self, action):
        return super().get_scoped_queryset(action).select_related("content_type")
