"""Pages of the duplicate finder and the merge tool (查重与合并, issue 3); both need "assign" on partners.

* ``duplicates/``: the groups of probable duplicates, filtered by reason and similarity threshold,
  paged, and exportable (CSV/Excel, with the "export" grant); each later member of a group has a
  合并 button that opens the merge page with the group's oldest member.
* ``<pk>/merge/<other_pk>/``: the two records side by side; the user picks the record to keep and,
  field by field, which value to keep, ticks the confirmation and merges.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.exporting import EXPORT_FORMATS, export_response
from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.tables import Column, Table
from keshang.core.views import PAGE_SIZES, ScopedViewMixin, htmx_partial, redirect_after_write

from . import merging
from .merging import DuplicateReason, MergeChoice
from .models import Partner

__all__ = ["DuplicateFilterForm", "PartnerMergeForm", "DuplicateListView", "PartnerMergeView", "urlpatterns"]


#
# Forms
#


class DuplicateFilterForm(forms.Form):
    threshold = forms.IntegerField(
        label=gettext_lazy("相似度阈值（%）"),
        min_value=merging.MIN_THRESHOLD,
        max_value=merging.MAX_THRESHOLD,
        required=False,
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-sm", "placeholder": merging.DEFAULT_THRESHOLD, "step": 1}
        ),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("重复原因"),
        choices=[("", gettext_lazy("全部")), *DuplicateReason.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = merging.threshold_message()
        self.fields["threshold"].error_messages.update(invalid=message, min_value=message, max_value=message)

    def report_arguments(self) -> dict:
        reason = self.cleaned_data.get("reason")
        return {
            "threshold": self.cleaned_data.get("threshold") or merging.DEFAULT_THRESHOLD,
            "reasons": [reason] if reason else None,
        }


RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})


class PartnerMergeForm(forms.Form):
    """The record to keep, and for each field whose values differ, the record whose value to keep.

    Choices name records (their pks), not "survivor"/"duplicate", so a value picked on the page stays
    the one picked when the user then changes which record to keep.
    """

    survivor = forms.TypedChoiceField(label=gettext_lazy("保留的记录"), coerce=int, widget=RADIO)
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核对以上内容：合并后另一条记录将被删除，此操作不能撤销。"),
        error_messages={"required": gettext_lazy("请勾选确认后再合并。")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *, first: Partner, second: Partner, rows: list[merging.FieldComparison]):
        super().__init__(data)
        choices = [(first.pk, str(first)), (second.pk, str(second))]
        self.fields["survivor"].choices = choices
        self.fields["survivor"].initial = first.pk
        for row in rows:
            if row.differs:
                self.fields[f"field_{row.name}"] = forms.TypedChoiceField(
                    label=row.label,
                    choices=choices,
                    coerce=int,
                    initial=first.pk if row.default == MergeChoice.SURVIVOR else second.pk,
                    widget=RADIO,
                )

    def field_choices(self) -> dict[str, str]:
        survivor = self.cleaned_data["survivor"]
        return {
            name.removeprefix("field_"): MergeChoice.SURVIVOR if value == survivor else MergeChoice.DUPLICATE
            for name, value in self.cleaned_data.items()
            if name.startswith("field_")
        }


#
# Duplicate finder
#


@dataclass(frozen=True)
class DuplicateExportRow:
    """One member of one group: a partner can be in several groups, so the export is not a queryset
    of partners. ``pk`` and ``phone`` let the table's masker treat it as the partner it describes."""

    group: int
    reason: str
    pk: int
    name: str
    owner: str
    department: str
    credit_code: str
    phone: str
    created_at: datetime.datetime
    contact_count: int


class DuplicateExportRows:
    """The rows, with what :func:`~keshang.core.exporting.export_response` uses of a queryset."""

    def __init__(self, rows: list[DuplicateExportRow]):
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def iterator(self, chunk_size: int | None = None):
        return iter(self.rows)


class DuplicateExportTable(Table):
    columns = (
        Column("group", gettext_lazy("组号")),
        Column("reason", gettext_lazy("重复原因")),
        Column("name", gettext_lazy("名称")),
        Column("owner", gettext_lazy("负责人")),
        Column("department", gettext_lazy("所属部门")),
        Column("credit_code", gettext_lazy("统一社会信用代码")),
        Column("phone", gettext_lazy("电话")),
        Column("created_at", gettext_lazy("创建时间")),
        Column("contact_count", gettext_lazy("联系人数")),
    )


def _owner_name(partner: Partner) -> str:
    return str(partner.owner) if partner.owner_id else _("公海")


class DuplicateListView(ScopedViewMixin, View):
    model = Partner
    action = Action.ASSIGN
    template_name = "partners/merging_duplicates.html"

    def get(self, request):
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404(_("不支持的导出格式。"))
            if not has_action(request.user, self.resource, Action.EXPORT):
                raise PermissionDenied(_("您没有此操作的权限。"))
        # Always bound: no filter at all is valid and means the defaults.
        form = DuplicateFilterForm(request.GET)
        report = None
        if form.is_valid():
            report = merging.find_duplicate_groups(user=request.user, **form.report_arguments())
        if export:
            return self.export(report, export)

        page = Paginator(report.groups if report else [], PAGE_SIZES[0]).get_page(request.GET.get("page"))
        groups = merging.load_group_members(user=request.user, groups=page.object_list)
        masker = Masker(request.user, Partner).prepare([member for group in groups for member in group.members])
        query = request.GET.copy()
        for key in ("page", "export"):
            query.pop(key, None)
        context = self.get_context_data(
            form=form,
            report=report,
            page=page,
            groups=[
                (
                    group,
                    [
                        (
                            member,
                            masker.value(member, "phone"),
                            reverse("partners:partner_merge", args=[anchor.pk, member.pk]) if anchor else None,
                        )
                        for anchor, member in [(None, group.members[0]), *group.pairs()]
                    ],
                )
                for group in groups
            ],
            query=query.urlencode(),
            sort="",
            can_export=has_action(request.user, self.resource, Action.EXPORT),
        )
        template = f"{self.template_name}#groups" if htmx_partial(request) else self.template_name
        return TemplateResponse(request, template, context)

    def export(self, report, fmt: str):
        groups = merging.load_group_members(user=self.request.user, groups=report.groups if report else [])
        rows = [
            DuplicateExportRow(
                group=number,
                reason=group.reason_display(),
                pk=member.pk,
                name=member.name,
                owner=_owner_name(member),
                department=str(member.department or ""),
                credit_code=member.credit_code or "",
                phone=member.phone,
                created_at=member.created_at,
                contact_count=member.contact_count,
            )
            for number, group in enumerate(groups, start=1)
            for member in group.members
        ]
        return export_response(
            user=self.request.user,
            queryset=DuplicateExportRows(rows),
            table=DuplicateExportTable(user=self.request.user, model=Partner),
            fmt=fmt,
            basename="duplicates",
            description=_("重复客商"),
        )


#
# Merge page
#


class PartnerMergeView(ScopedViewMixin, View):
    model = Partner
    action = Action.ASSIGN
    template_name = "partners/merging_merge.html"

    def get_pair(self) -> tuple[Partner, Partner]:
        partners = self.queryset.select_related("owner", "department", "industry", "level", "region")
        return (
            get_object_or_404(partners, pk=self.kwargs["pk"]),
            get_object_or_404(partners, pk=self.kwargs["other_pk"]),
        )

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("pk") == kwargs.get("other_pk"):
            if request.user.is_authenticated:
                messages.error(request, _("不能将客商与其自身合并。"))
            return HttpResponseRedirect(reverse("partners:partner_duplicates"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, other_pk):
        first, second = self.get_pair()
        rows = merging.compare_partners(user=request.user, survivor=first, duplicate=second)
        return self.render(PartnerMergeForm(first=first, second=second, rows=rows), first, second, rows)

    def post(self, request, pk, other_pk):
        first, second = self.get_pair()
        rows = merging.compare_partners(user=request.user, survivor=first, duplicate=second)
        form = PartnerMergeForm(request.POST, first=first, second=second, rows=rows)
        if form.is_valid():
            survivor, duplicate = (first, second) if form.cleaned_data["survivor"] == first.pk else (second, first)
            try:
                merged = merging.merge_partners(
                    actor=request.user, survivor=survivor, duplicate=duplicate, field_choices=form.field_choices()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("已将“%(duplicate)s”合并到“%(survivor)s”。") % {"duplicate": duplicate, "survivor": merged},
                )
                return redirect_after_write(request, merged.get_absolute_url())
        return self.render(form, first, second, rows, status=422 if getattr(request, "htmx", False) else 200)

    def render(self, form, first, second, rows, status=200):
        context = self.get_context_data(
            form=form,
            columns=list(zip(form["survivor"], (first, second), strict=True)),
            rows=[(row, form[f"field_{row.name}"] if row.differs else None) for row in rows],
            parts=[
                (label, first_count, second_count)
                for (label, first_count), (_label, second_count) in zip(
                    merging.count_parts(partner=first), merging.count_parts(partner=second), strict=True
                )
            ],
            cancel_url=reverse("partners:partner_duplicates"),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


urlpatterns = [
    path("duplicates/", DuplicateListView.as_view(), name="partner_duplicates"),
    path("<int:pk>/merge/<int:other_pk>/", PartnerMergeView.as_view(), name="partner_merge"),
]
