"""REST API of a product's parts, unit conversions and price rules: read with the product's "view", written with
its "change" grant (changing a part is changing the product)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers

from keshang.core.api import ScopedModelViewSet, ScopedRelatedField
from keshang.core.permissions import Action
from keshang.partners.models import Partner, PartnerLevel

from .. import selectors, services
from ..filters import PriceRuleFilterSet, ProductUnitFilterSet
from ..models import PriceRule, Product, ProductUnit, Unit

__all__ = ["ProductUnitViewSet", "PriceRuleViewSet"]


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
        return selectors.describe_rule(obj)

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
