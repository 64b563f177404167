"""Partners owns the 客商 master: one ``Partner`` for customers and suppliers, with its contacts,
addresses and bank accounts, the tags, industries and levels that classify partners, and the derived
keys that find them (search text) and keep them unique (name key, phone key, credit code)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.crypto import EncryptedTextField
from keshang.core.scope import ScopedManager
from keshang.core.versioning import VersionedModel
from keshang.org.models import OwnedModel

from .countries import country_choices
from .text import short_place_name

__all__ = [
    "Industry",
    "PartnerLevel",
    "Tag",
    "PartnerKind",
    "PartnerStatus",
    "PartnerSource",
    "PARTNER_EDITABLE_FIELDS",
    "Partner",
    "DecisionRole",
    "Contact",
    "AddressKind",
    "Address",
    "BankAccount",
    "HandoverKind",
    "HandoverReason",
    "Handover",
    "PoolRules",
    "SupplierProfile",
    "Qualification",
    "PartnerSearchGram",
]


#
# Classifications (configurable lists)
#


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


#
# Partners
#


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


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("决策人")
    INFLUENCER = "influencer", _("影响人")
    USER = "user", _("使用人")
    PURCHASER = "purchaser", _("采购人")
    FINANCE = "finance", _("财务")
    OTHER = "other", _("其他")


class Contact(VersionedModel):
    """A person at a partner. Governed by the partner's grants and scope (``scope_parent``)."""

    partner = models.ForeignKey(Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    decision_role = models.CharField(_("决策角色"), max_length=20, choices=DecisionRole.choices, blank=True)
    mobile = models.CharField(_("手机"), max_length=30, blank=True)
    # As Partner.phone_unverified, for the mobile number an import kept as typed.
    mobile_unverified = models.BooleanField(_("手机未核实"), default=False, editable=False)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    wechat = models.CharField(_("微信"), max_length=50, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    is_primary = models.BooleanField(_("主联系人"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "partner"
    sensitive_fields = ("mobile", "phone", "email", "wechat")
    audit_exclude = ("search_text", "version")

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = pgettext_lazy("plural", "联系人")
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_partner",
                violation_error_message=_("每个客商只能有一个主联系人。"),
            )
        ]

    def __str__(self):
        return self.name


class AddressKind(models.TextChoices):
    OFFICE = "office", _("办公地址")
    BILLING = "billing", _("开票地址")
    SHIPPING = "shipping", _("收货地址")


class Address(VersionedModel):
    partner = models.ForeignKey(Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("地址类型"), max_length=10, choices=AddressKind.choices, default=AddressKind.SHIPPING)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField(_("详细地址"), max_length=200)
    contact_name = models.CharField(_("收件人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_default = models.BooleanField(_("默认地址"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "partner"
    sensitive_fields = ("contact_phone",)
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("地址")
        verbose_name_plural = pgettext_lazy("plural", "地址")
        ordering = ["-is_default", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "kind"],
                condition=Q(is_default=True),
                name="address_one_default_per_kind",
                violation_error_message=_("同一类型只能有一个默认地址。"),
            )
        ]

    def __str__(self):
        region = self.region.full_name if self.region_id else ""
        return f"{region} {self.detail}".strip()


class BankAccount(VersionedModel):
    """A partner's bank account; the number is encrypted at rest and masked without view_sensitive."""

    partner = models.ForeignKey(Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="bank_accounts")
    bank_name = models.CharField(_("开户行"), max_length=100)
    account_name = models.CharField(_("户名"), max_length=100)
    account_number = EncryptedTextField(_("账号"))
    is_default = models.BooleanField(_("默认账户"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "partner"
    sensitive_fields = ("account_number",)
    # The audit trail is not encrypted, so it keeps only a masked number (that it changed, and its tail).
    audit_masked = ("account_number",)
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("银行账户")
        verbose_name_plural = pgettext_lazy("plural", "银行账户")
        ordering = ["-is_default", "pk"]

    def __str__(self):
        return f"{self.bank_name} {self.account_name}"


#
# Ownership: every move of a partner between owners and the pool (客户交接)
#


class HandoverKind(models.TextChoices):
    ASSIGN = "assign", _("分配")
    TRANSFER = "transfer", _("转移")
    RELEASE = "release", _("放入公海")
    CLAIM = "claim", _("从公海领取")
    RECYCLE = "recycle", _("自动回收")
    MERGE = "merge", _("合并")


class HandoverReason(models.TextChoices):
    RESIGNATION = "resignation", _("员工离职")
    REASSIGNMENT = "reassignment", _("岗位调整")
    CUSTOMER_REQUEST = "customer_request", _("客户要求")
    WORKLOAD = "workload", _("平衡工作量")
    NO_FOLLOWUP = "no_followup", _("长期未跟进")
    NO_DEAL = "no_deal", _("长期未成交")
    OTHER = "other", _("其他")


class Handover(models.Model):
    """One move of a partner's ownership, with what moved along (contacts, and what later modules report)."""

    partner = models.ForeignKey(Partner, verbose_name=_("客商"), on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(_("方式"), max_length=10, choices=HandoverKind.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("新负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=20, choices=HandoverReason.choices, blank=True)
    notes = models.TextField(_("交接说明"), blank=True)
    moved = models.JSONField(_("随之转移"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = ScopedManager()

    scope_parent = "partner"

    class Meta:
        verbose_name = _("客户交接")
        verbose_name_plural = _("客户交接")
        ordering = ["-id"]
        indexes = [models.Index(fields=["from_owner", "kind", "-created_at"], name="handover_release_idx")]

    def __str__(self):
        return f"{self.partner} {self.get_kind_display()}"


class PoolRules(models.Model):
    """The public pool's rules (one row): claim limit, re-claim cool-down and automatic recycling."""

    max_owned_customers = models.PositiveIntegerField(
        _("每人最多拥有客户数"), default=200, help_text=_("领取公海客户时检查；0 表示不限。")
    )
    claim_cooldown_days = models.PositiveIntegerField(
        _("放弃后重新领取的冷却天数"), default=30, help_text=_("放入公海的客户，原负责人在此期间内不能再领取。")
    )
    recycle_without_followup_days = models.PositiveIntegerField(
        _("未跟进自动回收天数"), null=True, blank=True, default=90, help_text=_("留空表示不自动回收。")
    )
    recycle_without_deal_days = models.PositiveIntegerField(
        _("未成交自动回收天数"), null=True, blank=True, default=180, help_text=_("留空表示不自动回收。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公海规则")
        verbose_name_plural = _("公海规则")

    def __str__(self):
        return str(_("公海规则"))


#
# Supplier profile and qualifications
#


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


#
# Search index: character bigrams, for the two-character queries trigram indexes cannot serve
#


class PartnerSearchGram(models.Model):
    """One two-character piece of a partner's name, short name or pinyin initials (see ``search.py``)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    # Derived from the partner's own fields and rebuilt with them: a merge lets the duplicate's go with it.
    derived_from_partner = True

    class Meta:
        indexes = [models.Index(fields=["gram", "partner"], name="partner_gram_idx")]

    def __str__(self):
        return self.gram
