"""The abstract product line: a ``core.documents.PricedLine`` of a product in one of its units."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from keshang.core.documents.models import PricedLine

__all__ = ["ProductLine"]


class ProductLine(PricedLine):
    product = models.ForeignKey("catalog.Product", verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("说明"), max_length=200, blank=True)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    unit_factor = models.DecimalField(_("换算系数"), max_digits=18, decimal_places=6, default=Decimal("1"))

    class Meta:
        abstract = True
