"""The page a bulk action opens (``core.registry.BulkAction``): the rows ticked on a list page arrive as ``ids``;
the page reads them through the user's scope for the action, shows what it will act on and, once confirmed,
acts on exactly those. Ids outside the scope (typed into the URL, or of records that left the scope meanwhile)
are left out and counted, never acted on."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from ..exceptions import ApplicationError
from ..identifiers import parse_pk
from ..registry import BulkAction
from .generic import ScopedViewMixin, redirect_after_write

__all__ = ["ObjectBulkView", "selected_ids", "BULK_LIMIT"]

# At most this many ids are read from one request (a list page shows at most 100 rows).
BULK_LIMIT = 500


def selected_ids(data, *, limit: int = BULK_LIMIT) -> list[int]:
    """The ids in ``data`` (``request.GET`` or ``request.POST``): ``ids=1&ids=2`` or ``ids=1,2``, in order, each
    once, anything that is no id (``core.identifiers.parse_pk``) left out."""
    found: dict[int, None] = {}
    for value in data.getlist("ids"):
        for part in str(value).split(","):
            pk = parse_pk(part)
            if pk:
                found.setdefault(pk, None)
    return list(found)[:limit]


class ObjectBulkView(ScopedViewMixin, View):
    """GET: the ticked records the user may act on, and a button to go ahead; POST: act on them (``perform``, in
    one transaction) and go back to the list. ``bulk_action`` is the registered declaration: the view asks the
    permission it names (``action`` on the listed model's resource), on every record, within the user's scope."""

    bulk_action: BulkAction | None = None
    template_name = "core/object_bulk_confirm.html"
    confirm_label = ""  # the button; the action's label by default
    danger = False  # a red button (deleting …)

    def get_action(self) -> str:
        return type(self).bulk_action.action

    def perform(self, objects: list) -> None:
        """Act on ``objects`` (the app's service); raise ApplicationError to refuse, which rolls everything back."""
        raise NotImplementedError

    def selected(self, data):
        """The requested records the user may ``action``, and how many requested ids were left out."""
        ids = selected_ids(data)
        objects = list(self.queryset.filter(pk__in=ids).order_by("pk"))
        return objects, len(ids) - len(objects)

    def get(self, request, *args, **kwargs):
        objects, ignored = self.selected(request.GET)
        return self.render(objects, ignored)

    def post(self, request, *args, **kwargs):
        objects, ignored = self.selected(request.POST)
        if not objects:
            messages.error(request, _("没有可以操作的记录：所选记录不存在或不在您的权限范围内。"))
            return redirect_after_write(request, self.done_url())
        try:
            with transaction.atomic():
                self.perform(objects)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render(objects, ignored, status=422 if getattr(request, "htmx", False) else 200)
        done = {"count": len(objects), "action": type(self).bulk_action.label}
        messages.success(request, _("已对 %(count)s 条记录执行“%(action)s”。") % done)
        if ignored:
            messages.warning(request, _("另有 %(count)s 条记录不在您的权限范围内，未处理。") % {"count": ignored})
        return redirect_after_write(request, self.done_url())

    def done_url(self) -> str:
        return self.reverse_or_none("list") or "/"

    def render(self, objects, ignored, status=200):
        declaration = type(self).bulk_action
        context = self.get_context_data(
            bulk_action=declaration,
            objects=objects,
            ignored=ignored,
            confirm_label=self.confirm_label or declaration.label,
            danger=self.danger,
            cancel_url=self.done_url(),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)
