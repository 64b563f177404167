"""The partner itself: one ``Partner`` for customers and suppliers, owned (owner, department, collaborators) or
in the public pool, with the derived keys that find it (search text) and keep it unique (name key, phone key,
credit code)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager
from keshang.core.versioning import VersionedModel
from keshang.org.models import OwnedModel

from ..countries import country_choices
from ..text import short_place_name
from .classifications import Industry, PartnerLevel, Tag

__all__ = ["PartnerKind", "PartnerStatus", "PartnerSource", "PARTNER_EDITABLE_FIELDS", "Partner"]


class PartnerKind(models.TextChoices):
    COMPANY = "company", _("企业")
    INDIVIDUAL = "individual", _("个人")


class PartnerStatus(models.TextChoices):
    POTENTIAL = "potential", _("潜在")
    INTENT = "intent", _("意向")
    DEAL = "deal", _("成交")
    LOST = "lost", _("流失")


class PartnerSource(models.TextChoices):
    WEBSITE = "website", _("官网")
    EXHIBITION = "exhibition", _("展会")
    REFERRAL = "referral", _("转介绍")
    TELEMARKETING = "telemarketing", _("电话营销")
    ADVERTISING = "advertising", _("广告")
    EXISTING = "existing", _("老客户")
    IMPORT = "import", _("导入")
    OTHER = "other", _("其他")


# What people type about a partner, in form order; forms, the API and the services share it.
PARTNER_EDITABLE_FIELDS = (
    "code",
    "kind",
    "is_customer",
    "is_supplier",
    "name",
    "short_name",
    "credit_code",
    "industry",
    "level",
    "status",
    "source",
    "country",
    "region",
    "address",
    "phone",
    "email",
    "website",
    "tags",
    "credit_limit",
    "payment_terms",
    "notes",
)


class Partner(VersionedModel, OwnedModel):
    """A customer and/or supplier. Owned (owner, department, collaborators); no owner = in the pool.
    ``version`` guards edits against overwriting someone else's (core/versioning.py)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_partners",
    )
    # 客户编号 / 供应商编号: typed or imported, else given from a sequence when the partner is created
    # (services.assign_partner_codes). NULL, not "", when there is none: unique then holds on both databases.
    code = models.CharField(
        _("编号"),
        max_length=30,
        null=True,
        blank=True,
        unique=True,
        help_text=_("客户编号或供应商编号；新建时不填则自动生成。"),
        error_messages={"unique": _("该编号已被其他客商使用。")},
    )
    kind = models.CharField(_("类型"), max_length=12, choices=PartnerKind.choices, default=PartnerKind.COMPANY)
    is_customer = models.BooleanField(_("客户"), default=True)
    is_supplier = models.BooleanField(_("供应商"), default=False)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业"), null=True, blank=True, on_delete=models.SET_NULL, related_name="partners"
    )
    country = models.CharField(_("国家/地区"), max_length=2, choices=country_choices, default="CN")
    region = models.ForeignKey(
        "core.Region", verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # Set only by an import that chose to keep numbers it could not read: the phone is then stored as typed
    # and has no duplicate key. Typing a new number (which must be valid) clears it.
    phone_unverified = models.BooleanField(_("电话未核实"), default=False, editable=False)
    email = models.EmailField(_("邮箱"), blank=True)
    website = models.URLField(_("网址"), blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=PartnerSource.choices, blank=True)
    level = models.ForeignKey(
        PartnerLevel, verbose_name=_("级别"), null=True, blank=True, on_delete=models.SET_NULL, related_name="partners"
    )
    status = models.CharField(_("状态"), max_length=12, choices=PartnerStatus.choices, default=PartnerStatus.POTENTIAL)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="partners")
    credit_limit = models.DecimalField(
        _("信用额度"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_terms = models.CharField(_("付款条件"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    last_followup_at = models.DateTimeField(_("最近跟进"), null=True, blank=True, db_index=True)
    last_deal_at = models.DateTimeField(_("最近成交"), null=True, blank=True, db_index=True)
    owned_since = models.DateTimeField(_("获得时间"), null=True, blank=True, editable=False)

    # Derived in the service layer, never typed in: duplicate keys and the search text.
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    phone_key = models.CharField(max_length=20, editable=False, db_index=True, default="")
    search_text = models.TextField(editable=False, default="")

    objects = ScopedManager()

    sensitive_fields = ("phone", "email")
    # The version says only that something changed, which the entry itself shows.
    audit_exclude = ("name_key", "phone_key", "search_text", "version")

    class Meta:
        verbose_name = _("客商")
        verbose_name_plural = pgettext_lazy("plural", "客商")
        ordering = ["-id"]
        indexes = [
            # With the department: counting an owner's partners within a manager's scope (the list's total)
            # reads the index alone instead of 10,000 rows.
            models.Index(fields=["owner", "-id", "department"], name="partner_owner_idx"),
            # The list's default order (newest first) within one owner's partners, without a sort step.
            models.Index(fields=["owner", "-created_at"], name="partner_owner_created_idx"),
            models.Index(fields=["department", "-id"], name="partner_department_idx"),
            models.Index(fields=["status", "-id"], name="partner_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_customer=True) | Q(is_supplier=True),
                name="partner_is_customer_or_supplier",
                violation_error_message=_("客商至少应是客户或供应商之一。"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:partner_detail", args=[self.pk])

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None

    def place_display(self) -> str:
        """Where it is, briefly, for lists: province and city in China (广东 深圳), else the country."""
        if self.country != "CN":
            return self.get_country_display()
        return " ".join(short_place_name(part) for part in self.region.full_name.split()[:2]) if self.region_id else ""

    def roles_display(self) -> str:
        roles = [str(_("客户")) if self.is_customer else "", str(_("供应商")) if self.is_supplier else ""]
        return "、".join(role for role in roles if role)
