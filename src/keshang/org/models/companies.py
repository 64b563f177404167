"""Our own companies (签约主体 / 销售方): a group may trade through several. Each has its 统一社会信用代码, address,
bank accounts and seal image; documents name the company that sells or signs (quotations, orders, contracts),
and their prints carry its name, address, bank and seal."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.crypto import EncryptedTextField
from keshang.core.scope import ScopedManager

from .organisation import PHONE_VALIDATOR

__all__ = ["Company", "CompanyBankAccount"]


class Company(models.Model):
    """Shared master data (not owned): everyone who writes documents reads it; administrators keep it."""

    name = models.CharField(_("公司名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("邮箱"), blank=True)
    seal = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("公章图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("先在“附件”中上传公章图片（PNG/JPEG），再在此选择。只印在已生效的单据上。"),
    )
    is_default = models.BooleanField(_("默认销售方"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("我方公司")
        verbose_name_plural = pgettext_lazy("plural", "我方公司")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="company_one_default",
                violation_error_message=_("只能有一个默认销售方。"),
            )
        ]

    def __str__(self):
        return self.name

    def print_block(self, *, currency: str = "CNY") -> dict:
        """What a print says about the seller: name, address, phone, credit code and the bank account to pay into
        — one in the document's currency (the default among them first), else the default account."""
        accounts = self.bank_accounts.order_by("-is_default", "pk")
        account = accounts.filter(currency=currency).first() or accounts.first()
        return {
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "credit_code": self.credit_code or "",
            "bank": f"{account.bank_name} {account.account_number}" if account else "",
        }


class CompanyBankAccount(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("我方公司"), on_delete=models.CASCADE, related_name="bank_accounts"
    )
    bank_name = models.CharField(_("开户行"), max_length=100)
    account_name = models.CharField(_("户名"), max_length=100)
    account_number = EncryptedTextField(_("账号"))
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    is_default = models.BooleanField(_("默认账户"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_parent = "company"
    sensitive_fields = ("account_number",)
    audit_masked = ("account_number",)

    class Meta:
        verbose_name = _("银行账户")
        verbose_name_plural = pgettext_lazy("plural", "银行账户")
        ordering = ["company", "-is_default", "pk"]

    def __str__(self):
        return f"{self.bank_name} {self.account_name}"
