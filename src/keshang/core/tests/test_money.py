"""core.money: half-up rounding, VAT splits, line and document totals and conversion (STYLE.md §5); amounts in
words and in print are in test_money_display.py."""

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keshang.core.money import (
    amount_in_words,
    convert_to_cny,
    document_totals,
    format_price,
    gross_from_net,
    line_amount,
    net_from_gross,
    net_of_gross,
    price_line,
    quantize_amount,
    quantize_price,
    sum_amounts,
    tax_of_gross,
    to_decimal,
)

from .money_strategies import ONE_MILLIONTH, PROPERTY, amounts, decimals, line_values, vat_rates

#
# Rounding
#


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.125", "0.13"),
        ("2.675", "2.68"),
        ("-0.125", "-0.13"),
        ("0.124999", "0.12"),
        ("2.665", "2.67"),  # banker's rounding would give 2.66
        ("1", "1.00"),
    ],
)
def test_quantize_amount_rounds_half_up_away_from_zero(value, expected):
    # given a value exactly halfway (or not) between two cents
    # when
    result = quantize_amount(value)
    # then
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.0000005", "0.000001"), ("2.6750005", "2.675001"), ("-0.0000025", "-0.000003"), ("7", "7.000000")],
)
def test_quantize_price_rounds_half_up_to_six_places(value, expected):
    # given a value with more than six places
    # when
    result = quantize_price(value)
    # then
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -6


@pytest.mark.parametrize("function", [quantize_amount, quantize_price, to_decimal, amount_in_words])
def test_floats_are_refused_because_they_are_already_inexact(function):
    # given 2.675 as a float, which is really 2.67499999999999982236431605997495353221893310546875
    # when / then
    with pytest.raises(TypeError):
        function(2.675)


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_refused_as_money(value):
    # given a bool, which Python treats as the integer 1 or 0
    # when / then
    with pytest.raises(TypeError):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", None, "", "NaN", "Infinity", "-Infinity", Decimal("NaN"), Decimal("Inf")])
def test_non_numbers_and_non_finite_values_are_refused(value):
    # given something that is not a finite number
    # when / then
    with pytest.raises(ValueError):
        quantize_amount(value)


def test_rounding_ignores_the_threads_decimal_context():
    # given a thread whose default context has 4 digits of precision and banker's rounding
    with localcontext(Context(prec=4, rounding=ROUND_HALF_EVEN)):
        # when
        amount = quantize_amount("12345.675")
        line = line_amount("3", "19.99", "12.5")
        net = net_from_gross("113.005", "0.13")
        words = amount_in_words("12345.68")
    # then every result is as exact as under the default context
    assert amount == Decimal("12345.68")
    assert line == Decimal("52.47")  # 59.97 × 0.875 = 52.47375
    assert net == Decimal("100.004425")  # 113.005 / 1.13 = 100.0044247…
    assert words == "人民币壹万贰仟叁佰肆拾伍元陆角捌分"


#
# VAT
#


@PROPERTY
@given(gross=decimals(), rate=vat_rates)
def test_gross_from_net_of_net_from_gross_is_within_one_millionth(gross, rate):
    # given a tax-inclusive unit price with 2-6 places and a VAT rate
    # when the price goes to net and back
    round_trip = gross_from_net(net_from_gross(gross, rate), rate)
    # then it is off by at most one unit in the sixth place. Bound: net = round6(g / (1+r)) is within
    # ½·10⁻⁶ of g / (1+r); multiplying back by (1+r) scales that to ½(1+r)·10⁻⁶, and the final round6 adds
    # at most ½·10⁻⁶, so |round_trip − g| ≤ ½(2+r)·10⁻⁶ < 1.07·10⁻⁶ for r ≤ 13 %. Both sides are multiples
    # of 10⁻⁶ (g has at most 6 places), so the difference is 0 or ±10⁻⁶ — tighter than 10⁻⁶·(1+r).
    assert abs(round_trip - gross) <= ONE_MILLIONTH
    if rate == 0:
        assert round_trip == gross


def test_round_trip_bound_is_attained_so_it_is_not_exact():
    # given 0.000004 at 13 %: 0.000004 / 1.13 = 0.00000354 rounds to 0.000004, and × 1.13 = 0.00000452
    # when
    round_trip = gross_from_net(net_from_gross("0.000004", "0.13"), "0.13")
    # then the one-millionth error of the property above really happens
    assert round_trip == Decimal("0.000005")


@pytest.mark.parametrize(
    ("gross", "rate", "net"),
    [("113", "0.13", "100.000000"), ("100", "0.13", "88.495575"), ("109", "0.09", "100"), ("50", "0", "50")],
)
def test_net_from_gross_divides_by_one_plus_rate_to_six_places(gross, rate, net):
    # given a tax-inclusive unit price
    # when
    result = net_from_gross(gross, rate)
    # then
    assert result == Decimal(net)
    assert result.as_tuple().exponent == -6


@pytest.mark.parametrize("rate", ["1", "-0.01", "13"])
def test_a_vat_rate_outside_zero_to_one_is_refused(rate):
    # given a rate written as a percentage or negative
    # when / then
    with pytest.raises(ValueError):
        net_from_gross("100", rate)


@PROPERTY
@given(gross=amounts, rate=vat_rates)
def test_net_plus_tax_of_a_gross_amount_is_exactly_the_gross_amount(gross, rate):
    # given a tax-inclusive amount in cents and a VAT rate
    # when it is split
    net = net_of_gross(gross, rate)
    tax = tax_of_gross(gross, rate)
    # then the two halves add up to the cent, and both are non-negative cents
    assert net + tax == gross
    assert net.as_tuple().exponent == tax.as_tuple().exponent == -2
    assert net >= 0 and tax >= 0
    # and the tax is the rate applied to the net, give or take the one rounding of the net
    assert abs(tax - net * rate) <= Decimal("0.005") * (1 + rate)


@PROPERTY
@given(gross=amounts, rate=vat_rates)
def test_net_of_a_gross_amount_agrees_with_rounding_the_net_unit_price(gross, rate):
    # given a tax-inclusive amount in cents
    # when the net is found once through the 6-place price and once directly
    via_price = quantize_amount(net_from_gross(gross, rate))
    direct = net_of_gross(gross, rate)
    # then the double rounding never bites: k/100 ÷ (1+r) is at least 1/(200·113) away from a half cent,
    # far more than the ½·10⁻⁶ the first rounding can move it
    assert via_price == direct


def test_tax_of_gross_rounds_the_gross_to_cents_first():
    # given a gross amount with a stray third place
    # when
    tax = tax_of_gross("113.005", "0.13")
    # then it is the tax of 113.01: 113.01 − round(113.01 / 1.13 = 100.0088…) = 113.01 − 100.01
    assert tax == Decimal("13.00")


#
# Lines and totals
#


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "expected"),
    [
        ("3", "19.99", "10", "53.97"),  # 53.973
        ("3", "19.99", "0", "59.97"),
        ("1", "0.125", "0", "0.13"),
        ("2", "10.005", "50", "10.01"),  # 10.005 exactly, rounded once, half up
        ("7", "99.99", "100", "0.00"),
        ("1.5", "3.333333", "12.5", "4.37"),  # 4.37499956…
        ("-2", "10.005", "0", "-20.01"),  # a return line
    ],
)
def test_line_amount_is_quantity_times_price_less_discount_rounded_once(quantity, price, discount, expected):
    # given a line
    # when
    amount = line_amount(quantity, price, discount)
    # then
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


def test_line_amount_refuses_a_float_discount():
    # given a discount percentage as a float
    # when / then
    with pytest.raises(TypeError):
        line_amount("1", "10", 12.5)


@PROPERTY
@given(
    quantity=decimals(max_value=10**4, min_places=0, max_places=4),
    price=decimals(max_value=10**5),
    discount=decimals(max_value=100, min_places=0, max_places=2),
)
def test_a_discount_never_raises_a_line_and_never_makes_it_negative(quantity, price, discount):
    # given a line with a discount between 0 and 100 %
    # when
    discounted = line_amount(quantity, price, discount)
    full = line_amount(quantity, price)
    # then
    assert full == quantize_amount(quantity * price)
    assert Decimal("0.00") <= discounted <= full


@PROPERTY
@given(lines=st.lists(line_values, max_size=30))
def test_a_total_is_the_sum_of_the_rounded_lines(lines):
    # given unrounded line amounts
    # when
    total = sum_amounts(lines)
    # then it is the sum of each line rounded on its own, whether or not they were rounded already
    assert total == sum(quantize_amount(line) for line in lines)
    assert total == sum_amounts([quantize_amount(line) for line in lines])
    assert total.as_tuple().exponent == -2


def test_a_total_differs_from_rounding_the_unrounded_sum():
    # given three lines of half a cent each
    lines = [Decimal("0.005")] * 3
    # when
    total = sum_amounts(lines)
    # then each line is 0.01 and the total 0.03, not round(0.015) = 0.02
    assert total == Decimal("0.03")
    assert quantize_amount(sum(lines)) == Decimal("0.02")


def test_the_total_of_no_lines_is_zero_in_cents():
    # given no lines
    # when
    total = sum_amounts([])
    # then
    assert total == 0
    assert total.as_tuple().exponent == -2


#
# Currency conversion
#


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("100", "7.1", "710.00"),
        ("123.45", "7.123456", "879.39"),  # 879.3906…
        ("1", "0.125", "0.13"),
        ("-1", "0.125", "-0.13"),
        ("10000", "0.047500", "475.00"),
        ("88.88", "1", "88.88"),
    ],
)
def test_convert_to_cny_multiplies_by_the_rate_and_rounds_half_up(amount, rate, expected):
    # given a foreign amount and its rate in CNY per unit
    # when
    cny = convert_to_cny(amount, rate)
    # then
    assert cny == Decimal(expected)
    assert cny.as_tuple().exponent == -2


def test_convert_to_cny_refuses_a_float_rate():
    # given a rate as a float
    # when / then
    with pytest.raises(TypeError):
        convert_to_cny("100", 7.1)


#
# One line, priced once from the price the user typed (issue 4)
#

quantities = decimals(min_value=0, max_value=10**4, min_places=0, max_places=4).filter(lambda value: value > 0)
unit_prices = decimals(max_value=10**5)
discounts = decimals(max_value=100, min_places=0, max_places=2)
entries = st.sampled_from(["gross", "net"])


@PROPERTY
@given(quantity=quantities, price=unit_prices, rate=vat_rates, discount=discounts, entry=entries)
def test_a_priced_line_splits_exactly_into_net_and_tax(quantity, price, rate, discount, entry):
    # given a line typed either way
    # when
    line = price_line(quantity=quantity, unit_price=price, entry=entry, vat_rate=rate, discount_percent=discount)
    # then every amount is in cents and net + tax is the gross exactly
    assert line.net_amount + line.tax_amount == line.gross_amount
    for amount in (line.net_amount, line.tax_amount, line.gross_amount, line.discount_amount):
        assert amount.as_tuple().exponent == -2
    assert line.discount_amount >= 0


@PROPERTY
@given(quantity=quantities, price=unit_prices, rate=vat_rates, discount=discounts)
def test_a_typed_gross_price_gives_its_gross_amount_rounded_once(quantity, price, rate, discount):
    # given 含税单价 typed
    # when
    line = price_line(quantity=quantity, unit_price=price, entry="gross", vat_rate=rate, discount_percent=discount)
    # then the 价税合计 comes from the typed price, not from the derived net price (no double rounding)
    assert line.gross_amount == line_amount(quantity, price, discount)
    assert line.unit_price_gross == quantize_price(price)
    assert line.net_amount == net_of_gross(line.gross_amount, rate)


@PROPERTY
@given(quantity=quantities, price=unit_prices, rate=vat_rates, discount=discounts)
def test_a_typed_net_price_gives_its_net_amount_and_the_tax_on_it(quantity, price, rate, discount):
    # given 不含税单价 typed
    # when
    line = price_line(quantity=quantity, unit_price=price, entry="net", vat_rate=rate, discount_percent=discount)
    # then
    assert line.net_amount == line_amount(quantity, price, discount)
    assert line.tax_amount == quantize_amount(line.net_amount * rate)
    assert line.unit_price_net == quantize_price(price)


@PROPERTY
@given(price=unit_prices, rate=vat_rates)
def test_gross_to_net_to_gross_round_trips_within_a_cent(price, rate):
    # given a typed tax-inclusive price
    # when its derived net price is typed back as the net price
    derived = price_line(quantity=1, unit_price=price, entry="gross", vat_rate=rate)
    back = price_line(quantity=1, unit_price=derived.unit_price_net, entry="net", vat_rate=rate)
    # then the tax-inclusive figures agree within a cent
    assert abs(back.unit_price_gross - derived.unit_price_gross) < Decimal("0.01")
    assert abs(back.gross_amount - derived.gross_amount) <= Decimal("0.01")


def test_the_classic_one_cent_error_of_tax_inclusive_pricing_does_not_happen():
    # given 3 × 99.99 含税 at 13 %: rounding the net price first (88.486726 → 88.49) and re-adding the tax
    # would give 3 × 88.49 × 1.13 = 299.98, not the 299.97 the customer was quoted
    # when
    line = price_line(quantity=3, unit_price=Decimal("99.99"), entry="gross", vat_rate=Decimal("0.13"))
    # then
    assert line.gross_amount == Decimal("299.97")
    assert line.net_amount == Decimal("265.46")
    assert line.tax_amount == Decimal("34.51")


@PROPERTY
@given(lines=st.lists(st.tuples(quantities, unit_prices, vat_rates, discounts, entries), min_size=1, max_size=20))
def test_document_totals_are_the_sums_of_the_rounded_lines(lines):
    # given priced lines
    priced = [price_line(quantity=q, unit_price=p, entry=e, vat_rate=r, discount_percent=d) for q, p, r, d, e in lines]
    # when
    totals = document_totals(priced)
    # then
    assert totals.gross_amount == sum(line.gross_amount for line in priced)
    assert totals.net_amount == sum(line.net_amount for line in priced)
    assert totals.tax_amount == sum(line.tax_amount for line in priced)
    assert totals.net_amount + totals.tax_amount == totals.gross_amount


def test_a_line_refuses_an_unknown_entry_and_a_discount_over_100():
    with pytest.raises(ValueError):
        price_line(quantity=1, unit_price=Decimal("1"), entry="both", vat_rate=Decimal("0.13"))
    with pytest.raises(ValueError):
        price_line(quantity=1, unit_price=Decimal("1"), entry="gross", vat_rate=Decimal("0.13"), discount_percent=101)


@pytest.mark.parametrize(
    ("compute", "exact"),
    [
        (lambda: line_amount("3", "19.995"), Decimal("59.99")),  # 59.985: four digits would round it to 59.98
        (lambda: gross_from_net("100.004425", "0.13"), Decimal("113.005000")),
        (lambda: net_of_gross("113.01", "0.13"), Decimal("100.01")),
        (lambda: tax_of_gross("12345.67", "0.13"), Decimal("1420.30")),
        (lambda: sum_amounts(["12345.67", "0.01"]), Decimal("12345.68")),
        (lambda: convert_to_cny("1234.56", "7.1234"), Decimal("8794.26")),
        (
            lambda: price_line(quantity="1", unit_price="1234.567", entry="net", vat_rate="0.13").tax_amount,
            Decimal("160.49"),
        ),
        (lambda: quantize_price("1234.5678914"), Decimal("1234.567891")),
        (lambda: format_price("1234.567891"), "1,234.567891"),
        (lambda: format_price("123456"), "123,456.00"),
    ],
)
def test_every_function_computes_in_its_own_context_not_the_threads(compute, exact):
    # given a thread whose context has 4 digits and banker's rounding, when each function computes, then its
    # result is the exact one
    with localcontext(Context(prec=4, rounding=ROUND_HALF_EVEN)):
        result = compute()
    assert result == exact
    assert str(result) == str(exact)


@pytest.mark.parametrize(
    ("compute", "error", "message"),
    [
        (lambda: to_decimal(1.5), TypeError, "Money must not be a float; pass a Decimal or a string."),
        (lambda: to_decimal("abc"), ValueError, "Not a number: 'abc'"),
        (lambda: to_decimal("NaN"), ValueError, "Not a finite number: 'NaN'"),
        (lambda: net_from_gross("1", "1"), ValueError, "A VAT rate is a fraction in [0, 1): 1"),
        (
            lambda: price_line(quantity="1", unit_price="1", entry="x", vat_rate="0"),
            ValueError,
            "entry must be 'gross' or 'net': 'x'",
        ),
        (
            lambda: price_line(quantity="1", unit_price="1", entry="net", vat_rate="0", discount_percent="101"),
            ValueError,
            "A discount is a percentage in [0, 100]: 101",
        ),
    ],
)
def test_refusals_say_what_was_wrong(compute, error, message):
    with pytest.raises(error) as refused:
        compute()
    assert str(refused.value) == message
