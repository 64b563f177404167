"""REST API of the catalog: products (with the price a customer gets), their unit conversions and price
rules, categories, brands and units. Writes go through the services; cost price is masked."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.exceptions import ApplicationError
from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.partners.models import Partner, PartnerLevel
from keshang.partners.selectors import list_partners

from . import pricing, selectors, services
from .filters import (
    BrandFilterSet,
    CategoryFilterSet,
    PriceRuleFilterSet,
    ProductFilterSet,
    ProductUnitFilterSet,
    UnitFilterSet,
)
from .models import Brand, PriceRule, Product, ProductCategory, ProductUnit, Unit
from .services import PRODUCT_FIELDS
from .tables import mask_cost

#
# Products
#


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
        choices = {unit.pk: (unit, factor) for unit, factor in pricing.unit_choices(product)}
        unit, factor = choices.get(query.get("unit", product.unit_id), (None, None))
        if unit is None:
            message = _("商品 %(code)s 没有此单位的换算。") % {"code": product.code}
            raise ApplicationError(message, code="invalid_unit", fields={"unit": [message]})
        quantity = query.get("quantity", Decimal("1"))
        on = query.get("date") or datetime.date.today()
        quote = pricing.resolve_price(product=product, partner=partner, quantity=quantity, on=on, unit_factor=factor)
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


#
# Parts of a product: written with the product's "change" grant
#


class ProductPartViewSet(ScopedModelViewSet):
    save_service = None
    delete_service = None
    instance_argument = ""

    def get_scope_action(self) -> str:
        action = super().get_scope_action()
        return Action.VIEW if action == Action.VIEW else Action.CHANGE

    def create_object(self, serializer):
        product = serializer.validated_data.pop("product")
        products = selectors.list_products(user=self.request.user, action=Action.CHANGE)
        product = get_object_or_404(products, pk=product.pk)
        return type(self).save_service(actor=self.request.user, product=product, data=serializer.validated_data)

    def update_object(self, serializer):
        serializer.validated_data.pop("product", None)
        return type(self).save_service(
            actor=self.request.user,
            product=serializer.instance.product,
            data=serializer.validated_data,
            **{self.instance_argument: serializer.instance},
        )

    def delete_object(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.instance_argument: instance})


class ProductUnitSerializer(serializers.ModelSerializer):
    product = ScopedRelatedField(queryset=Product.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())

    class Meta:
        model = ProductUnit
        fields = ["id", "product", "unit", "factor", "barcode"]
        # The service reports a repeated unit with the constraint's own message.
        validators = []

    def validate(self, attrs):
        if self.instance is not None and "product" in attrs and attrs["product"] != self.instance.product:
            raise serializers.ValidationError({"product": [_("不能把单位换算移到另一个商品。")]})
        return attrs


class ProductUnitViewSet(ProductPartViewSet):
    """Unit conversions (1 箱 = 12 个); ``?product=`` lists one product's."""

    model = ProductUnit
    serializer_class = ProductUnitSerializer
    filterset_class = ProductUnitFilterSet
    ordering_fields = ["factor"]
    save_service = services.save_product_unit
    delete_service = services.delete_product_unit
    instance_argument = "product_unit"

    def get_scoped_queryset(self, action):
        return selectors.list_product_units(user=self.request.user, action=action)


class PriceRuleSerializer(serializers.ModelSerializer):
    product = ScopedRelatedField(queryset=Product.objects.all())
    partner = ScopedRelatedField(queryset=Partner.objects.all(), allow_null=True, required=False)
    partner_level = serializers.PrimaryKeyRelatedField(
        queryset=PartnerLevel.objects.all(), allow_null=True, required=False
    )
    source = serializers.SerializerMethodField()

    class Meta:
        model = PriceRule
        fields = [
            "id",
            "product",
            "kind",
            "partner_level",
            "partner",
            "min_quantity",
            "price",
            "valid_from",
            "valid_until",
            "source",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_source(self, obj) -> str:
        return pricing.describe_rule(obj)

    def validate(self, attrs):
        if self.instance is not None and "product" in attrs and attrs["product"] != self.instance.product:
            raise serializers.ValidationError({"product": [_("不能把价格规则移到另一个商品。")]})
        return attrs


class PriceRuleViewSet(ProductPartViewSet):
    """Price rules; ``?product=`` lists one product's, ``?partner=`` one customer's own prices."""

    model = PriceRule
    serializer_class = PriceRuleSerializer
    filterset_class = PriceRuleFilterSet
    ordering_fields = ["kind", "min_quantity", "valid_from"]
    save_service = services.save_price_rule
    delete_service = services.delete_price_rule
    instance_argument = "rule"

    def get_scoped_queryset(self, action):
        return selectors.list_price_rules(user=self.request.user, action=action)


#
# Categories, brands, units
#


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=ProductCategory.objects.all(), allow_null=True, required=False)

    class Meta:
        model = ProductCategory
        fields = ["id", "name", "code", "parent", "order", "path", "depth"]
        read_only_fields = ["path", "depth"]
        brief_fields = ["id", "name", "code"]
        validators = []  # unique name per parent: the model's constraint message, from the service's full_clean


class CategoryViewSet(ScopedModelViewSet):
    model = ProductCategory
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    ordering_fields = ["path", "code", "name"]

    def get_scoped_queryset(self, action):
        return ProductCategory.objects.visible_to(self.request.user, action).select_related("parent")

    def create_object(self, serializer):
        return services.create_category(actor=self.request.user, data=serializer.validated_data)

    def update_object(self, serializer):
        return services.update_category(
            actor=self.request.user, category=serializer.instance, data=serializer.validated_data
        )

    def delete_object(self, instance):
        services.delete_category(actor=self.request.user, category=instance)


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name"]
        brief_fields = ["id", "name"]


class BrandViewSet(ScopedModelViewSet):
    model = Brand
    serializer_class = BrandSerializer
    filterset_class = BrandFilterSet
    ordering_fields = ["name"]

    def create_object(self, serializer):
        return services.create_brand(actor=self.request.user, data=serializer.validated_data)

    def update_object(self, serializer):
        return services.update_brand(actor=self.request.user, brand=serializer.instance, data=serializer.validated_data)

    def delete_object(self, instance):
        services.delete_brand(actor=self.request.user, brand=instance)


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "is_active"]
        brief_fields = ["id", "name"]


class UnitViewSet(ScopedModelViewSet):
    model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["name"]

    def create_object(self, serializer):
        return services.create_unit(actor=self.request.user, data=serializer.validated_data)

    def update_object(self, serializer):
        return services.update_unit(actor=self.request.user, unit=serializer.instance, data=serializer.validated_data)

    def delete_object(self, instance):
        services.delete_unit(actor=self.request.user, unit=instance)


__all__ = [
    "ProductViewSet",
    "ProductUnitViewSet",
    "PriceRuleViewSet",
    "CategoryViewSet",
    "BrandViewSet",
    "UnitViewSet",
]
