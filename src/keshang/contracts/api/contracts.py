"""REST API of contracts: CRUD with nested lines and payment stages (through the services, so the API prices lines
and splits stages exactly as the pages do), one POST action per workflow move (``/submit/ /withdraw/
/record-signed/ /complete/ /terminate/ /to-order/``, generated from the workflow), ``/call-off/`` for a framework
agreement and ``/pdf/``; and the categories."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action

from keshang.catalog.lines.api import LINE_OUTPUT_FIELDS, LineInputSerializer
from keshang.catalog.lines.pricing import LineInput
from keshang.core.api import MaskedSerializerMixin, ScopedRelatedField
from keshang.core.documents.api import DocumentViewSet
from keshang.core.modelviews import DeclaredModelViewSet
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.org.models import User
from keshang.sales.api.documents import DocumentSerializer
from keshang.sales.selectors import list_sales_orders

from .. import services
from ..documents import CONTRACT
from ..models import Contract, ContractCategory, ContractLine, PaymentStage
from ..services import StageInput
from ..views import CATEGORY_VIEWS
from .signing import add_signing_actions, register_signing_routes
from .templates import ContractTemplateViewSet, docx_action

__all__ = ["ContractViewSet", "ContractCategoryViewSet", "register_routes"]


class ContractLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractLine
        fields = LINE_OUTPUT_FIELDS
        read_only_fields = fields


class PaymentStageSerializer(serializers.ModelSerializer):
    """A stage: ``percent`` of the contract amount or a ``fixed_amount``; ``amount`` and ``due_date`` are worked
    out (the rounding cent on the last stage; the due date once the trigger happened)."""

    class Meta:
        model = PaymentStage
        fields = ["position", "name", "percent", "fixed_amount", "amount", "trigger", "days", "working_days",
                  "fixed_date", "due_date"]  # fmt: skip
        read_only_fields = ["position", "amount", "due_date"]


class ContractSerializer(MaskedSerializerMixin, DocumentSerializer):
    category = ScopedRelatedField(queryset=ContractCategory.objects.filter(is_active=True), required=False,
                                  allow_null=True)  # fmt: skip
    our_signer = ScopedRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    line_items = ContractLineSerializer(source="lines", many=True, read_only=True)
    payment_stages = PaymentStageSerializer(many=True, required=False)
    orders = serializers.SerializerMethodField()
    amount = serializers.DecimalField(source="gross_amount", max_digits=18, decimal_places=2, read_only=True)

    class Meta:
        model = Contract
        fields = [
            *DocumentSerializer.common_fields,
            "number",
            "revision",
            "revised_from",
            "kind",
            "category",
            "title",
            "partner_signer",
            "our_signer",
            "sign_date",
            "effective_date",
            "end_date",
            "sign_place",
            "capped",
            "quotation",
            "amount",
            "expected_margin",
            "payment_stages",
            "orders",
            "submitted_at",
            "approved_at",
            "effective_at",
            "closed_at",
            "termination_reason",
            "line_items",
        ]
        read_only_fields = [
            *DocumentSerializer.common_read_only,
            "number",
            "revision",
            "revised_from",
            "quotation",
            "expected_margin",
            "submitted_at",
            "approved_at",
            "effective_at",
            "closed_at",
            "termination_reason",
        ]
        extra_kwargs = {"sign_date": {"required": False}}

    def get_orders(self, obj) -> list[int]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not has_action(user, "sales.salesorder", Action.VIEW):
            return []
        return list(list_sales_orders(user=user).filter(contract_link__contract=obj).values_list("pk", flat=True))

    def split(self):
        data, items, version = super().split()
        stages = data.pop("payment_stages", None)
        stage_inputs = None if stages is None else [StageInput(**stage) for stage in stages]
        return data, items, version, stage_inputs


class CallOffSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True)
    order_date = serializers.DateField(required=False)
    delivery_date = serializers.DateField(required=False, allow_null=True)
    delivery_address = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ContractViewSet(DocumentViewSet):
    document_type = CONTRACT
    serializer_class = ContractSerializer
    filterset_class = CONTRACT.filterset

    def create_object(self, serializer):
        data, items, _version, stages = serializer.split()
        return services.create_contract(actor=self.request.user, data=data, lines=items, stages=stages or ())

    def update_object(self, serializer):
        data, items, version, stages = serializer.split()
        return services.update_contract(
            actor=self.request.user,
            contract=serializer.instance,
            data=data,
            lines=items,
            stages=stages,
            expected_version=version,
        )

    @extend_schema(request=CallOffSerializer)
    @action(detail=True, methods=["post"], url_path="call-off", scope_action=Action.VIEW)
    def call_off(self, request, pk=None):
        """A call-off order of a framework agreement (a draft sales order), within what a capped one has left."""
        if not has_action(request.user, "sales.salesorder", Action.ADD):
            raise exceptions.PermissionDenied()
        contract = self.get_object()
        serializer = CallOffSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = [LineInput(**line) for line in data.pop("lines")]
        order = services.call_off(actor=request.user, contract=contract, lines=lines, data=data)
        return self._respond(order, code=status.HTTP_201_CREATED)

    call_off.required_rights = (("sales.salesorder", Action.ADD),)


ContractViewSet.docx = docx_action()


class ContractCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractCategory
        fields = ["id", "name", "kind", "sort_order", "is_active"]


class ContractCategoryViewSet(DeclaredModelViewSet):
    model_views = CATEGORY_VIEWS
    serializer_class = ContractCategorySerializer


add_signing_actions(ContractViewSet)


def register_routes(router) -> None:
    router.register("contracts", ContractViewSet, basename="contract")
    register_signing_routes(router)
    router.register("categories", ContractCategoryViewSet, basename="contractcategory")
    router.register("templates", ContractTemplateViewSet, basename="contracttemplate")
