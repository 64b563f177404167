"""The setup step's units and the demo catalog."""

import io

import pytest

from keshang.catalog.demo import DEFAULT_UNITS, ensure_default_units, load_catalog_demo
from keshang.catalog.models import PriceRule, PriceRuleKind, Product, ProductCategory, ProductUnit, Unit
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_default_units_are_created_once():
    ensure_default_units()
    ensure_default_units()
    assert sorted(Unit.objects.values_list("name", flat=True)) == sorted(DEFAULT_UNITS)


def test_the_demo_catalog_has_a_tree_boxes_and_every_kind_of_rule():
    # given
    PartnerFactory(is_customer=True)
    # when
    load_catalog_demo(actor=None, password_for=None, stdout=io.StringIO())
    load_catalog_demo(actor=None, password_for=None, stdout=io.StringIO())  # a second run adds nothing
    # then
    products = Product.objects.all()
    assert 55 <= products.count() <= 70
    assert ProductCategory.objects.filter(depth=1).exists()
    assert ProductUnit.objects.filter(unit__name="箱").exists()
    assert all(p.cost_price < p.min_price < p.list_price for p in products if p.cost_price is not None)
    assert set(products.values_list("vat_rate", flat=True)) >= {"0.13", "0.09", "0.06"}
    kinds = set(PriceRule.objects.values_list("kind", flat=True))
    assert kinds == {PriceRuleKind.LEVEL, PriceRuleKind.QUANTITY, PriceRuleKind.CUSTOMER}
