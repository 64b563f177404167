"""Core owns the cross-cutting records every module shares: the audit trail, collaborations
(records shared with users), document number sequences, currencies and exchange rates,
in-app notifications, China's administrative regions (reference data), and the backups run from the
backup page."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .scope import ScopedManager, ScopedQuerySet

__all__ = [
    "AuditAction",
    "AuditEntry",
    "Collaboration",
    "NumberSequence",
    "Currency",
    "ExchangeRate",
    "Notification",
    "RegionLevel",
    "Region",
    "ApprovalMode",
    "ApproverKind",
    "ApprovalFlow",
    "ApprovalStep",
    "ApprovalStatus",
    "ApprovalRequest",
    "ApprovalTaskStatus",
    "ApprovalTask",
    "ApprovalDelegation",
    "BackupStatus",
    "BackupRun",
]


#
# Audit trail
#


class AuditAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "新建")
    UPDATE = "update", pgettext_lazy("audit action", "修改")
    DELETE = "delete", pgettext_lazy("audit action", "删除")
    STATE = "state", pgettext_lazy("audit action", "状态变更")
    LOGIN = "login", pgettext_lazy("audit action", "登录")
    LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "登录失败")
    LOGOUT = "logout", pgettext_lazy("audit action", "退出登录")
    EXPORT = "export", pgettext_lazy("audit action", "导出")
    PERMISSION = "permission", pgettext_lazy("audit action", "权限变更")
    PASSWORD = "password", pgettext_lazy("audit action", "修改密码")


class AuditEntryQuerySet(ScopedQuerySet):
    """Append-only: bulk updates and deletes are refused, so no code path can rewrite history."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")

    def for_object(self, obj):
        """Entries about ``obj`` itself and about its parts (``related``, e.g. a partner's contacts)."""
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(
            models.Q(content_type=content_type, object_id=str(obj.pk))
            | models.Q(related_content_type=content_type, related_object_id=str(obj.pk))
        )


class AuditEntry(models.Model):
    """One change or security event (STYLE.md §4, after NetBox's ObjectChange)."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=500, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    related_content_type = models.ForeignKey(
        ContentType, verbose_name=_("所属对象类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.CharField(_("所属对象编号"), max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    # A user's own actions are theirs; admins' grants open everyone's.
    scope_owner_field = "user"

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["related_content_type", "related_object_id", "-id"], name="audit_related_idx"),
            models.Index(fields=["user", "-id"], name="audit_user_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]

    def __str__(self):
        when = timezone.localtime(self.created_at) if self.created_at else None
        return f"{when:%Y-%m-%d %H:%M} {self.user_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs, for the history tab."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(key, before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)]


#
# Collaboration: an owned record shared with a user for reading or writing
#


class CollaborationQuerySet(models.QuerySet):
    def for_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Collaboration(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("协作人"), on_delete=models.CASCADE, related_name="collaborations"
    )
    can_write = models.BooleanField(_("可编辑"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CollaborationQuerySet.as_manager()

    class Meta:
        verbose_name = _("协作人")
        verbose_name_plural = _("协作人")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"],
                name="collaboration_unique_user",
                violation_error_message=_("该用户已是协作人。"),
            )
        ]
        indexes = [models.Index(fields=["user", "content_type", "object_id"], name="collab_user_idx")]

    def __str__(self):
        return f"{self.user} ({_('可编辑') if self.can_write else _('只读')})"


#
# Document numbering (STYLE.md §6)
#


class NumberSequence(models.Model):
    """The last number handed out per document type and period (e.g. SO / 202611)."""

    doc_type = models.CharField(max_length=10)
    period = models.CharField(max_length=8)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单据编号序列")
        verbose_name_plural = _("单据编号序列")
        constraints = [models.UniqueConstraint(fields=["doc_type", "period"], name="numbersequence_unique_period")]

    def __str__(self):
        return f"{self.doc_type}{self.period}: {self.last_value}"


#
# Currencies and exchange rates
#


class Currency(models.Model):
    code = models.CharField(
        _("币种代码"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("币种代码须为三位大写字母（ISO 4217），如 CNY。"))],
    )
    name = models.CharField(_("名称"), max_length=50)
    symbol = models.CharField(_("符号"), max_length=5, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("币种")
        verbose_name_plural = _("币种")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ExchangeRate(models.Model):
    """How many CNY one unit of ``currency`` is worth on ``date`` (中间价)."""

    currency = models.ForeignKey(Currency, verbose_name=_("币种"), on_delete=models.PROTECT, related_name="rates")
    date = models.DateField(_("日期"))
    rate = models.DecimalField(
        _("汇率（折人民币）"), max_digits=18, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("汇率")
        verbose_name_plural = _("汇率")
        ordering = ["-date", "currency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="exchangerate_unique_day",
                violation_error_message=_("该币种当日汇率已存在。"),
            )
        ]

    def __str__(self):
        return f"{self.currency.code} {self.date}: {self.rate}"

    def clean(self):
        if self.currency_id and self.rate is not None and self.currency.code == "CNY" and self.rate != 1:
            raise ValidationError({"rate": _("人民币对人民币的汇率只能为 1。")})


#
# Notifications
#


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user; only its recipient ever reads it."""

    class Level(models.TextChoices):
        INFO = "info", _("提示")
        SUCCESS = "success", _("成功")
        WARNING = "warning", _("警告")
        DANGER = "danger", _("紧急")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


#
# Administrative regions (reference data, loaded by core.regions.load_regions)
#


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")


class Region(models.Model):
    """A province, prefecture-level city or county of the national code list (GB/T 2260 as published
    by the statistics bureau): 2-, 4- and 6-digit codes, each under the one above it.

    ``full_name`` is the address as people write it. The list's placeholder cities (北京's "市辖区",
    重庆's "县", "省直辖县级行政区划" …) are kept, so every county has a city, but they are left out of
    their children's full names: 110101 reads "北京市 东城区", 419001 "河南省 济源市". A placeholder
    city keeps its own name ("北京市 市辖区") so that it does not read as the province itself.
    """

    code = models.CharField(
        _("区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^(\d{2}){1,3}$", _("区划代码须为 2、4 或 6 位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    full_name = models.CharField(_("全称"), max_length=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=RegionLevel.PROVINCE, parent__isnull=True)
                | (~models.Q(level=RegionLevel.PROVINCE) & models.Q(parent__isnull=False)),
                name="region_parent_matches_level",
                violation_error_message=_("省级区划没有上级，市和区县必须有上级。"),
            )
        ]
        # The unique code is already indexed; the pickers list a parent's children in code order.
        indexes = [models.Index(fields=["parent", "code"], name="region_children_idx")]

    def __str__(self):
        return self.full_name or self.name


#
# Attachments: files on any record, readable by whoever may view the record
#


class AttachmentQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    mime_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="attachment_object_idx")]

    def __str__(self):
        return self.name


#
# Imports: an uploaded file, validated row by row, committed all or nothing by a background job
#


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("已校验")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    kind = models.CharField(_("导入类型"), max_length=30)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    policy = models.CharField(_("重复处理"), max_length=10, default="skip")
    mapping = models.JSONField(_("列映射"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_report = models.FileField(_("错误报告"), upload_to="imports/errors/%Y/%m/", blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # "host:pid" of the process running the step, so a crashed run can be told from a slow one (issue 6).
    runner = models.CharField(_("运行进程"), max_length=100, blank=True, editable=False)

    objects = ScopedManager()

    # Whoever started an import follows it; admins' grants open everyone's.
    scope_owner_field = "created_by"

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0


#
# Approvals (DESIGN.md rule 6): flows per document type, their steps, and the requests and tasks they create
#


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


#
# Backups run from the backup page (the files themselves are listed from the backup directory)
#


class BackupStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("备份中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BackupRun(models.Model):
    """One 立即备份: who asked, when, and what came of it (the file written, or why it failed)."""

    status = models.CharField(_("状态"), max_length=10, choices=BackupStatus.choices, default=BackupStatus.QUEUED)
    file_name = models.CharField(_("备份文件"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("备份任务")
        verbose_name_plural = _("备份任务")
        ordering = ["-id"]

    def __str__(self):
        return self.file_name or _("备份任务 #%(pk)s") % {"pk": self.pk}
