"""The opportunity board (看板) with its move endpoint, and the funnel (漏斗)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.contrib import messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import (
    ObjectMixin,
    ScopedViewMixin,
    add_application_error,
    htmx_partial,
    redirect_after_write,
)

from .. import selectors, services
from ..filters import BoardFilterSet
from ..forms import MoveStageForm
from ..models import Opportunity
from .opportunities import safe_next

__all__ = ["urlpatterns"]

#
# Board (看板) and the move endpoint
#


class OpportunityBoardView(ScopedViewMixin, View):
    """Columns per active stage; cards move by drag and drop (sales/board.js) or the card's own 移动到… form."""

    model = Opportunity
    selector = selectors.list_opportunities
    template_name = "sales/opportunity_board.html"

    def get(self, request):
        return render_board(request, self.queryset)


def render_board(request, queryset, *, notice: str = "", error: str = "", status: int = 200):
    """The board page, or just its ``#board`` fragment for htmx (after a move)."""
    filterset = BoardFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    board = selectors.get_board(user=request.user, opportunities=queryset)
    user = request.user
    context = {
        "board": board,
        "filterset": filterset,
        "stages": [column.stage for column in board.columns],
        "can_move": services.OPPORTUNITY_WORKFLOW.user_may(user, services.OPPORTUNITY_WORKFLOW.get("move")),
        "can_add": has_action(user, "sales.opportunity", Action.ADD),
        "movable": set(
            selectors.list_opportunities(user=user, action=Action.CHANGE)
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
    selector = selectors.list_opportunities
    # The permission the move is declared with: the same the detail button and the API action ask.
    action = services.OPPORTUNITY_WORKFLOW.get("move").permission
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
                    services.move_opportunity_stage(
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
                return redirect_after_write(request, safe_next(request, fallback))
        elif from_board:
            return self.board(error=" ".join(str(message) for errors in form.errors.values() for message in errors))
        return self.render(obj, form, status=422 if getattr(request, "htmx", False) else 200)

    def board(self, **message):
        # The board as the user's "view" scope shows it, not just the opportunities they may change.
        queryset = selectors.list_opportunities(user=self.request.user)
        return render_board(self.request, queryset, **message)

    def render(self, obj, form, status=200):
        context = self.get_context_data(
            opportunity=obj,
            form=form,
            next=safe_next(self.request, reverse("sales:opportunity_detail", args=[obj.pk])),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


#
# Funnel (漏斗)
#


class OpportunityFunnelView(ScopedViewMixin, View):
    """The open pipeline per stage as a Plotly funnel (drawn by sales/funnel.js) and as a table whose
    figures are the exact Decimal totals."""

    model = Opportunity
    selector = selectors.list_opportunities
    template_name = "sales/opportunity_funnel.html"

    def get(self, request):
        filterset = BoardFilterSet(request.GET or None, queryset=self.queryset, request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.queryset
        funnel = selectors.get_funnel(user=request.user, opportunities=queryset)
        context = self.get_context_data(funnel=funnel, filterset=filterset, figure=funnel_figure(funnel))
        return TemplateResponse(request, self.template_name, context)


# Bootstrap's blues, darkest at the top of the funnel.
PALETTE = ("#0a58ca", "#0d6efd", "#3d8bfd", "#6ea8fe", "#9ec5fe", "#cfe2ff")
TEXT_ON = ("#ffffff", "#ffffff", "#ffffff", "#052c65", "#052c65", "#052c65")


def funnel_figure(funnel: selectors.Funnel) -> dict:
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


urlpatterns = [
    path("opportunities/board/", OpportunityBoardView.as_view(), name="opportunity_board"),
    path("opportunities/funnel/", OpportunityFunnelView.as_view(), name="opportunity_funnel"),
    path("opportunities/<int:pk>/move/", OpportunityMoveView.as_view(), name="opportunity_move"),
]
