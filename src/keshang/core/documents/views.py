"""The pages of every document type, generated from its :class:`~keshang.core.documents.types.DocumentType`:
list, detail (lines, totals, amount in words, the workflow's buttons, registered detail actions, approval
history), edit (header form + the line editor the server re-prices on every change), the line preview,
delete, history, one view for every workflow move, and the printable page and PDF.

:func:`document_urls` makes the URL patterns; every view is a subclass of core's scoped bases, so the URL
walk and the permission matrix see them like any other page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.approvals import approval_history
from keshang.core.exceptions import ApplicationError
from keshang.core.identifiers import parse_pk
from keshang.core.money import amount_in_words_for
from keshang.core.permissions import Action
from keshang.core.registry import detail_actions_for
from keshang.core.scope import has_action, recheck_scope
from keshang.core.selectors import get_rate_to_cny
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
    add_application_error,
    add_validation_error,
    redirect_after_write,
)

from .printing import render_html
from .types import DocumentType

__all__ = [
    "DocumentListView",
    "DocumentDetailView",
    "DocumentEditView",
    "LinePreviewView",
    "ContactOptionsView",
    "DocumentDeleteView",
    "DocumentMoveView",
    "DocumentPrintView",
    "DocumentPdfView",
    "document_urls",
]


class DocumentViewMixin:
    document_type: DocumentType = None

    @property
    def doc(self) -> DocumentType:
        return type(self).document_type

    def detail_url(self, obj) -> str:
        return reverse(self.doc.url_name("detail"), args=[obj.pk])


class DocumentListView(DocumentViewMixin, ObjectListView):
    pass


class DocumentDetailView(DocumentViewMixin, ObjectDetailView):
    template_name = "documents/document_detail.html"

    def extra(self, obj):
        context = super().extra(obj)
        doc = self.doc
        user = self.request.user
        workflow = doc.workflow
        moves = workflow.available(user, obj, visible=lambda action: self.can(action, obj))
        context.update(
            lines=list(obj.lines.select_related("product", "unit")),
            lines_template=doc.line_editor.table_template,
            amount_in_words=amount_in_words_for(obj.gross_amount, obj.currency),
            moves=[(reverse(doc.url_name("move"), args=[obj.pk, move.slug]), move) for move in moves],
            actions=detail_actions_for(
                doc.model._meta.label_lower, user, obj, visible=lambda action: self.can(action, obj)
            ),
            print_links=self.print_links(obj),
            approval_requests=approval_history(obj),
            edit_url=context["edit_url"] if doc.is_editable(obj) else None,
            delete_url=context["delete_url"] if doc.is_deletable(obj) else None,
        )
        return context

    def print_links(self, obj) -> list[tuple[str, str]]:
        links = []
        for template in self.doc.print_templates(obj):
            query = "" if template.key == "default" else f"?template={template.key}"
            links.append((reverse(self.doc.url_name("print"), args=[obj.pk]) + query, str(template.label)))
            label = _("下载 PDF") if template.key == "default" else _("%(print)s PDF") % {"print": template.label}
            links.append((reverse(self.doc.url_name("pdf"), args=[obj.pk]) + query, label))
        return links


class DocumentEditView(DocumentViewMixin, ScopedViewMixin, ObjectMixin, View):
    """Header form + line formset. Saving calls the document type's service with the header dict and the
    lines; a ValidationError or ApplicationError from the service comes back onto the form, nothing saved.
    A document whose state allows no editing is refused before any form is shown."""

    template_name = "documents/document_edit.html"

    def get_action(self) -> str:
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_editable_object(self):
        if "pk" not in self.kwargs:
            return None
        obj = self.get_object()
        if not self.doc.is_editable(obj):
            raise _NotEditable(obj)
        return obj

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except _NotEditable as refusal:
            obj = refusal.document
            messages.error(
                request,
                _("“%(state)s”状态的%(name)s不能修改。")
                % {"state": obj.get_status_display(), "name": self.doc.model._meta.verbose_name},
            )
            return redirect_after_write(request, self.detail_url(obj))

    def forms(self, obj=None, data=None):
        user = self.request.user
        initial = {}
        if obj is None:
            for name in self.doc.form_class.prefill:
                value = parse_pk(self.request.GET.get(name))
                if value:
                    initial[name] = value
        form = self.doc.form_class(data, instance=obj, user=user, initial=initial)
        lines = self.doc.line_editor.formset(data, user=user, document=obj)
        return form, lines

    def get(self, request, *args, **kwargs):
        obj = self.get_editable_object()
        form, lines = self.forms(obj)
        return self.render(form, lines, obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_editable_object()
        form, lines = self.forms(obj, request.POST)
        if form.is_valid() and lines.is_valid():
            items = self.doc.line_editor.inputs(lines)
            try:
                with transaction.atomic():
                    if obj is None:
                        saved = self.doc.create(actor=request.user, data=form.header_data(), lines=items)
                    else:
                        saved = self.doc.update(
                            actor=request.user,
                            data=form.header_data(),
                            lines=items,
                            expected_version=form.cleaned_data.get("version"),
                            **{self.doc.document_kwarg: obj},
                        )
                    recheck_scope(user=request.user, obj=saved, action=self.get_action())
            except ValidationError as error:
                add_validation_error(form, error)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("已保存“%(object)s”。") % {"object": saved})
                return redirect_after_write(request, self.detail_url(saved))
        return self.render(form, lines, obj)

    def render(self, form, lines, obj, status=200):
        cancel_url = self.detail_url(obj) if obj else reverse(self.doc.url_name("list"))
        notices = [text for state, text in self.doc.edit_notices if obj is not None and obj.status == state]
        context = self.get_context_data(
            form=form,
            lines=lines,
            object=obj,
            is_new=obj is None,
            cancel_url=cancel_url,
            notices=notices,
            editor_template=self.doc.line_editor.template,
            preview_url=reverse(self.doc.url_name("lines_preview")),
            # The header field holding the document's date: the editor's dialogs search as of that date.
            date_field=self.doc.date_field,
            # Bound lines (posted, or a saved document's) show their figures as the service would save them.
            preview=preview_document_lines(self.doc, lines, form, self.request.user) if lines.is_bound else None,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class _NotEditable(Exception):
    def __init__(self, document):
        self.document = document


def _cleaned(form, name, field):
    try:
        return (
            field.clean(form.data.get(name))
            if form.is_bound
            else form.initial.get(name) or getattr(form.instance, name, None)
        )
    except ValidationError:
        return None


def document_date(doc: DocumentType, form):
    """The date the header form holds (today while it holds none): what the lines are priced on."""
    return _cleaned(form, doc.date_field, forms.DateField()) or timezone.localdate()


def preview_document_lines(doc: DocumentType, formset, form, user) -> dict:
    """The editor's preview for the header the form holds: its customer (through the form's scoped choices),
    its date, its currency and the rate on that date."""
    counterparty = doc.counterparty_field
    if form.is_bound:
        pk = parse_pk(form.data.get(counterparty))
        partner = form.fields[counterparty].queryset.filter(pk=pk).first() if pk else None
    else:
        partner = getattr(form.instance, counterparty, None) if form.instance.pk else None
    on = document_date(doc, form)
    currency = (form.data.get("currency") if form.is_bound else getattr(form.instance, "currency", "")) or "CNY"
    error = ""
    try:
        rate = get_rate_to_cny(currency_code=currency, on=on)
    except ApplicationError as refusal:
        rate, error = None, refusal.message
    preview = doc.line_editor.preview(formset, user=user, partner=partner, on=on, currency=currency, rate=rate)
    preview["error"] = error
    return preview


class EditorHelperMixin(DocumentViewMixin, ScopedViewMixin):
    """The editor's helpers serve whoever may fill in the form: a new document (add) or an existing one (change),
    so the edit page of a user who may only change never calls a helper that refuses them."""

    def get_action(self) -> str:
        return Action.ADD if has_action(self.request.user, self.resource, Action.ADD) else Action.CHANGE


class LinePreviewView(EditorHelperMixin, View):
    """POST the editor's form: answer the re-priced lines table (htmx), with the lines an editor button asked
    for (a blank line, picked products, pasted rows) added. Nothing is saved."""

    def post(self, request):
        form = self.doc.form_class(request.POST, user=request.user)
        form.is_valid()
        editor = self.doc.line_editor
        lines, entry = editor.add_requested_lines(
            editor.formset(request.POST, user=request.user),
            request.POST,
            user=request.user,
            on=document_date(self.doc, form),
        )
        context = {
            "lines": lines,
            "preview": preview_document_lines(self.doc, lines, form, request.user),
            "form": form,
            "preview_url": request.path,
            "date_field": self.doc.date_field,
            **entry,
        }
        return TemplateResponse(request, f"{editor.template}#preview", context)


class ContactOptionsView(EditorHelperMixin, View):
    """htmx: the contact choices of the counterparty just picked in the header form (only its contacts, only
    those the user may see)."""

    def get(self, request):
        counterparty = self.doc.counterparty_field
        form = self.doc.form_class(initial={counterparty: request.GET.get(counterparty)}, user=request.user)
        field = form.fields["contact"]
        return TemplateResponse(
            request,
            "documents/options.html",
            {"choices": [(contact.pk, str(contact)) for contact in field.queryset], "empty": field.empty_label},
        )


class DocumentDeleteView(DocumentViewMixin, ObjectDeleteView):
    def delete_object(self, obj):
        self.doc.delete(actor=self.request.user, **{self.doc.document_kwarg: obj})


class DocumentHistoryView(DocumentViewMixin, ObjectHistoryView):
    pass


class DocumentMoveView(DocumentViewMixin, ScopedViewMixin, ObjectMixin, View):
    """POST ``<pk>/<move>/``: one workflow move through its service; GET asks for confirmation (and a reason
    where the move asks one). The permission is the move's own, as declared: the same the button and the API
    action ask."""

    template_name = "documents/document_move.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.move = self.doc.workflow.get(kwargs.get("move", "").replace("-", "_"))

    def get_action(self) -> str:
        return self.move.permission

    def dispatch(self, request, *args, **kwargs):
        if self.move is None or not self.move.manual:
            raise Http404(_("未找到。"))
        if request.user.is_authenticated and not self.doc.workflow.user_may(request.user, self.move):
            raise PermissionDenied(_("您没有此操作的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, move):
        obj = self.get_object()
        context = self.get_context_data(object=obj, move=self.move, cancel_url=self.detail_url(obj))
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk, move):
        obj = self.get_object()
        reason = request.POST.get("reason", "").strip()
        if self.move.needs_reason and not reason:
            messages.error(request, _("请填写原因。"))
            return redirect_after_write(request, reverse(self.doc.url_name("move"), args=[obj.pk, self.move.slug]))
        try:
            with transaction.atomic():
                extra = {"reason": reason} if self.move.asks_reason else {}
                result = self.move.service(actor=request.user, **{self.doc.document_kwarg: obj}, **extra)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect_after_write(request, self.detail_url(obj))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect_after_write(request, self.detail_url(obj))
        messages.success(request, self.doc.workflow.done_message(self.move, result))
        # A move may answer another document (a revision, a copy, the order made from a quotation): go there.
        app_label, model_name = result._meta.app_label, result._meta.model_name
        return redirect_after_write(request, reverse(f"{app_label}:{model_name}_detail", args=[result.pk]))


class PrintMixin(DocumentViewMixin, ScopedViewMixin, ObjectMixin):
    def template(self, document):
        """The print ``?template=`` names (the document type's own by default), if offered for the document."""
        template = self.doc.print_template(document, self.request.GET.get("template", ""))
        if template is None:
            raise Http404(_("未找到。"))
        return template

    def layout(self):
        """The layout of that print for this user."""
        document = self.get_object()
        return self.template(document).build(document, user=self.request.user)


class DocumentPrintView(PrintMixin, View):
    """The printable page: the same layout as the PDF, with a watermark while the document is not binding."""

    def get(self, request, pk):
        return HttpResponse(render_html(self.layout(), request))


class DocumentPdfView(PrintMixin, View):
    def get(self, request, pk):
        document = self.get_object()
        content, filename = self.doc.render_pdf(document, self.template(document), user=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        # A Chinese name needs RFC 6266's filename*: Django would MIME-encode the whole header otherwise.
        response["Content-Disposition"] = content_disposition_header(False, filename)
        return response


def _view(base, doc: DocumentType, **attributes):
    name = f"{doc.model.__name__}{base.__name__.removeprefix('Document')}"
    return type(name, (base,), {"model": doc.model, "document_type": doc, "selector": doc.selector, **attributes})


def document_urls(doc: DocumentType) -> list:
    """The URL patterns of a document type's pages, named ``<model>_list``, ``_add``, ``_detail`` … in the app's
    namespace (``sales:quotation_detail``)."""
    prefix, name = doc.url_prefix, doc.model_name
    list_view = _view(
        DocumentListView, doc, table=doc.table, filterset=doc.filterset, export_basename=doc.export_basename or None
    )
    patterns = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", _view(DocumentEditView, doc).as_view(), name=f"{name}_add"),
        path(f"{prefix}/lines/", _view(LinePreviewView, doc).as_view(), name=f"{name}_lines_preview"),
        path(f"{prefix}/contact-options/", _view(ContactOptionsView, doc).as_view(), name=f"{name}_contact_options"),
        path(
            f"{prefix}/<int:pk>/",
            _view(DocumentDetailView, doc, detail_fields=doc.detail_fields).as_view(),
            name=f"{name}_detail",
        ),
        path(f"{prefix}/<int:pk>/edit/", _view(DocumentEditView, doc).as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", _view(DocumentDeleteView, doc).as_view(), name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/history/", _view(DocumentHistoryView, doc).as_view(), name=f"{name}_history"),
    ]
    if doc.print_layout is not None:
        patterns += [
            path(f"{prefix}/<int:pk>/print/", _view(DocumentPrintView, doc).as_view(), name=f"{name}_print"),
            path(f"{prefix}/<int:pk>/pdf/", _view(DocumentPdfView, doc).as_view(), name=f"{name}_pdf"),
        ]
    patterns.append(
        path(f"{prefix}/<int:pk>/<slug:move>/", _view(DocumentMoveView, doc).as_view(), name=f"{name}_move")
    )
    return patterns
