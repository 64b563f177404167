"""core.money: amounts said in words (金额大写, English for foreign currencies) and printed (STYLE.md §5)."""

from decimal import Decimal

import pytest
from hypothesis import given

from keshang.core.money import amount_in_words, format_amount, format_price, quantize_amount, quantize_price

from .money_strategies import PROPERTY, decimals

#
# 金额大写
#


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "人民币零元整"),
        ("0.00", "人民币零元整"),
        ("1234.5", "人民币壹仟贰佰叁拾肆元伍角整"),
        ("1234.56", "人民币壹仟贰佰叁拾肆元伍角陆分"),
        ("0.05", "人民币伍分"),
        ("0.5", "人民币伍角整"),
        ("10000", "人民币壹万元整"),
        ("1001", "人民币壹仟零壹元整"),
        ("10.05", "人民币壹拾元零伍分"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("100000000.10", "人民币壹亿元壹角整"),
        ("-1234.56", "人民币负壹仟贰佰叁拾肆元伍角陆分"),
        ("-5", "人民币负伍元整"),
        ("-0.001", "人民币零元整"),  # rounds to zero: no 负零
    ],
)
def test_amount_in_words(amount, words):
    # given an amount
    # when
    result = amount_in_words(amount)
    # then
    assert result == words


def test_amount_in_words_rounds_half_up_before_cn2an_which_would_truncate():
    # given 0.125, which cn2an on its own reads as 壹角贰分
    # when
    words = amount_in_words("0.125")
    # then it is the words for 0.13
    assert words == "人民币壹角叁分"
    assert amount_in_words(Decimal("2.675")) == "人民币贰元陆角捌分"


@PROPERTY
@given(amount=decimals(min_value=-(10**12), max_value=10**12, min_places=0, max_places=4))
def test_amount_in_words_ends_with_one_zheng_exactly_when_there_are_no_fen(amount):
    # given any amount
    # when
    words = amount_in_words(amount)
    # then 整 appears once, at the end, exactly when the rounded amount has no 分
    cents = quantize_amount(amount)
    assert words.startswith("人民币")
    assert words.count("整") == (1 if cents.as_tuple().digits[-1] == 0 else 0)
    assert words.endswith("整" if "整" in words else "分")
    assert words.startswith("人民币负") == (cents < 0)


def test_an_amount_is_printed_in_cents_with_thousands_separated():
    assert format_amount(Decimal("1234567.005")) == "1,234,567.01"
    assert format_amount(Decimal("0")) == "0.00"


@PROPERTY
@given(price=decimals(min_value=-(10**9), max_value=10**9, min_places=0, max_places=8))
def test_a_price_is_shown_grouped_with_two_to_six_places_and_its_value_unchanged_to_the_millionth(price):
    shown = format_price(price)
    whole, _point, places = shown.partition(".")
    assert Decimal(shown.replace(",", "")) == quantize_price(price)
    assert 2 <= len(places) <= 6
    assert len(places) == 2 or not places.endswith("0")
    assert all(len(group) == 3 for group in whole.lstrip("-").split(",")[1:])


@pytest.mark.parametrize(
    ("amount", "currency", "words"),
    [
        ("1234.56", "USD", "SAY US DOLLARS ONE THOUSAND TWO HUNDRED AND THIRTY-FOUR AND CENTS FIFTY-SIX ONLY"),
        ("-5.00", "EUR", "SAY EUROS MINUS FIVE ONLY"),
        # rounded half-up to cents; no commas; a currency without a name is said by its code
        (
            "1234567.005",
            "CHF",
            "SAY CHF ONE MILLION TWO HUNDRED AND THIRTY-FOUR THOUSAND FIVE HUNDRED AND SIXTY-SEVEN AND CENTS ONE ONLY",
        ),
        ("0.99", "GBP", "SAY POUNDS STERLING ZERO AND CENTS NINETY-NINE ONLY"),
        ("0", "JPY", "SAY JAPANESE YEN ZERO ONLY"),
        ("-0.01", "HKD", "SAY HONG KONG DOLLARS MINUS ZERO AND CENTS ONE ONLY"),
        ("10", "AUD", "SAY AUSTRALIAN DOLLARS TEN ONLY"),
        ("10", "CAD", "SAY CANADIAN DOLLARS TEN ONLY"),
        ("10", "SGD", "SAY SINGAPORE DOLLARS TEN ONLY"),
    ],
)
def test_a_foreign_amount_is_said_in_english_words(amount, currency, words):
    from keshang.core.money import amount_in_english_words

    assert amount_in_english_words(Decimal(amount), currency) == words


def test_the_words_line_is_chinese_for_cny_and_english_for_other_currencies():
    from keshang.core.money import amount_in_words_for

    assert amount_in_words_for(Decimal("1234.5"), "CNY") == "人民币壹仟贰佰叁拾肆元伍角整"
    assert amount_in_words_for(Decimal("3")) == "人民币叁元整"
    assert amount_in_words_for(Decimal("12"), "USD") == "SAY US DOLLARS TWELVE ONLY"


def test_one_yuan_in_words_is_not_zero():
    assert amount_in_words(Decimal("1")) == "人民币壹元整"
    assert amount_in_words(Decimal("0")) == "人民币零元整"
