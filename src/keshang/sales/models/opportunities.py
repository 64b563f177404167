"""Opportunities (商机): configurable stages with a win probability, competitors, and the stage history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.documents.models import AMOUNT
from keshang.core.scope import ScopedManager
from keshang.org.models import OwnedModel

__all__ = ["OpportunityStage", "OpportunityStatus", "Opportunity", "Competitor", "OpportunityStageChange"]


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

    # The customer's owner reads the opportunities others opened on their customer.
    scope_viewer_fields = ("partner__owner",)

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
