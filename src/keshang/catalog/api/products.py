"""REST API of products: the product with its sellability, cost price masked unless the reader may see it, and
``price``, the price a product gets on a line for a customer and which rule gave it. Writes go through the
services."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet
from keshang.core.exceptions import ApplicationError
from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.partners.selectors import list_partners

from .. import selectors, services
from ..filters import ProductFilterSet
from ..models import Brand, Product, ProductCategory, Unit
from ..services import PRODUCT_FIELDS
from ..tables import mask_cost

__all__ = ["ProductSerializer", "ProductViewSet"]


class ProductSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(), allow_null=True, required=False
    )
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all(), allow_null=True, required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    is_sellable = serializers.SerializerMethodField()
    confirm_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Product
        fields = ["id", *sorted(PRODUCT_FIELDS), "is_sellable", "created_at", "updated_at", "confirm_duplicate"]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "code", "name", "specification", "unit"]
        # The service checks the code and names the product holding it; DRF's unique check would not.
        extra_kwargs = {"code": {"validators": []}}

    def get_is_sellable(self, obj) -> bool:
        return services.is_sellable(obj)

    def validate_cost_price(self, value):
        request = self.context.get("request")
        if request is not None and not has_action(request.user, "catalog.product", Action.VIEW_SENSITIVE):
            raise serializers.ValidationError(_("您没有查看成本价的权限，不能修改它。"))
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not Masker(request.user, Product).shows_clear(instance):
            # Nothing of the digits: core's mask keeps the first and last ones, made for phone numbers.
            data["cost_price"] = mask_cost(data.get("cost_price"))
        return data


class PriceQuoteSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=24, decimal_places=6, help_text="含税单价，按所选单位")
    min_price = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    source = serializers.CharField(help_text="价格来源说明，如“客户级别价：A级”")
    kind = serializers.ChoiceField(choices=["customer", "level", "quantity", "list"])
    rule = serializers.IntegerField(allow_null=True)
    unit = serializers.IntegerField()
    unit_factor = serializers.DecimalField(max_digits=18, decimal_places=6)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4)
    date = serializers.DateField()


class PriceQueryParams(serializers.Serializer):
    partner = serializers.IntegerField(required=False, min_value=1)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, min_value=Decimal("0"))
    unit = serializers.IntegerField(required=False, min_value=1)
    date = serializers.DateField(required=False)


class ProductViewSet(ScopedModelViewSet):
    """Products; ``?q=`` searches code, barcode, name (also by pinyin initials) and specification."""

    model = Product
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["code", "name", "list_price", "updated_at"]

    def get_scoped_queryset(self, action):
        return selectors.list_products(user=self.request.user, action=action)

    def _split(self, serializer):
        data = dict(serializer.validated_data)
        return data, data.pop("confirm_duplicate", False)

    def create_object(self, serializer):
        data, confirm = self._split(serializer)
        return services.create_product(actor=self.request.user, data=data, confirm_duplicate=confirm)

    def update_object(self, serializer):
        data, confirm = self._split(serializer)
        return services.update_product(
            actor=self.request.user, product=serializer.instance, data=data, confirm_duplicate=confirm
        )

    def delete_object(self, instance):
        services.delete_product(actor=self.request.user, product=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", OpenApiTypes.INT, description="客户 id（须在您的数据权限内）"),
            OpenApiParameter("quantity", OpenApiTypes.DECIMAL, description="数量（按所选单位），默认 1"),
            OpenApiParameter("unit", OpenApiTypes.INT, description="单位 id，默认基本单位"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="单据日期，默认今天"),
        ],
        responses={200: PriceQuoteSerializer},
    )
    @action(detail=True, methods=["get"])
    def price(self, request, pk=None):
        """The price this product gets on a line, and which rule gave it."""
        product = self.get_object()
        params = PriceQueryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        partner = None
        if "partner" in query:
            partner = get_object_or_404(list_partners(user=request.user), pk=query["partner"])
        # The product's own units (its base unit and conversions), part of the product the user may view.
        choices = {unit.pk: (unit, factor) for unit, factor in selectors.unit_choices(product)}
        unit, factor = choices.get(query.get("unit", product.unit_id), (None, None))
        if unit is None:
            message = _("商品 %(code)s 没有此单位的换算。") % {"code": product.code}
            raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
        quantity = query.get("quantity", Decimal("1"))
        on = query.get("date") or datetime.date.today()
        quote = selectors.resolve_price(product=product, partner=partner, quantity=quantity, on=on, unit_factor=factor)
        body = {
            "price": quote.price,
            "min_price": quote.min_price,
            "source": quote.source,
            "kind": quote.kind,
            "rule": quote.rule.pk if quote.rule else None,
            "unit": unit.pk,
            "unit_factor": factor,
            "quantity": quantity,
            "date": on,
        }
        return Response(PriceQuoteSerializer(body).data)
