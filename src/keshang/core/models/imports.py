"""Imports: an uploaded file, validated row by row, committed all or nothing by a background job
(``core.importing``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scope import ScopedManager

__all__ = ["ImportStatus", "ImportJob"]


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
