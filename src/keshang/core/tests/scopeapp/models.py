from django.db import models

from keshang.org.models import OwnedModel


class Memo(OwnedModel):
    title = models.CharField("标题", max_length=100)
    phone = models.CharField("电话", max_length=20, blank=True)

    sensitive_fields = ("phone",)

    class Meta:
        verbose_name = "备忘"
        verbose_name_plural = "备忘"

    def __str__(self):
        return self.title
