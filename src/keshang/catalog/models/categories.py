"""How products are grouped: the category tree and brands."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager

__all__ = ["ProductCategory", "Brand"]


class ProductCategory(models.Model):
    """A node of the category tree; ``path`` ("/1/4/") selects a subtree in one query, like departments."""

    name = models.CharField(_("分类名称"), max_length=50)
    code = models.CharField(
        _("分类编码"),
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_\-]+$", _("编码只能包含字母、数字、下划线和短横线。"))],
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("商品分类")
        verbose_name_plural = pgettext_lazy("plural", "商品分类")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="productcategory_unique_name_per_parent",
                violation_error_message=_("同一上级分类下已有同名分类。"),
            )
        ]

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(_("品牌名称"), max_length=50, unique=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = pgettext_lazy("plural", "品牌")
        ordering = ["name"]

    def __str__(self):
        return self.name
