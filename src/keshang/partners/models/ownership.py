"""Ownership: every move of a partner between owners and the pool (客户交接), and the pool's rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keshang.core.scope import ScopedManager

from .partners import Partner

__all__ = ["HandoverKind", "HandoverReason", "POOL_KINDS", "Handover", "PoolRules"]


class HandoverKind(models.TextChoices):
    ASSIGN = "assign", _("分配")
    TRANSFER = "transfer", _("转移")
    RELEASE = "release", _("放入公海")
    CLAIM = "claim", _("从公海领取")
    RECYCLE = "recycle", _("自动回收")
    MERGE = "merge", _("合并")


# Moves that put a partner into the pool: what the claim cool-down and "进入公海时间" look at.
POOL_KINDS = (HandoverKind.RELEASE, HandoverKind.RECYCLE)


class HandoverReason(models.TextChoices):
    RESIGNATION = "resignation", _("员工离职")
    REASSIGNMENT = "reassignment", _("岗位调整")
    CUSTOMER_REQUEST = "customer_request", _("客户要求")
    WORKLOAD = "workload", _("平衡工作量")
    NO_FOLLOWUP = "no_followup", _("长期未跟进")
    NO_DEAL = "no_deal", _("长期未成交")
    OTHER = "other", _("其他")


class Handover(models.Model):
    """One move of a partner's ownership, with what moved along (contacts, and what later modules report)."""

    partner = models.ForeignKey(Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(_("方式"), max_length=10, choices=HandoverKind.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("新负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=20, choices=HandoverReason.choices, blank=True)
    notes = models.TextField(_("交接说明"), blank=True)
    moved = models.JSONField(_("随之转移"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = ScopedManager()

    scope_parent = "partner"

    class Meta:
        verbose_name = _("客户交接")
        verbose_name_plural = _("客户交接")
        ordering = ["-id"]
        indexes = [models.Index(fields=["from_owner", "kind", "-created_at"], name="handover_release_idx")]

    def __str__(self):
        return f"{self.partner} {self.get_kind_display()}"

    def describe_move(self) -> str:
        """The move as people read it, in the audit entry and on the timeline: 转移：张三 → 李四（员工离职）."""
        source = str(self.from_owner) if self.from_owner_id else str(_("公海"))
        target = str(self.to_owner) if self.to_owner_id else str(_("公海"))
        reason = f"（{self.get_reason_display()}）" if self.reason else ""
        return f"{self.get_kind_display()}：{source} → {target}{reason}"


class PoolRules(models.Model):
    """The public pool's rules (one row): claim limit, re-claim cool-down and automatic recycling."""

    max_owned_customers = models.PositiveIntegerField(
        _("每人最多拥有客户数"), default=200, help_text=_("领取公海客户时检查；0 表示不限。")
    )
    claim_cooldown_days = models.PositiveIntegerField(
        _("放弃后重新领取的冷却天数"), default=30, help_text=_("放入公海的客户，原负责人在此期间内不能再领取。")
    )
    recycle_without_followup_days = models.PositiveIntegerField(
        _("未跟进自动回收天数"), null=True, blank=True, default=90, help_text=_("留空表示不自动回收。")
    )
    recycle_without_deal_days = models.PositiveIntegerField(
        _("未成交自动回收天数"), null=True, blank=True, default=180, help_text=_("留空表示不自动回收。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公海规则")
        verbose_name_plural = _("公海规则")

    def __str__(self):
        return str(_("公海规则"))
