"""The configurable lists that classify partners: industries, customer levels and tags."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from keshang.core.scope import ScopedManager

__all__ = ["Industry", "PartnerLevel", "Tag"]


class Industry(models.Model):
    name = models.CharField(_("行业"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PartnerLevel(models.Model):
    """Customer level (A/B/C/D…): configurable, ordered from most to least important."""

    code = models.CharField(_("级别代码"), max_length=10, unique=True)
    name = models.CharField(_("级别名称"), max_length=30)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("客户级别")
        verbose_name_plural = _("客户级别")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=30, unique=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self):
        return self.name
