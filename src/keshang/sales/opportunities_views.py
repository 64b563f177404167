"""Opportunity pages: list, detail with tabs (competitors, stage history, history), forms, the kanban
board with its move endpoint, the funnel chart, the stage settings, and the partner's 商机 tab — all on
core's scoped generic views."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
    add_application_error,
    htmx_partial,
    redirect_after_write,
)
from keshang.partners.views import PartnerDetailView

from . import opportunities
from .models import Competitor, Opportunity, OpportunityStage
from .opportunities_filters import BoardFilterSet, OpportunityFilterSet, OpportunityStageFilterSet
from .opportunities_forms import CompetitorForm, MoveStageForm, OpportunityForm, OpportunityStageForm
from .opportunities_tables import OpportunityStageTable, OpportunityTable

__all__ = ["urlpatterns"]


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


#
# Opportunities
#


class OpportunityListView(ObjectListView):
    model = Opportunity
    selector = opportunities.list_opportunities
    table = OpportunityTable
    filterset = OpportunityFilterSet
    export_basename = "opportunities"


class OpportunityDetailView(ObjectDetailView):
    model = Opportunity
    selector = opportunities.list_opportunities
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
        can_move = context["edit_url"] is not None
        context.update(
            weighted_amount=opportunities.weighted_amount(obj.expected_amount, obj.stage.probability),
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
            changes=opportunities.list_stage_changes(user=self.request.user).filter(opportunity=obj),
        )
        return context


class OpportunityEditView(ObjectEditView):
    model = Opportunity
    selector = opportunities.list_opportunities
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
            return opportunities.update_opportunity(
                actor=actor, opportunity=form.instance, data=form.opportunity_data(), contacts=contacts
            )
        return opportunities.create_opportunity(actor=actor, data=form.opportunity_data(), contacts=contacts)

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
    selector = opportunities.list_opportunities

    def delete_object(self, obj):
        opportunities.delete_opportunity(actor=self.request.user, opportunity=obj)


class OpportunityHistoryView(ObjectHistoryView):
    model = Opportunity
    selector = opportunities.list_opportunities


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
        visible = opportunities.list_opportunities(user=self.request.user, action=Action.CHANGE)
        return get_object_or_404(visible, pk=self.kwargs["opportunity_pk"])

    def get(self, request, *args, **kwargs):
        self.opportunity = self.get_opportunity()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.opportunity = self.get_opportunity()
        return super().post(request, *args, **kwargs)

    def save_form(self, form):
        existing = {"competitor": form.instance} if form.instance.pk else {}
        return opportunities.save_competitor(
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
        opportunities.delete_competitor(actor=self.request.user, competitor=obj)

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
# Board (看板) and the move endpoint
#


class OpportunityBoardView(ScopedViewMixin, View):
    """Columns per active stage; cards move by drag and drop (sales/board.js) or the card's own 移动到… form."""

    model = Opportunity
    selector = opportunities.list_opportunities
    template_name = "sales/opportunity_board.html"

    def get(self, request):
        return render_board(request, self.queryset)


def render_board(request, queryset, *, notice: str = "", error: str = "", status: int = 200):
    """The board page, or just its ``#board`` fragment for htmx (after a move)."""
    filterset = BoardFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    board = opportunities.get_board(user=request.user, opportunities=queryset)
    user = request.user
    context = {
        "board": board,
        "filterset": filterset,
        "stages": [column.stage for column in board.columns],
        "can_move": has_action(user, "sales.opportunity", Action.CHANGE),
        "can_add": has_action(user, "sales.opportunity", Action.ADD),
        "movable": set(
            opportunities.list_opportunities(user=user, action=Action.CHANGE)
            .filter(pk__in=[card.pk for column in board.columns for card in column.opportunities])
            .values_list("pk", flat=True)
        ),
        "board_url": reverse("sales:opportunity_board"),
        "query": request.GET.urlencode(),
        "notice": notice,
        "error": error,
    }
    template = "sales/opportunity_board.html#board" if htmx_partial(request) else "sales/opportunity_board.html"
    return TemplateResponse(request, template, context, status=status)


class OpportunityMoveView(ScopedViewMixin, ObjectMixin, View):
    """GET: 移动到… as a page (the no-JS fallback, and where a won/lost move without a reason ends up).
    POST ``stage`` and ``reason``: move it; htmx gets the board back, a plain form a redirect."""

    model = Opportunity
    selector = opportunities.list_opportunities
    action = Action.CHANGE
    template_name = "sales/opportunity_move.html"

    def get(self, request, pk):
        obj = self.get_object()
        initial = {"stage": request.GET.get("stage") or obj.stage_id}
        return self.render(obj, MoveStageForm(user=request.user, initial=initial))

    def post(self, request, pk):
        obj = self.get_object()
        form = MoveStageForm(request.POST, user=request.user)
        from_board = htmx_partial(request) and request.POST.get("from") == "board"
        if form.is_valid():
            stage = form.cleaned_data["stage"]
            try:
                with transaction.atomic():
                    opportunities.move_opportunity_stage(
                        opportunity=obj, stage=stage, actor=request.user, reason=form.cleaned_data["reason"]
                    )
            except ApplicationError as error:
                if from_board and error.code != "close_reason_required":
                    return self.board(error=error.message)
                if from_board:
                    # The card's keyboard form has no room for a reason: ask for it on the move page.
                    url = reverse("sales:opportunity_move", args=[obj.pk]) + "?" + urlencode({"stage": stage.pk})
                    return redirect_after_write(request, url)
                add_application_error(form, error)
            else:
                notice = _("已将“%(name)s”移动到“%(stage)s”。") % {"name": obj, "stage": stage}
                if from_board:
                    return self.board(notice=notice)
                messages.success(request, notice)
                fallback = reverse("sales:opportunity_detail", args=[obj.pk])
                return redirect_after_write(request, _safe_next(request, fallback))
        elif from_board:
            return self.board(error=" ".join(str(message) for errors in form.errors.values() for message in errors))
        return self.render(obj, form, status=422 if getattr(request, "htmx", False) else 200)

    def board(self, **message):
        # The board as the user's "view" scope shows it, not just the opportunities they may change.
        queryset = opportunities.list_opportunities(user=self.request.user)
        return render_board(self.request, queryset, **message)

    def render(self, obj, form, status=200):
        context = self.get_context_data(
            opportunity=obj,
            form=form,
            next=_safe_next(self.request, reverse("sales:opportunity_detail", args=[obj.pk])),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


#
# Funnel (漏斗)
#


class OpportunityFunnelView(ScopedViewMixin, View):
    """The open pipeline per stage as a Plotly funnel (drawn by sales/funnel.js) and as a table whose
    figures are the exact Decimal totals."""

    model = Opportunity
    selector = opportunities.list_opportunities
    template_name = "sales/opportunity_funnel.html"

    def get(self, request):
        filterset = BoardFilterSet(request.GET or None, queryset=self.queryset, request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.queryset
        funnel = opportunities.get_funnel(user=request.user, opportunities=queryset)
        context = self.get_context_data(funnel=funnel, filterset=filterset, figure=funnel_figure(funnel))
        return TemplateResponse(request, self.template_name, context)


# Bootstrap's blues, darkest at the top of the funnel.
PALETTE = ("#0a58ca", "#0d6efd", "#3d8bfd", "#6ea8fe", "#9ec5fe", "#cfe2ff")
TEXT_ON = ("#ffffff", "#ffffff", "#ffffff", "#052c65", "#052c65", "#052c65")


def funnel_figure(funnel: opportunities.Funnel) -> dict:
    """The Plotly figure as JSON. Widths are the expected amounts as floats — for drawing only; every
    figure a person reads (the labels, the table) is the Decimal formatted on the server."""
    names = [item.stage.name for item in funnel.stages]

    def money(value):
        return number_format(value, 2, force_grouping=True)

    labels = [
        _("%(count)s 个 · ¥%(amount)s") % {"count": item.count, "amount": money(item.amount)} for item in funnel.stages
    ]
    hover = [
        _("%(stage)s（%(probability)s%%）<br>商机 %(count)s 个<br>预计金额 ¥%(amount)s<br>加权金额 ¥%(weighted)s")
        % {
            "stage": item.stage.name,
            "probability": item.stage.probability,
            "count": item.count,
            "amount": money(item.amount),
            "weighted": money(item.weighted),
        }
        for item in funnel.stages
    ]
    figure = go.Figure(
        go.Funnel(
            y=names,
            x=[float(item.amount) for item in funnel.stages],
            text=labels,
            textinfo="text",
            textposition="inside",
            hovertext=hover,
            hoverinfo="text",
            marker={"color": [PALETTE[index % len(PALETTE)] for index in range(len(names))]},
            insidetextfont={"color": [TEXT_ON[index % len(TEXT_ON)] for index in range(len(names))]},
            connector={"fillcolor": "#e9ecef", "line": {"color": "#dee2e6"}},
        )
    )
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=max(240, 70 * len(names)),
        font={"family": '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif', "size": 13},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        separators=".,",
    )
    return json.loads(figure.to_json())


#
# Stage settings (admins)
#


class OpportunityStageListView(ObjectListView):
    model = OpportunityStage
    selector = opportunities.list_stages
    table = OpportunityStageTable
    filterset = OpportunityStageFilterSet
    export_basename = "opportunity-stages"


class OpportunityStageDetailView(ObjectDetailView):
    model = OpportunityStage
    selector = opportunities.list_stages
    detail_fields = ("name", "order", "probability", "is_won", "is_lost", "is_active")


class OpportunityStageEditView(ObjectEditView):
    model = OpportunityStage
    selector = opportunities.list_stages
    form_class = OpportunityStageForm

    def save_form(self, form):
        if form.instance.pk:
            return opportunities.update_stage(actor=self.request.user, stage=form.instance, data=form.cleaned_data)
        return opportunities.create_stage(actor=self.request.user, data=form.cleaned_data)


class OpportunityStageDeleteView(ObjectDeleteView):
    model = OpportunityStage
    selector = opportunities.list_stages

    def delete_object(self, obj):
        opportunities.delete_stage(actor=self.request.user, stage=obj)


class OpportunityStageHistoryView(ObjectHistoryView):
    model = OpportunityStage
    selector = opportunities.list_stages


#
# The partner's 商机 tab
#


class PartnerOpportunitiesView(PartnerDetailView):
    """A customer's opportunities that the user may see, with 新建商机 for this customer."""

    template_name = "sales/opportunity_partner_tab.html"

    def extra(self, obj):
        context = super().extra(obj)
        user = self.request.user
        rows = opportunities.list_opportunities(user=user).filter(partner=obj).order_by("-updated_at", "-pk")
        can_add = has_action(user, "sales.opportunity", Action.ADD) and obj.is_customer
        context.update(
            tab="opportunities",
            opportunities=[
                (row, opportunities.weighted_amount(row.expected_amount, row.stage.probability)) for row in rows[:100]
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
    path("opportunities/board/", OpportunityBoardView.as_view(), name="opportunity_board"),
    path("opportunities/funnel/", OpportunityFunnelView.as_view(), name="opportunity_funnel"),
    path("opportunities/contacts-field/", OpportunityContactsFieldView.as_view(), name="opportunity_contacts_field"),
    path("opportunities/<int:pk>/", OpportunityDetailView.as_view(), name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", OpportunityEditView.as_view(), name="opportunity_edit"),
    path("opportunities/<int:pk>/delete/", OpportunityDeleteView.as_view(), name="opportunity_delete"),
    path("opportunities/<int:pk>/history/", OpportunityHistoryView.as_view(), name="opportunity_history"),
    path("opportunities/<int:pk>/move/", OpportunityMoveView.as_view(), name="opportunity_move"),
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
