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
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import notifications, services
from .exceptions import ApplicationError
from .filters import AuditEntryFilterSet, CurrencyFilterSet, ExchangeRateFilterSet
from .masking import Masker
from .models import AuditEntry, Currency, ExchangeRate, Notification, Region, RegionLevel
from .permissions import Action, resource_for_model
from .scope import ScopedQuerySet, has_action, recheck_scope

__all__ = [
    "ScopedModelViewSet",
    "ScopedReadOnlyViewSet",
    "ScopedRelatedField",
    "MaskedSerializerMixin",
    "exception_handler",
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


def _fields_from_detail(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in value] if isinstance(value, list) else [str(value)]
            for key, value in detail.items()
        }
    return {}


def exception_handler(exc, context):
    """Every API error as ``{"code", "message", "fields"}``, with Chinese messages by default."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        status_code = status.HTTP_403_FORBIDDEN if exc.code == "scope_violation" else status.HTTP_400_BAD_REQUEST
        return Response(body, status=status_code)
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
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="上级区划代码")

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
