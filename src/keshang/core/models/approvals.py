"""Approvals (DESIGN.md rule 6): flows per document type, their steps, and the requests and tasks they
create (``core.approvals``)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scope import ScopedManager

__all__ = [
    "ApprovalMode",
    "ApproverKind",
    "ApprovalFlow",
    "ApprovalStep",
    "ApprovalStatus",
    "ApprovalRequest",
    "ApprovalTaskStatus",
    "ApprovalTask",
    "ApprovalDelegation",
]


class ApprovalMode(models.TextChoices):
    ALL = "all", _("会签（全部同意）")
    ANY = "any", _("或签（一人同意即可）")


class ApproverKind(models.TextChoices):
    ROLE = "role", _("角色")
    USER = "user", _("指定人员")
    MANAGER = "manager", _("提交人的上级")


class ApprovalFlow(models.Model):
    """How one document type gets approved. Conditions left empty do not restrict; all set ones must hold.
    Active flows are tried by ``priority`` (smallest first) and the first that matches a document applies;
    when none matches, the document needs no approval."""

    name = models.CharField(_("流程名称"), max_length=100)
    document_type = models.CharField(_("单据类型"), max_length=100, db_index=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字小的先匹配。"))
    is_active = models.BooleanField(_("启用"), default=True)
    min_amount = models.DecimalField(
        _("金额不低于"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_discount_percent = models.DecimalField(
        _("折扣率不低于（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    below_min_price = models.BooleanField(_("有低于最低售价的明细"), default=False)
    customer_levels = models.JSONField(_("客户级别"), default=list, blank=True)
    # Issue 13: conditions a document type fills when it has them (contracts: kind, margin, payment terms).
    kinds = models.JSONField(_("单据种类"), default=list, blank=True)
    max_margin_percent = models.DecimalField(
        _("毛利率不高于（%）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    nonstandard_terms = models.BooleanField(_("非标准付款条件"), default=False)
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("提交人部门（含下级）"), blank=True, related_name="+"
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        ordering = ["document_type", "priority", "pk"]

    def __str__(self):
        return self.name


class ApprovalStep(models.Model):
    """One ordered step: who approves (a role, named users, or the submitter's manager ``levels_up`` levels
    up) and whether all of them must agree (会签) or any one (或签)."""

    flow = models.ForeignKey(ApprovalFlow, verbose_name=_("审批流程"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("步骤名称"), max_length=50)
    kind = models.CharField(_("审批人类型"), max_length=10, choices=ApproverKind.choices, default=ApproverKind.MANAGER)
    role = models.ForeignKey(
        "org.Role", verbose_name=_("角色"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    same_department = models.BooleanField(
        _("仅限提交人所在部门及上级部门"),
        default=True,
        help_text=_("按角色审批时，只找提交人所在部门或其上级部门中有该角色的人。"),
    )
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("指定人员"), blank=True, related_name="+")
    levels_up = models.PositiveSmallIntegerField(
        _("上级层数"), default=1, help_text=_("1 = 直接上级，2 = 上级的上级。")
    )
    mode = models.CharField(_("多人审批方式"), max_length=5, choices=ApprovalMode.choices, default=ApprovalMode.ANY)

    objects = ScopedManager()

    scope_parent = "flow"

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["flow", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "order"],
                name="approvalstep_unique_order",
                violation_error_message=_("同一流程中步骤顺序不能重复。"),
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    RETURNED = "returned", _("退回修改")
    CANCELLED = "cancelled", _("已撤回")


class ApprovalRequest(models.Model):
    """One submission of one document to a flow. ``snapshot`` is the document as the approvers decide on
    it; ``previous_snapshot`` the last approved one, when an approved document was edited and came back."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    document_repr = models.CharField(_("单据"), max_length=200)
    flow = models.ForeignKey(
        ApprovalFlow, verbose_name=_("审批流程"), null=True, on_delete=models.SET_NULL, related_name="requests"
    )
    flow_name = models.CharField(_("审批流程"), max_length=100)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    current_step = models.PositiveSmallIntegerField(_("当前步骤"), default=0)
    facts = models.JSONField(_("审批条件取值"), default=dict, blank=True)
    snapshot = models.JSONField(_("提交时的单据"), default=dict, blank=True)
    previous_snapshot = models.JSONField(_("上次批准时的单据"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审批单")
        verbose_name_plural = _("审批单")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="approval_object_idx")]

    def __str__(self):
        return f"{self.document_repr} · {self.flow_name}"


class ApprovalTaskStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("驳回")
    RETURNED = "returned", _("退回修改")
    SKIPPED = "skipped", _("无需处理")


class ApprovalTask(models.Model):
    """One approver's part of one step. ``delegated_from`` is set when the task went to a delegate."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="tasks")
    step_order = models.PositiveSmallIntegerField(_("步骤"))
    step_name = models.CharField(_("步骤名称"), max_length=50)
    mode = models.CharField(_("多人审批方式"), max_length=5, choices=ApprovalMode.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="approval_tasks"
    )
    delegated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ApprovalTaskStatus.choices, default=ApprovalTaskStatus.PENDING
    )
    comment = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审批任务")
        verbose_name_plural = _("审批任务")
        ordering = ["request", "step_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "step_order", "approver"], name="approvaltask_unique_approver")
        ]
        indexes = [models.Index(fields=["approver", "status", "-id"], name="approvaltask_inbox_idx")]

    def __str__(self):
        return f"{self.request} · {self.step_name} · {self.approver}"


class ApprovalDelegation(models.Model):
    """While away, ``user``'s new approval tasks go to ``delegate`` (from ``starts_on`` to ``ends_on``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代理审批人"), on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_owner_field = "user"

    class Meta:
        verbose_name = _("审批委托")
        verbose_name_plural = _("审批委托")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="approvaldelegation_dates",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(delegate=models.F("user")),
                name="approvaldelegation_not_self",
                violation_error_message=_("不能委托给自己。"),
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.delegate} ({self.starts_on} ~ {self.ends_on})"
