"""The API of every document type: CRUD through its services and one POST action per workflow move, generated
from the declaration (STYLE.md §9): ``/api/v1/<app>/<documents>/{id}/<move>/``. A move's action asks the
move's permission, and ``creates`` the "add" grant on what it makes — the same rule as its button and page.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import ScopedModelViewSet
from keshang.core.permissions import Action

from .types import DocumentType
from .workflow import Move

__all__ = ["DocumentViewSet", "ReasonSerializer"]

# The serializer of each document model, so a move that leads to another document answers it as its own API would.
_serializers: dict[type, type] = {}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _move_action(move: Move, name: str):
    """One workflow move as a POST action calling its service; answers the document it leads to."""

    def handler(self, request, pk=None):
        workflow = self.document_type.workflow
        if not workflow.user_may(request.user, move):
            raise exceptions.PermissionDenied(_("您没有此操作的权限。"))
        obj = self.get_object()
        extra = {"reason": self._reason(required=move.needs_reason)} if move.asks_reason else {}
        result = move.service(actor=request.user, **{workflow.document_kwarg: obj}, **extra)
        return self._respond(result)

    # DRF names the route and its method mapping after the function, so it must be named before decorating.
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = move.service.__doc__ or str(move.label)
    decorate = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), scope_action=move.permission)
    return extend_schema(request=ReasonSerializer if move.asks_reason else None)(decorate(handler))


class DocumentViewSet(ScopedModelViewSet):
    """Subclasses set ``document_type`` and ``serializer_class`` (whose ``split()`` gives the header, the lines
    and the version); the workflow's actions are added when the class is made."""

    document_type: DocumentType = None
    ordering_fields = ["id", "gross_amount", "created_at"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        doc = cls.__dict__.get("document_type")
        if doc is None:
            return
        cls.model = doc.model
        _serializers[doc.model] = cls.serializer_class
        for move in doc.workflow.manual_moves():
            for name in (move.name, *move.api_aliases):
                setattr(cls, name, _move_action(move, name))
        if doc.print_layout is not None:
            cls.pdf = _pdf_action()

    def get_scoped_queryset(self, action):
        return type(self).document_type.selector(user=self.request.user, action=action).prefetch_related("lines")

    def create_object(self, serializer):
        data, items, _version = serializer.split()
        return self.document_type.create(actor=self.request.user, data=data, lines=items)

    def update_object(self, serializer):
        data, items, version = serializer.split()
        doc = self.document_type
        return doc.update(
            actor=self.request.user,
            data=data,
            lines=items,
            expected_version=version,
            **{doc.document_kwarg: serializer.instance},
        )

    def delete_object(self, instance):
        doc = self.document_type
        doc.delete(actor=self.request.user, **{doc.document_kwarg: instance})

    def _respond(self, obj, code=status.HTTP_200_OK):
        obj.refresh_from_db()
        serializer_class = _serializers.get(type(obj), self.serializer_class)
        return Response(serializer_class(obj, context=self.get_serializer_context()).data, status=code)

    def _reason(self, *, required: bool) -> str:
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"].strip()
        if required and not reason:
            raise serializers.ValidationError({"reason": [_("请填写原因。")]})
        return reason


def _pdf_action():
    def pdf(self, request, pk=None):
        document = self.get_object()
        template = self.document_type.print_template(document, request.query_params.get("template", ""))
        if template is None:
            raise exceptions.NotFound(_("未找到。"))
        content, filename = self.document_type.render_pdf(document, template, user=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        # A Chinese name needs RFC 6266's filename*: Django would MIME-encode the whole header otherwise.
        response["Content-Disposition"] = content_disposition_header(False, filename)
        return response

    pdf.__doc__ = "The document as a PDF, the same layout as its printable page; ``?template=`` another print."
    decorated = action(detail=True, methods=["get"], scope_action=Action.VIEW)(pdf)
    return extend_schema(responses={(200, "application/pdf"): bytes})(decorated)
