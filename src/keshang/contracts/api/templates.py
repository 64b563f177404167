"""REST API of contract templates (issue 13): CRUD through the services (the body cleaned and checked by the
template engine: unknown fields refused with ``unknown_template_fields``, naming them; a Word file sent as
multipart ``docx``, checked too), and on a contract its Word file (``/docx/``) and its PDF printed from its
template (``/pdf/``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from keshang.core.api import ScopedRelatedField
from keshang.core.modelviews import DeclaredModelViewSet
from keshang.core.permissions import Action

from ..models import ContractCategory, ContractTemplate
from ..templatepages import TEMPLATE_VIEWS, word_response

__all__ = ["ContractTemplateViewSet", "docx_action"]


class ContractTemplateSerializer(serializers.ModelSerializer):
    category = ScopedRelatedField(queryset=ContractCategory.objects.filter(is_active=True), required=False,
                                  allow_null=True)  # fmt: skip
    docx = serializers.FileField(write_only=True, required=False, allow_null=True, allow_empty_file=False)
    has_docx = serializers.SerializerMethodField()

    class Meta:
        model = ContractTemplate
        fields = ["id", "name", "kind", "category", "body", "docx", "has_docx", "docx_sha256", "is_default",
                  "is_active", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["docx_sha256", "version", "created_at", "updated_at"]

    def get_has_docx(self, obj) -> bool:
        return bool(obj.docx)

    def get_unique_together_validators(self):
        """None: the one-default rule is the service's, where a new default takes over from the old one."""
        return []


class ContractTemplateViewSet(DeclaredModelViewSet):
    model_views = TEMPLATE_VIEWS
    serializer_class = ContractTemplateSerializer


def docx_action():
    def docx(self, request, pk=None):
        """The contract as a Word file, from its template's .docx (404 when its template has none)."""
        return word_response(self.get_object(), user=request.user)

    decorated = action(detail=True, methods=["get"], scope_action=Action.VIEW)(docx)
    return extend_schema(responses={(200, "application/octet-stream"): bytes})(decorated)
