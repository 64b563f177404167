"""Pages of partners' ownership (issue 3): assign and transfer (one and in batches), release, share,
the handover record (a detail tab and a list), the public pool (公海) with claiming, and its rules.

Forms, filters and tables of this feature live here too: the pool's and handovers' FilterSets are
shared with the API (``ownership_api``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.filters import DateFromFilter, DateToFilter, ScopedFilterSet
from keshang.core.forms import ScopedFormMixin
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.tables import Column, Table
from keshang.core.views import (
    ObjectEditView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
    redirect_after_write,
)
from keshang.org.models import User

from . import ownership, selectors
from .filters import ROLE_CHOICES
from .models import (
    Handover,
    HandoverKind,
    HandoverReason,
    Industry,
    Partner,
    PartnerLevel,
    PartnerSource,
    PartnerStatus,
    PoolRules,
)
from .selectors import normalise_query, partner_search_condition
from .views import PartnerDetailView

__all__ = ["urlpatterns", "PoolFilterSet", "HandoverFilterSet"]


#
# Forms
#


class UserChoiceField(forms.ModelChoiceField):
    """People are told apart by their department: 王芳（华东销售组）."""

    def label_from_instance(self, obj):
        return f"{obj}（{obj.department}）" if obj.department_id else str(obj)


REASON_CHOICES = [("", gettext_lazy("请选择")), *HandoverReason.choices]


class HandoverForm(ScopedFormMixin, forms.Form):
    """New owner, reason and notes: reason and notes are required for a transfer, optional for assigning."""

    owner = UserChoiceField(
        label=gettext_lazy("新负责人"),
        queryset=User.objects.none(),
        error_messages={"required": gettext_lazy("请选择新负责人。")},
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("交接原因"),
        choices=REASON_CHOICES,
        required=False,
        error_messages={"required": gettext_lazy("请选择交接原因。")},
    )
    notes = forms.CharField(
        label=gettext_lazy("交接说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例如：客户的跟进进度、未完成的报价和需要注意的事项。"),
        error_messages={"required": gettext_lazy("请填写交接说明。")},
    )

    def __init__(self, *args, user, require_reason: bool, exclude_owner=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        owners = ownership.list_assignable_owners(user=user)
        if exclude_owner is not None:
            owners = owners.exclude(pk=exclude_owner.pk)
        self.fields["owner"].queryset = owners
        self.fields["reason"].required = require_reason
        self.fields["notes"].required = require_reason


class BatchHandoverForm(HandoverForm):
    partners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("客商"),
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一个客商。")},
    )
    field_order = ["partners", "owner", "reason", "notes"]

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = partners
        self.order_fields(self.field_order)


class ReleaseForm(ScopedFormMixin, forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("原因"), choices=REASON_CHOICES, required=False)
    notes = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(ScopedFormMixin, forms.Form):
    user = UserChoiceField(
        label=gettext_lazy("协作人"),
        queryset=User.objects.none(),
        error_messages={"required": gettext_lazy("请选择协作人。")},
    )
    can_write = forms.BooleanField(label=gettext_lazy("可编辑"), required=False)

    def __init__(self, *args, user, partner, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["user"].queryset = ownership.list_assignable_owners(user=user).exclude(pk=partner.owner_id)


class PoolRulesForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PoolRules
        fields = [
            "max_owned_customers",
            "claim_cooldown_days",
            "recycle_without_followup_days",
            "recycle_without_deal_days",
        ]


#
# Filters (shared with the API)
#


class PoolFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("搜索"), method="search")
    role = django_filters.ChoiceFilter(label=gettext_lazy("角色"), choices=ROLE_CHOICES, method="filter_role")
    industry = django_filters.ModelChoiceFilter(label=gettext_lazy("行业"), queryset=Industry.objects.all())
    level = django_filters.ModelChoiceFilter(label=gettext_lazy("级别"), queryset=PartnerLevel.objects.all())
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=PartnerStatus.choices)
    source = django_filters.ChoiceFilter(label=gettext_lazy("来源"), choices=PartnerSource.choices)
    region = django_filters.CharFilter(label=gettext_lazy("地区编码"), method="filter_region")

    class Meta:
        model = Partner
        fields = ["q", "role", "industry", "level", "status", "source", "region"]

    def search(self, queryset, name, value):
        query = normalise_query(value)
        return queryset.filter(partner_search_condition(query)) if query else queryset

    def filter_role(self, queryset, name, value):
        return queryset.filter(is_customer=True) if value == "customer" else queryset.filter(is_supplier=True)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.strip())


class HandoverFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("客商"), method="search")
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=gettext_lazy("客商编号"))
    kind = django_filters.ChoiceFilter(label=gettext_lazy("方式"), choices=HandoverKind.choices)
    reason = django_filters.ChoiceFilter(label=gettext_lazy("原因"), choices=HandoverReason.choices)
    # field_name names a user column so the schema types the id; the method matches either side.
    owner = django_filters.ModelChoiceFilter(
        label=gettext_lazy("负责人（原或新）"),
        field_name="to_owner",
        queryset=User.objects.all(),
        method="filter_owner",
    )
    date_from = DateFromFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = DateToFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Handover
        fields = ["q", "partner_id", "kind", "reason", "owner", "date_from", "date_to"]

    def search(self, queryset, name, value):
        query = normalise_query(value)
        return queryset.filter(partner__search_text__contains=query) if query else queryset

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(from_owner=value) | Q(to_owner=value))


#
# Tables
#


class PoolTable(Table):
    """The pool's columns: who the partner is, not how to reach them (phone and e-mail stay masked
    unless ``view_sensitive`` covers the row)."""

    columns = (
        Column("name", gettext_lazy("名称"), order_by="name"),
        Column("roles_display", gettext_lazy("角色")),
        Column("industry", gettext_lazy("行业"), order_by="industry__name"),
        Column("level", gettext_lazy("级别"), order_by="level__order"),
        Column("region.full_name", gettext_lazy("地区"), order_by="region__code"),
        Column("status", gettext_lazy("状态"), order_by="status"),
        Column("phone", gettext_lazy("电话")),
        Column("email", gettext_lazy("邮箱")),
        Column("pooled_at", gettext_lazy("进入公海时间"), order_by="pooled_at"),
    )
    default_order = "-pooled_at"


class HandoverTable(Table):
    columns = (
        Column("created_at", gettext_lazy("时间"), order_by="created_at"),
        Column("partner", gettext_lazy("客商"), order_by="partner__name", link="partner"),
        Column("kind", gettext_lazy("方式"), order_by="kind"),
        Column("from_owner", gettext_lazy("原负责人"), order_by="from_owner__name"),
        Column("to_owner", gettext_lazy("新负责人"), order_by="to_owner__name"),
        Column("reason", gettext_lazy("原因"), order_by="reason"),
        Column("notes", gettext_lazy("交接说明")),
        Column("moved", gettext_lazy("随之转移")),
        Column("created_by", gettext_lazy("操作人")),
    )
    default_order = "-created_at"

    def cell(self, obj, column):
        if column.accessor == "moved":
            return ownership.describe_moved(obj.moved)
        if column.accessor in ("from_owner", "to_owner") and getattr(obj, f"{column.accessor}_id") is None:
            return str(_("公海")) if _pool_side(obj, column.accessor) else ""
        if column.accessor == "created_by" and obj.created_by_id is None:
            return str(_("系统"))
        return super().cell(obj, column)


def _pool_side(handover: Handover, side: str) -> bool:
    """Whether an empty owner on this side of the handover is the pool (not a deleted user)."""
    if side == "to_owner":
        return handover.kind in (HandoverKind.RELEASE, HandoverKind.RECYCLE)
    return handover.kind in (HandoverKind.CLAIM, HandoverKind.ASSIGN)


#
# The pool (公海)
#


class PoolListView(ObjectListView):
    """Everyone who may claim ("add") sees the whole pool (see ``ownership.list_pool_partners``); the others,
    such as 管理层 who read every partner, see the pool rows within their own scope, read-only."""

    model = Partner
    selector = ownership.list_pool_partners
    table = PoolTable
    filterset = PoolFilterSet
    template_name = "partners/pool_list.html"
    export_basename = "pool"

    def can_claim(self) -> bool:
        return has_action(self.request.user, ownership.RESOURCE, Action.ADD)

    def get_action(self) -> str:
        if self.request.GET.get("export"):
            return Action.EXPORT
        return Action.ADD if self.can_claim() else Action.VIEW

    def get_scoped_queryset(self, action):
        if self.can_claim():
            return super().get_scoped_queryset(action)
        # Not the claimants' deliberate second read path: the ordinary scoped read, narrowed to the pool.
        pooled = Handover.objects.filter(partner=OuterRef("pk"), kind__in=ownership.POOL_KINDS).order_by("-pk")
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
            status=ownership.get_claim_status(user=user) if can_claim else None,
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
    selector = ownership.list_pool_partners
    template_name = "partners/pool_claim.html"

    def get(self, request, pk):
        partner = get_object_or_404(self.queryset, pk=pk)
        context = self.get_context_data(partner=partner, status=ownership.get_claim_status(user=request.user))
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        partner = self.queryset.filter(pk=pk).first()
        if partner is None:
            messages.error(request, _("该客户已被他人领取。"))
            return redirect_after_write(request, reverse("partners:pool_list"))
        try:
            ownership.claim_partner(actor=request.user, partner=partner)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect_after_write(request, reverse("partners:pool_list"))
        messages.success(request, _("已领取“%(name)s”，现在由您负责。") % {"name": partner})
        return redirect_after_write(request, reverse("partners:partner_detail", args=[partner.pk]))


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
        ids = _ids(self.request)
        return self.candidates().filter(pk__in=ids) if ids else self.candidates().none()

    def get_form(self, data=None, partners=None):
        partners = partners if partners is not None else self.candidates()
        return BatchHandoverForm(
            data,
            user=self.request.user,
            partners=partners,
            require_reason=self.kind == HandoverKind.TRANSFER,
            initial={"partners": list(partners.values_list("pk", flat=True)[: ownership.BATCH_LIMIT])}
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
        posted = [value for value in request.POST.getlist("partners") if value.isdigit()]
        form = self.get_form(request.POST, partners=self.candidates().filter(pk__in=posted))
        if form.is_valid():
            data = form.cleaned_data
            service = ownership.transfer_partners if self.kind == HandoverKind.TRANSFER else ownership.assign_partners
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
        value = self.request.GET.get("from_owner")
        if not value or not value.isdigit():
            return None
        return ownership.list_assignable_owners(user=self.request.user).filter(pk=value).first()

    def get(self, request):
        listed = self.listed()
        return self.render(
            self.get_form(partners=listed),
            listed_count=listed.count(),
            from_owner=self.from_owner(),
            owners=ownership.list_assignable_owners(user=request.user),
            batch_limit=ownership.BATCH_LIMIT,
        )


def _ids(request) -> list[int]:
    """``?ids=1,2,3`` or ``?ids=1&ids=2``: the partner ids chosen on a list page."""
    ids = []
    for value in request.GET.getlist("ids"):
        ids.extend(int(part) for part in value.split(",") if part.strip().isdigit())
    return ids[: ownership.BATCH_LIMIT]


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
            if partner.owner_id and self.can(Action.CHANGE, partner)
            else None,
            "claim_url": reverse("partners:pool_claim", args=[pk])
            if partner.in_pool and has_action(user, self.resource, Action.ADD)
            else None,
            "share_url": reverse("partners:partner_collaborators", args=[pk])
            if ownership.can_share(user=user, partner=partner)
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
            service = ownership.assign_partner if partner.in_pool else ownership.transfer_partner
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
    """放入公海, after confirmation: whoever may change the partner may let it go."""

    model = Partner
    action = Action.CHANGE
    selector = selectors.list_partners
    template_name = "partners/ownership_release.html"

    def render(self, partner, form):
        return TemplateResponse(self.request, self.template_name, self.get_context_data(object=partner, form=form))

    def get(self, request, pk):
        partner = self.get_object()
        if partner.in_pool:
            raise Http404(_("该客商已在公海中。"))
        return self.render(partner, ReleaseForm(user=request.user))

    def post(self, request, pk):
        partner = self.get_object()
        form = ReleaseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    ownership.release_partner(actor=request.user, partner=partner, **form.cleaned_data)
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
        can_share = ownership.can_share(user=self.request.user, partner=obj)
        context.update(
            tab="collaborators",
            collaborators=ownership.list_collaborators(partner=obj),
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
                    ownership.share_partner(actor=request.user, partner=partner, **form.cleaned_data)
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
        collaborator = ownership.list_collaborators(partner=partner).filter(user_id=request.POST.get("user")).first()
        if collaborator is None:
            messages.error(request, _("该用户不是协作人。"))
        else:
            try:
                with transaction.atomic():
                    ownership.unshare_partner(actor=request.user, partner=partner, user=collaborator.user)
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
        handovers = ownership.list_handovers(user=self.request.user).filter(partner=obj)
        context.update(
            tab="handovers",
            handovers=[(handover, ownership.describe_moved(handover.moved)) for handover in handovers],
        )
        return context


#
# Handovers of every partner in scope (managers' list)
#


class HandoverListView(ObjectListView):
    model = Handover
    selector = ownership.list_handovers
    table = HandoverTable
    filterset = HandoverFilterSet
    export_basename = "handovers"


#
# Pool rules (one row)
#


class PoolRulesDetailView(ScopedViewMixin, View):
    model = PoolRules
    template_name = "partners/pool_rules.html"

    def get(self, request):
        rules = self.queryset.get(pk=ownership.get_pool_rules().pk)
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
        return self.queryset.get(pk=ownership.get_pool_rules().pk)

    # The one row has no pk in its URL; ``pk=None`` tells the base this is an edit, not a create.
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, pk=None, **kwargs)

    def post(self, request, *args, **kwargs):
        return super().post(request, *args, pk=None, **kwargs)

    def save_form(self, form):
        return ownership.update_pool_rules(actor=self.request.user, data=form.cleaned_data)

    def success_url(self, obj) -> str:
        return reverse("partners:poolrules_detail")

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["cancel_url"] = reverse("partners:poolrules_detail")
        return response


urlpatterns = [
    path("pool/", PoolListView.as_view(), name="pool_list"),
    path("pool/<int:pk>/claim/", PoolClaimView.as_view(), name="pool_claim"),
    path("pool/assign/", PoolBatchAssignView.as_view(), name="pool_batch_assign"),
    path("pool/rules/", PoolRulesDetailView.as_view(), name="poolrules_detail"),
    path("pool/rules/edit/", PoolRulesEditView.as_view(), name="poolrules_edit"),
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
