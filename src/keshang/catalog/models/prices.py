"""Price rules: the prices a line can get besides the list price (by customer level, by quantity, per customer)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager

from .products import PRICE, QUANTITY, Product

__all__ = ["PriceRuleKind", "PriceRule"]


class PriceRuleKind(models.TextChoices):
    LEVEL = "level", _("客户级别价")
    QUANTITY = "quantity", _("数量阶梯价")
    CUSTOMER = "customer", _("客户专属价")


class PriceRule(models.Model):
    """One price a line can get (含税, per base unit): for a customer level, from a quantity on, or for one
    customer, optionally within validity dates. The most specific rule that applies wins (customer, then
    level, then quantity break, then the list price); ``kind`` says which it is."""

    kind = models.CharField(_("价格类型"), max_length=10, choices=PriceRuleKind.choices)
    product = models.ForeignKey(Product, verbose_name=_("商品"), on_delete=models.CASCADE, related_name="price_rules")
    partner_level = models.ForeignKey(
        "partners.PartnerLevel",
        verbose_name=_("客户级别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("客户"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    min_quantity = models.DecimalField(
        _("起订数量"), **QUANTITY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    price = models.DecimalField(_("单价（含税）"), **PRICE)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "product"
    # A customer's special price is seen only by those who may see the customer.
    scope_related = ("partner",)

    class Meta:
        verbose_name = _("价格规则")
        verbose_name_plural = pgettext_lazy("plural", "价格规则")
        ordering = ["product", "kind", "min_quantity", "pk"]
        indexes = [models.Index(fields=["product", "kind"], name="pricerule_product_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="level", partner_level__isnull=False, partner__isnull=True)
                    | models.Q(kind="customer", partner__isnull=False, partner_level__isnull=True)
                    | models.Q(kind="quantity", partner__isnull=True, partner_level__isnull=True)
                ),
                name="pricerule_kind_target",
                violation_error_message=_("级别价须选客户级别，专属价须选客户，阶梯价两者都不选。"),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="pricerule_dates",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.product.code} {self.get_kind_display()} ≥{self.min_quantity.normalize():f}: {self.price}"
