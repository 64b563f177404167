"""Payment stages (付款阶段) of a contract: structured, so finance can turn them into payment plans."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.documents.models import AMOUNT
from keshang.core.scope import ScopedManager

from .contracts import Contract

__all__ = ["StageTrigger", "PaymentStage"]


class StageTrigger(models.TextChoices):
    SIGNED = "signed", _("签订后")
    BEFORE_SHIPMENT = "before_shipment", _("发货前")
    AFTER_SHIPMENT = "after_shipment", _("发货后")
    AFTER_RECEIPT = "after_receipt", _("签收后")
    AFTER_ACCEPTANCE = "after_acceptance", _("验收后")
    AFTER_INVOICE = "after_invoice", _("开票后")
    FIXED_DATE = "fixed_date", _("固定日期")


class PaymentStage(models.Model):
    """One stage: a percent of the contract amount or a fixed amount (``amount`` is what it comes to, the
    rounding cent on the last stage), due ``days`` (calendar or 工作日) after its trigger, or on a fixed date."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="payment_stages"
    )
    position = models.PositiveSmallIntegerField(_("期次"), default=1)
    name = models.CharField(_("名称"), max_length=50)
    percent = models.DecimalField(_("比例（%）"), max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(_("固定金额"), max_digits=18, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("金额"), **AMOUNT)
    trigger = models.CharField(_("触发条件"), max_length=20, choices=StageTrigger.choices, default=StageTrigger.SIGNED)
    days = models.PositiveSmallIntegerField(_("天数"), default=0)
    working_days = models.BooleanField(_("按工作日"), default=False)
    fixed_date = models.DateField(_("固定日期"), null=True, blank=True)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    # The due date the contract's owner was told about (issue 13): once per due date.
    due_notified_for = models.DateField(_("已提醒的到期日"), null=True, blank=True, editable=False)

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("付款阶段")
        verbose_name_plural = pgettext_lazy("plural", "付款阶段")
        ordering = ["contract", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.name}"
