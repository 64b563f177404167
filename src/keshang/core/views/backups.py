"""The backup page (数据备份, under 系统设置): the backups on disk, 立即备份, downloads for superusers only (served
through the app, never from a static URL), and how to restore. The grant is ``core.backuprun``: view lists the
backups, add runs one; downloading the whole database takes a superuser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from .. import backup
from ..models import BackupRun
from ..permissions import Action
from .generic import ScopedViewMixin, redirect_after_write

__all__ = ["urlpatterns"]

RECENT_RUNS = 10


class BackupListView(ScopedViewMixin, View):
    model = BackupRun
    selector = backup.list_backup_runs
    template_name = "core/backup_list.html"

    def get(self, request):
        context = self.get_context_data(
            backups=backup.list_backups(),
            runs=self.queryset[:RECENT_RUNS],
            can_run=self.can(Action.ADD),
            can_download=request.user.is_superuser,
            directory=backup.backup_directory(),
            schedule=settings.KESHANG_BACKUP_SCHEDULE,
            schedule_time=f"{settings.KESHANG_BACKUP_HOUR:02d}:{settings.KESHANG_BACKUP_MINUTE:02d}",
            keep=settings.KESHANG_BACKUP_KEEP,
        )
        return TemplateResponse(request, self.template_name, context)


class BackupRunView(ScopedViewMixin, View):
    """POST: 立即备份, run by the job queue; the page lists the run and the requester is notified when it ends."""

    model = BackupRun
    action = Action.ADD

    def post(self, request):
        backup.request_backup(actor=request.user)
        messages.success(request, _("已开始备份，完成后会通知您。"))
        return redirect_after_write(request, reverse("core:backup_list"))


class BackupDownloadView(ScopedViewMixin, View):
    model = BackupRun

    def get(self, request, name):
        if not request.user.is_superuser:
            raise PermissionDenied(_("只有超级管理员可以下载备份。"))
        found = backup.download_backup(actor=request.user, name=name)
        if found is None:
            raise Http404(_("未找到该备份。"))
        return FileResponse(
            found.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream"
        )


urlpatterns = [
    path("backups/", BackupListView.as_view(), name="backup_list"),
    path("backups/run/", BackupRunView.as_view(), name="backup_run"),
    path("backups/<str:name>/download/", BackupDownloadView.as_view(), name="backup_download"),
]
