"""Sales orders (销售订单) and their lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.catalog.lines.models import ProductLine
from keshang.core.documents.models import AMOUNT, QUANTITY
from keshang.core.scope import ScopedManager

from .documents import SalesDocument
from .quotations import Quotation

__all__ = ["SalesOrderStatus", "DeliveryStatus", "PaymentStatus", "SalesOrder", "SalesOrderLine"]


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


class SalesOrder(SalesDocument):
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

    # The date the document is priced, numbered and converted at.
    date_field = "order_date"

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
                fields=["status", "partner", "order_date", "gross_amount_cny", "net_amount_cny"],
                name="salesorder_report_idx",
            ),
        ]

    def __str__(self):
        return self.number or str(_("订单草稿 #%(pk)s") % {"pk": self.pk})


class SalesOrderLine(ProductLine):
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
