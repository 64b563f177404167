"""Core's pages. The package's own names are the framework every app builds its pages on: the scoped
generic views (``generic``), the page a bulk action opens (``bulk``) and the pages of a record's parts
(``parts``), re-exported here so apps import ``keshang.core.views``. Core's own pages are the other modules
(``audit``, ``currencies``, ``notifications``, ``regions``, ``backups``); ``core/urls.py`` imports them by
module, and nothing here imports them."""

from .bulk import BULK_LIMIT, ObjectBulkView, selected_ids
from .generic import (
    PAGE_SIZES,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectMixin,
    PersonalViewMixin,
    ScopedViewMixin,
    add_application_error,
    add_validation_error,
    htmx_partial,
    redirect_after_write,
)
from .parts import PartDeleteView, PartEditView, PartViewMixin

__all__ = [
    "ScopedViewMixin",
    "PersonalViewMixin",
    "ObjectMixin",
    "ObjectListView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectDeleteView",
    "ObjectHistoryView",
    "ObjectBulkView",
    "selected_ids",
    "BULK_LIMIT",
    "PartViewMixin",
    "PartEditView",
    "PartDeleteView",
    "add_validation_error",
    "add_application_error",
    "htmx_partial",
    "redirect_after_write",
    "PAGE_SIZES",
]
