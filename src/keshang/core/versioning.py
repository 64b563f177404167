"""Optimistic concurrency for edits (issue 6): two people saving the same record, the second is told.

A versioned model carries ``version``, raised by one on every saved change. An edit remembers the version
it started from — a hidden form field, the ``version`` field of the API body or an ``If-Match: "3"``
header (the ``ETag`` of the detail response) — and the service, holding the row lock, refuses a save
whose version is no longer the stored one with :class:`VersionConflict`. Nothing is overwritten
silently: the form shows the message above the user's input, the API answers 409. An edit that names
no version is not checked (scripts that own the record outright).
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, serializers

from .exceptions import ApplicationError

__all__ = [
    "VersionedModel",
    "VersionConflict",
    "check_version",
    "VersionedFormMixin",
    "VersionedViewSetMixin",
    "versioned_schema",
]


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class VersionConflict(ApplicationError):
    """The record changed since the user read it; their save would overwrite that change."""

    def __init__(self, obj):
        super().__init__(
            gettext("该记录已被他人修改（当前版本 %(version)s），您的修改未保存。请刷新后重新编辑。")
            % {"version": obj.version},
            code="conflict",
        )


def check_version(obj, expected_version: int | None) -> None:
    """Call with ``obj`` freshly read under its row lock; ``None`` means the caller did not say."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise VersionConflict(obj)


class VersionedFormMixin(forms.Form):
    """A hidden ``version`` holding the version the form was opened on. A form re-shown after a conflict
    keeps the version it was posted with, so saving it again is refused again until the user reloads."""

    version = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("invalid", "min_value"), _("页面已过期，请刷新后重新编辑。")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):
            # A hidden field's message would never be seen: it goes above the form.
            self.add_error(None, self.errors.pop("version"))
        return cleaned

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if self.instance.pk else None


_CONFLICT_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        name="VersionConflict",
        fields={"code": serializers.CharField(), "message": serializers.CharField(), "fields": serializers.DictField()},
    ),
    description="记录已被他人修改：请求中的版本（version 字段或 If-Match）不是当前版本，未做任何修改。",
)


def versioned_schema(serializer_class):
    """The viewset decorator documenting the 409 of updates (``extend_schema`` replaces the whole
    response map, so the 200 body is named here rather than in the mixin)."""
    described = extend_schema(
        description="编辑时在 If-Match 头（详情响应的 ETag）或 version 字段中带上读取到的版本号，防止覆盖他人的修改。",
        responses={200: serializer_class, 409: _CONFLICT_RESPONSE},
    )
    return extend_schema_view(update=described, partial_update=described)


class VersionedViewSetMixin:
    """For a ``ScopedModelViewSet`` whose serializer has a ``version`` field: detail responses carry
    ``ETag`` and an update takes the expected version from ``If-Match`` (else the body's ``version``); the API's
    error handler answers a conflict with 409."""

    def expected_version(self, serializer) -> int | None:
        """Pop ``version`` from the validated body; ``If-Match`` takes precedence when sent."""
        from_body = serializer.validated_data.pop("version", None)
        header = self.request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return from_body
        tag = header.strip().removeprefix("W/").strip('"')
        if not tag.isascii() or not tag.isdigit():
            raise exceptions.ValidationError({"If-Match": [gettext('If-Match 应为本记录的 ETag，例如 "3"。')]})
        return int(tag)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        one_record = self.detail or self.action == "create"
        if one_record and response.status_code < 300 and isinstance(data, dict) and "version" in data:
            response["ETag"] = f'"{data["version"]}"'
        return response
