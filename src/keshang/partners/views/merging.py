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

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.exporting import EXPORT_FORMATS, export_response
from keshang.core.masking import Masker
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import PAGE_SIZES, ScopedViewMixin, htmx_partial, redirect_after_write

from .. import selectors, services
from ..forms import DuplicateFilterForm, PartnerMergeForm
from ..models import Partner
from ..tables import DuplicateExportTable

__all__ = ["DuplicateListView", "PartnerMergeView", "urlpatterns"]


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
            report = selectors.find_duplicate_groups(user=request.user, **form.report_arguments())
        if export:
            return self.export(report, export)

        page = Paginator(report.groups if report else [], PAGE_SIZES[0]).get_page(request.GET.get("page"))
        groups = selectors.load_group_members(user=request.user, groups=page.object_list)
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
        groups = selectors.load_group_members(user=self.request.user, groups=report.groups if report else [])
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
        rows = selectors.compare_partners(user=request.user, survivor=first, duplicate=second)
        return self.render(PartnerMergeForm(first=first, second=second, rows=rows), first, second, rows)

    def post(self, request, pk, other_pk):
        first, second = self.get_pair()
        rows = selectors.compare_partners(user=request.user, survivor=first, duplicate=second)
        form = PartnerMergeForm(request.POST, first=first, second=second, rows=rows)
        if form.is_valid():
            survivor, duplicate = (first, second) if form.cleaned_data["survivor"] == first.pk else (second, first)
            try:
                merged = services.merge_partners(
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
                    selectors.count_parts(partner=first), selectors.count_parts(partner=second), strict=True
                )
            ],
            cancel_url=reverse("partners:partner_duplicates"),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


urlpatterns = [
    path("duplicates/", DuplicateListView.as_view(), name="partner_duplicates"),
    path("<int:pk>/merge/<int:other_pk>/", PartnerMergeView.as_view(), name="partner_merge"),
]
