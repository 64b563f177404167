"""REST API of partners and their contacts, addresses and bank accounts."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from rest_framework import serializers

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.models import Region
from keshang.core.permissions import Action
from keshang.core.versioning import VersionedViewSetMixin, versioned_schema
from keshang.org.models import Department, User

from . import access_requests_api, merging_api, ownership_api, selectors, services, suppliers_api, text
from .filters import ContactFilterSet, PartnerFilterSet
from .forms import CREDIT_CODE_INPUT_LENGTH
from .models import PARTNER_EDITABLE_FIELDS, Address, BankAccount, Contact, Industry, Partner, PartnerLevel, Tag

#
# Partners
#


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
    access_requests_api.ActionsMixin,
    ownership_api.ActionsMixin,
    merging_api.ActionsMixin,
    suppliers_api.ActionsMixin,
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


#
# Parts: written with the partner's "change" grant
#


class PartViewSet(VersionedViewSetMixin, ScopedModelViewSet):
    """Contacts, addresses and bank accounts: any write changes the partner they belong to."""

    save_service = None
    delete_service = None
    instance_argument = ""

    def get_scope_action(self) -> str:
        action = super().get_scope_action()
        return Action.VIEW if action == Action.VIEW else Action.CHANGE

    def _partner(self, serializer):
        partner = serializer.validated_data.pop("partner", None) or serializer.instance.partner
        partners = selectors.list_partners(user=self.request.user, action=Action.CHANGE)
        return get_object_or_404(partners, pk=partner.pk)

    def create_object(self, serializer):
        partner = self._partner(serializer)
        serializer.validated_data.pop("version", None)  # a new part starts at version 1
        return type(self).save_service(actor=self.request.user, partner=partner, data=serializer.validated_data)

    def update_object(self, serializer):
        serializer.validated_data.pop("partner", None)
        version = self.expected_version(serializer)
        return type(self).save_service(
            actor=self.request.user,
            partner=serializer.instance.partner,
            data=serializer.validated_data,
            expected_version=version,
            **{self.instance_argument: serializer.instance},
        )

    def delete_object(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.instance_argument: instance})


class ContactSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    class Meta:
        model = Contact
        fields = [
            "id",
            "partner",
            "name",
            "title",
            "decision_role",
            "mobile",
            "mobile_unverified",
            "phone",
            "email",
            "wechat",
            "birthday",
            "is_primary",
            "notes",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["mobile_unverified", "created_at", "updated_at"]

    def validate(self, attrs):
        mobile = attrs.get("mobile")
        instance = self.instance
        if mobile and not (instance is not None and instance.mobile_unverified and mobile == instance.mobile):
            partner = attrs.get("partner") or (instance.partner if instance is not None else None)
            try:
                text.normalize_phone(mobile, partner.country if partner is not None else "CN")
            except DjangoValidationError as error:
                raise serializers.ValidationError({"mobile": error.messages}) from None
        return attrs


@versioned_schema(ContactSerializer)
class ContactViewSet(PartViewSet):
    model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "created_at"]
    save_service = services.save_contact
    delete_service = services.delete_contact
    instance_argument = "contact"

    def get_scoped_queryset(self, action):
        return selectors.list_contacts(user=self.request.user, action=action)


class AddressSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    class Meta:
        model = Address
        fields = ["id", "partner", "kind", "region", "detail", "contact_name", "contact_phone", "is_default", "version"]


@versioned_schema(AddressSerializer)
class AddressViewSet(PartViewSet):
    model = Address
    serializer_class = AddressSerializer
    filterset_fields = ["partner", "kind", "is_default"]
    save_service = services.save_address
    delete_service = services.delete_address
    instance_argument = "address"

    def get_scoped_queryset(self, action):
        return selectors.list_addresses(user=self.request.user, action=action)


class BankAccountSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    class Meta:
        model = BankAccount
        fields = ["id", "partner", "bank_name", "account_name", "account_number", "is_default", "version"]

    def validate_account_number(self, value):
        return text.normalize_bank_account(value)


@versioned_schema(BankAccountSerializer)
class BankAccountViewSet(PartViewSet):
    model = BankAccount
    serializer_class = BankAccountSerializer
    filterset_fields = ["partner", "is_default"]
    save_service = services.save_bank_account
    delete_service = services.delete_bank_account
    instance_argument = "account"

    def get_scoped_queryset(self, action):
        return selectors.list_bank_accounts(user=self.request.user, action=action)
