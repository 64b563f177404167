"""Administrative regions (reference data, loaded by ``core.regions.load_regions``)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scope import ScopedManager

__all__ = ["RegionLevel", "Region"]


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
