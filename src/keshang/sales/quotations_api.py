"""REST API of quotations and sales orders: CRUD with nested lines (through the services, so the API prices
lines exactly as the pages do) and the workflow moves as POST actions (STYLE.md §9): quotations
``/submit/ /withdraw/ /send/ /accept/ /reject/ /copy/ /revise/ /to-order/``, orders ``/confirm/ /submit/
/withdraw/ /cancel/ /close/``. Edits carry ``version`` for optimistic concurrency."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.catalog.models import Product, ProductStatus, Unit
from keshang.core.api import ScopedModelViewSet, ScopedRelatedField
from keshang.core.money import amount_in_words
from keshang.core.permissions import Action
from keshang.partners.models import Contact, Partner

from . import orders, printing, quotations, selectors
from .documents import LineInput
from .documents_filters import QuotationFilterSet, SalesOrderFilterSet
from .models import Opportunity, PriceEntry, Quotation, QuotationLine, SalesOrder, SalesOrderLine

__all__ = ["QuotationViewSet", "SalesOrderViewSet", "register_routes", "api_urlpatterns"]

LINE_OUTPUT_FIELDS = [
    "id",
    "position",
    "product",
    "description",
    "unit",
    "unit_factor",
    "quantity",
    "vat_rate",
    "price_entry",
    "unit_price_net",
    "unit_price_gross",
    "discount_percent",
    "net_amount",
    "tax_amount",
    "gross_amount",
    "discount_amount",
    "list_price",
    "min_price",
    "price_source",
]


class LineInputSerializer(serializers.Serializer):
    """One line as a client sends it: ``unit_price`` is the figure typed (含税 when ``price_entry`` is "gross",
    不含税 when "net"); leave it out to take the catalog's price for this customer."""

    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.filter(status=ProductStatus.ACTIVE))
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=Decimal("0.0001"))
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    price_entry = serializers.ChoiceField(choices=PriceEntry.choices, default=PriceEntry.GROSS)
    unit_price = serializers.DecimalField(
        max_digits=18, decimal_places=6, min_value=Decimal("0"), required=False, allow_null=True
    )
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), default=Decimal("0")
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


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
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    contact = ScopedRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    lines = LineInputSerializer(many=True, write_only=True)
    amount_in_words = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, help_text="编辑时传入读取到的版本号，防止覆盖他人的修改。")

    common_fields = [
        "id",
        "status",
        "partner",
        "contact",
        "currency",
        "payment_terms",
        "delivery_terms",
        "notes",
        "net_amount",
        "tax_amount",
        "gross_amount",
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
        "currency",
        "net_amount",
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
        return amount_in_words(obj.gross_amount)

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError("至少需要一行明细。")
        return value

    def split(self) -> tuple[dict, list[LineInput], int | None]:
        """Header data, lines (a PATCH without ``lines`` keeps the current ones as typed) and the version."""
        data = dict(self.validated_data)
        if "lines" in data:
            items = [LineInput(**line) for line in data.pop("lines")]
        else:
            items = [
                LineInput(
                    product=line.product,
                    quantity=line.quantity,
                    unit=line.unit,
                    price_entry=line.price_entry,
                    unit_price=line.unit_price_net if line.price_entry == PriceEntry.NET else line.unit_price_gross,
                    discount_percent=line.discount_percent,
                    description=line.description,
                )
                for line in self.instance.lines.select_related("product", "unit")
            ]
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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DocumentViewSetMixin:
    ordering_fields = ["id", "gross_amount", "created_at"]
    # DRF passes an action's extra kwargs to as_view(), which accepts only names the class defines.
    scope_action: str | None = None

    def _respond(self, obj, code=status.HTTP_200_OK):
        obj.refresh_from_db()
        serializer_class = QuotationSerializer if isinstance(obj, Quotation) else SalesOrderSerializer
        return Response(serializer_class(obj, context=self.get_serializer_context()).data, status=code)

    def _reason(self) -> str:
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]


def _move(service, *, kwarg: str, with_reason: bool = False, scope_action: str = Action.CHANGE, name: str):
    """One workflow move as a POST action calling ``service``; answers the document it leads to."""

    def move(self, request, pk=None):
        obj = self.get_object()
        extra = {"reason": self._reason()} if with_reason else {}
        result = service(actor=request.user, **{kwarg: obj}, **extra)
        return self._respond(result)

    # DRF names the route and its method mapping after the function, so it must be named before decorating.
    move.__name__ = move.__qualname__ = name
    move.__doc__ = service.__doc__
    decorate = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), scope_action=scope_action)
    return extend_schema(request=ReasonSerializer if with_reason else None)(decorate(move))


class QuotationViewSet(DocumentViewSetMixin, ScopedModelViewSet):
    model = Quotation
    serializer_class = QuotationSerializer
    filterset_class = QuotationFilterSet

    def get_scoped_queryset(self, action):
        return selectors.list_quotations(user=self.request.user, action=action).prefetch_related("lines")

    def create_object(self, serializer):
        data, items, _version = serializer.split()
        return quotations.create_quotation(actor=self.request.user, data=data, lines=items)

    def update_object(self, serializer):
        data, items, version = serializer.split()
        return quotations.update_quotation(
            actor=self.request.user, quotation=serializer.instance, data=data, lines=items, expected_version=version
        )

    def delete_object(self, instance):
        quotations.delete_quotation(actor=self.request.user, quotation=instance)

    submit = _move(quotations.submit_quotation, kwarg="quotation", name="submit")
    withdraw = _move(quotations.withdraw_quotation, kwarg="quotation", name="withdraw")
    send = _move(quotations.mark_quotation_sent, kwarg="quotation", name="send")
    accept = _move(quotations.accept_quotation, kwarg="quotation", name="accept")
    reject = _move(quotations.reject_quotation, kwarg="quotation", with_reason=True, name="reject")
    copy = _move(quotations.copy_quotation, kwarg="quotation", scope_action=Action.VIEW, name="copy")
    revise = _move(quotations.revise_quotation, kwarg="quotation", name="revise")
    to_order = _move(orders.create_order_from_quotation, kwarg="quotation", scope_action=Action.VIEW, name="to_order")

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], scope_action=Action.VIEW)
    def pdf(self, request, pk=None):
        quotation = self.get_object()
        response = HttpResponse(printing.quotation_pdf(quotation, user=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{printing.pdf_filename(quotation)}"'
        return response


class SalesOrderViewSet(DocumentViewSetMixin, ScopedModelViewSet):
    model = SalesOrder
    serializer_class = SalesOrderSerializer
    filterset_class = SalesOrderFilterSet

    def get_scoped_queryset(self, action):
        return selectors.list_sales_orders(user=self.request.user, action=action).prefetch_related("lines")

    def create_object(self, serializer):
        data, items, _version = serializer.split()
        return orders.create_sales_order(actor=self.request.user, data=data, lines=items)

    def update_object(self, serializer):
        data, items, version = serializer.split()
        return orders.update_sales_order(
            actor=self.request.user, order=serializer.instance, data=data, lines=items, expected_version=version
        )

    def delete_object(self, instance):
        orders.delete_sales_order(actor=self.request.user, order=instance)

    confirm = _move(orders.confirm_sales_order, kwarg="order", name="confirm")
    # "Submit" and "confirm" are one move: confirming asks for approval when a flow applies.
    submit = _move(orders.confirm_sales_order, kwarg="order", name="submit")
    withdraw = _move(orders.withdraw_sales_order, kwarg="order", name="withdraw")
    cancel = _move(orders.cancel_sales_order, kwarg="order", with_reason=True, name="cancel")
    close = _move(orders.close_sales_order, kwarg="order", name="close")


api_urlpatterns = []


def register_routes(router) -> None:
    router.register("quotations", QuotationViewSet, basename="quotation")
    router.register("orders", SalesOrderViewSet, basename="salesorder")
