"""Exchange rates: the rate a document uses (get_rate_to_cny) and the rules on entering rates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from keshang.core.exceptions import ApplicationError
from keshang.core.models import Currency, ExchangeRate
from keshang.core.selectors import get_rate_to_cny
from keshang.core.services import save_exchange_rate

pytestmark = pytest.mark.django_db

NOV_1, NOV_8, NOV_15 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 8), datetime.date(2026, 11, 15)


@pytest.fixture
def usd():
    """US dollar with a weekly rate on 1, 8 and 15 November, and a euro rate that must never be picked up."""
    usd = Currency.objects.create(code="USD", name="美元", symbol="$")
    eur = Currency.objects.create(code="EUR", name="欧元", symbol="€")
    for day, rate in ((NOV_1, "7.100000"), (NOV_8, "7.200000"), (NOV_15, "7.300000")):
        ExchangeRate.objects.create(currency=usd, date=day, rate=Decimal(rate))
    ExchangeRate.objects.create(currency=eur, date=datetime.date(2026, 10, 1), rate=Decimal("7.750000"))
    return usd


def test_the_rate_of_cny_is_one_without_any_rate_entered():
    # given no currencies and no rates at all
    # when
    rate = get_rate_to_cny(currency_code="CNY", on=NOV_1)
    # then
    assert rate == Decimal("1")


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (NOV_1, "7.1"),  # the day itself
        (datetime.date(2026, 11, 7), "7.1"),  # the day before the next rate
        (NOV_8, "7.2"),
        (datetime.date(2026, 11, 10), "7.2"),
        (datetime.date(2027, 1, 1), "7.3"),  # long after the last rate
    ],
)
def test_the_rate_is_the_latest_on_or_before_the_date(usd, on, expected):
    # given weekly USD rates
    # when
    rate = get_rate_to_cny(currency_code="USD", on=on)
    # then
    assert rate == Decimal(expected)


def test_a_date_before_the_first_rate_is_a_missing_rate(usd):
    # given USD rates from 1 November only (and a euro rate in October)
    # when / then
    with pytest.raises(ApplicationError) as raised:
        get_rate_to_cny(currency_code="USD", on=datetime.date(2026, 10, 31))
    assert raised.value.code == "missing_exchange_rate"
    assert "USD" in raised.value.message and "2026-10-31" in raised.value.message


def test_a_currency_without_rates_is_a_missing_rate():
    # given a currency nobody entered a rate for
    Currency.objects.create(code="JPY", name="日元", symbol="¥")
    # when / then
    with pytest.raises(ApplicationError) as raised:
        get_rate_to_cny(currency_code="JPY", on=NOV_1)
    assert raised.value.code == "missing_exchange_rate"


def test_a_cny_rate_other_than_one_is_refused():
    # given the base currency
    cny = Currency.objects.create(code="CNY", name="人民币", symbol="¥")
    # when / then
    with pytest.raises(ValidationError) as raised:
        save_exchange_rate(actor=None, currency=cny, date=NOV_1, rate=Decimal("1.01"))
    assert raised.value.message_dict == {"rate": ["人民币对人民币的汇率只能为 1。"]}
    assert not ExchangeRate.objects.exists()


def test_a_cny_rate_of_one_is_accepted():
    # given the base currency
    cny = Currency.objects.create(code="CNY", name="人民币", symbol="¥")
    # when
    rate = save_exchange_rate(actor=None, currency=cny, date=NOV_1, rate=Decimal("1"))
    # then
    assert ExchangeRate.objects.get(pk=rate.pk).rate == 1


def test_a_second_rate_for_the_same_currency_and_day_is_refused_with_a_message(usd):
    # given USD already has a rate on 8 November
    # when / then
    with pytest.raises(ValidationError) as raised:
        save_exchange_rate(actor=None, currency=usd, date=NOV_8, rate=Decimal("7.25"))
    assert raised.value.messages == ["该币种当日汇率已存在。"]
    assert ExchangeRate.objects.get(currency=usd, date=NOV_8).rate == Decimal("7.2")


def test_the_database_refuses_a_duplicate_rate_that_skipped_validation(usd):
    # given USD already has a rate on 8 November
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency=usd, date=NOV_8, rate=Decimal("7.25"))


def test_a_rate_of_zero_is_refused(usd):
    # given a rate that would make every conversion zero
    # when / then
    with pytest.raises(ValidationError) as raised:
        save_exchange_rate(actor=None, currency=usd, date=datetime.date(2026, 11, 22), rate=Decimal("0"))
    assert "rate" in raised.value.message_dict
