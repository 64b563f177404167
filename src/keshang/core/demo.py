"""Reference data every installation needs (currencies) and demo exchange rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Currency, ExchangeRate
from .services import save_currency, save_exchange_rate

CURRENCIES = [
    ("CNY", "人民币", "¥"),
    ("USD", "美元", "$"),
    ("EUR", "欧元", "€"),
    ("JPY", "日元", "¥"),
    ("HKD", "港币", "HK$"),
    ("GBP", "英镑", "£"),
]

# Approximate central parity rates (CNY per unit) used only to make the demo look real.
DEMO_RATES = {"USD": "7.1000", "EUR": "7.7500", "JPY": "0.047500", "HKD": "0.910000", "GBP": "9.050000"}


def ensure_currencies(*, actor=None) -> None:
    existing = set(Currency.objects.values_list("code", flat=True))
    for code, name, symbol in CURRENCIES:
        if code not in existing:
            save_currency(actor=actor, code=code, name=name, symbol=symbol, is_active=True)


def load_core_demo(*, actor, password_for, stdout) -> dict[str, str]:
    ensure_currencies(actor=actor)
    today = timezone.localdate()
    currencies = {currency.code: currency for currency in Currency.objects.all()}
    for code, rate in DEMO_RATES.items():
        for days_ago in range(0, 30, 7):
            day = today - datetime.timedelta(days=days_ago)
            if not ExchangeRate.objects.filter(currency=currencies[code], date=day).exists():
                save_exchange_rate(actor=actor, currency=currencies[code], date=day, rate=Decimal(rate))
    return {}
