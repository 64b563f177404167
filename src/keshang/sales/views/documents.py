"""Quotation and sales-order pages: generated from their declarations (``documents.QUOTATION``,
``documents.SALES_ORDER``) by ``core.documents.views.document_urls``; here only what is theirs alone — sending
a quotation by e-mail, and the customer's 报价单 and 销售订单 tabs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from keshang.core.documents.views import document_urls
from keshang.core.exceptions import ApplicationError
from keshang.core.forms import ScopedFormMixin
from keshang.core.permissions import Action
from keshang.core.registry import DetailAction
from keshang.core.scope import has_action
from keshang.core.views import ObjectDetailView, ObjectMixin, ScopedViewMixin, redirect_after_write
from keshang.partners.models import Partner

from ..documents import QUOTATION, SALES_ORDER
from ..models import Quotation
from ..services.printing import SENDABLE_STATES, send_quotation_email

__all__ = ["urlpatterns", "EMAIL_ACTION"]

# The 邮件发送 button (registered on the quotation's page in apps.py) and the page behind it ask the same
# permission, declared here once: sending marks the quotation sent, a change.
EMAIL_ACTION = DetailAction(
    "email", gettext_lazy("邮件发送"), "sales:quotation_email", action=Action.CHANGE, states=SENDABLE_STATES, order=30
)


class QuotationEmailForm(ScopedFormMixin, forms.Form):
    to = forms.EmailField(label=gettext_lazy("收件人"))
    subject = forms.CharField(label=gettext_lazy("主题"), max_length=200)
    message = forms.CharField(label=gettext_lazy("正文"), widget=forms.Textarea(attrs={"rows": 6}))


class QuotationEmailView(ScopedViewMixin, ObjectMixin, View):
    """Send the quotation's PDF by e-mail (a background job); an approved quotation is marked sent."""

    model = Quotation
    action = EMAIL_ACTION.action
    template_name = "sales/quotation_email.html"

    def initial(self, quotation):
        contact = quotation.contact
        return {
            "to": contact.email if contact and contact.email else "",
            "subject": _("报价单 %(number)s") % {"number": quotation},
            "message": _("您好：\n\n附件是我司报价单 %(number)s，请查收。\n\n%(owner)s")
            % {"number": quotation, "owner": quotation.owner},
        }

    def get(self, request, pk):
        quotation = self.get_object()
        form = QuotationEmailForm(initial=self.initial(quotation), user=request.user)
        return self.render(form, quotation)

    def render(self, form, quotation):
        context = self.get_context_data(
            form=form, object=quotation, cancel_url=reverse("sales:quotation_detail", args=[quotation.pk])
        )
        return TemplateResponse(self.request, self.template_name, context)

    def post(self, request, pk):
        quotation = self.get_object()
        form = QuotationEmailForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                send_quotation_email(actor=request.user, quotation=quotation, **form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, getattr(error, "message", None) or "；".join(error.messages))
            else:
                messages.success(request, _("报价单已加入发送队列：%(to)s") % {"to": form.cleaned_data["to"]})
                return redirect_after_write(request, reverse("sales:quotation_detail", args=[quotation.pk]))
        return self.render(form, quotation)


class PartnerDocumentsTabView(ObjectDetailView):
    """A customer's page, tab listing that customer's quotations or orders that the user may view, with 新建
    for those who may create one."""

    model = Partner
    template_name = "sales/partner_documents.html"
    document_type = None
    tab_key = ""

    def extra(self, obj):
        context = super().extra(obj)
        doc = type(self).document_type
        user = self.request.user
        documents = doc.selector(user=user).filter(partner=obj)[:100]
        may_add = obj.is_customer and has_action(user, doc.workflow.resource, Action.ADD)
        context.update(
            tab=self.tab_key,
            documents=documents,
            document_url=doc.url_name("detail"),
            add_document_url=f"{reverse(doc.url_name('add'))}?partner={obj.pk}" if may_add else None,
        )
        return context


class PartnerQuotationsView(PartnerDocumentsTabView):
    document_type = QUOTATION
    tab_key = "quotations"


class PartnerSalesOrdersView(PartnerDocumentsTabView):
    document_type = SALES_ORDER
    tab_key = "orders"


urlpatterns = [
    # Before the generated patterns: their last one takes any word after a document's id as a workflow move.
    path("quotations/<int:pk>/email/", QuotationEmailView.as_view(), name="quotation_email"),
    *document_urls(QUOTATION),
    *document_urls(SALES_ORDER),
    path("partner/<int:pk>/quotations/", PartnerQuotationsView.as_view(), name="partner_quotations"),
    path("partner/<int:pk>/orders/", PartnerSalesOrdersView.as_view(), name="partner_orders"),
]
