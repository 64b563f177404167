"""Approval pages: the inbox (待我审批), a request with its snapshot and decision form, flows, delegations.

The inbox and the request page are personal views: what opens them is being the submitter, an approver or
someone who may view the document (``approvals.list_visible_requests``), not a grant on approvals.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from .. import approvals
from ..exceptions import ApplicationError
from ..models import ApprovalDelegation, ApprovalFlow, ApprovalStatus
from ..scope import recheck_scope
from ..views import (
    PAGE_SIZES,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    PersonalViewMixin,
    add_application_error,
    add_validation_error,
    htmx_partial,
    redirect_after_write,
)
from .forms import (
    ApprovalDelegationFilterSet,
    ApprovalDelegationForm,
    ApprovalDelegationTable,
    ApprovalFlowFilterSet,
    ApprovalFlowForm,
    ApprovalFlowTable,
    ApprovalStepFormSet,
    DecisionForm,
    describe_conditions,
    document_type_label,
)
from .snapshots import snapshot_display

__all__ = ["urlpatterns"]


#
# The inbox (待我审批)
#


class ApprovalInboxView(PersonalViewMixin, View):
    """The user's own tasks: 待处理 (pending) and 已处理 (decided by them), searchable by document."""

    template_name = "core/approvals/inbox.html"
    tabs = ("pending", "done")

    def get(self, request):
        tab = request.GET.get("tab") if request.GET.get("tab") in self.tabs else "pending"
        tasks = approvals.list_my_tasks(user=request.user, status=tab)
        query = (request.GET.get("q") or "").strip()
        if query:
            tasks = tasks.filter(
                Q(request__document_repr__icontains=query) | Q(request__submitter__name__icontains=query)
            )
        page = Paginator(tasks, PAGE_SIZES[0]).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "tab": tab,
            "q": query,
            "pending_count": approvals.count_my_pending_tasks(user=request.user),
        }
        template = f"{self.template_name}#list" if htmx_partial(request) else self.template_name
        return TemplateResponse(request, template, context)


#
# One request: snapshot, changes, steps, and the decision form for the user's pending task
#


class ApprovalRequestDetailView(PersonalViewMixin, View):
    template_name = "core/approvals/request_detail.html"

    def get_request(self, pk):
        return get_object_or_404(
            approvals.list_visible_requests(user=self.request.user).select_related("submitter", "content_type"), pk=pk
        )

    def my_task(self, approval_request):
        return (
            approvals.list_my_tasks(user=self.request.user)
            .filter(request=approval_request)
            .order_by("step_order")
            .first()
        )

    def render(self, approval_request, form=None, status=200):
        task = self.my_task(approval_request) if approval_request.status == ApprovalStatus.PENDING else None
        document = approvals.request_document(approval_request, user=self.request.user)
        approvable = approvals.get_approvable(approval_request.content_type.model_class()._meta.label_lower)
        history = list(approvals.approval_history(document)) if document is not None else None
        context = {
            "approval_request": approval_request,
            "document": document,
            "document_url": approvable.url(document) if document is not None and approvable else "",
            "document_type": document_type_label(approval_request.content_type.model_class()._meta.label_lower),
            "display": snapshot_display(approval_request),
            "steps": approvals.request_progress(approval_request),
            "task": task,
            "form": form or (DecisionForm() if task else None),
            "other_requests": [item for item in history if item.pk != approval_request.pk] if history else [],
            "inbox_url": reverse("core:approval_inbox"),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(self.get_request(pk))

    def post(self, request, pk):
        approval_request = self.get_request(pk)
        task = self.my_task(approval_request)
        form = DecisionForm(request.POST)
        if task is None:
            messages.error(request, _("该审批已处理，请刷新后查看。"))
            return redirect_after_write(request, request.path)
        if form.is_valid():
            try:
                approvals.decide_approval(
                    task=task,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                )
            except ApplicationError as error:
                if error.code == approvals.ApprovalErrorCode.ALREADY_DECIDED:
                    messages.error(request, error.message)
                    return redirect_after_write(request, request.path)
                add_application_error(form, error)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                done = {
                    "approve": _("已同意“%(document)s”。"),
                    "reject": _("已驳回“%(document)s”。"),
                    "return": _("已退回修改“%(document)s”。"),
                }[form.cleaned_data["decision"]]
                messages.success(request, done % {"document": approval_request.document_repr})
                return redirect_after_write(request, reverse("core:approval_inbox"))
        return self.render(approval_request, form=form, status=422 if getattr(request, "htmx", False) else 200)


#
# Flows (administrators)
#


class ApprovalFlowListView(ObjectListView):
    model = ApprovalFlow
    selector = approvals.list_flows
    table = ApprovalFlowTable
    filterset = ApprovalFlowFilterSet
    export_basename = "approval-flows"


class ApprovalFlowDetailView(ObjectDetailView):
    model = ApprovalFlow
    selector = approvals.list_flows
    template_name = "core/approvals/flow_detail.html"
    detail_fields = ("name", "priority", "is_active", "description", "updated_at")

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        rows.insert(1, (_("单据类型"), document_type_label(obj.document_type)))
        rows.insert(3, (_("适用条件"), describe_conditions(obj)))
        return rows

    def extra(self, obj):
        steps = obj.steps.select_related("role").prefetch_related("users").order_by("order")
        return {**super().extra(obj), "steps": steps}


class ApprovalFlowEditView(ObjectEditView):
    """The flow's conditions and its steps (an inline formset), saved by one service call."""

    model = ApprovalFlow
    form_class = ApprovalFlowForm
    template_name = "core/approvals/flow_edit.html"

    def get_formset(self, obj, data=None):
        initial = None
        if data is None:
            if obj is not None:
                initial = [
                    {
                        "pk": step.pk,
                        "order": step.order,
                        "name": step.name,
                        "kind": step.kind,
                        "role": step.role_id,
                        "users": [user.pk for user in step.users.all()],
                        "levels_up": step.levels_up,
                        "same_department": step.same_department,
                        "mode": step.mode,
                    }
                    for step in obj.steps.prefetch_related("users").order_by("order")
                ]
            else:
                initial = [{"order": 1, "name": _("上级审批"), "kind": "manager", "levels_up": 1, "mode": "any"}]
        return ApprovalStepFormSet(data, initial=initial, prefix="steps", form_kwargs={"user": self.request.user})

    def get(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        return self.render(self.get_form(instance=obj), obj, formset=self.get_formset(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        form = self.get_form(request.POST, instance=obj)
        formset = self.get_formset(obj, request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    saved = approvals.save_flow(
                        actor=request.user, flow=obj, steps=formset.steps(), **form.cleaned_data
                    )
                    recheck_scope(user=request.user, obj=saved, action=self.get_action())
            except ValidationError as error:
                add_validation_error(form, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已保存“%(object)s”。") % {"object": saved})
                return redirect_after_write(request, reverse("core:approvalflow_detail", args=[saved.pk]))
        return self.render(form, obj, formset=formset)

    def render(self, form, obj, status=200, formset=None):
        response = super().render(form, obj, status=status)
        response.context_data["formset"] = formset
        return response


class ApprovalFlowDeleteView(ObjectDeleteView):
    model = ApprovalFlow

    def delete_object(self, obj):
        approvals.delete_flow(actor=self.request.user, flow=obj)


class ApprovalFlowHistoryView(ObjectHistoryView):
    model = ApprovalFlow


#
# Delegations: everyone their own, administrators everyone's
#


class ApprovalDelegationListView(ObjectListView):
    model = ApprovalDelegation
    selector = approvals.list_delegations
    table = ApprovalDelegationTable
    filterset = ApprovalDelegationFilterSet
    export_basename = "approval-delegations"


class ApprovalDelegationDetailView(ObjectDetailView):
    model = ApprovalDelegation
    selector = approvals.list_delegations
    detail_fields = ("user", "delegate", "starts_on", "ends_on", "is_active", "note", "created_at")


class ApprovalDelegationEditView(ObjectEditView):
    model = ApprovalDelegation
    form_class = ApprovalDelegationForm

    def save_form(self, form):
        instance = form.instance if form.instance.pk else None
        return approvals.save_delegation(actor=self.request.user, delegation=instance, **form.cleaned_data)


class ApprovalDelegationDeleteView(ObjectDeleteView):
    model = ApprovalDelegation

    def delete_object(self, obj):
        approvals.delete_delegation(actor=self.request.user, delegation=obj)


class ApprovalDelegationHistoryView(ObjectHistoryView):
    model = ApprovalDelegation


urlpatterns = [
    path("approvals/", ApprovalInboxView.as_view(), name="approval_inbox"),
    path("approvals/requests/<int:pk>/", ApprovalRequestDetailView.as_view(), name="approvalrequest_detail"),
    path("approvals/flows/", ApprovalFlowListView.as_view(), name="approvalflow_list"),
    path("approvals/flows/add/", ApprovalFlowEditView.as_view(), name="approvalflow_add"),
    path("approvals/flows/<int:pk>/", ApprovalFlowDetailView.as_view(), name="approvalflow_detail"),
    path("approvals/flows/<int:pk>/edit/", ApprovalFlowEditView.as_view(), name="approvalflow_edit"),
    path("approvals/flows/<int:pk>/delete/", ApprovalFlowDeleteView.as_view(), name="approvalflow_delete"),
    path("approvals/flows/<int:pk>/history/", ApprovalFlowHistoryView.as_view(), name="approvalflow_history"),
    path("approvals/delegations/", ApprovalDelegationListView.as_view(), name="approvaldelegation_list"),
    path("approvals/delegations/add/", ApprovalDelegationEditView.as_view(), name="approvaldelegation_add"),
    path("approvals/delegations/<int:pk>/", ApprovalDelegationDetailView.as_view(), name="approvaldelegation_detail"),
    path("approvals/delegations/<int:pk>/edit/", ApprovalDelegationEditView.as_view(), name="approvaldelegation_edit"),
    path(
        "approvals/delegations/<int:pk>/delete/",
        ApprovalDelegationDeleteView.as_view(),
        name="approvaldelegation_delete",
    ),
    path(
        "approvals/delegations/<int:pk>/history/",
        ApprovalDelegationHistoryView.as_view(),
        name="approvaldelegation_history",
    ),
]
