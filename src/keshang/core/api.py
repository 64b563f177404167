"""The API's one base (STYLE.md §9): ``ScopedModelViewSet`` narrows every queryset in ``initial()``.

HTTP methods map to actions (GET view, POST add, PUT/PATCH change, DELETE delete); custom actions
name theirs with ``@action(..., scope_action="approve")``. Writes run the app's service inside a
transaction and re-check the scope before committing. Errors come back as
``{"code", "message", "fields"}`` from :func:`exception_handler`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import history, notifications, services
from .exceptions import ApplicationError
from .filters import AuditEntryFilterSet, CurrencyFilterSet, ExchangeRateFilterSet
from .masking import Masker, mask_value
from .models import AuditEntry, Currency, ExchangeRate, Notification, Region, RegionLevel
from .permissions import Action, resource_for_model
from .scope import ScopedQuerySet, has_action, recheck_scope

__all__ = [
    "ScopedModelViewSet",
    "ScopedReadOnlyViewSet",
    "ScopedRelatedField",
    "MaskedSerializerMixin",
    "exception_handler",
    "document_error_responses",
    "not_found_route",
    "HTTP_ACTIONS",
]

HTTP_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key id resolved through ``visible_to(user, "view")``: an id outside the scope is
    "does not exist", exactly like an id that does not exist (no IDOR, no existence oracle)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if isinstance(queryset, ScopedQuerySet):
            return queryset.visible_to(request.user if request else None, Action.VIEW)
        return queryset


class MaskedSerializerMixin:
    """Masks the model's ``sensitive_fields`` for users without ``view_sensitive`` on the row."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            return data
        maskers = self.context.setdefault("_maskers", {})
        model = type(instance)
        masker = maskers.get(model)
        if masker is None:
            masker = maskers[model] = Masker(request.user, model)
            page = self.context.get("_page")
            if page:
                masker.prepare(page)
        return masker.mask_dict(instance, data)


class ScopedViewSetMixin:
    model = None
    # Declared so that @action(..., scope_action="assign") is accepted by DRF's as_view() check.
    scope_action: str | None = None

    def get_scope_action(self) -> str:
        handler = getattr(self, self.action, None) if self.action else None
        custom = getattr(handler, "scope_action", None) or (getattr(handler, "kwargs", {}) or {}).get("scope_action")
        return custom or HTTP_ACTIONS.get(self.request.method, Action.VIEW)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.resource = resource_for_model(self.model)
        self.scope_action = self.get_scope_action()
        if not has_action(request.user, self.resource, self.scope_action):
            raise exceptions.PermissionDenied(_("您没有此操作的权限。"))
        self.queryset = self.get_scoped_queryset(self.scope_action)

    def get_scoped_queryset(self, action: str):
        return self.model._default_manager.visible_to(self.request.user, action)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        # Pages must be stable: fall back to newest first when the model declares no ordering.
        return self.queryset if self.queryset.ordered else self.queryset.order_by("-pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._page = page
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_page", None) is not None:
            context["_page"] = self._page
        return context


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Subclasses implement ``create_object``, ``update_object`` and ``delete_object`` with services."""

    def create_object(self, serializer):
        raise NotImplementedError

    def update_object(self, serializer):
        raise NotImplementedError

    def delete_object(self, instance):
        raise NotImplementedError

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.create_object(serializer)
            recheck_scope(user=self.request.user, obj=serializer.instance, action=self.scope_action)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.update_object(serializer)
            recheck_scope(user=self.request.user, obj=serializer.instance, action=self.scope_action)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)


def _nested(value) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(item, dict | list) for item in value))


def _fields_from_detail(detail, prefix: str = "") -> dict:
    """Field name → messages; nested errors (a document's lines) are named by their path, "lines.0.description"."""
    if isinstance(detail, dict):
        items = detail.items()
    elif _nested(detail):
        items = ((str(index), item) for index, item in enumerate(detail))
    else:
        return {}
    fields = {}
    for key, value in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if _nested(value):
            fields.update(_fields_from_detail(value, name))
        else:
            fields[name] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    return fields


# A service's refusal is a 400, except these: a record outside the scope, and a save based on a version
# someone else has replaced since (core.versioning).
_APPLICATION_ERROR_STATUS = {"scope_violation": status.HTTP_403_FORBIDDEN, "conflict": status.HTTP_409_CONFLICT}


def exception_handler(exc, context):
    """Every API error as ``{"code", "message", "fields"}``, with Chinese messages by default."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return Response(body, status=_APPLICATION_ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))
    elif isinstance(exc, ProtectedError):
        return Response(
            {"code": "protected", "message": _("该记录仍被其他数据引用，不能删除。"), "fields": {}},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields_from_detail(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        message = non_field[0] if non_field else _("提交的数据有误，请检查。")
        response.data = {"code": "invalid", "message": message, "fields": fields}
    else:
        detail = getattr(exc, "detail", "")
        code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(detail), "fields": {}}
    return response


ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "所有错误的统一格式。",
    "properties": {
        "code": {"type": "string", "description": "稳定的错误代码，如 invalid、not_found、permission_denied"},
        "message": {"type": "string", "description": "给用户看的说明"},
        "fields": {
            "type": "object",
            "description": "字段名 → 该字段的错误说明",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "fields"],
}

ERROR_DESCRIPTIONS = {
    "400": "提交的数据或查询参数有误，或业务规则不允许此操作；fields 指出具体字段。",
    "401": "未登录，或令牌无效。",
    "403": "没有此操作的权限。",
    "404": "记录不存在或不在您的数据权限范围内；分页页码超出范围。",
    "409": "记录仍被其他数据引用，不能删除。",
    "415": "不支持的请求内容类型。",
}


def _error_statuses(method: str, operation: dict) -> list[str]:
    """The errors :func:`exception_handler` can answer for an operation, from what the operation takes."""
    statuses = ["401", "403"]
    parameters = operation.get("parameters", [])
    if method != "get" or any(parameter["in"] == "query" for parameter in parameters):
        statuses.append("400")  # validation, filters, a service's ApplicationError
    if any(parameter["in"] == "path" or parameter["name"] == "page" for parameter in parameters):
        statuses.append("404")  # a record outside the scope, a page past the end
    if method in ("put", "patch", "delete"):
        statuses.append("409")  # a stale version (core.versioning); a record still referenced (ProtectedError)
    if "requestBody" in operation:
        statuses.append("415")
    return statuses


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors the API's one error
    handler can give, as the one ``Error`` body, so clients (and the schema fuzzer) see every status
    code the server really answers. Responses a view declared itself are kept."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status_code in _error_statuses(method, operation):
                operation["responses"].setdefault(
                    status_code,
                    {
                        "description": ERROR_DESCRIPTIONS[status_code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """An API address that no route matches (an id that is not a number, a misspelt path) answers 404
    in the API's error format: a client reading JSON never gets the HTML page."""

    personal = True  # reads nothing

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("未找到。"))

    options = http_method_not_allowed


def not_found_route():
    """The last pattern of every app's API URLs. Only paths ending in a slash: one without it still gets
    CommonMiddleware's redirect to the slashed address (APPEND_SLASH)."""
    return re_path(r"^[\s\S]*/$", NotFoundView.as_view(), name="not-found")  # not ".": a path may hold a newline


#
# Core's own resources
#


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


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ["id", "code", "name", "symbol", "is_active"]


class CurrencyViewSet(ScopedModelViewSet):
    model = Currency
    serializer_class = CurrencySerializer
    filterset_class = CurrencyFilterSet
    ordering_fields = ["code", "name"]

    def create_object(self, serializer):
        return services.save_currency(actor=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        return services.save_currency(
            actor=self.request.user, currency=serializer.instance, **serializer.validated_data
        )

    def delete_object(self, instance):
        services.delete_currency(actor=self.request.user, currency=instance)


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = ScopedRelatedField(queryset=Currency.objects.all())

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate", "created_at"]


class ExchangeRateViewSet(ScopedModelViewSet):
    model = ExchangeRate
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet
    ordering_fields = ["date", "rate"]

    def get_scoped_queryset(self, action):
        return super().get_scoped_queryset(action).select_related("currency")

    def create_object(self, serializer):
        return services.save_exchange_rate(actor=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        return services.save_exchange_rate(
            actor=self.request.user, exchange_rate=serializer.instance, **serializer.validated_data
        )

    def delete_object(self, instance):
        services.delete_exchange_rate(actor=self.request.user, exchange_rate=instance)


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="上级区划代码（省级为空）"
    )

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "full_name"]


class RegionFilterSet(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", label="上级区划代码")
    level = filters.ChoiceFilter(choices=RegionLevel.choices, label="级别")
    q = filters.CharFilter(method="search", label="搜索")

    class Meta:
        model = Region
        fields = ["parent", "level", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(full_name__icontains=value))


class RegionViewSet(ScopedReadOnlyViewSet):
    """China's provinces, cities and counties: ``?parent=44`` lists 广东省's cities, ``?q=南山`` searches names."""

    model = Region
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]

    def get_scoped_queryset(self, action):
        return super().get_scoped_queryset(action).select_related("parent")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "level", "created_at", "read_at"]
        read_only_fields = fields


class NotificationFilterSet(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="未读")

    class Meta:
        model = Notification
        fields = ["unread", "level"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in user's own notifications; personal, so no grant or scope applies."""

    personal = True
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications.list_notifications(user=self.request.user)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notifications.mark_notification_read(user=request.user, pk=notification.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"count": notifications.mark_all_notifications_read(user=request.user)})
