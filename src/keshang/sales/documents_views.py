"""Pages of quotations and sales orders, both built on the same few classes: a list, a detail page with
the lines, totals, 金额大写, workflow buttons and the approval history, an edit page with a header form and
a line editor that the server re-prices on every change (htmx), and one POST view per workflow move."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.approvals import approval_history
from keshang.core.exceptions import ApplicationError
from keshang.core.money import amount_in_words
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectMixin,
    ScopedViewMixin,
    add_application_error,
    add_validation_error,
    redirect_after_write,
)
from keshang.partners.models import Partner

from . import selectors
from .documents import LinePricing, build_line, store_totals
from .documents_forms import LineFormSet, initial_lines, line_inputs
from .models import PriceEntry

__all__ = [
    "DocumentDetailView",
    "DocumentEditView",
    "DocumentMoveView",
    "DocumentDeleteView",
    "LinePreviewView",
    "PartnerDocumentsTabView",
]


class DocumentDetailView(ObjectDetailView):
    template_name = "sales/document_detail.html"
    # (url suffix, label, css, action, states) of the workflow buttons; a subclass lists its own.
    moves: tuple = ()

    def extra(self, obj):
        context = super().extra(obj)
        lines = list(obj.lines.select_related("product", "unit"))
        can_change = self.can(Action.CHANGE, obj)
        context.update(
            lines=lines,
            amount_in_words=amount_in_words(obj.gross_amount),
            moves=[
                (reverse(self.url_name("move"), args=[obj.pk, key]), label, css, confirm)
                for key, label, css, action, states, confirm in self.moves
                if obj.status in states and (can_change if action == Action.CHANGE else self.can(action, obj))
            ],
            approval_requests=approval_history(obj),
            edit_url=context["edit_url"] if obj.status in self.editable_states else None,
            delete_url=context["delete_url"] if obj.status == "draft" and not obj.number else None,
        )
        return context

    editable_states: tuple = ("draft",)


class DocumentEditView(ScopedViewMixin, ObjectMixin, View):
    """Header form + line formset. Saving calls the app's service with the header dict and LineInputs;
    a ValidationError or ApplicationError from the service comes back onto the form, nothing saved."""

    template_name = "sales/document_edit.html"
    form_class = None
    create_service = None
    update_service = None
    document_kwarg = ""  # the services' name for the document: "quotation" or "order"

    def get_action(self) -> str:
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def forms(self, obj=None, data=None):
        user = self.request.user
        initial = {}
        if obj is None:
            partner_pk = self.request.GET.get("partner")
            if partner_pk and partner_pk.isdigit():
                initial["partner"] = partner_pk
            if self.request.GET.get("opportunity", "").isdigit():
                initial["opportunity"] = self.request.GET["opportunity"]
        form = self.form_class(data, instance=obj, user=user, initial=initial)
        lines = LineFormSet(
            data, prefix="lines", user=user, initial=initial_lines(obj) if obj is not None and data is None else None
        )
        return form, lines

    def get(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        form, lines = self.forms(obj)
        return self.render(form, lines, obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        form, lines = self.forms(obj, request.POST)
        if form.is_valid() and lines.is_valid():
            items = line_inputs(lines)
            try:
                with transaction.atomic():
                    if obj is None:
                        saved = type(self).create_service(actor=request.user, data=form.header_data(), lines=items)
                    else:
                        saved = type(self).update_service(
                            actor=request.user,
                            data=form.header_data(),
                            lines=items,
                            expected_version=form.cleaned_data.get("version"),
                            **{self.document_kwarg: obj},
                        )
                    recheck_scope(user=request.user, obj=saved, action=self.get_action())
            except ValidationError as error:
                add_validation_error(form, error)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("已保存“%(object)s”。") % {"object": saved})
                return redirect_after_write(request, reverse(self.url_name("detail"), args=[saved.pk]))
        return self.render(form, lines, obj, status=200)

    def render(self, form, lines, obj, status=200):
        cancel_url = reverse(self.url_name("detail"), args=[obj.pk]) if obj else reverse(self.url_name("list"))
        context = self.get_context_data(
            form=form,
            lines=lines,
            object=obj,
            is_new=obj is None,
            cancel_url=cancel_url,
            preview_url=reverse(self.url_name("lines_preview")),
            preview=preview_lines(lines, form, self.request.user) if lines.is_bound else None,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


def preview_lines(formset, form, user) -> dict:
    """Price every complete line as the service will (unsaved), for the editor's derived figures and totals:
    the other unit price, the amounts, which rule gave the price, and the customer's last price."""
    partner_id = form.data.get("partner") if hasattr(form, "data") else None
    partner = Partner.objects.visible_to(user).filter(pk=partner_id).first() if str(partner_id).isdigit() else None
    rows = [{"form": line_form, "line": None, "error": "", "last_price": None} for line_form in formset.forms]
    items = {}
    for row in rows:
        data = row["form"].cleaned_data if row["form"].is_valid() else None
        if data and data.get("product") and not data.get("DELETE"):
            items[id(row)] = row["form"].to_input()
    pricing = LinePricing.load([item.product for item in items.values()], partner=partner, on=_date_of(form))
    priced = []
    for row in rows:
        item = items.get(id(row))
        if item is not None:
            row["auto"] = item.unit_price is None
            try:
                line = build_line(_PreviewLine(), item, pricing=pricing, position=len(priced) + 1)
            except ValidationError as error:
                row["error"] = "；".join(error.messages)
            else:
                row["line"] = line
                priced.append(line)
                if partner is not None:
                    row["last_price"] = selectors.last_price(user=user, partner=partner, product=item.product)
    totals = _PreviewLine()
    store_totals(totals, priced)
    return {"rows": rows, "totals": totals, "amount_in_words": amount_in_words(totals.gross_amount)}


class _PreviewLine:
    """A stand-in the line maths fill in without touching the database."""

    product = None


def _date_of(form):
    field = "quote_date" if "quote_date" in form.fields else "order_date"
    try:
        return forms.DateField().clean(form.data.get(field)) or timezone.localdate()
    except ValidationError:
        return timezone.localdate()


class LinePreviewView(ScopedViewMixin, View):
    """POST the editor's form: answer the re-priced lines table (htmx). Nothing is saved."""

    form_class = None
    template_name = "sales/document_edit.html#lines"

    def get_action(self) -> str:
        return Action.ADD

    def post(self, request):
        form = self.form_class(request.POST, user=request.user)
        form.is_valid()
        lines = LineFormSet(request.POST, prefix="lines", user=request.user)
        if request.POST.get("add_line"):
            lines = _with_extra_line(lines, request.POST)
        context = {
            "lines": lines,
            "preview": preview_lines(lines, form, request.user),
            "form": form,
            "preview_url": request.path,
        }
        return TemplateResponse(request, self.template_name, context)


def _with_extra_line(formset, data):
    """The same formset with one more empty line at the end (the editor's “添加明细” without JavaScript)."""
    data = data.copy()
    total = int(data.get("lines-TOTAL_FORMS") or 0)
    data["lines-TOTAL_FORMS"] = str(total + 1)
    data[f"lines-{total}-price_entry"] = PriceEntry.GROSS
    data[f"lines-{total}-quantity"] = "1"
    return LineFormSet(data, prefix="lines", user=formset.user)


class DocumentMoveView(ScopedViewMixin, ObjectMixin, View):
    """POST ``<pk>/<move>/``: one workflow move through the app's service; GET asks for confirmation (and a
    reason where the move needs one)."""

    template_name = "sales/document_move.html"
    # move key → (service, label, needs a reason, action); a service takes ``<document_kwarg>=`` and, when it
    # needs one, ``reason=``.
    services: dict = {}
    document_kwarg = ""

    def get_action(self) -> str:
        move = self.services.get(self.kwargs.get("move"))
        return move[3] if move else Action.CHANGE

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("move") not in self.services:
            raise Http404(_("未找到。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, move):
        obj = self.get_object()
        _service, label, needs_reason, _action = self.services[move]
        context = self.get_context_data(
            object=obj, move_label=label, needs_reason=needs_reason, cancel_url=self.detail_url(obj)
        )
        return TemplateResponse(request, self.template_name, context)

    def detail_url(self, obj) -> str:
        return reverse(self.url_name("detail"), args=[obj.pk])

    def post(self, request, pk, move):
        obj = self.get_object()
        service, label, needs_reason, _action = self.services[move]
        reason = request.POST.get("reason", "").strip()
        if needs_reason and not reason:
            messages.error(request, _("请填写原因。"))
            return redirect_after_write(request, reverse(self.url_name("move"), args=[obj.pk, move]))
        try:
            with transaction.atomic():
                extra = {"reason": reason} if needs_reason else {}
                result = service(actor=request.user, **{self.document_kwarg: obj}, **extra)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect_after_write(request, self.detail_url(obj))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect_after_write(request, self.detail_url(obj))
        messages.success(request, _("%(move)s：%(object)s") % {"move": label, "object": result})
        # A move may answer another document (a revision, a copy, the order made from a quotation): go there.
        return redirect_after_write(request, reverse(f"sales:{result._meta.model_name}_detail", args=[result.pk]))


class DocumentDeleteView(ObjectDeleteView):
    delete_service = None
    document_kwarg = ""

    def delete_object(self, obj):
        type(self).delete_service(actor=self.request.user, **{self.document_kwarg: obj})


class PartnerDocumentsTabView(ObjectDetailView):
    """A partner's page, tab listing that partner's quotations or orders that the user may view."""

    model = Partner
    template_name = "sales/partner_documents.html"
    document_selector = None
    document_url = ""
    add_url_name = ""
    tab_key = ""

    def extra(self, obj):
        context = super().extra(obj)
        documents = type(self).document_selector(user=self.request.user).filter(partner=obj)[:100]
        context.update(
            tab=self.tab_key,
            documents=documents,
            document_url=self.document_url,
            add_document_url=f"{reverse(self.add_url_name)}?partner={obj.pk}",
        )
        return context
