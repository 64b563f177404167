"""Currencies and exchange rates (系统设置 → 币种, 汇率): list, add, detail, edit, delete and history pages declared
once with :mod:`keshang.core.modelviews`; ``api.currencies`` builds their viewsets from the same declarations."""

from __future__ import annotations

from .. import selectors, services
from ..filters import CurrencyFilterSet, ExchangeRateFilterSet
from ..forms import CurrencyForm, ExchangeRateForm
from ..models import Currency, ExchangeRate
from ..modelviews import ModelViews, model_urls
from ..tables import CurrencyTable, ExchangeRateTable

__all__ = ["CURRENCY_VIEWS", "EXCHANGE_RATE_VIEWS", "urlpatterns"]


# The declarations call services as save(actor=, instance=, data=); core's services name the record.
def _save_currency(*, actor, instance: Currency | None, data: dict) -> Currency:
    return services.save_currency(actor=actor, currency=instance, **data)


def _delete_currency(*, actor, instance: Currency) -> None:
    services.delete_currency(actor=actor, currency=instance)


def _save_exchange_rate(*, actor, instance: ExchangeRate | None, data: dict) -> ExchangeRate:
    return services.save_exchange_rate(actor=actor, exchange_rate=instance, **data)


def _delete_exchange_rate(*, actor, instance: ExchangeRate) -> None:
    services.delete_exchange_rate(actor=actor, exchange_rate=instance)


CURRENCY_VIEWS = ModelViews(
    model=Currency,
    url_prefix="currencies",
    selector=selectors.list_currencies,
    table=CurrencyTable,
    filterset=CurrencyFilterSet,
    form_class=CurrencyForm,
    save=_save_currency,
    delete=_delete_currency,
    detail_fields=("code", "name", "symbol", "is_active"),
)

EXCHANGE_RATE_VIEWS = ModelViews(
    model=ExchangeRate,
    url_prefix="exchange-rates",
    selector=selectors.list_exchange_rates,
    table=ExchangeRateTable,
    filterset=ExchangeRateFilterSet,
    form_class=ExchangeRateForm,
    save=_save_exchange_rate,
    delete=_delete_exchange_rate,
    detail_fields=("currency", "date", "rate", "created_at"),
)

urlpatterns = [*model_urls(CURRENCY_VIEWS), *model_urls(EXCHANGE_RATE_VIEWS)]
