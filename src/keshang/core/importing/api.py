"""API of core's importing framework: ``/api/v1/core/import-jobs/``.

``POST`` (multipart: kind, file, policy, options) uploads a file and answers with the columns found and
the mapping suggested; ``POST {id}/validate/`` (optional columns, policy, options) checks every row;
``POST {id}/commit/`` imports them, all or nothing; ``GET {id}/error-report/`` is the report of rejected
rows; ``GET template/{kind}/`` is an importer's template. Steps of large files run in the background
(202): poll the job until its status is no longer ``validating`` or ``importing``.
"""

from __future__ import annotations

import json

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from ..api import ScopedViewSetMixin
from ..models import ImportJob, ImportStatus
from ..permissions import Action
from .base import DuplicatePolicy, get_importer
from .files import build_template
from .progress import import_progress
from .steps import create_import_job, list_import_jobs, set_import_mapping, start_commit, start_validation

__all__ = ["ImportJobViewSet", "api_urlpatterns"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_RESPONSE = {(200, XLSX): OpenApiTypes.BINARY}


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField(allow_null=True)
    headers = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField(help_text="字段 → 列序号（从 0 起）")
    options = serializers.SerializerMethodField()
    processed_rows = serializers.SerializerMethodField()
    has_error_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "original_name",
            "status",
            "policy",
            "headers",
            "columns",
            "options",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "skipped_count",
            "error_count",
            "errors",
            "has_error_report",
            "message",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_headers(self, obj) -> list[str]:
        return obj.mapping.get("headers", [])

    def get_columns(self, obj) -> dict[str, int]:
        return obj.mapping.get("columns", {})

    def get_options(self, obj) -> dict[str, str]:
        return obj.mapping.get("options", {})

    def get_processed_rows(self, obj) -> int:
        return import_progress(obj)

    def get_has_error_report(self, obj) -> bool:
        return bool(obj.error_report)


class _JSONObjectField(serializers.JSONField):
    """A JSON object, also accepted as a JSON string (multipart forms carry text only)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("须为 JSON 对象。")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("须为 JSON 对象。"))
        return data


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="导入类型，如 partners")
    file = serializers.FileField(help_text=".xlsx 或 .csv")
    policy = serializers.ChoiceField(choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP)
    options = _JSONObjectField(required=False, help_text='导入选项，如 {"role": "supplier"}')


class ImportMappingSerializer(serializers.Serializer):
    columns = _JSONObjectField(required=False, help_text="字段 → 列序号（从 0 起）；null 表示不导入")
    policy = serializers.ChoiceField(choices=DuplicatePolicy.choices, required=False)
    options = _JSONObjectField(required=False)


class ImportJobViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import jobs the user may see (their own, unless their role opens more). Only a job's creator moves
    it to the next step."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    # DRF passes an @action's keywords to the view as attributes, so the one the base reads must exist.
    scope_action: str | None = None
    ordering_fields = ["id", "created_at"]
    filterset_fields = ["kind", "status"]

    def get_scoped_queryset(self, action):
        return list_import_jobs(user=self.request.user, action=action)

    def own_job(self) -> ImportJob:
        job = self.get_object()
        if job.created_by_id != self.request.user.pk:
            raise Http404
        return job

    def _answer(self, job: ImportJob) -> Response:
        running = job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
        return Response(
            ImportJobSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED if running else status.HTTP_200_OK,
        )

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={201: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = create_import_job(
            actor=request.user,
            kind=data["kind"],
            upload=data["file"],
            policy=data["policy"],
            options=data.get("options"),
        )
        return Response(ImportJobSerializer(job, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=ImportMappingSerializer, responses={200: ImportJobSerializer, 202: ImportJobSerializer})
    @action(detail=True, methods=["post"], scope_action=Action.ADD)
    def validate(self, request, pk=None):
        """Set the mapping (optional: the suggestion stands) and check every row; nothing is written."""
        job = self.own_job()
        serializer = ImportMappingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = set_import_mapping(
            actor=request.user,
            job=job,
            columns=data.get("columns", job.mapping.get("columns", {})),
            policy=data.get("policy", job.policy),
            options=data.get("options", job.mapping.get("options")),
        )
        return self._answer(start_validation(actor=request.user, job=job))

    @extend_schema(request=None, responses={200: ImportJobSerializer, 202: ImportJobSerializer})
    @action(detail=True, methods=["post"], scope_action=Action.ADD)
    def commit(self, request, pk=None):
        """Import the validated rows in one transaction; refused while any row is rejected."""
        job = self.own_job()
        return self._answer(start_commit(actor=request.user, job=job))

    @extend_schema(responses=_XLSX_RESPONSE)
    @action(detail=True, methods=["get"], url_path="error-report")
    def error_report(self, request, pk=None):
        """The rejected rows as .xlsx (404 when none were rejected)."""
        job = self.get_object()
        if not job.error_report:
            raise Http404
        return FileResponse(job.error_report.open("rb"), as_attachment=True, filename="error-report.xlsx")

    @extend_schema(responses=_XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path=r"template/(?P<kind>[\w-]+)", scope_action=Action.ADD)
    def template(self, request, kind=None):
        """An importer's .xlsx template."""
        importer = get_importer(kind)
        if importer is None:
            raise Http404
        importer.check_grants(request.user, DuplicatePolicy.SKIP)
        response = HttpResponse(build_template(importer), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
        return response


# A router without its own root view: core's router already answers /api/v1/core/.
_router = SimpleRouter()
_router.register("import-jobs", ImportJobViewSet, basename="importjob")
api_urlpatterns = _router.urls
