"""Units of measure (个, 箱, 千克…) products are counted and sold in."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager

__all__ = ["Unit"]


class Unit(models.Model):
    """A unit of measure (个, 箱, 千克…)."""

    name = models.CharField(_("单位名称"), max_length=20, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("计量单位")
        verbose_name_plural = pgettext_lazy("plural", "计量单位")
        ordering = ["name"]

    def __str__(self):
        return self.name
