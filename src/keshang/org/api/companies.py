"""REST API of our own companies (declared once in ``views.companies.COMPANY_VIEWS``) and their bank accounts,
account numbers masked unless the reader may see them."""

from rest_framework import serializers

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.models import Attachment
from keshang.core.modelviews import DeclaredModelViewSet

from .. import selectors, services
from ..models import Company, CompanyBankAccount
from ..views.companies import COMPANY_VIEWS

__all__ = ["CompanyViewSet", "CompanyBankAccountViewSet"]


class CompanySerializer(serializers.ModelSerializer):
    seal = serializers.PrimaryKeyRelatedField(queryset=Attachment.objects.all(), allow_null=True, required=False)
    # Pasted codes may hold spaces; the service keeps the 18 characters.
    credit_code = serializers.CharField(max_length=40, allow_blank=True, allow_null=True, required=False)

    class Meta:
        model = Company
        fields = ["id", *services.COMPANY_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class CompanyViewSet(DeclaredModelViewSet):
    model_views = COMPANY_VIEWS
    serializer_class = CompanySerializer
    ordering_fields = ["name", "created_at"]


class CompanyBankAccountSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    company = ScopedRelatedField(queryset=Company.objects.all())

    class Meta:
        model = CompanyBankAccount
        fields = ["id", "company", "bank_name", "account_name", "account_number", "currency", "is_default"]


class CompanyBankAccountViewSet(ScopedModelViewSet):
    """A company's accounts are part of the company: writing one is changing the company."""

    model = CompanyBankAccount
    serializer_class = CompanyBankAccountSerializer

    def get_scoped_queryset(self, action):
        return selectors.list_company_bank_accounts(user=self.request.user, action=action)

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        company = data.pop("company")
        return services.save_company_bank_account(actor=self.request.user, company=company, data=data)

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        company = data.pop("company", serializer.instance.company)
        return services.save_company_bank_account(
            actor=self.request.user, company=company, account=serializer.instance, data=data
        )

    def delete_object(self, instance):
        services.delete_company_bank_account(actor=self.request.user, account=instance)
