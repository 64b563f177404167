"""Backups run from the backup page (the files themselves are listed from the backup directory;
``core.backup``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scope import ScopedManager

__all__ = ["BackupStatus", "BackupRun"]


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
