"""Opportunity pages: list, detail with tabs (competitors, stage history, history), forms, the stage settings
and the partner's 商机 tab — all on core's scoped generic views. The board, the move page and the funnel are
in ``board``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View

from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedViewMixin,
)
from keshang.partners.views.partners import PartnerDetailView

from .. import selectors, services
from ..filters import OpportunityFilterSet, OpportunityStageFilterSet
from ..forms import CompetitorForm, MoveStageForm, OpportunityForm, OpportunityStageForm
from ..models import Competitor, Opportunity, OpportunityStage
from ..tables import OpportunityStageTable, OpportunityTable

__all__ = ["urlpatterns", "safe_next"]


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


#
# Opportunities
#


class OpportunityListView(ObjectListView):
    model = Opportunity
    selector = selectors.list_opportunities
    table = OpportunityTable
    filterset = OpportunityFilterSet
    export_basename = "opportunities"


class OpportunityDetailView(ObjectDetailView):
    model = Opportunity
    selector = selectors.list_opportunities
    template_name = "sales/opportunity_detail.html"
    detail_fields = (
        "name",
        "partner",
        "stage",
        "status",
        "expected_amount",
        "expected_close_date",
        "source",
        "close_reason",
        "closed_at",
        "owner",
        "department",
        "notes",
        "created_at",
        "updated_at",
    )

    def extra(self, obj):
        context = super().extra(obj)
        workflow = services.OPPORTUNITY_WORKFLOW
        can_move = bool(workflow.available(self.request.user, obj, visible=lambda action: self.can(action, obj)))
        context.update(
            weighted_amount=services.weighted_amount(obj.expected_amount, obj.stage.probability),
            contacts=list(obj.contacts.all()),
            move_form=MoveStageForm(user=self.request.user, initial={"stage": obj.stage_id}) if can_move else None,
            move_url=reverse("sales:opportunity_move", args=[obj.pk]) if can_move else None,
        )
        return context


class OpportunityCompetitorsView(OpportunityDetailView):
    """The 竞争对手 tab: the competitors, each editable and deletable, and an inline form to add one."""

    template_name = "sales/opportunity_competitors.html"

    def extra(self, obj):
        context = super().extra(obj)
        can_change = context["edit_url"] is not None
        context.update(
            tab="competitors",
            competitors=list(obj.competitors.all()),
            competitor_form=CompetitorForm(user=self.request.user) if can_change else None,
            competitor_add_url=reverse("sales:competitor_add", args=[obj.pk]) if can_change else None,
            can_change=can_change,
        )
        return context


class OpportunityStageChangesView(OpportunityDetailView):
    """The 阶段历史 tab: who moved the opportunity from which stage to which, and when."""

    template_name = "sales/opportunity_stage_changes.html"

    def extra(self, obj):
        context = super().extra(obj)
        context.update(
            tab="stage_changes",
            changes=selectors.list_stage_changes(user=self.request.user).filter(opportunity=obj),
        )
        return context


class OpportunityEditView(ObjectEditView):
    model = Opportunity
    selector = selectors.list_opportunities
    form_class = OpportunityForm
    template_name = "sales/opportunity_edit.html"

    def get_form(self, data=None, files=None, instance=None):
        initial = {}
        if instance is None and data is None and self.request.GET.get("partner"):
            # From a partner's 商机 tab: the customer is chosen already (if the user may see it).
            initial["partner"] = self.request.GET["partner"]
        return self.form_class(data, files, instance=instance, user=self.request.user, initial=initial)

    def save_form(self, form):
        actor = self.request.user
        contacts = form.cleaned_data.get("contacts")
        if form.instance.pk:
            return services.update_opportunity(
                actor=actor, opportunity=form.instance, data=form.opportunity_data(), contacts=contacts
            )
        return services.create_opportunity(actor=actor, data=form.opportunity_data(), contacts=contacts)

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["wide_fields"] = ("contacts", "notes")
        return response


class OpportunityContactsFieldView(ScopedViewMixin, View):
    """htmx: the contacts checkboxes of the customer just chosen in the opportunity form."""

    model = Opportunity
    template_name = "sales/opportunity_contacts_field.html"

    def get(self, request):
        form = OpportunityForm(initial={"partner": request.GET.get("partner")}, user=request.user)
        return TemplateResponse(request, self.template_name, {"field": form["contacts"]})


class OpportunityDeleteView(ObjectDeleteView):
    model = Opportunity
    selector = selectors.list_opportunities

    def delete_object(self, obj):
        services.delete_opportunity(actor=self.request.user, opportunity=obj)


class OpportunityHistoryView(ObjectHistoryView):
    model = Opportunity
    selector = selectors.list_opportunities


#
# Competitors: changing one is changing its opportunity
#


class CompetitorEditView(ObjectEditView):
    model = Competitor
    form_class = CompetitorForm
    template_name = "sales/opportunity_competitor_edit.html"

    def get_action(self) -> str:
        return Action.CHANGE

    def get_opportunity(self):
        if "pk" in self.kwargs:
            return self.get_object().opportunity
        visible = selectors.list_opportunities(user=self.request.user, action=Action.CHANGE)
        return get_object_or_404(visible, pk=self.kwargs["opportunity_pk"])

    def get(self, request, *args, **kwargs):
        self.opportunity = self.get_opportunity()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.opportunity = self.get_opportunity()
        return super().post(request, *args, **kwargs)

    def save_form(self, form):
        existing = {"competitor": form.instance} if form.instance.pk else {}
        return services.save_competitor(
            actor=self.request.user, opportunity=self.opportunity, data=form.cleaned_data, **existing
        )

    def success_url(self, obj) -> str:
        return reverse("sales:opportunity_competitors", args=[obj.opportunity_id])

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data.update(
            opportunity=self.opportunity,
            cancel_url=reverse("sales:opportunity_competitors", args=[self.opportunity.pk]),
        )
        return response


class CompetitorDeleteView(ObjectDeleteView):
    model = Competitor

    def get_action(self) -> str:
        return Action.CHANGE

    def delete_object(self, obj):
        services.delete_competitor(actor=self.request.user, competitor=obj)

    def get(self, request, *args, **kwargs):
        self.opportunity_pk = self.get_object().opportunity_id
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.opportunity_pk = self.get_object().opportunity_id
        return super().post(request, *args, **kwargs)

    def reverse_or_none(self, view: str, **kwargs):
        # Cancel, and after deleting, go back to the opportunity's 竞争对手 tab.
        if view in ("list", "detail") and getattr(self, "opportunity_pk", None):
            return reverse("sales:opportunity_competitors", args=[self.opportunity_pk])
        return super().reverse_or_none(view, **kwargs)


#
# Stage settings (admins)
#


class OpportunityStageListView(ObjectListView):
    model = OpportunityStage
    selector = selectors.list_stages
    table = OpportunityStageTable
    filterset = OpportunityStageFilterSet
    export_basename = "opportunity-stages"


class OpportunityStageDetailView(ObjectDetailView):
    model = OpportunityStage
    selector = selectors.list_stages
    detail_fields = ("name", "order", "probability", "is_won", "is_lost", "is_active")


class OpportunityStageEditView(ObjectEditView):
    model = OpportunityStage
    selector = selectors.list_stages
    form_class = OpportunityStageForm

    def save_form(self, form):
        if form.instance.pk:
            return services.update_stage(actor=self.request.user, stage=form.instance, data=form.cleaned_data)
        return services.create_stage(actor=self.request.user, data=form.cleaned_data)


class OpportunityStageDeleteView(ObjectDeleteView):
    model = OpportunityStage
    selector = selectors.list_stages

    def delete_object(self, obj):
        services.delete_stage(actor=self.request.user, stage=obj)


class OpportunityStageHistoryView(ObjectHistoryView):
    model = OpportunityStage
    selector = selectors.list_stages


#
# The partner's 商机 tab
#


class PartnerOpportunitiesView(PartnerDetailView):
    """A customer's opportunities that the user may see, with 新建商机 for this customer."""

    template_name = "sales/opportunity_partner_tab.html"

    def extra(self, obj):
        context = super().extra(obj)
        user = self.request.user
        rows = selectors.list_opportunities(user=user).filter(partner=obj).order_by("-updated_at", "-pk")
        can_add = has_action(user, "sales.opportunity", Action.ADD) and obj.is_customer
        context.update(
            tab="opportunities",
            opportunities=[
                (row, services.weighted_amount(row.expected_amount, row.stage.probability)) for row in rows[:100]
            ],
            opportunity_count=rows.count(),
            opportunity_list_url=reverse("sales:opportunity_list") + "?" + urlencode({"partner_id": obj.pk}),
            opportunity_add_url=reverse("sales:opportunity_add") + "?" + urlencode({"partner": obj.pk})
            if can_add
            else None,
        )
        return context


urlpatterns = [
    path("opportunities/", OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/add/", OpportunityEditView.as_view(), name="opportunity_add"),
    path("opportunities/contacts-field/", OpportunityContactsFieldView.as_view(), name="opportunity_contacts_field"),
    path("opportunities/<int:pk>/", OpportunityDetailView.as_view(), name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", OpportunityEditView.as_view(), name="opportunity_edit"),
    path("opportunities/<int:pk>/delete/", OpportunityDeleteView.as_view(), name="opportunity_delete"),
    path("opportunities/<int:pk>/history/", OpportunityHistoryView.as_view(), name="opportunity_history"),
    path("opportunities/<int:pk>/competitors/", OpportunityCompetitorsView.as_view(), name="opportunity_competitors"),
    path("opportunities/<int:pk>/stages/", OpportunityStageChangesView.as_view(), name="opportunity_stage_changes"),
    path("opportunities/<int:opportunity_pk>/competitors/add/", CompetitorEditView.as_view(), name="competitor_add"),
    path("competitors/<int:pk>/edit/", CompetitorEditView.as_view(), name="competitor_edit"),
    path("competitors/<int:pk>/delete/", CompetitorDeleteView.as_view(), name="competitor_delete"),
    path("stages/", OpportunityStageListView.as_view(), name="opportunitystage_list"),
    path("stages/add/", OpportunityStageEditView.as_view(), name="opportunitystage_add"),
    path("stages/<int:pk>/", OpportunityStageDetailView.as_view(), name="opportunitystage_detail"),
    path("stages/<int:pk>/edit/", OpportunityStageEditView.as_view(), name="opportunitystage_edit"),
    path("stages/<int:pk>/delete/", OpportunityStageDeleteView.as_view(), name="opportunitystage_delete"),
    path("stages/<int:pk>/history/", OpportunityStageHistoryView.as_view(), name="opportunitystage_history"),
    path("partners/<int:pk>/opportunities/", PartnerOpportunitiesView.as_view(), name="partner_opportunities"),
]
