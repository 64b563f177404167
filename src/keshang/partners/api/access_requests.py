"""API of asking for a partner someone else owns: ``POST partners/request-access/``
``{access, name?, credit_code?, phone?, country?, note?}``, the way forward after a save refused with
``duplicate_partner_owned``: send the same name, credit code and phone, and the owners of the partners they
match are asked to share them with you (``access: "share"``) or hand them over (``"transfer"``). Answers the
names and owners asked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.permissions import Action

from .. import services
from ..countries import country_choices
from ..forms import CREDIT_CODE_INPUT_LENGTH

__all__ = ["AccessRequestActionsMixin"]


class AccessRequestInputSerializer(serializers.Serializer):
    access = serializers.ChoiceField(
        choices=services.AccessKind.choices, help_text="share 申请共享；transfer 申请转给我"
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    credit_code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=CREDIT_CODE_INPUT_LENGTH
    )
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    # A plain string checked against the list: an enum of 242 countries named "country" would collide with the
    # partner's own in the schema.
    country = serializers.CharField(required=False, default="CN", max_length=2, help_text="ISO 3166 国家代码")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, help_text="申请说明")

    def validate_country(self, value):
        if value not in dict(country_choices()):
            raise serializers.ValidationError(_("“%(value)s”不是有效的国家代码。") % {"value": value})
        return value


class AccessRequestSerializer(serializers.Serializer):
    name = serializers.CharField()
    owner_name = serializers.CharField()


class AccessRequestActionsMixin:
    """``request-access`` on /api/v1/partners/partners/: needs "add" on partners, as creating one does."""

    @extend_schema(request=AccessRequestInputSerializer, responses=AccessRequestSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="request-access", scope_action=Action.ADD, pagination_class=None)
    def request_access(self, request):
        """Ask the owners of the partners these details match (someone else's) to share them or hand them over."""
        serializer = AccessRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requested = services.request_partner_access(
            actor=request.user,
            kind=data["access"],
            name=data["name"],
            credit_code=data["credit_code"],
            phone=data["phone"],
            country=data["country"],
            note=data["note"],
        )
        return Response(AccessRequestSerializer(requested, many=True).data)
