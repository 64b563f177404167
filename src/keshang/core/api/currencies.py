"""Currencies and exchange rates: viewsets built from the pages' declarations (``views.currencies``), so the
pages and the API save and delete through the same services."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Currency, ExchangeRate
from ..modelviews import DeclaredModelViewSet
from ..views.currencies import CURRENCY_VIEWS, EXCHANGE_RATE_VIEWS
from .base import ScopedRelatedField

__all__ = ["CurrencySerializer", "CurrencyViewSet", "ExchangeRateSerializer", "ExchangeRateViewSet"]


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ["id", "code", "name", "symbol", "is_active"]


class CurrencyViewSet(DeclaredModelViewSet):
    """Currencies by their ISO 4217 code: everyone reads them, finance and administrators maintain them."""

    model_views = CURRENCY_VIEWS
    serializer_class = CurrencySerializer
    ordering_fields = ["code", "name"]


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = ScopedRelatedField(queryset=Currency.objects.all())

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate", "created_at"]


class ExchangeRateViewSet(DeclaredModelViewSet):
    """How many CNY one unit of a currency is worth on a day (中间价), one rate per currency and day."""

    model_views = EXCHANGE_RATE_VIEWS
    serializer_class = ExchangeRateSerializer
    ordering_fields = ["date", "rate"]
