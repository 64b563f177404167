"""API of a partner's parts: ``contacts/``, ``addresses/`` and ``bank-accounts/``, written with the partner's
"change" grant."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.models import Region
from keshang.core.permissions import Action
from keshang.core.versioning import VersionedViewSetMixin, versioned_schema

from .. import selectors, services, text
from ..filters import ContactFilterSet
from ..models import Address, BankAccount, Contact, Partner

__all__ = [
    "PartViewSet",
    "ContactSerializer",
    "ContactViewSet",
    "AddressSerializer",
    "AddressViewSet",
    "BankAccountSerializer",
    "BankAccountViewSet",
]


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
        fields = [
            "id",
            "partner",
            "bank_name",
            "account_name",
            "account_number",
            "is_default",
            "pending",
            "confirmed_at",
            "version",
        ]
        # 待确认: a new default waits for a second person's 确认 (issue 12, finding 10); is_default asks for it.
        read_only_fields = ["pending", "confirmed_at"]

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

    def get_scope_action(self) -> str:
        # 确认 is finance's, who read partners without changing them: the account must be in their view scope, and
        # the service asks for "approve" on partners.bankaccount.
        return Action.VIEW if self.action == "confirm" else super().get_scope_action()

    def get_scoped_queryset(self, action):
        return selectors.list_bank_accounts(user=self.request.user, action=action)

    @extend_schema(request=None, responses=BankAccountSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.VIEW)
    def confirm(self, request, pk=None):
        """确认: the held account becomes the partner's default; not by the person who entered it."""
        if not selectors.can_confirm_bank_accounts(user=request.user):
            # The right first, like any route's grant: without it the answer says nothing about the record.
            message = gettext("您的角色不能确认客商银行账户。")
            raise exceptions.PermissionDenied(message, code="bank_account_confirm_not_allowed")
        account = services.confirm_bank_account(actor=request.user, account=self.get_object())
        return Response(self.get_serializer(account).data)

    # Declared beside the scope action, for readers such as the permission matrix: the service's own right.
    confirm.required_rights = ((selectors.BANK_ACCOUNT, Action.APPROVE),)
