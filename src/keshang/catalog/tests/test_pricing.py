"""resolve_price: which rule wins, validity dates, quantities in base units, line units and the query count."""

import datetime
from decimal import Decimal

import pytest

from keshang.catalog.models import PriceRuleKind
from keshang.catalog.selectors import list_price_rules
from keshang.catalog.selectors.pricing import describe_rule, resolve_price, resolve_prices, unit_choices, unit_factor
from keshang.catalog.tests.factories import PriceRuleFactory, ProductFactory, ProductUnitFactory, UnitFactory
from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.models import PartnerLevel
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)


@pytest.fixture
def level_a():
    return PartnerLevel.objects.get_or_create(code="A", defaults={"name": "A级", "order": 10})[0]


@pytest.fixture
def product():
    return ProductFactory(list_price=Decimal("100.00"), min_price=Decimal("80.00"))


def customer_rule(product, partner, price, **kwargs):
    return PriceRuleFactory(
        product=product, kind=PriceRuleKind.CUSTOMER, partner=partner, price=Decimal(price), **kwargs
    )


def level_rule(product, level, price, **kwargs):
    return PriceRuleFactory(
        product=product, kind=PriceRuleKind.LEVEL, partner_level=level, price=Decimal(price), **kwargs
    )


def quantity_rule(product, min_quantity, price, **kwargs):
    return PriceRuleFactory(
        product=product, kind=PriceRuleKind.QUANTITY, min_quantity=Decimal(min_quantity), price=Decimal(price), **kwargs
    )


def test_without_rules_the_list_price_applies(product):
    # when
    quote = resolve_price(product=product, on=TODAY)
    # then
    assert quote.price == Decimal("100.000000")
    assert (quote.source, quote.rule, quote.kind) == ("标准售价", None, "list")
    assert quote.min_price == Decimal("80.000000")


def test_customer_price_beats_level_price_beats_quantity_break(product, level_a):
    # given
    partner = PartnerFactory(level=level_a)
    quantity_rule(product, "1", "95")
    level = level_rule(product, level_a, "92")
    own = customer_rule(product, partner, "90", valid_from=datetime.date(2026, 1, 1))
    # when
    quote = resolve_price(product=product, partner=partner, quantity=Decimal("10"), on=TODAY)
    # then
    assert (quote.price, quote.rule, quote.kind) == (Decimal("90.000000"), own, "customer")
    assert quote.source == "客户专属价（2026-01-01 起）"
    # and without the customer's own price, the level's
    own.delete()
    quote = resolve_price(product=product, partner=partner, quantity=Decimal("10"), on=TODAY)
    assert (quote.price, quote.rule) == (Decimal("92.000000"), level)
    assert quote.source == "客户级别价：A级"


def test_a_more_specific_kind_wins_even_when_dearer(product, level_a):
    # given: the customer's own price is above the quantity break's
    partner = PartnerFactory(level=level_a)
    quantity_rule(product, "0", "70")
    own = customer_rule(product, partner, "98")
    # when
    quote = resolve_price(product=product, partner=partner, on=TODAY)
    # then
    assert quote.rule == own


def test_quantity_breaks_pick_the_highest_threshold_reached(product):
    # given
    quantity_rule(product, "10", "95")
    hundred = quantity_rule(product, "100", "90")
    quantity_rule(product, "500", "85")
    # when
    below = resolve_price(product=product, quantity=Decimal("9"), on=TODAY)
    at = resolve_price(product=product, quantity=Decimal("100"), on=TODAY)
    between = resolve_price(product=product, quantity=Decimal("499.99"), on=TODAY)
    # then
    assert below.rule is None and below.price == Decimal("100.000000")
    assert at.rule == hundred and at.source == "数量阶梯价：≥100"
    assert between.rule == hundred


def test_thresholds_compare_base_units_and_price_scales_to_the_line_unit(product):
    # given: 箱 = 12 个; a break from 100 个
    ProductUnitFactory(product=product, factor=Decimal("12"))
    quantity_rule(product, "100", "90")
    # when: 9 箱 = 108 个 reaches the break
    quote = resolve_price(product=product, quantity=Decimal("9"), unit_factor=Decimal("12"), on=TODAY)
    eight = resolve_price(product=product, quantity=Decimal("8"), unit_factor=Decimal("12"), on=TODAY)
    # then: the price and the minimum are per 箱
    assert quote.price == Decimal("1080.000000")
    assert quote.min_price == Decimal("960.000000")
    assert eight.price == Decimal("1200.000000")


def test_line_unit_price_is_rounded_once_to_six_places(product):
    # given: a fractional factor (1 g of a product priced per kg)
    product.list_price = Decimal("12.345678")
    # when
    quote = resolve_price(product=product, on=TODAY, unit_factor=Decimal("0.001"))
    # then: 0.012345678 → 0.012346 (half up)
    assert quote.price == Decimal("0.012346")


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "applies"),
    [
        (datetime.date(2026, 3, 15), None, True),  # starts on the day: inclusive
        (None, datetime.date(2026, 3, 15), True),  # ends on the day: inclusive
        (datetime.date(2026, 3, 16), None, False),  # not started
        (None, datetime.date(2026, 3, 14), False),  # expired
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), True),
    ],
)
def test_validity_dates_are_inclusive(product, valid_from, valid_until, applies):
    # given
    partner = PartnerFactory()
    rule = customer_rule(product, partner, "88", valid_from=valid_from, valid_until=valid_until)
    # when
    quote = resolve_price(product=product, partner=partner, on=TODAY)
    # then
    assert (quote.rule == rule) is applies


def test_another_customers_price_and_another_levels_price_do_not_apply(product, level_a):
    # given
    level_b = PartnerLevel.objects.create(code="B", name="B级", order=20)
    partner = PartnerFactory(level=level_b)
    customer_rule(product, PartnerFactory(), "60")
    level_rule(product, level_a, "70")
    # when
    quote = resolve_price(product=product, partner=partner, on=TODAY)
    # then
    assert quote.rule is None


def test_without_a_partner_only_quantity_breaks_apply(product, level_a):
    # given
    customer_rule(product, PartnerFactory(level=level_a), "60")
    level_rule(product, level_a, "70")
    breaks = quantity_rule(product, "0", "99")
    # when
    quote = resolve_price(product=product, on=TODAY)
    # then
    assert quote.rule == breaks


def test_within_a_kind_a_customer_rule_with_a_reached_threshold_beats_the_open_one(product):
    # given
    partner = PartnerFactory()
    customer_rule(product, partner, "90")
    bulk = customer_rule(product, partner, "85", min_quantity=Decimal("50"))
    # when
    small = resolve_price(product=product, partner=partner, quantity=Decimal("10"), on=TODAY)
    large = resolve_price(product=product, partner=partner, quantity=Decimal("50"), on=TODAY)
    # then
    assert small.price == Decimal("90.000000")
    assert large.rule == bulk
    assert large.source == "客户专属价（≥50）"


def test_equal_thresholds_prefer_the_rule_that_started_latest(product):
    # given
    partner = PartnerFactory()
    customer_rule(product, partner, "90", valid_from=datetime.date(2025, 1, 1))
    newer = customer_rule(product, partner, "88", valid_from=datetime.date(2026, 2, 1))
    # when
    quote = resolve_price(product=product, partner=partner, on=TODAY)
    # then
    assert quote.rule == newer


def test_resolve_price_is_one_query(product, level_a, django_assert_num_queries):
    # given
    partner = PartnerFactory(level=level_a)
    level_rule(product, level_a, "92")
    quantity_rule(product, "1", "95")
    # when / then: the rules with their level, nothing per rule
    with django_assert_num_queries(1):
        quote = resolve_price(product=product, partner=partner, on=TODAY)
        assert quote.source == "客户级别价：A级"


def test_resolve_prices_prices_many_products_in_one_query(level_a, django_assert_num_queries):
    # given
    partner = PartnerFactory(level=level_a)
    products = [ProductFactory(list_price=Decimal(price), min_price=None) for price in ("10", "20", "30")]
    level_rule(products[0], level_a, "9")
    customer_rule(products[1], partner, "18", valid_until=datetime.date(2026, 12, 31))
    # when
    with django_assert_num_queries(1):
        quotes = resolve_prices(products=products, partner=partner, on=TODAY)
    # then
    assert [quotes[p.pk].price for p in products] == [Decimal("9.000000"), Decimal("18.000000"), Decimal("30.000000")]
    assert quotes[products[1].pk].source == "客户专属价（至 2026-12-31）"


def test_a_non_positive_unit_factor_is_a_programming_error(product):
    with pytest.raises(ValueError):
        resolve_price(product=product, on=TODAY, unit_factor=Decimal("0"))


def test_unit_factor_and_choices_come_from_the_conversions(product):
    # given
    box = ProductUnitFactory(product=product, factor=Decimal("12")).unit
    # when / then
    assert unit_factor(product, product.unit) == Decimal("1")
    assert unit_factor(product, box) == Decimal("12")
    assert [(str(unit), factor) for unit, factor in unit_choices(product)] == [
        ("个", Decimal("1")),
        ("箱", Decimal("12")),
    ]
    with pytest.raises(ApplicationError) as error:
        unit_factor(product, UnitFactory(name="吨"))
    assert error.value.fields["unit"]


def test_a_rule_with_both_dates_describes_its_period(product):
    rule = customer_rule(
        product, PartnerFactory(), "90", valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 6, 30)
    )
    assert describe_rule(rule) == "客户专属价（2026-01-01 至 2026-06-30）"


def test_a_customers_special_price_is_seen_only_by_those_who_see_the_customer(product):
    # given a quantity break, and special prices for the rep's own customer and for another rep's customer
    rep, other = UserFactory(), UserFactory()
    grant(rep, "catalog.product", [Action.VIEW], Scope.ALL)
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    general = PriceRuleFactory(product=product)
    mine = PriceRuleFactory(product=product, kind=PriceRuleKind.CUSTOMER, partner=PartnerFactory(owner=rep))
    PriceRuleFactory(product=product, kind=PriceRuleKind.CUSTOMER, partner=PartnerFactory(owner=other))
    # when the rep lists the product's price rules
    visible = set(list_price_rules(user=rep).filter(product=product))
    # then the other rep's customer (its name and its price) is not among them
    assert visible == {general, mine}
