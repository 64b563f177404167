"""Collaborations: an owned record shared with a user for reading or writing (``scope_collaborators``)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Collaboration"]


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
