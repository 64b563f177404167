"""Pages of the public pool (公海): the list with claiming, the claim itself, and the pool's rules (one row)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectEditView, ObjectListView, ScopedViewMixin, redirect_after_write

from .. import selectors, services
from ..filters import PoolFilterSet
from ..forms import PoolRulesForm
from ..models import POOL_KINDS, Handover, Partner, PoolRules
from ..tables import PoolTable

__all__ = ["PoolListView", "PoolClaimView", "PoolRulesDetailView", "PoolRulesEditView", "urlpatterns"]


class PoolListView(ObjectListView):
    """Everyone who may claim ("add") sees the whole pool (see ``selectors.list_pool_partners``); the others,
    such as 管理层 who read every partner, see the pool rows within their own scope, read-only."""

    model = Partner
    selector = selectors.list_pool_partners
    table = PoolTable
    filterset = PoolFilterSet
    template_name = "partners/pool_list.html"
    export_basename = "pool"

    def can_claim(self) -> bool:
        return has_action(self.request.user, self.resource, Action.ADD)

    def get_action(self) -> str:
        if self.request.GET.get("export"):
            return Action.EXPORT
        return Action.ADD if self.can_claim() else Action.VIEW

    def get_scoped_queryset(self, action):
        if self.can_claim():
            return super().get_scoped_queryset(action)
        # Not the claimants' deliberate second read path: the ordinary scoped read, narrowed to the pool.
        pooled = Handover.objects.filter(partner=OuterRef("pk"), kind__in=POOL_KINDS).order_by("-pk")
        return (
            selectors.list_partners(user=self.request.user, action=action)
            .filter(owner__isnull=True)
            .annotate(pooled_at=Subquery(pooled.values("created_at")[:1]))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pks = [obj.pk for obj, _cells in context.get("rows", ())]
        can_claim = self.can_claim()
        can_assign = has_action(user, self.resource, Action.ASSIGN)
        context.update(
            can_claim=can_claim,
            can_claim_customers=selectors.can_claim_customers(user=user),
            status=selectors.get_claim_status(user=user) if can_claim else None,
            can_assign=can_assign,
            assignable=set(
                selectors.list_partners(user=user, action=Action.ASSIGN).filter(pk__in=pks).values_list("pk", flat=True)
            )
            if can_assign and pks
            else set(),
            viewable=set(selectors.list_partners(user=user).filter(pk__in=pks).values_list("pk", flat=True))
            if pks
            else set(),
        )
        return context


class PoolClaimView(ScopedViewMixin, View):
    """GET asks for confirmation; POST claims. A partner no longer in the pool is explained, not a 404."""

    model = Partner
    action = Action.ADD
    selector = selectors.list_pool_partners
    template_name = "partners/pool_claim.html"

    def get(self, request, pk):
        partner = get_object_or_404(self.queryset, pk=pk)
        context = self.get_context_data(partner=partner, status=selectors.get_claim_status(user=request.user))
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        partner = self.queryset.filter(pk=pk).first()
        if partner is None:
            messages.error(request, _("该客户已被他人领取。"))
            return redirect_after_write(request, reverse("partners:pool_list"))
        try:
            services.claim_partner(actor=request.user, partner=partner)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect_after_write(request, reverse("partners:pool_list"))
        messages.success(request, _("已领取“%(name)s”，现在由您负责。") % {"name": partner})
        return redirect_after_write(request, reverse("partners:partner_detail", args=[partner.pk]))


#
# Pool rules (one row)
#


class PoolRulesDetailView(ScopedViewMixin, View):
    model = PoolRules
    template_name = "partners/pool_rules.html"

    def get(self, request):
        rules = self.queryset.get(pk=services.get_pool_rules().pk)
        fields = [PoolRules._meta.get_field(name) for name in PoolRulesForm._meta.fields]
        context = self.get_context_data(
            object=rules,
            rows=[(field.verbose_name, getattr(rules, field.name), field.help_text) for field in fields],
            edit_url=reverse("partners:poolrules_edit") if self.can(Action.CHANGE) else None,
        )
        return TemplateResponse(request, self.template_name, context)


class PoolRulesEditView(ObjectEditView):
    model = PoolRules
    form_class = PoolRulesForm

    def get_action(self) -> str:
        return Action.CHANGE

    def get_object(self):
        return self.queryset.get(pk=services.get_pool_rules().pk)

    # The one row has no pk in its URL; ``pk=None`` tells the base this is an edit, not a create.
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, pk=None, **kwargs)

    def post(self, request, *args, **kwargs):
        return super().post(request, *args, pk=None, **kwargs)

    def save_form(self, form):
        return services.update_pool_rules(actor=self.request.user, data=form.cleaned_data)

    def success_url(self, obj) -> str:
        return reverse("partners:poolrules_detail")

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["cancel_url"] = reverse("partners:poolrules_detail")
        return response


urlpatterns = [
    path("pool/", PoolListView.as_view(), name="pool_list"),
    path("pool/<int:pk>/claim/", PoolClaimView.as_view(), name="pool_claim"),
    path("pool/rules/", PoolRulesDetailView.as_view(), name="poolrules_detail"),
    path("pool/rules/edit/", PoolRulesEditView.as_view(), name="poolrules_edit"),
]
