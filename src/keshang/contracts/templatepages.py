"""The pages of contract templates (issue 13): list, add, detail (the body rendered as a preview, the version
history), edit (the body with a field picker, a Word upload), delete and history, declared once with
``core.modelviews``; the 预览 page filling the body with a contract the user picks among those they may view (HTML
and PDF); and, on a contract, its Word file (下载 Word) and its PDF printed from its template."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.filters import ScopedFilterSet
from keshang.core.forms import ScopedFormMixin
from keshang.core.identifiers import parse_pk
from keshang.core.modelviews import ModelViews, model_urls
from keshang.core.permissions import Action
from keshang.core.registry import DetailAction
from keshang.core.tables import Column, Table
from keshang.core.views import ObjectDetailView, ObjectEditView, ObjectMixin, ScopedViewMixin

from . import selectors, services
from .models import Contract, ContractKind, ContractTemplate
from .printing import contract_filename, template_preview_pdf
from .services.context import contract_context
from .templating import field_groups, render_docx, render_html

__all__ = [
    "TEMPLATE_VIEWS",
    "template_urlpatterns",
    "ContractWordView",
    "WordAction",
    "word_response",
]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ContractTemplateFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("搜索"), field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices, label=gettext_lazy("合同类型"))
    is_active = django_filters.BooleanFilter(label=gettext_lazy("启用"))

    class Meta:
        model = ContractTemplate
        fields = ["q", "kind", "is_active"]


class ContractTemplateTable(Table):
    columns = (
        Column("name", gettext_lazy("模板名称"), order_by="name", link=True),
        Column("kind", gettext_lazy("合同类型"), order_by="kind"),
        Column("category", gettext_lazy("合同分类")),
        Column("version", gettext_lazy("版本"), order_by="version"),
        Column("is_default", gettext_lazy("默认模板"), order_by="is_default"),
        Column("is_active", gettext_lazy("启用"), order_by="is_active"),
        Column("updated_at", gettext_lazy("更新时间"), order_by="updated_at"),
    )
    default_order = "kind"


class ContractTemplateForm(ScopedFormMixin, forms.ModelForm):
    """The body is a textarea the picker (``static/contracts/template_editor.js``) inserts ``{{字段}}`` into; the
    service cleans and checks it, refusing unknown fields by name."""

    # A plain file input: the stored file is not linked (media files are served through the app only).
    docx = forms.FileField(
        label=gettext_lazy("Word 模板"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
        help_text=gettext_lazy("可选：.docx 文件，字段写作 {{字段名}}；下载 Word 时按合同数据填写。"),
    )
    remove_docx = forms.BooleanField(label=gettext_lazy("删除已上传的 Word 文件"), required=False)

    class Meta:
        model = ContractTemplate
        fields = ["name", "kind", "category", "body", "docx", "is_default", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 22, "class": "font-monospace", "data-merge-target": ""})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.fields["category"].queryset.filter(is_active=True)
        self.fields["body"].help_text = _("HTML 正文；点击右侧字段插入 {{字段名}}。产品明细表、付款条款须单独成段。")

    def clean(self):
        """``docx`` as the service takes it: a new file, ``False`` to remove the stored one, None to keep it."""
        data = super().clean()
        remove = data.pop("remove_docx", False)
        if not isinstance(data.get("docx"), UploadedFile):  # nothing uploaded: the form gives the stored file back
            data["docx"] = False if remove else None
        return data

    def validate_unique(self):
        """The service checks the one-default rule after the new default took over from the old one."""


class ContractTemplateDetailView(ObjectDetailView):
    """The template's fields, its body as it reads (fields shown as {{名称}}), its versions and a 预览 link."""

    template_name = "contracts/contracttemplate_detail.html"

    def extra(self, obj):
        context = super().extra(obj)
        context.update(
            body_html=mark_safe(obj.body),  # stored cleaned by prepare_template (nh3): safe to show
            versions=obj.versions.select_related("created_by")[:50],
            preview_url=reverse("contracts:contracttemplate_preview", args=[obj.pk]),
        )
        return context


class ContractTemplateEditView(ObjectEditView):
    template_name = "contracts/contracttemplate_edit.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(field_groups=field_groups(), **kwargs)


TEMPLATE_VIEWS = ModelViews(
    model=ContractTemplate,
    url_prefix="templates",
    table=ContractTemplateTable,
    filterset=ContractTemplateFilterSet,
    form_class=ContractTemplateForm,
    save=services.save_template,
    delete=services.delete_template,
    export_basename="contract-templates",
    detail_fields=("name", "kind", "category", "version", "docx_sha256", "is_default", "is_active", "updated_at"),
    detail_view=ContractTemplateDetailView,
    edit_view=ContractTemplateEditView,
)


class ContractTemplatePreviewView(ScopedViewMixin, ObjectMixin, View):
    """预览: the body filled with a contract the user picks among those they may view (``?contract=``), as HTML,
    or as the PDF (``?format=pdf``)."""

    model = ContractTemplate
    action = Action.VIEW
    template_name = "contracts/contracttemplate_preview.html"

    def get(self, request, pk):
        template = self.get_object()
        contracts = selectors.list_contracts(user=request.user).select_related("partner").order_by("-pk")
        chosen = None
        contract_pk = parse_pk(request.GET.get("contract", ""))
        if contract_pk is not None:
            chosen = contracts.filter(pk=contract_pk).first()
            if chosen is None:
                raise Http404(_("未找到。"))
        if chosen is not None and request.GET.get("format") == "pdf":
            content = template_preview_pdf(template.body, chosen, user=request.user)
            response = HttpResponse(content, content_type="application/pdf")
            filename = f"{template.name}-{chosen}.pdf".replace("/", "-")
            response["Content-Disposition"] = content_disposition_header(False, filename)
            return response
        preview, error = None, ""
        if chosen is not None:
            try:
                preview = mark_safe(render_html(template.body, contract_context(chosen, user=request.user)))
            except ApplicationError as refusal:  # a body stored before a field was renamed
                error = refusal.message
        context = self.get_context_data(
            object=template,
            contracts=contracts[:200],
            chosen=chosen,
            preview=preview,
            error=error,
            pdf_url=f"?contract={chosen.pk}&format=pdf" if chosen else "",
            cancel_url=reverse("contracts:contracttemplate_detail", args=[template.pk]),
        )
        return TemplateResponse(request, self.template_name, context)


def word_response(contract: Contract, *, user) -> HttpResponse:
    """The contract's Word file: its template's .docx filled with its data as ``user`` may see it; 404 without."""
    template = contract.template
    if template is None or not template.docx:
        raise Http404(_("该合同的模板没有 Word 文件。"))
    with template.docx.open("rb") as file:
        data = file.read()
    content = render_docx(data, contract_context(contract, user=user))
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, contract_filename(contract, "docx"))
    return response


class WordAction(DetailAction):
    """下载 Word on a contract: shown only when its template has a Word file (registered in apps.py)."""

    def applies(self, obj) -> bool:
        return super().applies(obj) and bool(obj.template_id and obj.template.docx)


class ContractWordView(ScopedViewMixin, ObjectMixin, View):
    """下载 Word: for whoever may view the contract (within scope)."""

    model = Contract
    action = Action.VIEW
    selector = selectors.list_contracts

    def get(self, request, pk):
        contract = self.get_object()
        return word_response(contract, user=request.user)


template_urlpatterns = [
    path("templates/<int:pk>/preview/", ContractTemplatePreviewView.as_view(), name="contracttemplate_preview"),
    *model_urls(TEMPLATE_VIEWS),
    path("contracts/<int:pk>/word/", ContractWordView.as_view(), name="contract_word"),
]
