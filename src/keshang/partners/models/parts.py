"""The parts of a partner: its contacts, addresses and bank accounts. Each is governed by the partner's grants and
scope (``scope_parent``): changing a part is changing the partner."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.crypto import EncryptedTextField
from keshang.core.scope import ScopedManager
from keshang.core.versioning import VersionedModel

from .partners import Partner

__all__ = ["DecisionRole", "Contact", "AddressKind", "Address", "BankAccount"]


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

    def get_absolute_url(self) -> str:
        return reverse("partners:contact_detail", args=[self.pk])


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
    # Issue 12, finding 10: a new default (or a changed default) waits here until a second person confirms it;
    # until then the previous default stays the default. Set by the services only.
    pending = models.BooleanField(_("待确认"), default=False, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
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
