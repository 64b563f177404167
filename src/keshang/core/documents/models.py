"""The abstract bases of a priced document and its lines (STYLE.md §5). Concrete documents add their owner
(``org.OwnedModel``), their counterparty and their number; product lines add the product
(``catalog.lines.ProductLine``). No table lives here."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AMOUNT", "PRICE", "QUANTITY", "PERCENT", "PriceEntry", "PriceOrigin", "PricedDocument", "PricedLine"]

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0.00")}
PRICE = {"max_digits": 18, "decimal_places": 6}
QUANTITY = {"max_digits": 18, "decimal_places": 4}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class PriceEntry(models.TextChoices):
    """Which unit price the user typed; the other is derived from it at the line's VAT rate."""

    GROSS = "gross", _("含税单价")
    NET = "net", _("不含税单价")


class PriceOrigin(models.TextChoices):
    """Where a line's price came from, stored as a code: a typed price is kept as typed whatever language the
    next editor uses; a price from the rules is priced by the rules again when the line is saved again."""

    LIST = "list", _("标准售价")
    CUSTOMER = "customer", _("客户专属价")
    LEVEL = "level", _("客户级别价")
    QUANTITY = "quantity", _("数量阶梯价")
    MANUAL = "manual", _("手工录入")


class PricedDocument(models.Model):
    """Totals stored on the document (STYLE.md §5: frozen when it leaves draft), in its currency, with the
    rate to CNY on the document's date and the CNY equivalent; plus what approvals decide on."""

    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    exchange_rate = models.DecimalField(
        _("汇率（折人民币）"), max_digits=18, decimal_places=6, default=Decimal("1"), editable=False
    )
    payment_terms = models.CharField(_("付款条件"), max_length=200, blank=True)
    delivery_terms = models.CharField(_("交货条件"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    net_amount = models.DecimalField(_("不含税金额"), **AMOUNT)
    tax_amount = models.DecimalField(_("税额"), **AMOUNT)
    gross_amount = models.DecimalField(_("价税合计"), **AMOUNT)
    net_amount_cny = models.DecimalField(_("不含税金额（人民币）"), **AMOUNT)
    gross_amount_cny = models.DecimalField(_("价税合计（人民币）"), **AMOUNT)
    discount_amount = models.DecimalField(_("折扣金额"), **AMOUNT)
    max_discount_percent = models.DecimalField(_("最大折扣率（%）"), **PERCENT)
    below_min_price = models.BooleanField(_("有低于最低售价的明细"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class PricedLine(models.Model):
    """A line's figures: quantity, one typed price (``price_entry``) and everything derived from it once
    (``keshang.core.money.price_line``), the reference prices approvals compare with, and where the price came
    from (``price_origin``, a code; ``price_source`` the rule as it was described when it applied)."""

    position = models.PositiveSmallIntegerField(_("行号"), default=1)
    quantity = models.DecimalField(_("数量"), **QUANTITY, validators=[MinValueValidator(Decimal("0.0001"))])
    vat_rate = models.DecimalField(_("税率"), max_digits=4, decimal_places=2)
    price_entry = models.CharField(_("录入方式"), max_length=5, choices=PriceEntry.choices, default=PriceEntry.GROSS)
    unit_price_net = models.DecimalField(_("不含税单价"), **PRICE, validators=[MinValueValidator(Decimal("0"))])
    unit_price_gross = models.DecimalField(_("含税单价"), **PRICE, validators=[MinValueValidator(Decimal("0"))])
    discount_percent = models.DecimalField(_("折扣率（%）"), **PERCENT)
    net_amount = models.DecimalField(_("不含税金额"), **AMOUNT)
    tax_amount = models.DecimalField(_("税额"), **AMOUNT)
    gross_amount = models.DecimalField(_("价税合计"), **AMOUNT)
    discount_amount = models.DecimalField(_("折扣金额"), **AMOUNT)
    list_price = models.DecimalField(_("标准售价（含税）"), **PRICE, default=Decimal("0"))
    min_price = models.DecimalField(_("最低售价（含税）"), **PRICE, null=True, blank=True)
    price_origin = models.CharField(_("价格类型"), max_length=10, choices=PriceOrigin.choices, default=PriceOrigin.LIST)
    price_source = models.CharField(_("价格来源"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def typed_price(self):
        """The price the user typed (or the rules gave), as entered: net or gross per ``price_entry``."""
        return self.unit_price_net if self.price_entry == PriceEntry.NET else self.unit_price_gross

    @property
    def is_manual_price(self) -> bool:
        return self.price_origin == PriceOrigin.MANUAL

    def price_source_display(self) -> str:
        """What the screen says about the price: the rule's description, or the origin's label."""
        if self.price_origin == PriceOrigin.MANUAL or not self.price_source:
            return str(PriceOrigin(self.price_origin).label)
        return self.price_source
