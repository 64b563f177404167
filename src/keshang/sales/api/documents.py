"""REST API of quotations and sales orders: CRUD with nested lines (through the services, so the API prices
lines exactly as the pages do) and one POST action per workflow move, generated from the declared workflows
(``core.documents.api``): quotations ``/submit/ /withdraw/ /send/ /accept/ /reject/ /copy/ /revise/
/to-order/``, orders ``/confirm/ /submit/ /withdraw/ /cancel/ /close/``; ``/pdf/`` for both. Edits carry
``version`` for optimistic concurrency."""

from __future__ import annotations

from rest_framework import serializers

from keshang.catalog.lines.api import LINE_OUTPUT_FIELDS, LineInputSerializer, split_lines
from keshang.catalog.lines.pricing import NO_LINES
from keshang.core.api import ScopedRelatedField
from keshang.core.documents.api import DocumentViewSet
from keshang.core.money import amount_in_words_for
from keshang.org.models import Company
from keshang.partners.models import Contact, Partner

from ..documents import QUOTATION, SALES_ORDER
from ..models import Opportunity, Quotation, QuotationLine, SalesOrder, SalesOrderLine

__all__ = ["QuotationViewSet", "SalesOrderViewSet", "register_routes"]


class QuotationLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuotationLine
        fields = LINE_OUTPUT_FIELDS
        read_only_fields = LINE_OUTPUT_FIELDS


class SalesOrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesOrderLine
        fields = [*LINE_OUTPUT_FIELDS, "delivered_quantity"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    seller = ScopedRelatedField(queryset=Company.objects.filter(is_active=True), required=False)
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    contact = ScopedRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    lines = LineInputSerializer(many=True, write_only=True)
    amount_in_words = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    common_fields = [
        "id",
        "status",
        "seller",
        "partner",
        "contact",
        "currency",
        "exchange_rate",
        "payment_terms",
        "delivery_terms",
        "notes",
        "net_amount",
        "tax_amount",
        "gross_amount",
        "net_amount_cny",
        "gross_amount_cny",
        "discount_amount",
        "max_discount_percent",
        "below_min_price",
        "amount_in_words",
        "owner",
        "department",
        "version",
        "lines",
        "created_at",
        "updated_at",
    ]
    common_read_only = [
        "status",
        "exchange_rate",
        "net_amount",
        "net_amount_cny",
        "gross_amount_cny",
        "tax_amount",
        "gross_amount",
        "discount_amount",
        "max_discount_percent",
        "below_min_price",
        "owner",
        "department",
        "created_at",
        "updated_at",
    ]

    def get_amount_in_words(self, obj) -> str:
        return amount_in_words_for(obj.gross_amount, obj.currency)

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(NO_LINES, code="no_lines")
        return value

    def split(self):
        """Header data, lines (a PATCH without ``lines`` keeps the current ones, as their editor would) and the
        version."""
        data = dict(self.validated_data)
        items = split_lines(data, self.instance)
        version = data.pop("version", None)
        return data, items, version


class QuotationSerializer(DocumentSerializer):
    opportunity = ScopedRelatedField(queryset=Opportunity.objects.all(), required=False, allow_null=True)
    line_items = QuotationLineSerializer(source="lines", many=True, read_only=True)
    display_number = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Quotation
        fields = [
            *DocumentSerializer.common_fields,
            "number",
            "revision",
            "display_number",
            "revised_from",
            "opportunity",
            "quote_date",
            "valid_until",
            "submitted_at",
            "approved_at",
            "sent_at",
            "closed_at",
            "line_items",
        ]
        read_only_fields = [
            *DocumentSerializer.common_read_only,
            "number",
            "revision",
            "revised_from",
            "submitted_at",
            "approved_at",
            "sent_at",
            "closed_at",
        ]
        extra_kwargs = {"quote_date": {"required": False}, "valid_until": {"required": False}}


class SalesOrderSerializer(DocumentSerializer):
    line_items = SalesOrderLineSerializer(source="lines", many=True, read_only=True)

    class Meta:
        model = SalesOrder
        fields = [
            *DocumentSerializer.common_fields,
            "number",
            "quotation",
            "order_date",
            "delivery_date",
            "delivery_address",
            "delivery_status",
            "payment_status",
            "paid_amount",
            "submitted_at",
            "confirmed_at",
            "confirmed_by",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "line_items",
        ]
        read_only_fields = [
            *DocumentSerializer.common_read_only,
            "number",
            "quotation",
            "delivery_status",
            "payment_status",
            "paid_amount",
            "submitted_at",
            "confirmed_at",
            "confirmed_by",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
        ]
        extra_kwargs = {"order_date": {"required": False}}


class QuotationViewSet(DocumentViewSet):
    document_type = QUOTATION
    serializer_class = QuotationSerializer
    filterset_class = QUOTATION.filterset


class SalesOrderViewSet(DocumentViewSet):
    document_type = SALES_ORDER
    serializer_class = SalesOrderSerializer
    filterset_class = SALES_ORDER.filterset


def register_routes(router) -> None:
    router.register("quotations", QuotationViewSet, basename="quotation")
    router.register("orders", SalesOrderViewSet, basename="salesorder")
