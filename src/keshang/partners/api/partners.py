"""API of partners: ``/api/v1/partners/partners/``, with the actions each feature adds to it (ownership and the
pool, merging, the supplier profile, access requests) mixed in from their own modules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.models import Region
from keshang.core.versioning import VersionedViewSetMixin, versioned_schema
from keshang.org.models import Department, User

from .. import selectors, services, text
from ..filters import PartnerFilterSet
from ..forms import CREDIT_CODE_INPUT_LENGTH
from ..models import PARTNER_EDITABLE_FIELDS, Industry, Partner, PartnerLevel, Tag
from .access_requests import AccessRequestActionsMixin
from .merging import MergeActionsMixin
from .ownership import OwnershipActionsMixin
from .suppliers import SupplierProfileActionsMixin

__all__ = ["PartnerSerializer", "PartnerViewSet"]


class PartnerSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    owner = ScopedRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    department = ScopedRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    industry = serializers.PrimaryKeyRelatedField(queryset=Industry.objects.all(), allow_null=True, required=False)
    level = serializers.PrimaryKeyRelatedField(queryset=PartnerLevel.objects.all(), allow_null=True, required=False)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )
    tags = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all(), many=True, required=False)
    code = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="客户编号或供应商编号；新建时不填则自动生成。",
    )
    # As typed or pasted, spaces and dashes included: the length is checked once normalised.
    credit_code = serializers.CharField(
        max_length=CREDIT_CODE_INPUT_LENGTH, required=False, allow_blank=True, allow_null=True
    )
    confirm_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    class Meta:
        model = Partner
        fields = [
            "id",
            *PARTNER_EDITABLE_FIELDS,
            "phone_unverified",
            "owner",
            "department",
            "last_followup_at",
            "created_at",
            "updated_at",
            "version",
            "confirm_duplicate",
        ]
        read_only_fields = ["phone_unverified", "last_followup_at", "created_at", "updated_at"]
        brief_fields = ["id", "code", "name", "short_name"]

    def validate_credit_code(self, value):
        return text.normalize_credit_code(value or "") or None

    def validate(self, attrs):
        if self.instance is not None and ("owner" in attrs or "department" in attrs):
            raise serializers.ValidationError({"owner": ["负责人请通过分配或转移变更。"]})
        phone = attrs.get("phone")
        if phone:
            instance = self.instance
            # An unverified number an import kept is accepted as long as it is left alone.
            if not (instance is not None and instance.phone_unverified and phone == instance.phone):
                country = attrs.get("country") or (instance.country if instance is not None else "CN")
                try:
                    text.normalize_phone(phone, country)
                except DjangoValidationError as error:
                    raise serializers.ValidationError({"phone": error.messages}) from None
        return attrs


@versioned_schema(PartnerSerializer)
class PartnerViewSet(
    AccessRequestActionsMixin,
    OwnershipActionsMixin,
    MergeActionsMixin,
    SupplierProfileActionsMixin,
    VersionedViewSetMixin,
    ScopedModelViewSet,
):
    model = Partner
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "created_at", "last_followup_at"]

    def get_scoped_queryset(self, action):
        return selectors.list_partners(user=self.request.user, action=action).prefetch_related("tags")

    def _split(self, serializer):
        data = dict(serializer.validated_data)
        return data, data.pop("tags", None), data.pop("confirm_duplicate", False)

    def create_object(self, serializer):
        serializer.validated_data.pop("version", None)  # a new partner starts at version 1
        data, tags, confirm = self._split(serializer)
        return services.create_partner(actor=self.request.user, data=data, tags=tags, confirm_duplicate=confirm)

    def update_object(self, serializer):
        version = self.expected_version(serializer)
        data, tags, confirm = self._split(serializer)
        return services.update_partner(
            actor=self.request.user,
            partner=serializer.instance,
            data=data,
            tags=tags,
            confirm_duplicate=confirm,
            expected_version=version,
        )

    def delete_object(self, instance):
        services.delete_partner(actor=self.request.user, partner=instance)
