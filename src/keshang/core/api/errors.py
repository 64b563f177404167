"""The API's one error format, ``{"code", "message", "fields"}`` with Chinese messages: the exception handler
(settings ``EXCEPTION_HANDLER``), the schema hook that documents it on every operation, and the 404 route that
ends every app's API URLs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import ApplicationError, ScopeViolation

__all__ = ["exception_handler", "document_error_responses", "NotFoundView", "not_found_route"]


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
_APPLICATION_ERROR_STATUS = {
    "scope_violation": status.HTTP_403_FORBIDDEN,
    "conflict": status.HTTP_409_CONFLICT,
    # org: managing a superuser, or handing out rights one does not hold (issue 12, finding 8).
    "superuser_protected": status.HTTP_403_FORBIDDEN,
    "grant_exceeds_own": status.HTTP_403_FORBIDDEN,
}


def exception_handler(exc, context):
    """Every API error as ``{"code", "message", "fields"}``, with Chinese messages by default."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        if isinstance(exc, ScopeViolation):
            return Response(body, status=status.HTTP_403_FORBIDDEN)
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
    if isinstance(exc, exceptions.AuthenticationFailed):
        # Credentials were sent and refused (an expired or revoked token): 401, whichever authentication class
        # comes first (DRF answers 403 when the first, the session's, names no challenge).
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"
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
