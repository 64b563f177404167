"""Sales owns the road from first contact to a confirmed order: opportunities (商机) moving through
configurable stages, quotations (报价) with revisions, and sales orders (销售订单). Quotations and orders
are owned documents with priced lines; each line stores which price the user typed (含税 or 不含税) and
derives everything else from it once (``keshang.core.money.price_line``)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager
from keshang.org.models import OwnedModel

__all__ = [
    "OpportunityStage",
    "OpportunityStatus",
    "Opportunity",
    "Competitor",
    "OpportunityStageChange",
    "PriceEntry",
    "QuotationStatus",
    "Quotation",
    "QuotationLine",
    "SalesOrderStatus",
    "DeliveryStatus",
    "PaymentStatus",
    "SalesOrder",
    "SalesOrderLine",
]

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0.00")}
PRICE = {"max_digits": 18, "decimal_places": 6}
QUANTITY = {"max_digits": 18, "decimal_places": 4}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}

#
# Opportunities
#


class OpportunityStage(models.Model):
    """A configurable step of the funnel with its win probability; one stage is "won", one "lost"."""

    name = models.CharField(_("阶段名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    probability = models.PositiveSmallIntegerField(_("赢单概率（%）"), default=10, validators=[MaxValueValidator(100)])
    is_won = models.BooleanField(_("赢单阶段"), default=False)
    is_lost = models.BooleanField(_("输单阶段"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("商机阶段")
        verbose_name_plural = pgettext_lazy("plural", "商机阶段")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    WON = "won", _("赢单")
    LOST = "lost", _("输单")


class Opportunity(OwnedModel):
    name = models.CharField(_("商机名称"), max_length=200)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="opportunities"
    )
    contacts = models.ManyToManyField("partners.Contact", verbose_name=_("联系人"), blank=True, related_name="+")
    stage = models.ForeignKey(OpportunityStage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=5, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    expected_amount = models.DecimalField(_("预计金额"), **AMOUNT, validators=[MinValueValidator(Decimal("0"))])
    expected_close_date = models.DateField(_("预计成交日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=50, blank=True)
    close_reason = models.CharField(_("赢单/输单原因"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("商机")
        verbose_name_plural = pgettext_lazy("plural", "商机")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="opportunity_owner_idx"),
            models.Index(fields=["stage", "status"], name="opportunity_stage_idx"),
        ]

    def __str__(self):
        return self.name


class Competitor(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("商机"), on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("竞争对手"), max_length=100)
    offer = models.CharField(_("对方报价"), max_length=100, blank=True)
    strengths = models.TextField(_("优势"), blank=True)
    weaknesses = models.TextField(_("劣势"), blank=True)

    objects = ScopedManager()

    scope_parent = "opportunity"

    class Meta:
        verbose_name = _("竞争对手")
        verbose_name_plural = pgettext_lazy("plural", "竞争对手")
        ordering = ["opportunity", "pk"]

    def __str__(self):
        return self.name


class OpportunityStageChange(models.Model):
    """Stage history: who moved the opportunity from which stage to which, when."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("商机"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        OpportunityStage, verbose_name=_("原阶段"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(OpportunityStage, verbose_name=_("新阶段"), on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "opportunity"

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = pgettext_lazy("plural", "阶段变更")
        ordering = ["opportunity", "-changed_at", "-pk"]

    def __str__(self):
        return f"{self.from_stage or '—'} → {self.to_stage}"


#
# Priced documents: what quotations and orders share
#


class PriceEntry(models.TextChoices):
    """Which unit price the user typed; the other is derived from it at the line's VAT rate."""

    GROSS = "gross", _("含税单价")
    NET = "net", _("不含税单价")


class PricedDocument(OwnedModel):
    """A customer document with lines and totals stored on it (STYLE.md §5): net, tax, gross."""

    partner = models.ForeignKey("partners.Partner", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "partners.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    payment_terms = models.CharField(_("付款条件"), max_length=200, blank=True)
    delivery_terms = models.CharField(_("交货条件"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    net_amount = models.DecimalField(_("不含税金额"), **AMOUNT)
    tax_amount = models.DecimalField(_("税额"), **AMOUNT)
    gross_amount = models.DecimalField(_("价税合计"), **AMOUNT)
    discount_amount = models.DecimalField(_("折扣金额"), **AMOUNT)
    max_discount_percent = models.DecimalField(_("最大折扣率（%）"), **PERCENT)
    below_min_price = models.BooleanField(_("有低于最低售价的明细"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class PricedLine(models.Model):
    """A line: product, quantity in a unit, one typed price (``price_entry``) and everything derived from
    it once. ``price_source`` says which price rule gave the default price, for the screen."""

    position = models.PositiveSmallIntegerField(_("行号"), default=1)
    product = models.ForeignKey("catalog.Product", verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("说明"), max_length=200, blank=True)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    unit_factor = models.DecimalField(_("换算系数"), max_digits=18, decimal_places=6, default=Decimal("1"))
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
    price_source = models.CharField(_("价格来源"), max_length=200, blank=True)

    class Meta:
        abstract = True


#
# Quotations
#


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已批准")
    SENT = "sent", _("已发送")
    ACCEPTED = "accepted", _("客户已接受")
    REJECTED = "rejected", _("客户已拒绝")
    EXPIRED = "expired", _("已过期")
    SUPERSEDED = "superseded", _("已修订")


class Quotation(PricedDocument):
    """A quotation. The number is given on first submission and kept by its revisions (``revision`` 1, 2…);
    a revised quotation is kept read-only with status "superseded"."""

    number = models.CharField(_("报价单号"), max_length=30, null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("修订版本"), default=1)
    revised_from = models.OneToOneField(
        "self", verbose_name=_("修订自"), null=True, blank=True, on_delete=models.PROTECT, related_name="revised_by"
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("商机"), null=True, blank=True, on_delete=models.SET_NULL, related_name="quotations"
    )
    status = models.CharField(_("状态"), max_length=10, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT)
    quote_date = models.DateField(_("报价日期"))
    valid_until = models.DateField(_("有效期至"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("客户答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = pgettext_lazy("plural", "报价单")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"],
                name="quotation_unique_number_revision",
                violation_error_message=_("报价单号与修订版本重复。"),
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="quotation_owner_idx"),
            models.Index(fields=["partner", "-id"], name="quotation_partner_idx"),
        ]

    def __str__(self):
        if not self.number:
            return str(_("报价草稿 #%(pk)s") % {"pk": self.pk})
        return self.number if self.revision == 1 else f"{self.number}-R{self.revision}"


class QuotationLine(PricedLine):
    quotation = models.ForeignKey(Quotation, verbose_name=_("报价单"), on_delete=models.CASCADE, related_name="lines")

    objects = ScopedManager()

    scope_parent = "quotation"

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = pgettext_lazy("plural", "报价明细")
        ordering = ["quotation", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.product}"


#
# Sales orders
#


class SalesOrderStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    CONFIRMED = "confirmed", _("已确认")
    PARTIALLY_DELIVERED = "partially_delivered", _("部分发货")
    DELIVERED = "delivered", _("已发货")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


class DeliveryStatus(models.TextChoices):
    NONE = "none", _("未发货")
    PARTIAL = "partial", _("部分发货")
    FULL = "full", _("全部发货")


class PaymentStatus(models.TextChoices):
    NONE = "none", _("未收款")
    PARTIAL = "partial", _("部分收款")
    FULL = "full", _("已收全款")
    OVERPAID = "overpaid", _("超额收款")


class SalesOrder(PricedDocument):
    """A sales order. The number is given on confirmation (STYLE.md §6); delivery and payment status are
    derived from what inventory and finance record through this app's services, never typed in."""

    number = models.CharField(_("订单号"), max_length=30, null=True, blank=True, unique=True)
    quotation = models.ForeignKey(
        Quotation, verbose_name=_("来源报价单"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=SalesOrderStatus.choices, default=SalesOrderStatus.DRAFT
    )
    order_date = models.DateField(_("订单日期"))
    delivery_date = models.DateField(_("交货日期"), null=True, blank=True)
    delivery_address = models.CharField(_("收货地址"), max_length=300, blank=True)
    delivery_status = models.CharField(
        _("发货状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NONE
    )
    payment_status = models.CharField(
        _("收款状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    paid_amount = models.DecimalField(_("已收金额"), **AMOUNT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("销售订单")
        verbose_name_plural = pgettext_lazy("plural", "销售订单")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="salesorder_owner_idx"),
            models.Index(fields=["partner", "-id"], name="salesorder_partner_idx"),
            models.Index(fields=["status", "order_date"], name="salesorder_status_date_idx"),
            # Covers the monthly sales report (selectors.sales_by_customer_month): no table reads.
            models.Index(
                fields=["status", "partner", "order_date", "gross_amount", "net_amount"], name="salesorder_report_idx"
            ),
        ]

    def __str__(self):
        return self.number or str(_("订单草稿 #%(pk)s") % {"pk": self.pk})


class SalesOrderLine(PricedLine):
    order = models.ForeignKey(SalesOrder, verbose_name=_("销售订单"), on_delete=models.CASCADE, related_name="lines")
    delivered_quantity = models.DecimalField(_("已发货数量"), **QUANTITY, default=Decimal("0"))

    objects = ScopedManager()

    scope_parent = "order"

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = pgettext_lazy("plural", "订单明细")
        ordering = ["order", "position", "pk"]
        indexes = [models.Index(fields=["product", "order"], name="salesorderline_product_idx")]

    def __str__(self):
        return f"{self.position}. {self.product}"
