"""Catalog factories. Units, categories and products go through the services, so paths and the
duplicate key are real; the sales tests build their lines on ``ProductFactory``."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from keshang.catalog import services
from keshang.catalog.models import Brand, PriceRule, PriceRuleKind, Product, ProductCategory, ProductUnit, Unit


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"单位{n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = ProductCategory

    name = factory.Sequence(lambda n: f"分类{n}")
    code = factory.Sequence(lambda n: f"C{n:04d}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_category(actor=None, data=kwargs)


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"品牌{n}")


class ProductFactory(DjangoModelFactory):
    """An active product sold by the 个 at 100.00 (min 80.00, cost 60.00), 13% VAT."""

    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"测试商品{n}")
    specification = ""
    unit = factory.LazyFunction(lambda: Unit.objects.get_or_create(name="个")[0])
    vat_rate = "0.13"
    list_price = Decimal("100.00")
    min_price = Decimal("80.00")
    cost_price = Decimal("60.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_product(actor=None, data=kwargs, confirm_duplicate=True)


class ProductUnitFactory(DjangoModelFactory):
    class Meta:
        model = ProductUnit

    product = factory.SubFactory(ProductFactory)
    unit = factory.LazyFunction(lambda: Unit.objects.get_or_create(name="箱")[0])
    factor = Decimal("12")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        product = kwargs.pop("product")
        return services.save_product_unit(actor=None, product=product, data=kwargs)


class PriceRuleFactory(DjangoModelFactory):
    class Meta:
        model = PriceRule

    product = factory.SubFactory(ProductFactory)
    kind = PriceRuleKind.QUANTITY
    min_quantity = Decimal("0")
    price = Decimal("90.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        product = kwargs.pop("product")
        return services.save_price_rule(actor=None, product=product, data=kwargs)
