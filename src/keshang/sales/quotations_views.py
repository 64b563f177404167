"""Quotation and sales-order pages (see documents_views.py for the shared classes), printing and e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.forms import ScopedFormMixin
from keshang.core.permissions import Action
from keshang.core.views import ObjectHistoryView, ObjectListView, ObjectMixin, ScopedViewMixin, redirect_after_write

from . import orders, printing, quotations, selectors
from .documents_filters import QuotationFilterSet, SalesOrderFilterSet
from .documents_forms import QuotationForm, SalesOrderForm
from .documents_tables import QuotationTable, SalesOrderTable
from .documents_views import (
    DocumentDeleteView,
    DocumentDetailView,
    DocumentEditView,
    DocumentMoveView,
    LinePreviewView,
    PartnerDocumentsTabView,
)
from .models import Quotation, QuotationStatus, SalesOrder, SalesOrderStatus

Q = QuotationStatus
O = SalesOrderStatus  # noqa: E741

#
# Quotations
#


class QuotationListView(ObjectListView):
    model = Quotation
    selector = selectors.list_quotations
    table = QuotationTable
    filterset = QuotationFilterSet
    export_basename = "quotations"


class QuotationDetailView(DocumentDetailView):
    model = Quotation
    selector = selectors.list_quotations
    editable_states = (Q.DRAFT, Q.APPROVED)
    detail_fields = (
        "status",
        "partner",
        "contact",
        "opportunity",
        "quote_date",
        "valid_until",
        "payment_terms",
        "delivery_terms",
        "notes",
        "owner",
        "department",
        "revised_from",
        "submitted_at",
        "approved_at",
        "sent_at",
    )
    # key, label, css, action, states, confirmation text (None: no confirmation page)
    moves = (
        ("submit", gettext_lazy("提交"), "btn-primary", Action.CHANGE, (Q.DRAFT,), None),
        ("withdraw", gettext_lazy("撤回审批"), "btn-outline-secondary", Action.CHANGE, (Q.SUBMITTED,), None),
        ("send", gettext_lazy("标记为已发送"), "btn-outline-primary", Action.CHANGE, (Q.APPROVED,), None),
        ("accept", gettext_lazy("客户已接受"), "btn-success", Action.CHANGE, (Q.SENT,), None),
        ("reject", gettext_lazy("客户已拒绝"), "btn-outline-danger", Action.CHANGE, (Q.SENT,), True),
        ("to_order", gettext_lazy("转为销售订单"), "btn-success", Action.CHANGE, (Q.ACCEPTED,), None),
        (
            "revise",
            gettext_lazy("修订"),
            "btn-outline-secondary",
            Action.CHANGE,
            (Q.APPROVED, Q.SENT, Q.REJECTED, Q.EXPIRED),
            None,
        ),
        ("copy", gettext_lazy("复制"), "btn-outline-secondary", Action.ADD, tuple(Q.values), None),
    )

    def extra(self, obj):
        context = super().extra(obj)
        can_view = self.can(Action.VIEW, obj)
        context["print_links"] = (
            [
                (reverse("sales:quotation_print", args=[obj.pk]), _("打印")),
                (reverse("sales:quotation_pdf", args=[obj.pk]), _("下载 PDF")),
            ]
            + ([(reverse("sales:quotation_email", args=[obj.pk]), _("邮件发送"))] if obj.number else [])
            if can_view
            else []
        )
        context["revisions"] = obj.revised_from
        return context


class QuotationEditView(DocumentEditView):
    model = Quotation
    form_class = QuotationForm
    create_service = quotations.create_quotation
    update_service = quotations.update_quotation
    document_kwarg = "quotation"


class QuotationLinePreviewView(LinePreviewView):
    model = Quotation
    form_class = QuotationForm


class QuotationDeleteView(DocumentDeleteView):
    model = Quotation
    delete_service = quotations.delete_quotation
    document_kwarg = "quotation"


class QuotationHistoryView(ObjectHistoryView):
    model = Quotation


class QuotationMoveView(DocumentMoveView):
    model = Quotation
    document_kwarg = "quotation"
    services = {
        "submit": (quotations.submit_quotation, gettext_lazy("提交"), False, Action.CHANGE),
        "withdraw": (quotations.withdraw_quotation, gettext_lazy("撤回审批"), False, Action.CHANGE),
        "send": (quotations.mark_quotation_sent, gettext_lazy("标记为已发送"), False, Action.CHANGE),
        "accept": (quotations.accept_quotation, gettext_lazy("客户已接受"), False, Action.CHANGE),
        "reject": (
            quotations.reject_quotation,
            gettext_lazy("客户已拒绝"),
            True,
            Action.CHANGE,
        ),
        "revise": (quotations.revise_quotation, gettext_lazy("修订"), False, Action.CHANGE),
        "copy": (quotations.copy_quotation, gettext_lazy("复制"), False, Action.VIEW),
        "to_order": (
            orders.create_order_from_quotation,
            gettext_lazy("转为销售订单"),
            False,
            Action.VIEW,
        ),
    }


class QuotationPrintView(ScopedViewMixin, ObjectMixin, View):
    """A clean printable page (the browser's print dialog) with the same content as the PDF."""

    model = Quotation

    def get(self, request, pk):
        quotation = self.get_object()
        context = printing.quotation_context(quotation, user=request.user)
        return TemplateResponse(request, "sales/quotation_print.html", context)


class QuotationPdfView(ScopedViewMixin, ObjectMixin, View):
    model = Quotation

    def get(self, request, pk):
        quotation = self.get_object()
        content = printing.quotation_pdf(quotation, user=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{printing.pdf_filename(quotation)}"'
        return response


class QuotationEmailForm(ScopedFormMixin, forms.Form):
    to = forms.EmailField(label=_("收件人"))
    subject = forms.CharField(label=_("主题"), max_length=200)
    message = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 6}))


class QuotationEmailView(ScopedViewMixin, ObjectMixin, View):
    """Send the quotation's PDF by e-mail (a background job); an approved quotation is marked sent."""

    model = Quotation
    action = Action.CHANGE
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
                printing.send_quotation_email(actor=request.user, quotation=quotation, **form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, getattr(error, "message", None) or "；".join(error.messages))
            else:
                messages.success(request, _("报价单已加入发送队列：%(to)s") % {"to": form.cleaned_data["to"]})
                return redirect_after_write(request, reverse("sales:quotation_detail", args=[quotation.pk]))
        return self.render(form, quotation)


class PartnerQuotationsView(PartnerDocumentsTabView):
    document_selector = selectors.list_quotations
    document_url = "sales:quotation_detail"
    add_url_name = "sales:quotation_add"
    tab_key = "quotations"


#
# Sales orders
#


class SalesOrderListView(ObjectListView):
    model = SalesOrder
    selector = selectors.list_sales_orders
    table = SalesOrderTable
    filterset = SalesOrderFilterSet
    export_basename = "sales-orders"


class SalesOrderDetailView(DocumentDetailView):
    model = SalesOrder
    selector = selectors.list_sales_orders
    detail_fields = (
        "status",
        "partner",
        "contact",
        "quotation",
        "order_date",
        "delivery_date",
        "delivery_address",
        "payment_terms",
        "delivery_terms",
        "delivery_status",
        "payment_status",
        "paid_amount",
        "notes",
        "owner",
        "department",
        "confirmed_at",
        "confirmed_by",
        "cancel_reason",
    )
    moves = (
        ("confirm", gettext_lazy("确认订单"), "btn-primary", Action.CHANGE, (O.DRAFT,), None),
        ("withdraw", gettext_lazy("撤回审批"), "btn-outline-secondary", Action.CHANGE, (O.SUBMITTED,), None),
        ("close", gettext_lazy("关闭"), "btn-outline-secondary", Action.CHANGE, (O.DELIVERED,), True),
        (
            "cancel",
            gettext_lazy("取消订单"),
            "btn-outline-danger",
            Action.CHANGE,
            (O.DRAFT, O.SUBMITTED, O.CONFIRMED),
            True,
        ),
    )


class SalesOrderEditView(DocumentEditView):
    model = SalesOrder
    form_class = SalesOrderForm
    create_service = orders.create_sales_order
    update_service = orders.update_sales_order
    document_kwarg = "order"


class SalesOrderLinePreviewView(LinePreviewView):
    model = SalesOrder
    form_class = SalesOrderForm


class SalesOrderDeleteView(DocumentDeleteView):
    model = SalesOrder
    delete_service = orders.delete_sales_order
    document_kwarg = "order"


class SalesOrderHistoryView(ObjectHistoryView):
    model = SalesOrder


class SalesOrderMoveView(DocumentMoveView):
    model = SalesOrder
    document_kwarg = "order"
    services = {
        "confirm": (orders.confirm_sales_order, gettext_lazy("确认订单"), False, Action.CHANGE),
        "withdraw": (orders.withdraw_sales_order, gettext_lazy("撤回审批"), False, Action.CHANGE),
        "close": (orders.close_sales_order, gettext_lazy("关闭"), False, Action.CHANGE),
        "cancel": (
            orders.cancel_sales_order,
            gettext_lazy("取消订单"),
            True,
            Action.CHANGE,
        ),
    }


class PartnerSalesOrdersView(PartnerDocumentsTabView):
    document_selector = selectors.list_sales_orders
    document_url = "sales:salesorder_detail"
    add_url_name = "sales:salesorder_add"
    tab_key = "orders"


urlpatterns = [
    path("quotations/", QuotationListView.as_view(), name="quotation_list"),
    path("quotations/add/", QuotationEditView.as_view(), name="quotation_add"),
    path("quotations/lines/", QuotationLinePreviewView.as_view(), name="quotation_lines_preview"),
    path("quotations/<int:pk>/", QuotationDetailView.as_view(), name="quotation_detail"),
    path("quotations/<int:pk>/edit/", QuotationEditView.as_view(), name="quotation_edit"),
    path("quotations/<int:pk>/delete/", QuotationDeleteView.as_view(), name="quotation_delete"),
    path("quotations/<int:pk>/history/", QuotationHistoryView.as_view(), name="quotation_history"),
    path("quotations/<int:pk>/print/", QuotationPrintView.as_view(), name="quotation_print"),
    path("quotations/<int:pk>/pdf/", QuotationPdfView.as_view(), name="quotation_pdf"),
    path("quotations/<int:pk>/email/", QuotationEmailView.as_view(), name="quotation_email"),
    path("quotations/<int:pk>/<slug:move>/", QuotationMoveView.as_view(), name="quotation_move"),
    path("orders/", SalesOrderListView.as_view(), name="salesorder_list"),
    path("orders/add/", SalesOrderEditView.as_view(), name="salesorder_add"),
    path("orders/lines/", SalesOrderLinePreviewView.as_view(), name="salesorder_lines_preview"),
    path("orders/<int:pk>/", SalesOrderDetailView.as_view(), name="salesorder_detail"),
    path("orders/<int:pk>/edit/", SalesOrderEditView.as_view(), name="salesorder_edit"),
    path("orders/<int:pk>/delete/", SalesOrderDeleteView.as_view(), name="salesorder_delete"),
    path("orders/<int:pk>/history/", SalesOrderHistoryView.as_view(), name="salesorder_history"),
    path("orders/<int:pk>/<slug:move>/", SalesOrderMoveView.as_view(), name="salesorder_move"),
    path("partner/<int:pk>/quotations/", PartnerQuotationsView.as_view(), name="partner_quotations"),
    path("partner/<int:pk>/orders/", PartnerSalesOrdersView.as_view(), name="partner_orders"),
]
