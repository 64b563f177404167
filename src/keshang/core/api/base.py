"""The API's one base (STYLE.md §9): ``ScopedModelViewSet`` narrows every queryset in ``initial()``.

HTTP methods map to actions (GET view, POST add, PUT/PATCH change, DELETE delete); custom actions
name theirs with ``@action(..., scope_action="approve")``. Writes run the app's service inside a
transaction and re-check the scope before committing. Errors come back as ``{"code", "message",
"fields"}`` from :func:`~keshang.core.api.errors.exception_handler`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import exceptions, serializers, viewsets

from ..exceptions import ApplicationError
from ..masking import Masker
from ..middleware import search_rate_exceeded, search_rate_message
from ..permissions import Action, resource_for_model
from ..scope import ScopedQuerySet, has_action, recheck_scope

__all__ = [
    "HTTP_ACTIONS",
    "unknown_fields",
    "StrictBodyMixin",
    "ScopedRelatedField",
    "MaskedSerializerMixin",
    "ScopedViewSetMixin",
    "ScopedReadOnlyViewSet",
    "ScopedModelViewSet",
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


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def unknown_fields(serializer, data, prefix: str = "") -> dict[str, list[str]]:
    """The keys of ``data`` that ``serializer`` does not take (unknown or read-only), by path: ``lines.0.unit_prise``
    for a nested line. A request naming one is refused rather than having it silently dropped (issue 12, 15)."""
    if isinstance(serializer, serializers.ListSerializer):
        if not isinstance(data, list):
            return {}
        found = {}
        for index, item in enumerate(data):
            found.update(unknown_fields(serializer.child, item, f"{prefix}{index}."))
        return found
    if not isinstance(serializer, serializers.Serializer) or not isinstance(data, Mapping):
        return {}
    fields = serializer.fields
    found = {}
    for key in data:
        field = fields.get(key)
        if field is None:
            found[f"{prefix}{key}"] = [_("不认识的字段。")]
        elif field.read_only:
            found[f"{prefix}{key}"] = [_("只读字段，不能提交。")]
        else:
            found.update(unknown_fields(field, data[key], f"{prefix}{key}."))
    return found


def request_serializer(view, request):
    """The serializer an operation reads its body with, as its OpenAPI schema declares it (``extend_schema``'s
    ``request``, or the view's own serializer): the one contract for the schema, the fuzzer and this check."""
    # A fresh inspector: the class's own is shared between requests; an action's extend_schema gives a class. On a
    # plain method (``create``, ``update``) extend_schema leaves its schema in the method's ``kwargs``, which the
    # router does not pass to the view: read it from the handler.
    handler = getattr(view, view.action, None) if getattr(view, "action", None) else None
    inspector = (getattr(handler, "kwargs", None) or {}).get("schema") or view.schema
    schema = inspector() if isinstance(inspector, type) else type(inspector)()
    schema.view, schema.method, schema.path = view, request.method, request.path
    declared = schema.get_request_serializer()
    if isinstance(declared, dict):  # {"multipart/form-data": Serializer}
        declared = next(iter(declared.values()), None)
    if isinstance(declared, type) and issubclass(declared, serializers.BaseSerializer):
        declared = declared(context=view.get_serializer_context())
    return declared if isinstance(declared, serializers.BaseSerializer) else None


def refuse_unknown_fields(view, request) -> None:
    """400 ``unknown_fields`` naming every field of a write body the operation does not take."""
    try:
        data = request.data
    except exceptions.UnsupportedMediaType:
        return  # answered 415 where the handler reads the body, after the record's own 404 (DRF raises it again)
    if not isinstance(data, Mapping) or not data:
        return
    serializer = request_serializer(view, request)
    found = (
        unknown_fields(serializer, data) if serializer is not None else {key: [_("此操作不接受字段。")] for key in data}
    )
    if found:
        raise ApplicationError(
            _("请求包含不能提交的字段：%(fields)s。") % {"fields": "、".join(found)},
            code="unknown_fields",
            fields=found,
        )


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


MASKED_FIELD_NOTE = (
    "Masked for readers without 查看敏感字段 (view_sensitive): **** for an amount, 138****5678 for a phone, "
    "z***@example.com for an e-mail."
)


class MaskedSerializerSchema(OpenApiSerializerExtension):
    """The documented answer of a masked serializer is true for every reader (issue 12): a sensitive field is
    answered masked (``****``, ``138****5678``) to a reader without ``view_sensitive``, which its own type (a
    decimal's pattern, an e-mail's format, a phone's length) would refuse, so in responses it is declared a plain
    string saying so. Requests keep the field's own schema (``COMPONENT_SPLIT_REQUEST``): a write takes the real
    value."""

    target_class = "keshang.core.api.base.MaskedSerializerMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction != "response":
            return schema
        model = getattr(getattr(self.target, "Meta", None), "model", None)
        properties = schema.get("properties", {})
        for name in getattr(model, "sensitive_fields", ()):
            if name not in properties:
                continue
            declared = properties[name]
            described = " ".join(filter(None, [declared.get("description"), MASKED_FIELD_NOTE]))
            masked = {"type": "string", "description": described}
            for key in ("readOnly", "nullable", "title"):
                if key in declared:
                    masked[key] = declared[key]
            properties[name] = masked
        return schema


class StrictBodyMixin:
    """Refuses a write body naming a field the operation does not take (before the record is looked up, so the
    answer tells nothing about it). Scoped viewsets check in their own ``initial()``, after the grant; a personal
    viewset names this among its bases."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS:
            refuse_unknown_fields(self, request)


class SearchRateExceeded(exceptions.APIException):
    """429 ``search_rate_limited``: more searches this minute than ``KESHANG_SEARCH_RATE``."""

    status_code = 429
    default_code = "search_rate_limited"


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
        if search_rate_exceeded(request, request.user):
            raise SearchRateExceeded(search_rate_message())
        self.resource = resource_for_model(self.model)
        self.scope_action = self.get_scope_action()
        if not has_action(request.user, self.resource, self.scope_action):
            raise exceptions.PermissionDenied(_("您没有此操作的权限。"))
        self.queryset = self.get_scoped_queryset(self.scope_action)
        if request.method in WRITE_METHODS:  # after the grant check: no grant is 403 whatever the body
            refuse_unknown_fields(self, request)

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
