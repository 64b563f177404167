"""What partners that are suppliers have besides: a profile (main products, ratings) and qualifications."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.scope import ScopedManager

from .partners import Partner

__all__ = ["SupplierProfile", "Qualification"]


class SupplierProfile(models.Model):
    partner = models.OneToOneField(
        Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="supplier_profile"
    )
    main_products = models.TextField(_("主营产品或服务"), blank=True)
    rating_delivery = models.PositiveSmallIntegerField(_("交付评分"), null=True, blank=True)
    rating_quality = models.PositiveSmallIntegerField(_("质量评分"), null=True, blank=True)
    rating_price = models.PositiveSmallIntegerField(_("价格评分"), null=True, blank=True)
    rating_service = models.PositiveSmallIntegerField(_("服务评分"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "partner"

    class Meta:
        verbose_name = _("供应商档案")
        verbose_name_plural = _("供应商档案")
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(rating_delivery__isnull=True) | Q(rating_delivery__range=(1, 5)))
                    & (Q(rating_quality__isnull=True) | Q(rating_quality__range=(1, 5)))
                    & (Q(rating_price__isnull=True) | Q(rating_price__range=(1, 5)))
                    & (Q(rating_service__isnull=True) | Q(rating_service__range=(1, 5)))
                ),
                name="supplierprofile_ratings_1_to_5",
                violation_error_message=_("评分须在 1 到 5 之间。"),
            )
        ]

    def __str__(self):
        return str(self.partner)


class Qualification(models.Model):
    """A supplier's licence or certificate; the notification centre warns before it expires."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="qualifications"
    )
    name = models.CharField(_("资质名称"), max_length=100)
    number = models.CharField(_("证书编号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("到期日期"), null=True, blank=True, db_index=True)
    file = models.FileField(_("证书文件"), upload_to="qualifications/%Y/%m/", blank=True)
    expiry_notified_on = models.DateField(_("到期提醒日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "partner"

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["expires_on", "pk"]

    def __str__(self):
        return self.name
