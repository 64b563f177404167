"""Quotations (报价单) and their lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.catalog.lines.models import ProductLine
from keshang.core.scope import ScopedManager

from .documents import SalesDocument
from .opportunities import Opportunity

__all__ = ["QuotationStatus", "Quotation", "QuotationLine"]


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已批准")
    SENT = "sent", _("已发送")
    ACCEPTED = "accepted", _("客户已接受")
    REJECTED = "rejected", _("客户已拒绝")
    EXPIRED = "expired", _("已过期")
    SUPERSEDED = "superseded", _("已修订")


class Quotation(SalesDocument):
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

    # The date the document is priced, numbered and converted at.
    date_field = "quote_date"

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

    def live_order(self):
        """The order made from this quotation and not cancelled, if any: one accepted quotation makes one order."""
        from .orders import SalesOrderStatus

        return self.orders.exclude(status=SalesOrderStatus.CANCELLED).order_by("-pk").first()


class QuotationLine(ProductLine):
    quotation = models.ForeignKey(Quotation, verbose_name=_("报价单"), on_delete=models.CASCADE, related_name="lines")

    objects = ScopedManager()

    scope_parent = "quotation"

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = pgettext_lazy("plural", "报价明细")
        ordering = ["quotation", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.product}"
