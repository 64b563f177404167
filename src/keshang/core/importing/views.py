"""Pages of core's importing framework: upload → column mapping → preview (every row checked) → confirm →
progress (htmx polls a fragment) → result, with the template and the error report to download.

Every page is on the scoped bases over ``core.importjob`` (a user's own jobs unless their role opens
more); the steps that change a job are its creator's alone. The importer's own grants ("add" on
partners, say) are checked on top, before anything is read.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ..exceptions import ApplicationError
from ..models import ImportJob, ImportStatus
from ..permissions import Action
from ..tables import Column, Table
from ..views import ObjectListView, ScopedViewMixin, redirect_after_write
from .base import DuplicatePolicy, Importer, get_importer
from .files import build_template
from .progress import import_progress
from .steps import create_import_job, list_import_jobs, set_import_mapping, start_commit, start_validation

__all__ = [
    "ImportUploadView",
    "ImportTemplateView",
    "ImportMappingView",
    "ImportJobDetailView",
    "ImportProgressView",
    "ImportConfirmView",
    "ImportErrorReportView",
    "ImportJobListView",
    "urlpatterns",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobTable(Table):
    columns = (
        Column("created_at", gettext_lazy("上传时间"), order_by="pk", link=True),
        Column("original_name", gettext_lazy("原文件名"), order_by="original_name", link=True),
        Column("kind", gettext_lazy("导入类型"), order_by="kind"),
        Column("status", gettext_lazy("状态"), order_by="status"),
        Column("total_rows", gettext_lazy("总行数")),
        Column("created_count", gettext_lazy("新增")),
        Column("updated_count", gettext_lazy("更新")),
        Column("skipped_count", gettext_lazy("跳过")),
        Column("error_count", gettext_lazy("错误行数")),
        Column("created_by", gettext_lazy("操作人")),
    )
    default_order = "-pk"

    def cell(self, obj, column):
        if column.accessor == "kind":
            importer = get_importer(obj.kind)
            return str(importer.verbose_name) if importer else obj.kind
        return super().cell(obj, column)


class ImportViewMixin(ScopedViewMixin):
    """Scoped over import jobs; ``importer_for()`` adds the importer's own grant check."""

    model = ImportJob

    def importer_for(self, kind: str, policy: str = DuplicatePolicy.SKIP) -> type[Importer]:
        importer = get_importer(kind)
        if importer is None:
            raise Http404(_("未知的导入类型。"))
        importer.check_grants(self.request.user, policy)
        return importer

    def own_job(self):
        """The job in the URL, if this user created it: only its creator moves it to the next step."""
        return get_object_or_404(self.queryset.filter(created_by=self.request.user), pk=self.kwargs["pk"])


#
# Upload
#


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


class ImportUploadView(ImportViewMixin, View):
    """Step 1. ``kind`` comes from the URL, or from a subclass (e.g. ``partners:partner_import``)."""

    action = Action.ADD
    template_name = "core/import_upload.html"
    kind = ""

    def get_kind(self) -> str:
        return self.kind or self.kwargs.get("kind", "")

    def get(self, request, *args, **kwargs):
        return self.render(UploadForm())

    def post(self, request, *args, **kwargs):
        importer = self.importer_for(self.get_kind())
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = create_import_job(actor=request.user, kind=importer.kind, upload=form.cleaned_data["file"])
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                return redirect_after_write(request, reverse("core:importjob_mapping", args=[job.pk]))
        return self.render(form, status=422 if getattr(request, "htmx", False) else 200)

    def render(self, form, status=200):
        importer = self.importer_for(self.get_kind())
        recent = self.queryset.filter(kind=importer.kind, created_by=self.request.user)[:5]
        context = self.get_context_data(
            form=form,
            importer=importer,
            fields=importer.fields,
            template_url=reverse("core:import_template", args=[importer.kind]),
            recent=recent,
            jobs_url=reverse("core:importjob_list"),
            list_url=_reverse_or_none(importer.list_url_name),
            verbose_name_plural=importer.verbose_name,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


class ImportTemplateView(ImportViewMixin, View):
    """The importer's .xlsx template: Chinese headers, an example row and a sheet of instructions."""

    action = Action.ADD

    def get(self, request, kind):
        importer = self.importer_for(kind)
        response = HttpResponse(build_template(importer), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
        return response


#
# Mapping
#


class MappingForm(forms.Form):
    """One select per field (the file's columns, or 不导入), the duplicate policy and the importer's options."""

    def __init__(self, *args, job: ImportJob, importer: type[Importer], **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        headers = job.mapping.get("headers", [])
        samples = job.mapping.get("samples", [])
        columns = job.mapping.get("columns", {})
        choices = [("", _("（不导入）"))] + [(str(index), header) for index, header in enumerate(headers)]
        self.rows = []
        for item in importer.fields:
            index = columns.get(item.name)
            self.fields[f"column_{item.name}"] = forms.ChoiceField(
                label=item.label,
                choices=choices,
                required=False,
                initial="" if index is None else str(index),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            sample = [cells[index] for cells in samples if index is not None and index < len(cells)]
            self.rows.append((item, self[f"column_{item.name}"], [value for value in sample if value]))
        self.fields["policy"] = forms.ChoiceField(
            label=_("已存在的记录"),
            choices=[(value, label) for value, label in DuplicatePolicy.choices if value in importer.policies],
            initial=job.policy,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        )
        for option in importer.options:
            self.fields[f"option_{option.name}"] = forms.ChoiceField(
                label=option.label,
                choices=option.choices,
                initial=job.mapping.get("options", {}).get(option.name, option.default),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def option_fields(self):
        return [self[f"option_{option.name}"] for option in self.importer.options]

    def columns(self) -> dict[str, str]:
        return {item.name: self.cleaned_data[f"column_{item.name}"] for item in self.importer.fields}

    def options(self) -> dict[str, str]:
        return {option.name: self.cleaned_data[f"option_{option.name}"] for option in self.importer.options}

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages_ in error.message_dict.items():
            key = name if name == "policy" else f"column_{name}"
            key = key if key in self.fields else f"option_{name}" if f"option_{name}" in self.fields else None
            for message in messages_:
                self.add_error(key, message)


class ImportMappingView(ImportViewMixin, View):
    """Step 2: which column is which field; then every row is checked (here, or as a background job)."""

    action = Action.ADD
    template_name = "core/import_mapping.html"

    def get(self, request, pk):
        job = self.own_job()
        importer = self.importer_for(job.kind, job.policy)
        return self.render(job, MappingForm(job=job, importer=importer))

    def post(self, request, pk):
        job = self.own_job()
        importer = self.importer_for(job.kind, request.POST.get("policy") or job.policy)
        form = MappingForm(request.POST, job=job, importer=importer)
        if form.is_valid():
            try:
                job = set_import_mapping(
                    actor=request.user,
                    job=job,
                    columns=form.columns(),
                    policy=form.cleaned_data["policy"],
                    options=form.options(),
                )
                job = start_validation(actor=request.user, job=job)
            except ValidationError as error:
                form.add_service_errors(error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect_after_write(request, reverse("core:importjob_detail", args=[job.pk]))
        return self.render(job, form, status=422 if getattr(request, "htmx", False) else 200)

    def render(self, job, form, status=200):
        context = self.get_context_data(job=job, form=form, importer=get_importer(job.kind))
        return TemplateResponse(self.request, self.template_name, context, status=status)


#
# The job: progress, preview, result
#


class ImportJobDetailView(ImportViewMixin, View):
    """One page for the job, showing the step it is at: progress while it runs, then the preview (after
    validation) or the result (after the import)."""

    template_name = "core/import_job.html"

    def get(self, request, pk):
        job = get_object_or_404(self.queryset, pk=pk)
        if job.status == ImportStatus.UPLOADED and job.created_by_id == request.user.pk:
            return HttpResponseRedirect(reverse("core:importjob_mapping", args=[job.pk]))
        importer = get_importer(job.kind)
        entries = job.errors or []
        context = self.get_context_data(
            object=job,
            job=job,
            importer=importer,
            running=job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING),
            **_progress(job),
            error_entries=[entry for entry in entries if entry.get("level") == "error"],
            notice_entries=[entry for entry in entries if entry.get("level") == "notice"],
            is_creator=job.created_by_id == request.user.pk,
            target_url=_reverse_or_none(importer.list_url_name) if importer else None,
            upload_url=_upload_url(job.kind),
        )
        return TemplateResponse(request, self.template_name, context)


def _upload_url(kind: str) -> str:
    return reverse("core:import_upload", args=[kind])


class ImportProgressView(ImportViewMixin, View):
    """The progress fragment htmx polls; once the job has stopped running it asks for a full reload, which
    shows the preview or the result."""

    template_name = "core/import_job.html#progress"

    def get(self, request, pk):
        job = get_object_or_404(self.queryset, pk=pk)
        if job.status not in (ImportStatus.VALIDATING, ImportStatus.IMPORTING):
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return TemplateResponse(request, self.template_name, {"job": job, **_progress(job)})


def _progress(job: ImportJob) -> dict:
    processed = import_progress(job)
    percent = min(100, processed * 100 // job.total_rows) if job.total_rows else 0
    return {"processed": processed, "percent": percent}


class ImportConfirmView(ImportViewMixin, View):
    """Step 4 (POST): import the validated rows, all or nothing."""

    action = Action.ADD

    def post(self, request, pk):
        job = self.own_job()
        self.importer_for(job.kind, job.policy)
        try:
            start_commit(actor=request.user, job=job)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect_after_write(request, reverse("core:importjob_detail", args=[job.pk]))


class ImportErrorReportView(ImportViewMixin, View):
    """The rejected rows as .xlsx: the original row, its line number and 错误原因."""

    def get(self, request, pk):
        job = get_object_or_404(self.queryset, pk=pk)
        if not job.error_report:
            raise Http404(_("没有错误报告。"))
        try:
            handle = job.error_report.open("rb")
        except FileNotFoundError:
            raise Http404(_("错误报告已不存在。")) from None
        return FileResponse(handle, as_attachment=True, filename=job.error_report.name.rsplit("/", 1)[-1])


class ImportJobListView(ObjectListView):
    model = ImportJob
    selector = list_import_jobs
    table = ImportJobTable


urlpatterns = [
    path("imports/", ImportJobListView.as_view(), name="importjob_list"),
    path("imports/new/<slug:kind>/", ImportUploadView.as_view(), name="import_upload"),
    path("imports/template/<slug:kind>/", ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="importjob_detail"),
    path("imports/<int:pk>/mapping/", ImportMappingView.as_view(), name="importjob_mapping"),
    path("imports/<int:pk>/progress/", ImportProgressView.as_view(), name="importjob_progress"),
    path("imports/<int:pk>/confirm/", ImportConfirmView.as_view(), name="importjob_confirm"),
    path("imports/<int:pk>/errors/", ImportErrorReportView.as_view(), name="importjob_errors"),
]
