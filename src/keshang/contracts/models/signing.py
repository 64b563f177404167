"""Electronic signing (issue 13): our companies' certificates, the contract's signed files (immutable, one row per
version), the links a customer signs through, and the archive (归档) with its loans (借阅)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.crypto import EncryptedTextField
from keshang.core.scope import ScopedManager

from .contracts import Contract

__all__ = [
    "CompanyCertificate",
    "DocumentKind",
    "ContractDocument",
    "SigningLink",
    "ContractArchive",
    "ContractLoan",
]


class CompanyCertificate(models.Model):
    """A company's signing certificate: the PKCS#12 file (base64) and its password, both encrypted at rest and never
    shown. A trial one is self-signed (试用证书): Keshang vouches for it, no CA does."""

    company = models.ForeignKey(
        "org.Company", verbose_name=_("我方公司"), on_delete=models.PROTECT, related_name="certificates"
    )
    pkcs12 = EncryptedTextField(_("证书文件"))
    password = EncryptedTextField(_("证书密码"), blank=True)
    subject_name = models.CharField(_("证书主体"), max_length=200)
    organisation = models.CharField(_("证书单位"), max_length=200, blank=True)
    serial = models.CharField(_("序列号"), max_length=80)
    fingerprint = models.CharField(_("指纹（SHA-256）"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("生效时间"))
    not_after = models.DateTimeField(_("失效时间"))
    is_trial = models.BooleanField(_("试用证书"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    # Never in the trail, not even masked: the key file and its password.
    audit_exclude = ("pkcs12", "password")

    class Meta:
        verbose_name = _("签章证书")
        verbose_name_plural = pgettext_lazy("plural", "签章证书")
        ordering = ["company", "-is_active", "-created_at"]

    def __str__(self):
        label = f"{self.subject_name}（{_('试用证书')}）" if self.is_trial else self.subject_name
        return f"{label} {self.serial[:12]}"


class DocumentKind(models.TextChoices):
    OURS_SIGNED = "ours_signed", _("我方签署")
    BOTH_SIGNED = "both_signed", _("双方签署")
    UPLOADED = "uploaded", _("上传")


def _document_path(instance, filename):
    return f"contracts/signed/{instance.contract_id}/{filename}"


class ContractDocument(models.Model):
    """One version of a contract's signed file. Never changed or deleted: a new PDF is a new version."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(_("版本"))
    kind = models.CharField(_("类型"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    # Where each party signs on the pages (PDF points): the final document signs again in the same places.
    areas = models.JSONField(_("签名位置"), default=dict, blank=True)
    # Who made this version, from where (the 签署记录 page of the final document repeats it).
    signer_name = models.CharField(_("签署人"), max_length=100, blank=True)
    signer_ip = models.GenericIPAddressField(_("签署 IP"), null=True, blank=True)
    signer_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("合同文件")
        verbose_name_plural = pgettext_lazy("plural", "合同文件")
        ordering = ["contract", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "version"],
                name="contractdocument_one_version",
                violation_error_message=_("该合同已有此版本的文件。"),
            )
        ]

    def __str__(self):
        return f"{self.contract} v{self.version} {self.get_kind_display()}"


class SigningLink(models.Model):
    """A link the customer signs through, without an account. Only hashes of the token and of the one-time code
    are kept: the link is shown once, to the rep who sends it."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="sign_links")
    document = models.ForeignKey(
        ContractDocument, verbose_name=_("签署文件"), on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    email = models.EmailField(_("发送至邮箱"), blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    signer_name = models.CharField(_("签署人"), max_length=100, blank=True)
    signer_ip = models.GenericIPAddressField(_("签署 IP"), null=True, blank=True)
    signer_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("签署链接")
        verbose_name_plural = pgettext_lazy("plural", "签署链接")
        ordering = ["contract", "-created_at"]

    def __str__(self):
        return f"{self.contract} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.contract)


class ContractArchive(models.Model):
    """归档: the contract both sides signed, its final file and where the paper copy is kept."""

    contract = models.OneToOneField(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="archive")
    number = models.CharField(_("归档编号"), max_length=30, unique=True)
    document = models.ForeignKey(
        ContractDocument, verbose_name=_("归档文件"), on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    archived_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("归档人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    cabinet = models.CharField(_("柜"), max_length=50, blank=True)
    box = models.CharField(_("盒"), max_length=50, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("合同归档")
        verbose_name_plural = pgettext_lazy("plural", "合同归档")
        ordering = ["-archived_at", "-pk"]

    def __str__(self):
        return self.number


class ContractLoan(models.Model):
    """借阅: someone borrowed the paper copy of an archived contract."""

    archive = models.ForeignKey(ContractArchive, verbose_name=_("归档"), on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借阅人"), on_delete=models.PROTECT, related_name="+"
    )
    borrowed_at = models.DateTimeField(_("借出时间"), auto_now_add=True)
    due_on = models.DateField(_("应还日期"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)

    objects = ScopedManager()

    scope_parent = "archive"

    class Meta:
        verbose_name = _("合同借阅")
        verbose_name_plural = pgettext_lazy("plural", "合同借阅")
        ordering = ["archive", "-borrowed_at"]

    def __str__(self):
        return f"{self.archive} {self.borrower}"
