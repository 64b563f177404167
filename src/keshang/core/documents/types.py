"""A document type, declared once: its model, workflow, services, forms and print layout. Its pages
(:func:`keshang.core.documents.views.document_urls`) and its API (``DocumentViewSet``) are generated from the
declaration, NetBox ``register_model_view``-style, so a new document type is a declaration plus its
services, not another copy of list/detail/edit/move/print views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .workflow import Workflow

__all__ = ["DocumentType"]


@dataclass(frozen=True)
class DocumentType:
    """``create(actor=, data=, lines=)``, ``update(actor=, <kwarg>=, data=, lines=, expected_version=)`` and
    ``delete(actor=, <kwarg>=)`` are the app's services; ``selector(user=, action=)`` its scoped read.
    ``line_editor`` supplies the edit page's line formset and preview (``catalog.lines.editor``);
    ``print_layout(document, user=)`` builds the :class:`~keshang.core.documents.printing.PrintLayout` the
    printable page and the PDF both draw."""

    model: type
    workflow: Workflow
    selector: Callable
    table: type
    filterset: type
    form_class: type
    line_editor: object
    create: Callable
    update: Callable
    delete: Callable
    url_prefix: str
    detail_fields: tuple[str, ...]
    editable_states: tuple[str, ...] = ("draft",)
    print_layout: Callable | None = None
    export_basename: str = ""
    counterparty_field: str = "partner"
    # Shown above the edit form of a document in this state (e.g. an approved quotation goes back to approval).
    edit_notices: tuple[tuple[str, str], ...] = ()
    # ``pdf(document, user=) -> (content, filename)``: the type's own PDF of its default print where it is more
    # than its layout (a contract printed from its template, with the signing areas); the page and API use it.
    pdf: Callable | None = None

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def date_field(self) -> str:
        """The model's ``date_field``: the date its lines are priced and its currency converted at."""
        return self.model.date_field

    @property
    def document_kwarg(self) -> str:
        return self.workflow.document_kwarg

    def url_name(self, view: str) -> str:
        return f"{self.app_label}:{self.model_name}_{view}"

    def is_editable(self, document) -> bool:
        return getattr(document, self.workflow.state_field) in self.editable_states

    def print_templates(self, document=None) -> list:
        """How a document of this type may be printed: its own layout, then those other apps registered;
        with ``document``, only those offered in its state."""
        from .printing import PrintTemplate, print_templates_for

        default = PrintTemplate("default", _("打印"), self.print_layout) if self.print_layout else None
        templates = print_templates_for(self.model._meta.label_lower, default)
        return [template for template in templates if document is None or template.applies(document)]

    def print_template(self, document, key: str = ""):
        """The print ``key`` names (the type's own when empty) if it is offered for ``document``, else None."""
        return next((item for item in self.print_templates(document) if item.key == (key or "default")), None)

    def render_pdf(self, document, template, *, user) -> tuple[bytes, str]:
        """The PDF of ``template`` (one of :meth:`print_templates`) for ``user``, and its file name."""
        from .printing import render_pdf

        if template.key == "default" and self.pdf is not None:
            return self.pdf(document, user=user)
        layout = template.build(document, user=user)
        return render_pdf(layout), layout.filename

    def is_deletable(self, document) -> bool:
        """Only a draft never numbered: a numbered document is kept for the record (cancelled, not deleted)."""
        return getattr(document, self.workflow.state_field) == "draft" and not getattr(document, "number", None)
