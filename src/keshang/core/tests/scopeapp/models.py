from django.conf import settings
from django.db import models

from keshang.org.models import OwnedModel


class Memo(OwnedModel):
    title = models.CharField("标题", max_length=100)
    phone = models.CharField("电话", max_length=20, blank=True)
    # Someone who reads the memo whatever their scope, as a customer's owner reads the orders made on it.
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="读者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    sensitive_fields = ("phone",)
    scope_viewer_fields = ("reader",)

    class Meta:
        verbose_name = "备忘"
        verbose_name_plural = "备忘"

    def __str__(self):
        return self.title
