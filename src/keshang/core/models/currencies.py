"""Currencies and their daily exchange rates to CNY."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scope import ScopedManager

__all__ = ["Currency", "ExchangeRate"]


class Currency(models.Model):
    code = models.CharField(
        _("币种代码"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("币种代码须为三位大写字母（ISO 4217），如 CNY。"))],
    )
    name = models.CharField(_("名称"), max_length=50)
    symbol = models.CharField(_("符号"), max_length=5, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("币种")
        verbose_name_plural = _("币种")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ExchangeRate(models.Model):
    """How many CNY one unit of ``currency`` is worth on ``date`` (中间价)."""

    currency = models.ForeignKey(Currency, verbose_name=_("币种"), on_delete=models.PROTECT, related_name="rates")
    date = models.DateField(_("日期"))
    rate = models.DecimalField(
        _("汇率（折人民币）"), max_digits=18, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("汇率")
        verbose_name_plural = _("汇率")
        ordering = ["-date", "currency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="exchangerate_unique_day",
                violation_error_message=_("该币种当日汇率已存在。"),
            )
        ]

    def __str__(self):
        return f"{self.currency.code} {self.date}: {self.rate}"

    def clean(self):
        if self.currency_id and self.rate is not None and self.currency.code == "CNY" and self.rate != 1:
            raise ValidationError({"rate": _("人民币对人民币的汇率只能为 1。")})
