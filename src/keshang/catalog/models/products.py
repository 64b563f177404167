"""Products, shared master data (not owned: a grant on ``catalog.product`` opens all of them; cost price is a
sensitive field), and the other units each is sold in."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager

from .categories import Brand, ProductCategory
from .units import Unit

__all__ = ["PRICE", "QUANTITY", "ProductStatus", "VatRate", "Product", "ProductUnit"]

PRICE = {"max_digits": 18, "decimal_places": 6, "validators": [MinValueValidator(Decimal("0"))]}
QUANTITY = {"max_digits": 18, "decimal_places": 4}


class ProductStatus(models.TextChoices):
    ACTIVE = "active", _("在售")
    DISCONTINUED = "discontinued", _("停售")


class VatRate(models.TextChoices):
    """China's VAT rates (DESIGN.md rule 1), stored as the fraction's text so choices compare exactly."""

    R13 = "0.13", "13%"
    R9 = "0.09", "9%"
    R6 = "0.06", "6%"
    R3 = "0.03", "3%"
    R1 = "0.01", "1%"
    R0 = "0", "0%"


class Product(models.Model):
    """A product. Prices are tax-inclusive (含税单价) per base unit, the way Chinese B2B quotes them;
    the tax-exclusive figure is derived at the product's VAT rate where a line needs it."""

    code = models.CharField(_("商品编码"), max_length=40, unique=True)
    name = models.CharField(_("商品名称"), max_length=200)
    specification = models.CharField(_("规格型号"), max_length=200, blank=True)
    name_key = models.CharField(max_length=400, editable=False, db_index=True, default="")
    # Name (with pinyin and its initials), specification, code and barcode, for the product pickers.
    search_text = models.TextField(editable=False, blank=True, default="")
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("商品分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌"), null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("基本单位"), on_delete=models.PROTECT, related_name="+")
    barcode = models.CharField(_("条码"), max_length=40, blank=True, db_index=True)
    vat_rate = models.CharField(_("增值税税率"), max_length=4, choices=VatRate.choices, default=VatRate.R13)
    list_price = models.DecimalField(_("标准售价（含税）"), **PRICE, default=Decimal("0"))
    cost_price = models.DecimalField(_("成本价（含税）"), **PRICE, null=True, blank=True)
    min_price = models.DecimalField(_("最低售价（含税）"), **PRICE, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ProductStatus.choices, default=ProductStatus.ACTIVE)
    description = models.TextField(_("描述"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    sensitive_fields = ("cost_price",)
    # Derived keys, and the save time the audit entry carries anyway (else every save looks like a change).
    audit_exclude = ("name_key", "search_text", "updated_at")

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = pgettext_lazy("plural", "商品")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "code"], name="product_status_code_idx"),
            models.Index(fields=["category", "code"], name="product_category_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}" + (f" {self.specification}" if self.specification else "")

    def clean(self):
        if self.min_price is not None and self.list_price is not None and self.min_price > self.list_price:
            raise ValidationError({"min_price": _("最低售价不能高于标准售价。")})

    @property
    def vat(self) -> Decimal:
        return Decimal(self.vat_rate)


class ProductUnit(models.Model):
    """Another unit the product is sold in, as a multiple of its base unit (箱 = 12 个)."""

    product = models.ForeignKey(Product, verbose_name=_("商品"), on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(
        _("换算系数"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("1 个此单位等于多少个基本单位。"),
    )
    barcode = models.CharField(_("条码"), max_length=40, blank=True)

    objects = ScopedManager()

    scope_parent = "product"

    class Meta:
        verbose_name = _("单位换算")
        verbose_name_plural = pgettext_lazy("plural", "单位换算")
        ordering = ["product", "factor"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "unit"],
                name="productunit_unique_unit",
                violation_error_message=_("该商品已有此单位的换算。"),
            )
        ]

    def __str__(self):
        return f"1 {self.unit} = {self.factor.normalize():f} {self.product.unit}"
