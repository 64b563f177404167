"""Contracts (合同) and their lines: one model for both directions. Sales kinds (销售合同, 框架协议) are made with a
customer and sold by one of our companies; the others (采购, 包装, 加工) with a supplier."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.catalog.lines.models import ProductLine
from keshang.core.documents.models import PricedDocument
from keshang.core.scope import ScopedManager
from keshang.org.models import OwnedModel

__all__ = [
    "ContractKind",
    "SALES_KINDS",
    "ContractStatus",
    "ContractCategory",
    "Contract",
    "ContractLine",
    "ContractOrder",
]


class ContractKind(models.TextChoices):
    SALES = "sales", _("销售合同")
    PURCHASE = "purchase", _("采购合同")
    PACKING = "packing", _("包装合同")
    PROCESSING = "processing", _("加工合同")
    FRAMEWORK = "framework", _("框架协议")


# Made with a customer (the others with a supplier); a framework agreement carries call-off sales orders.
SALES_KINDS = (ContractKind.SALES, ContractKind.FRAMEWORK)

# Each kind numbers from its own sequence (core.numbering): CS202612-00001 …
NUMBER_PREFIX = {
    ContractKind.SALES: "CS",
    ContractKind.PURCHASE: "CP",
    ContractKind.PACKING: "CB",
    ContractKind.PROCESSING: "CJ",
    ContractKind.FRAMEWORK: "CF",
}


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已审批")
    SIGNING = "signing", _("签署中")
    EFFECTIVE = "effective", _("已生效")
    EXECUTING = "executing", _("执行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")
    EXPIRED = "expired", _("已过期")
    # Replaced by an approved amendment (补充协议, issue 13): kept read-only, with its lines and stages.
    SUPERSEDED = "superseded", _("已变更")


class ContractCategory(models.Model):
    """The company's own list of contract categories (设备类, 原材料类 …), per kind or for all kinds."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("合同类型"), max_length=12, choices=ContractKind.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("合同分类")
        verbose_name_plural = pgettext_lazy("plural", "合同分类")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class Contract(PricedDocument, OwnedModel):
    """A contract. Numbered from its kind's sequence on first submission; its amount is its lines' total; its
    payment stages (``PaymentStage``) always sum to that amount. An amendment (补充协议) is the next revision:
    the same number, ``revision`` + 1, ``revised_from`` the revision it replaces once approved (issue 13)."""

    number = models.CharField(_("合同编号"), max_length=30, null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    revised_from = models.OneToOneField(
        "self", verbose_name=_("变更自"), null=True, blank=True, on_delete=models.PROTECT, related_name="revised_by"
    )
    kind = models.CharField(_("合同类型"), max_length=12, choices=ContractKind.choices, default=ContractKind.SALES)
    category = models.ForeignKey(
        ContractCategory, verbose_name=_("合同分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("合同名称"), max_length=200)
    # The template its PDF and Word file are printed from (issue 13); a new contract takes its kind's default.
    template = models.ForeignKey(
        "contracts.ContractTemplate",
        verbose_name=_("合同模板"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    status = models.CharField(_("状态"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    seller = models.ForeignKey(
        "org.Company", verbose_name=_("我方签约主体"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey("partners.Partner", verbose_name=_("对方"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "partners.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner_signer = models.CharField(_("对方签约人"), max_length=50, blank=True)
    our_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("我方签约人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sign_date = models.DateField(_("签订日期"))
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)
    end_date = models.DateField(_("到期日期"), null=True, blank=True)
    sign_place = models.CharField(_("签订地点"), max_length=100, blank=True)
    # A framework agreement with a cap: its call-off orders may not exceed its amount, nor a line's quantity.
    capped = models.BooleanField(_("限额"), default=False)
    quotation = models.ForeignKey(
        "sales.Quotation",
        verbose_name=_("来源报价单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expected_margin = models.DecimalField(_("预计毛利"), max_digits=18, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审批通过时间"), null=True, blank=True)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    # The end date its owner was told about (issue 13): told once per end date, again only if an amendment moves it.
    expiry_notified_for = models.DateField(_("已提醒的到期日期"), null=True, blank=True, editable=False)

    # Priced, numbered and converted at the date it is signed (drafted: today until a sign date is set).
    date_field = "sign_date"
    # The partner's owner reads the contracts colleagues made with their customer or supplier.
    scope_viewer_fields = ("partner__owner",)
    # The margin is worked out from cost prices: masked like them.
    sensitive_fields = ("expected_margin",)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = pgettext_lazy("plural", "合同")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="contract_owner_idx"),
            models.Index(fields=["partner", "-id"], name="contract_partner_idx"),
            models.Index(fields=["status", "end_date"], name="contract_status_end_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"],
                name="contract_unique_number_revision",
                violation_error_message=_("合同编号与版本重复。"),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(effective_date__isnull=True)
                | models.Q(end_date__gte=models.F("effective_date")),
                name="contract_end_after_effective",
                violation_error_message=_("到期日期不能早于生效日期。"),
            ),
        ]

    def __str__(self):
        if not self.number:
            return str(_("合同草稿 #%(pk)s") % {"pk": self.pk})
        # Amendments are shown CS202612-00001-A1, -A2 …
        return self.number if self.revision == 1 else f"{self.number}-A{self.revision - 1}"

    @property
    def is_sales(self) -> bool:
        return self.kind in SALES_KINDS

    @property
    def amount(self) -> Decimal:
        """The contract amount: its lines' total including VAT, in its currency."""
        return self.gross_amount


class ContractLine(ProductLine):
    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="lines")

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("合同明细")
        verbose_name_plural = pgettext_lazy("plural", "合同明细")
        ordering = ["contract", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.product}"


class ContractOrder(models.Model):
    """A sales order made under a contract (from an approved contract, or a call-off of a framework agreement).
    Kept here, not on the order: sales knows nothing of contracts."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="order_links")
    order = models.OneToOneField(
        "sales.SalesOrder", verbose_name=_("销售订单"), on_delete=models.CASCADE, related_name="contract_link"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("合同订单")
        verbose_name_plural = pgettext_lazy("plural", "合同订单")
        ordering = ["contract", "pk"]

    def __str__(self):
        return f"{self.contract} → {self.order}"
