"""Contract pages: generated from the declaration (``documents.CONTRACT``) by ``core.documents.views`` — list,
add, detail, edit, delete, history, moves, print and PDF — and here what is theirs alone: the payment stages'
editor, a framework agreement's call-off order, a contract made from a quotation or an order, the partner's
合同 tab, and the categories' pages."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.documents.views import document_urls
from keshang.core.exceptions import ApplicationError
from keshang.core.modelviews import ModelViews, model_urls
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectDetailView, ObjectMixin, ScopedViewMixin, redirect_after_write
from keshang.core.views.generic import add_application_error
from keshang.partners.models import Partner
from keshang.sales.models import Quotation, SalesOrder

from . import selectors, services
from .calendar import month_calendar
from .comparison import compare_revisions
from .documents import CONTRACT
from .filters import ContractCategoryFilterSet
from .forms import CallOffForm, CategoryForm, StageFormSet, stage_inputs
from .models import Contract, ContractCategory, ContractKind
from .services.contracts import EDITABLE_STATES
from .services.orders import ORDERABLE
from .tables import ContractCategoryTable
from .templatepages import template_urlpatterns

__all__ = ["urlpatterns", "CATEGORY_VIEWS"]


def _refusal(error) -> str:
    return getattr(error, "message", None) or "；".join(error.messages)


class ContractStagesView(ScopedViewMixin, ObjectMixin, View):
    """付款阶段: edit a draft's stages; they must add up to its amount (the service says by how much not)."""

    model = Contract
    action = Action.CHANGE
    template_name = "contracts/contract_stages.html"

    def get(self, request, pk):
        contract = self.get_object()
        initial = [
            {
                "name": stage.name,
                "percent": stage.percent,
                "fixed_amount": stage.fixed_amount,
                "trigger": stage.trigger,
                "days": stage.days,
                "working_days": stage.working_days,
                "fixed_date": stage.fixed_date,
            }
            for stage in contract.payment_stages.all()
        ]
        return self.render(StageFormSet(initial=initial, prefix="stages", form_kwargs={"user": request.user}), contract)

    def post(self, request, pk):
        contract = self.get_object()
        formset = StageFormSet(request.POST, prefix="stages", form_kwargs={"user": request.user})
        if formset.is_valid():
            try:
                services.set_payment_stages(actor=request.user, contract=contract, stages=stage_inputs(formset))
            except ApplicationError as error:
                formset._non_form_errors = formset.error_class(error.fields.get("payment_stages") or [error.message])
            else:
                messages.success(request, _("付款阶段已保存。"))
                return redirect_after_write(request, reverse("contracts:contract_detail", args=[contract.pk]))
        return self.render(formset, contract, status=400)

    def render(self, formset, contract, status=200):
        context = self.get_context_data(
            object=contract,
            formset=formset,
            # Past the draft the page says so and offers nothing to save (the service refuses a save anyway).
            editable=contract.status in EDITABLE_STATES,
            cancel_url=reverse("contracts:contract_detail", args=[contract.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class CallOffView(ScopedViewMixin, ObjectMixin, View):
    """按次下单: a call-off order of a framework agreement, a quantity per product of the agreement."""

    model = Contract
    action = Action.VIEW
    required_rights = (("sales.salesorder", Action.ADD),)
    template_name = "contracts/call_off.html"

    def form(self, contract, data=None):
        lines = contract.lines.select_related("product", "unit")
        return CallOffForm(data, contract_lines=lines, user=self.request.user)

    def get(self, request, pk):
        contract = self.get_object()
        return self.render(self.form(contract), contract)

    def post(self, request, pk):
        contract = self.get_object()
        form = self.form(contract, request.POST)
        if form.is_valid():
            try:
                order = services.call_off(
                    actor=request.user, contract=contract, lines=form.line_inputs(), data=form.header()
                )
            except ApplicationError as error:
                add_application_error(form, error)
            except ValidationError as error:
                form.add_error(None, _refusal(error))
            else:
                messages.success(request, _("已生成调用订单：%(order)s") % {"order": order})
                return redirect_after_write(request, reverse("sales:salesorder_detail", args=[order.pk]))
        return self.render(form, contract, status=400)

    def render(self, form, contract, status=200):
        context = self.get_context_data(
            object=contract,
            form=form,
            # Not a framework in force: the page says so and offers no form (the service refuses a post anyway).
            open_for_call_off=contract.kind == ContractKind.FRAMEWORK and contract.status in ORDERABLE,
            remaining=services.remaining(contract) if contract.capped else None,
            cancel_url=reverse("contracts:contract_detail", args=[contract.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ContractFromSourceView(ScopedViewMixin, ObjectMixin, View):
    """生成合同 from a quotation or a sales order the user may view, asking first; the user needs "add" on
    contracts (the button asks the same, see apps.py)."""

    action = Action.VIEW
    required_rights = (("contracts.contract", Action.ADD),)
    template_name = "contracts/contract_from_source.html"
    create = None
    source_kwarg = ""

    def get(self, request, pk):
        return self.render(self.get_object())

    def post(self, request, pk):
        source = self.get_object()
        try:
            contract = type(self).create(actor=request.user, **{self.source_kwarg: source})
        except (ApplicationError, ValidationError) as error:
            return self.render(source, error=_refusal(error), status=400)
        messages.success(request, _("已生成合同草稿：%(contract)s") % {"contract": contract})
        return redirect_after_write(request, reverse("contracts:contract_detail", args=[contract.pk]))

    def render(self, source, *, error: str = "", status: int = 200):
        context = self.get_context_data(object=source, error=error, cancel_url=source_url(source))
        return TemplateResponse(self.request, self.template_name, context, status=status)


def source_url(source) -> str:
    return reverse(f"sales:{source._meta.model_name}_detail", args=[source.pk])


class ContractFromQuotationView(ContractFromSourceView):
    model = Quotation
    create = staticmethod(services.create_contract_from_quotation)
    source_kwarg = "quotation"


class ContractFromOrderView(ContractFromSourceView):
    model = SalesOrder
    create = staticmethod(services.create_contract_from_order)
    source_kwarg = "order"


class ContractCompareView(ScopedViewMixin, ObjectMixin, View):
    """对比 (issue 13): a revision beside the revision it amends — header, lines, stages, changes highlighted. Both
    are read through the user's scope. Opened on the earlier revision it goes to its amendment's comparison; on a
    contract with neither (or whose other revision the user may not view), back to the contract, saying so."""

    model = Contract
    action = Action.VIEW
    template_name = "contracts/contract_compare.html"

    def get(self, request, pk):
        after = self.get_object()
        before = self.queryset.filter(pk=after.revised_from_id).first() if after.revised_from_id else None
        if before is None:
            amendment = self.queryset.filter(revised_from=after).first()
            if amendment is not None:
                return redirect(reverse("contracts:contract_compare", args=[amendment.pk]))
            messages.info(request, _("该合同没有可对比的其他版本。"))
            return redirect(reverse("contracts:contract_detail", args=[after.pk]))
        context = self.get_context_data(object=after, comparison=compare_revisions(before, after))
        return TemplateResponse(request, self.template_name, context)


class ContractCalendarView(ScopedViewMixin, View):
    """到期日历 (issue 13): a month of the contracts the user may view that end in it and of their payment stages
    due in it, each linking to its contract; ``?month=2026-12`` (anything else: this month)."""

    model = Contract
    action = Action.VIEW
    template_name = "contracts/contract_calendar.html"

    def get(self, request):
        today = timezone.localdate()
        year, month = today.year, today.month
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("month", ""))
        if match and 1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
            year, month = int(match[1]), int(match[2])
        context = self.get_context_data(
            calendar=month_calendar(user=request.user, year=year, month=month),
            today=today,
            weekdays=[_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
        )
        return TemplateResponse(request, self.template_name, context)


class PartnerContractsView(ObjectDetailView):
    """A partner's 合同 tab: the contracts with them the user may view, 新建 for those who may add one."""

    model = Partner
    template_name = "contracts/partner_contracts.html"

    def extra(self, obj):
        context = super().extra(obj)
        user = self.request.user
        kind = ContractKind.SALES if obj.is_customer else ContractKind.PURCHASE
        may_add = (obj.is_customer or obj.is_supplier) and has_action(user, "contracts.contract", Action.ADD)
        context.update(
            tab="contracts",
            contracts=selectors.list_contracts(user=user).filter(partner=obj).order_by("-sign_date", "-pk")[:100],
            add_contract_url=f"{reverse('contracts:contract_add')}?partner={obj.pk}&kind={kind}" if may_add else None,
        )
        return context


CATEGORY_VIEWS = ModelViews(
    model=ContractCategory,
    url_prefix="categories",
    table=ContractCategoryTable,
    filterset=ContractCategoryFilterSet,
    form_class=CategoryForm,
    save=services.save_category,
    delete=services.delete_category,
    export_basename="contract-categories",
    detail_fields=("name", "kind", "sort_order", "is_active"),
)

urlpatterns = [
    # Before the generated patterns: their last one takes any word after a document's id as a workflow move.
    path("contracts/<int:pk>/stages/", ContractStagesView.as_view(), name="contract_stages"),
    path("contracts/<int:pk>/call-off/", CallOffView.as_view(), name="contract_call_off"),
    path("contracts/<int:pk>/compare/", ContractCompareView.as_view(), name="contract_compare"),
    path("calendar/", ContractCalendarView.as_view(), name="contract_calendar"),
    path("from-quotation/<int:pk>/", ContractFromQuotationView.as_view(), name="contract_from_quotation"),
    path("from-order/<int:pk>/", ContractFromOrderView.as_view(), name="contract_from_order"),
    *template_urlpatterns,
    *document_urls(CONTRACT),
    *model_urls(CATEGORY_VIEWS),
    path("partner/<int:pk>/contracts/", PartnerContractsView.as_view(), name="partner_contracts"),
]
