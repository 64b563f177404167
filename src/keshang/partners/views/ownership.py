"""Pages of ownership (客户权限): handing partners over in batches (批量分配 from the pool page, 批量转移) and one at a
time (分配 / 转移), releasing to the pool, the detail page's ownership buttons, the 协作人 tab with sharing, the
交接记录 tab and the managers' list of handovers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.identifiers import parse_pk
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectListView, ObjectMixin, ScopedViewMixin, redirect_after_write, selected_ids

from .. import selectors, services
from ..filters import HandoverFilterSet
from ..forms import BatchHandoverForm, HandoverForm, ReleaseForm, ShareForm
from ..models import Handover, HandoverKind, Partner
from ..registry import describe_moved
from ..tables import HandoverTable
from .partners import PartnerDetailView

__all__ = [
    "PoolBatchAssignView",
    "PartnerBatchTransferView",
    "PartnerOwnershipActionsView",
    "PartnerHandOverView",
    "PartnerReleaseView",
    "PartnerCollaboratorsView",
    "PartnerShareView",
    "PartnerUnshareView",
    "PartnerHandoversView",
    "HandoverListView",
    "urlpatterns",
]

#
# Batches: 批量分配 (pool partners chosen on the pool page) and 批量转移 (离职交接)
#


class PoolBatchAssignView(ScopedViewMixin, View):
    """批量分配: a manager gives pool partners (chosen on the pool page) to one of their people."""

    model = Partner
    action = Action.ASSIGN
    selector = selectors.list_partners
    template_name = "partners/ownership_batch.html"
    kind = HandoverKind.ASSIGN

    def candidates(self):
        """The partners this page may hand over, within the actor's "assign" scope."""
        return self.queryset.filter(owner__isnull=True)

    def listed(self):
        ids = selected_ids(self.request.GET, limit=selectors.BATCH_LIMIT)
        return self.candidates().filter(pk__in=ids) if ids else self.candidates().none()

    def get_form(self, data=None, partners=None):
        partners = partners if partners is not None else self.candidates()
        return BatchHandoverForm(
            data,
            user=self.request.user,
            partners=partners,
            require_reason=self.kind == HandoverKind.TRANSFER,
            initial={"partners": list(partners.values_list("pk", flat=True)[: selectors.BATCH_LIMIT])}
            if data is None
            else None,
        )

    def render(self, form, **extra):
        context = self.get_context_data(form=form, kind=self.kind, **extra)
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request):
        return self.render(self.get_form(partners=self.listed()))

    def post(self, request):
        # The posted partners that are candidates: any other id is an invalid choice, and a failed
        # form is shown again with just the partners that were ticked.
        posted = [pk for pk in map(parse_pk, request.POST.getlist("partners")) if pk]
        form = self.get_form(request.POST, partners=self.candidates().filter(pk__in=posted))
        if form.is_valid():
            data = form.cleaned_data
            service = services.transfer_partners if self.kind == HandoverKind.TRANSFER else services.assign_partners
            try:
                with transaction.atomic():
                    handovers = service(
                        actor=request.user,
                        partners=data["partners"],
                        owner=data["owner"],
                        reason=data["reason"],
                        notes=data["notes"],
                    )
            except ApplicationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已将 %(count)s 个客商交给%(owner)s。") % {"count": len(handovers), "owner": data["owner"]},
                )
                return redirect_after_write(request, reverse("partners:handover_list"))
        return self.render(form)


class PartnerBatchTransferView(PoolBatchAssignView):
    """批量转移 (离职交接): choose whose customers, tick them, and hand them to someone else."""

    kind = HandoverKind.TRANSFER

    def candidates(self):
        return self.queryset.filter(owner__isnull=False)

    def listed(self):
        from_owner = self.from_owner()
        if from_owner is not None:
            return self.candidates().filter(owner=from_owner)
        return super().listed()

    def from_owner(self):
        pk = parse_pk(self.request.GET.get("from_owner"))
        return selectors.list_assignable_owners(user=self.request.user).filter(pk=pk).first() if pk else None

    def get(self, request):
        listed = self.listed()
        return self.render(
            self.get_form(partners=listed),
            listed_count=listed.count(),
            from_owner=self.from_owner(),
            owners=selectors.list_assignable_owners(user=request.user),
            batch_limit=selectors.BATCH_LIMIT,
        )


def _form_errors(form, error: ApplicationError) -> None:
    """A service's refusal on the form: on the field it names, else above the form."""
    fields = {"ids": "partners"}
    if not error.fields:
        form.add_error(None, error.message)
    for name, errors in error.fields.items():
        target = fields.get(name, name)
        for message in errors:
            form.add_error(target if target in form.fields else None, message)


#
# One partner: the action buttons, assign/transfer, release, collaborators, handover record
#


class PartnerOwnershipActionsView(ScopedViewMixin, ObjectMixin, View):
    """The detail page's ownership buttons (loaded by htmx): only those the user may use."""

    model = Partner
    selector = selectors.list_partners
    template_name = "partners/ownership_actions.html"

    def get(self, request, pk):
        partner = self.get_object()
        user = request.user
        can_assign = self.can(Action.ASSIGN, partner)
        context = {
            "partner": partner,
            "transfer_url": reverse("partners:partner_transfer", args=[pk]) if can_assign else None,
            "release_url": reverse("partners:partner_release", args=[pk])
            if selectors.can_release(user=user, partner=partner)
            else None,
            "claim_url": reverse("partners:pool_claim", args=[pk])
            if partner.in_pool
            and has_action(user, self.resource, Action.ADD)
            and (not partner.is_customer or selectors.can_claim_customers(user=user))
            else None,
            "share_url": reverse("partners:partner_collaborators", args=[pk])
            if selectors.can_share(user=user, partner=partner)
            else None,
        }
        return TemplateResponse(request, self.template_name, context)


class PartnerHandOverView(ScopedViewMixin, ObjectMixin, View):
    """分配 a pool partner, or 转移 an owned one with a reason and notes (客户交接)."""

    model = Partner
    action = Action.ASSIGN
    selector = selectors.list_partners
    template_name = "partners/ownership_transfer.html"

    def get_form(self, partner, data=None):
        # ?owner= comes from a request to hand the partner over (access_requests): that colleague is preselected.
        return HandoverForm(
            data,
            user=self.request.user,
            require_reason=not partner.in_pool,
            exclude_owner=partner.owner,
            initial={"owner": self.request.GET.get("owner")},
        )

    def render(self, partner, form):
        context = self.get_context_data(object=partner, form=form, is_transfer=not partner.in_pool)
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request, pk):
        partner = self.get_object()
        return self.render(partner, self.get_form(partner))

    def post(self, request, pk):
        partner = self.get_object()
        form = self.get_form(partner, request.POST)
        if form.is_valid():
            service = services.assign_partner if partner.in_pool else services.transfer_partner
            try:
                with transaction.atomic():
                    handover = service(actor=request.user, partner=partner, **form.cleaned_data)
            except ApplicationError as error:
                _form_errors(form, error)
            else:
                done = _("已将“%(name)s”分配给%(owner)s。") if partner.in_pool else _("已将“%(name)s”转移给%(owner)s。")
                messages.success(request, done % {"name": partner, "owner": handover.to_owner})
                return redirect_after_write(request, _after_move_url(request.user, partner))
        return self.render(partner, form)


def _after_move_url(user, partner: Partner) -> str:
    """The partner's handover record if the user still sees it, else the partner list."""
    if selectors.list_partners(user=user).filter(pk=partner.pk).exists():
        return reverse("partners:partner_handovers", args=[partner.pk])
    return reverse("partners:partner_list")


class PartnerReleaseView(ScopedViewMixin, ObjectMixin, View):
    """放入公海, after confirmation: the owner, or a manager with "assign" on it (never a collaborator)."""

    model = Partner
    action = Action.CHANGE
    selector = selectors.list_partners
    template_name = "partners/ownership_release.html"

    def render(self, partner, form):
        return TemplateResponse(self.request, self.template_name, self.get_context_data(object=partner, form=form))

    def get_object(self):
        partner = super().get_object()
        if partner.in_pool:
            raise Http404(_("该客商已在公海中。"))
        if not selectors.can_release(user=self.request.user, partner=partner):
            raise PermissionDenied(_("只有负责人或有分配权限的主管可以将客户放入公海。"))
        return partner

    def get(self, request, pk):
        partner = self.get_object()
        return self.render(partner, ReleaseForm(user=request.user))

    def post(self, request, pk):
        partner = self.get_object()
        form = ReleaseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.release_partner(actor=request.user, partner=partner, **form.cleaned_data)
            except ApplicationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("已将“%(name)s”放入公海。") % {"name": partner})
                return redirect_after_write(request, _after_move_url(request.user, partner))
        return self.render(partner, form)


class PartnerCollaboratorsView(PartnerDetailView):
    """The 协作人 tab: who the partner is shared with; the owner or a manager adds and removes them."""

    template_name = "partners/ownership_collaborators.html"

    def extra(self, obj):
        context = super().extra(obj)
        can_share = selectors.can_share(user=self.request.user, partner=obj)
        context.update(
            tab="collaborators",
            collaborators=selectors.list_collaborators(partner=obj),
            can_share=can_share,
            # ?user= comes from a request to share (access_requests): the requester is preselected.
            share_form=ShareForm(user=self.request.user, partner=obj, initial={"user": self.request.GET.get("user")})
            if can_share
            else None,
        )
        return context


class PartnerShareView(ScopedViewMixin, ObjectMixin, View):
    """POST from the 协作人 tab: share the partner with a colleague (sharing again changes the access)."""

    model = Partner
    action = Action.CHANGE
    selector = selectors.list_partners

    def post(self, request, pk):
        partner = self.get_object()
        form = ShareForm(request.POST, user=request.user, partner=partner)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.share_partner(actor=request.user, partner=partner, **form.cleaned_data)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已与%(user)s共享。") % {"user": form.cleaned_data["user"]})
        else:
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect_after_write(request, reverse("partners:partner_collaborators", args=[partner.pk]))


class PartnerUnshareView(ScopedViewMixin, ObjectMixin, View):
    """POST ``user``: stop sharing the partner with that collaborator (the tab asks first)."""

    model = Partner
    action = Action.CHANGE
    selector = selectors.list_partners

    def post(self, request, pk):
        partner = self.get_object()
        collaborator = selectors.list_collaborators(partner=partner).filter(user_id=request.POST.get("user")).first()
        if collaborator is None:
            messages.error(request, _("该用户不是协作人。"))
        else:
            try:
                with transaction.atomic():
                    services.unshare_partner(actor=request.user, partner=partner, user=collaborator.user)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已取消与%(user)s的共享。") % {"user": collaborator.user})
        return redirect_after_write(request, reverse("partners:partner_collaborators", args=[partner.pk]))


class PartnerHandoversView(PartnerDetailView):
    """The 交接记录 tab: every move of the partner between owners and the pool."""

    template_name = "partners/ownership_handovers.html"

    def extra(self, obj):
        context = super().extra(obj)
        handovers = selectors.list_handovers(user=self.request.user).filter(partner=obj)
        context.update(
            tab="handovers",
            handovers=[(handover, describe_moved(handover.moved)) for handover in handovers],
        )
        return context


#
# Handovers of every partner in scope (managers' list)
#


class HandoverListView(ObjectListView):
    model = Handover
    selector = selectors.list_handovers
    table = HandoverTable
    filterset = HandoverFilterSet
    export_basename = "handovers"


urlpatterns = [
    path("pool/assign/", PoolBatchAssignView.as_view(), name="pool_batch_assign"),
    path("batch-transfer/", PartnerBatchTransferView.as_view(), name="partner_batch_transfer"),
    path("handovers/", HandoverListView.as_view(), name="handover_list"),
    path("<int:pk>/ownership-actions/", PartnerOwnershipActionsView.as_view(), name="partner_ownership_actions"),
    path("<int:pk>/transfer/", PartnerHandOverView.as_view(), name="partner_transfer"),
    path("<int:pk>/release/", PartnerReleaseView.as_view(), name="partner_release"),
    path("<int:pk>/collaborators/", PartnerCollaboratorsView.as_view(), name="partner_collaborators"),
    path("<int:pk>/share/", PartnerShareView.as_view(), name="partner_share"),
    path("<int:pk>/unshare/", PartnerUnshareView.as_view(), name="partner_unshare"),
    path("<int:pk>/handovers/", PartnerHandoversView.as_view(), name="partner_handovers"),
]
