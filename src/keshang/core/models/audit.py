"""The audit trail (STYLE.md §4, after NetBox's ObjectChange): append-only entries, one per change or
security event."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..scope import ScopedQuerySet

__all__ = ["AuditAction", "AuditEntry"]


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
