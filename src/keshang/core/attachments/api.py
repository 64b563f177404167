"""API of core's attachments framework, for every model registered with
:func:`~keshang.core.attachments.register_attachable`:

* ``GET  /api/v1/core/attachments/partners.partner/{pk}/``: the attachments of partner ``pk``
* ``POST /api/v1/core/attachments/partners.partner/{pk}/``: upload one (multipart, field ``file``)
* ``GET  /api/v1/core/attachments/partners.partner/{pk}/{attachment_pk}/``: one attachment's details
* ``GET  /api/v1/core/attachments/partners.partner/{pk}/{attachment_pk}/download/``: the file
* ``DELETE /api/v1/core/attachments/partners.partner/{pk}/{attachment_pk}/``

As on the pages, the parent's grants and scope decide: reading needs "view" on it, writing "change".
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from .. import attachments
from ..api import ScopedViewSetMixin
from ..models import Attachment
from ..permissions import Action

__all__ = ["AttachmentSerializer", "AttachmentUploadSerializer", "AttachmentViewSet", "api_urlpatterns"]

# drf-spectacular names a path's ``pk`` ``id`` (SCHEMA_COERCE_PATH_PK); describe it under that name.
PARENT = OpenApiParameter("id", int, OpenApiParameter.PATH, description="所属记录的编号")
ATTACHMENT = OpenApiParameter("attachment_pk", int, OpenApiParameter.PATH, description="附件编号")


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.StringRelatedField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "mime_type", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        view = self.context["view"]
        return reverse(
            attachments.attachment_api_url_name(view.model, "download"),
            kwargs={"pk": obj.object_id, "attachment_pk": obj.pk},
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="要上传的文件")


class AttachmentViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """``model`` is the parent model; its grants and scope govern the attachments."""

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = []  # a record's attachments are few: listed newest first, unfiltered

    def get_scope_action(self) -> str:
        return Action.VIEW if self.request.method in ("GET", "HEAD", "OPTIONS") else Action.CHANGE

    def get_parent(self):
        parent = self.queryset.filter(pk=self.kwargs["pk"]).first()
        if parent is not None:
            return parent
        if self.scope_action != Action.VIEW:
            viewable = self.model._default_manager.visible_to(self.request.user, Action.VIEW)
            if viewable.filter(pk=self.kwargs["pk"]).exists():
                raise exceptions.PermissionDenied(_("您可以查看此记录，但没有修改它的权限。"))
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_attachment(self, parent) -> Attachment:
        attachments_of_parent = attachments.list_attachments(user=self.request.user, obj=parent, action=Action.VIEW)
        return get_object_or_404(attachments_of_parent, pk=self.kwargs["attachment_pk"])

    @extend_schema(parameters=[PARENT], responses=AttachmentSerializer(many=True))
    def list(self, request, *args, **kwargs):
        parent = self.get_parent()
        queryset = attachments.list_attachments(user=request.user, obj=parent)
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page if page is not None else queryset, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    @extend_schema(parameters=[PARENT], request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    def create(self, request, *args, **kwargs):
        parent = self.get_parent()
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        with transaction.atomic():
            attachment = attachments.upload_attachment(
                actor=request.user, obj=parent, upload=upload.validated_data["file"]
            )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[PARENT, ATTACHMENT], responses=AttachmentSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_attachment(self.get_parent())).data)

    @extend_schema(parameters=[PARENT, ATTACHMENT], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        parent = self.get_parent()
        attachments.delete_attachment(actor=request.user, attachment=self.get_attachment(parent), parent=parent)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[PARENT, ATTACHMENT],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容")},
    )
    def download(self, request, *args, **kwargs):
        attachment = self.get_attachment(self.get_parent())
        return attachments.file_response(attachment.file, name=attachment.name, mime_type=attachment.mime_type)


def _api_urlpatterns() -> list:
    patterns = []
    for model in attachments.attachable_models():
        viewset = type(
            f"{model.__name__}AttachmentViewSet",
            (AttachmentViewSet,),
            {"model": model, "__module__": __name__, "__doc__": f"{model._meta.verbose_name}的附件。"},
        )
        prefix = f"attachments/{model._meta.label_lower}/<int:pk>/"
        name = f"{model._meta.app_label}_{model._meta.model_name}-attachment"
        patterns += [
            path(prefix, viewset.as_view({"get": "list", "post": "create"}), name=f"{name}-list"),
            path(
                f"{prefix}<int:attachment_pk>/",
                viewset.as_view({"get": "retrieve", "delete": "destroy"}),
                name=f"{name}-detail",
            ),
            path(
                f"{prefix}<int:attachment_pk>/download/", viewset.as_view({"get": "download"}), name=f"{name}-download"
            ),
        ]
    return patterns


# Built when the URLconf loads, after every app's ready() has registered its attachable models.
api_urlpatterns = _api_urlpatterns()
