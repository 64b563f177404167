"""API of what suppliers have besides: the profile and qualifications.

* ``GET/PUT/PATCH /api/v1/partners/partners/{id}/supplier-profile/``: main products and ratings
  (an action of PartnerViewSet, through :class:`SupplierProfileActionsMixin`)
* ``/api/v1/partners/qualifications/``: suppliers' qualifications (multipart for the certificate
  file), ``…/{id}/file/`` downloads it; ``?expires_on__lte=`` finds those about to expire

Partner attachments are core's: ``/api/v1/core/attachments/partners.partner/{id}/``.
"""

from __future__ import annotations

import os

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from keshang.core import attachments
from keshang.core.api import ScopedModelViewSet, ScopedRelatedField
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope

from .. import selectors, services
from ..models import Partner, Qualification, SupplierProfile

__all__ = [
    "SupplierProfileSerializer",
    "SupplierProfileActionsMixin",
    "QualificationSerializer",
    "QualificationViewSet",
]

#
# Supplier profile: an action on the partner
#


def _rating_field(field: str) -> serializers.IntegerField:
    label = SupplierProfile._meta.get_field(field).verbose_name
    message = gettext_lazy("%(field)s须在 1 到 5 之间。") % {"field": label}
    return serializers.IntegerField(
        label=label,
        min_value=1,
        max_value=5,
        allow_null=True,
        required=False,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
    )


class SupplierProfileSerializer(serializers.ModelSerializer):
    rating_delivery = _rating_field("rating_delivery")
    rating_quality = _rating_field("rating_quality")
    rating_price = _rating_field("rating_price")
    rating_service = _rating_field("rating_service")

    class Meta:
        model = SupplierProfile
        fields = ["main_products", *services.RATING_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
        # Null until the profile is first saved: a partner without one is shown an empty profile.
        extra_kwargs = {"updated_at": {"allow_null": True}}


class SupplierProfileActionsMixin:
    """The supplier profile, an action on /api/v1/partners/partners/{id}/."""

    @extend_schema(methods=["GET"], responses=SupplierProfileSerializer)
    @extend_schema(methods=["PUT", "PATCH"], request=SupplierProfileSerializer, responses=SupplierProfileSerializer)
    @action(detail=True, methods=["get", "put", "patch"], url_path="supplier-profile")
    def supplier_profile(self, request, pk=None):
        """The supplier profile: GET needs "view" on the partner, PUT/PATCH "change"."""
        partner = self.get_object()
        profile = selectors.get_supplier_profile(user=request.user, partner=partner, action=self.scope_action)
        if request.method == "GET":
            return Response(SupplierProfileSerializer(profile or SupplierProfile(partner=partner)).data)
        serializer = SupplierProfileSerializer(profile, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            profile = services.save_supplier_profile(
                actor=request.user, partner=partner, data=dict(serializer.validated_data)
            )
            recheck_scope(user=request.user, obj=profile, action=Action.CHANGE)
        return Response(SupplierProfileSerializer(profile).data)


#
# Qualifications: parts of the partner, written with its "change" grant
#


class QualificationSerializer(serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    file = serializers.FileField(write_only=True, required=False, help_text="证书文件（multipart 上传）")
    remove_file = serializers.BooleanField(write_only=True, required=False, default=False)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "partner",
            "name",
            "number",
            "issued_on",
            "expires_on",
            "file",
            "remove_file",
            "file_url",
            "expiry_notified_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["expiry_notified_on", "created_at", "updated_at"]

    def get_file_url(self, obj) -> str | None:
        return reverse("partners-api:qualification-file", args=[obj.pk]) if obj.file else None

    def validate(self, attrs):
        issued_on = attrs.get("issued_on", getattr(self.instance, "issued_on", None))
        expires_on = attrs.get("expires_on", getattr(self.instance, "expires_on", None))
        if issued_on and expires_on and expires_on < issued_on:
            raise serializers.ValidationError({"expires_on": [_("到期日期不能早于发证日期。")]})
        return attrs


class QualificationViewSet(ScopedModelViewSet):
    model = Qualification
    serializer_class = QualificationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = {"partner": ["exact"], "expires_on": ["lte", "gte"]}
    ordering_fields = ["expires_on", "name", "created_at"]

    def get_scope_action(self) -> str:
        scope_action = super().get_scope_action()
        return Action.VIEW if scope_action == Action.VIEW else Action.CHANGE

    def get_scoped_queryset(self, action):
        return selectors.list_qualifications(user=self.request.user, action=action)

    def _split(self, serializer) -> tuple[dict, object, bool]:
        data = dict(serializer.validated_data)
        data.pop("partner", None)
        return data, data.pop("file", None), data.pop("remove_file", False)

    def create_object(self, serializer):
        partners = selectors.list_partners(user=self.request.user, action=Action.CHANGE)
        partner = get_object_or_404(partners, pk=serializer.validated_data["partner"].pk)
        data, upload, _remove = self._split(serializer)
        return services.save_qualification(actor=self.request.user, partner=partner, data=data, upload=upload)

    def update_object(self, serializer):
        data, upload, remove_file = self._split(serializer)
        return services.save_qualification(
            actor=self.request.user,
            partner=serializer.instance.partner,
            qualification=serializer.instance,
            data=data,
            upload=upload,
            remove_file=remove_file,
        )

    def delete_object(self, instance):
        services.delete_qualification(actor=self.request.user, qualification=instance)

    @extend_schema(
        request=None,
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="证书文件")},
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        qualification = self.get_object()
        if not qualification.file:
            raise exceptions.NotFound(_("此资质没有证书文件。"))
        return attachments.file_response(
            qualification.file,
            name=f"{qualification.name}{os.path.splitext(qualification.file.name)[1].lower()}",
            mime_type=attachments.mime_type_for(qualification.file.name),
        )
