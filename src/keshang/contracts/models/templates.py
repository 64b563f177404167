"""Contract templates (合同模板, issue 13): a rich-text body with merge fields (``contracts.templating``), an
optional Word file, one default per kind and category; every saved version is kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.scope import ScopedManager

from .contracts import ContractCategory, ContractKind

__all__ = ["ContractTemplate", "ContractTemplateVersion"]


class ContractTemplate(models.Model):
    """Shared master data, kept by administrators and sales managers. ``body`` is stored as
    ``templating.prepare_template()`` returns it; ``docx`` passed ``templating.check_docx()``."""

    name = models.CharField(_("模板名称"), max_length=100)
    kind = models.CharField(_("合同类型"), max_length=12, choices=ContractKind.choices)
    category = models.ForeignKey(
        ContractCategory, verbose_name=_("合同分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("模板正文"))
    docx = models.FileField(_("Word 模板"), upload_to="contract_templates/", blank=True, max_length=200)
    docx_sha256 = models.CharField(_("Word 文件摘要"), max_length=64, blank=True, editable=False)
    is_default = models.BooleanField(_("默认模板"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("合同模板")
        verbose_name_plural = pgettext_lazy("plural", "合同模板")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category"],
                condition=models.Q(is_default=True, category__isnull=False),
                name="contract_template_one_default",
                violation_error_message=_("该合同类型和分类已有默认模板。"),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_default=True, category__isnull=True),
                name="contract_template_one_default_kind",
                violation_error_message=_("该合同类型已有默认模板。"),
            ),
        ]

    def __str__(self):
        return self.name


class ContractTemplateVersion(models.Model):
    """One saved version of a template, as it was: kept for ever (a contract printed from version 3 can be
    traced)."""

    template = models.ForeignKey(
        ContractTemplate, verbose_name=_("合同模板"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("版本"))
    body = models.TextField(_("模板正文"))
    docx_sha256 = models.CharField(_("Word 文件摘要"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("保存人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    objects = ScopedManager()

    scope_parent = "template"

    class Meta:
        verbose_name = _("合同模板版本")
        verbose_name_plural = pgettext_lazy("plural", "合同模板版本")
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "version"],
                name="contract_template_version_unique",
                violation_error_message=_("该版本已存在。"),
            )
        ]

    def __str__(self):
        return f"{self.template} v{self.version}"
