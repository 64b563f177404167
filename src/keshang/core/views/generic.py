"""The generic views every app subclasses (STYLE.md §10): list, detail, edit, delete and history.

``ScopedViewMixin.dispatch`` narrows the queryset to ``visible_to(user, action)`` before any handler
runs; writes run the app's service inside a transaction and re-check the scope before committing. A
test walks every URL and fails on any view that is not built on these bases. The pages of a record's
parts (a partner's contacts …) are in ``parts``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from ..exceptions import ApplicationError
from ..exporting import EXPORT_FORMATS, export_response
from ..history import describe_changes
from ..masking import Masker, may_sort_by
from ..models import AuditEntry
from ..permissions import Action, resource_for_model
from ..registry import bulk_actions_for, detail_panels_for, detail_tabs_for, list_actions_for
from ..scope import has_action, recheck_scope
from ..tables import Column, Table, display_value

__all__ = [
    "ScopedViewMixin",
    "PersonalViewMixin",
    "ObjectMixin",
    "ObjectListView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectDeleteView",
    "ObjectHistoryView",
    "add_validation_error",
    "add_application_error",
    "htmx_partial",
    "redirect_after_write",
    "PAGE_SIZES",
]

PAGE_SIZES = (20, 50, 100)


def htmx_partial(request) -> bool:
    """An htmx request that wants a fragment, not a boosted full-page navigation (NB utilities/htmx.py)."""
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


def redirect_after_write(request, url: str) -> HttpResponse:
    """A successful write: htmx follows HX-Location, a plain form post a 302 (NB ObjectEditView.post)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Location"] = url
        return response
    return HttpResponseRedirect(url)


class PersonalViewMixin(LoginRequiredMixin):
    """A view over the user's own things only (their notifications, their password): no grant needed."""


class ScopedViewMixin(LoginRequiredMixin):
    """Checks the grant and narrows ``self.queryset`` to the user's data scope before any handler.

    Subclasses set ``model`` and ``action``; ``selector`` (an app selector taking ``user=`` and
    ``action=``) replaces the default ``visible_to`` read when the list needs joins or annotations.
    """

    model = None
    action: str = Action.VIEW
    selector = None
    # Rights the page needs besides its action on its own model: ("resource", action) pairs, e.g. "add" on the
    # kind of record it creates from this one (a contract from an order). Checked here, read by the action matrix.
    required_rights: tuple[tuple[str, str], ...] = ()

    def get_action(self) -> str:
        return self.action

    def get_scoped_queryset(self, action: str):
        if self.selector is not None:
            return type(self).selector(user=self.request.user, action=action)
        return self.model._default_manager.visible_to(self.request.user, action)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.resource = resource_for_model(self.model)
        action = self.get_action()
        if not has_action(request.user, self.resource, action) or not all(
            has_action(request.user, resource, right) for resource, right in self.required_rights
        ):
            raise PermissionDenied(_("您没有此操作的权限。"))
        self.queryset = self.get_scoped_queryset(action)
        return super().dispatch(request, *args, **kwargs)

    def can(self, action: str, obj=None) -> bool:
        """Whether the user may ``action`` this object (or this resource at all)."""
        if not has_action(self.request.user, self.resource, action):
            return False
        if obj is None:
            return True
        return self.model._default_manager.visible_to(self.request.user, action).filter(pk=obj.pk).exists()

    def url_name(self, view: str) -> str:
        return f"{self.model._meta.app_label}:{self.model._meta.model_name}_{view}"

    def reverse_or_none(self, view: str, **kwargs) -> str | None:
        try:
            return reverse(self.url_name(view), kwargs=kwargs or None)
        except NoReverseMatch:
            return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs) if hasattr(super(), "get_context_data") else kwargs
        obj = kwargs.get("object")
        if obj is not None and getattr(obj, "pk", None):
            context["tabs"] = detail_tabs_for(self.model._meta.label_lower, self.request.user, obj.pk)
        defaults = {
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "list_url": self.reverse_or_none("list"),
            "can_add": self.can(Action.ADD) and self.reverse_or_none("add") is not None,
            "add_url": self.reverse_or_none("add"),
        }
        # What the view passed wins: a parts tab's "add" button adds a part, not another record.
        for key, value in defaults.items():
            context.setdefault(key, value)
        return context


class ObjectListView(ScopedViewMixin, View):
    """Filter, sort and page in the database; the same queryset feeds the CSV/Excel export."""

    template_name = "core/object_list.html"
    table: type[Table] = Table
    filterset = None
    export_basename = None

    def get_action(self) -> str:
        return Action.EXPORT if self.request.GET.get("export") else Action.VIEW

    def get(self, request, *args, **kwargs):
        queryset = self.queryset
        filterset = None
        if self.filterset is not None:
            filterset = self.filterset(request.GET or None, queryset=queryset, request=request)
            queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
            if filterset.is_bound and not filterset.is_valid():
                queryset = queryset.none()
        sort, ordering = self.table.ordering_for(request.GET.get("sort"))
        if not may_sort_by(request.user, queryset, ordering):
            # The order of masked values would rank them (issue 12, finding 3): the default order instead.
            sort, ordering = self.table.ordering_for(None)
        queryset = queryset.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")

        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404(_("不支持的导出格式。"))
            return export_response(
                user=request.user,
                queryset=queryset,
                table=self.table(user=request.user, model=self.model),
                fmt=export,
                basename=self.export_basename or self.model._meta.model_name,
                description=str(self.model._meta.verbose_name_plural),
            )

        per_page = self.per_page()
        paginator = Paginator(queryset, per_page)
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        table = self.table(user=request.user, model=self.model)
        query = request.GET.copy()
        for key in ("page", "sort", "export"):
            query.pop(key, None)
        detail_view = self.url_name("detail")
        has_detail = self.reverse_or_none("detail", pk=0) is not None
        label = self.model._meta.label_lower
        context = self.get_context_data(
            table=table,
            rows=table.rows(
                page.object_list, (lambda obj: reverse(detail_view, args=[obj.pk])) if has_detail else None
            ),
            page=page,
            paginator=paginator,
            filterset=filterset,
            sort=sort,
            per_page=per_page,
            page_sizes=PAGE_SIZES,
            query=query.urlencode(),
            can_export=self.can(Action.EXPORT),
            # What other apps added to this list (core.registry): header buttons, and the ticked rows' actions.
            list_actions=list_actions_for(label, request.user),
            bulk_actions=bulk_actions_for(label, request.user),
        )
        template = f"{self.template_name}#table" if htmx_partial(request) else self.template_name
        return TemplateResponse(request, template, context)

    def per_page(self) -> int:
        try:
            value = int(self.request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            return PAGE_SIZES[0]
        return value if value in PAGE_SIZES else PAGE_SIZES[0]


class ObjectMixin:
    """Fetches ``pk`` from the already scoped queryset: outside the scope is a 404, not a 403."""

    def get_object(self):
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])


class ObjectDetailView(ScopedViewMixin, ObjectMixin, View):
    template_name = "core/object_detail.html"
    # Field names (or Columns) shown on the detail page, in order.
    detail_fields: tuple = ()

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        extra = self.extra(obj)
        if extra.get("tab") == "detail":  # the record's own page, not one of its tabs
            extra.setdefault("panels", self.detail_panels(obj))
        return TemplateResponse(request, self.template_name, self.get_context_data(object=obj, **extra))

    def detail_panels(self, obj) -> list[tuple[object, str]]:
        """The panels other apps registered for this record (core.registry), rendered: each decided whether it
        shows and read what it shows through the user's scope."""
        return [
            (panel, render_to_string(panel.template, {**context, "object": obj}, request=self.request))
            for panel, context in detail_panels_for(self.model._meta.label_lower, obj, self.request.user)
        ]

    def detail_rows(self, obj) -> list[tuple[str, str]]:
        masker = Masker(self.request.user, self.model)
        rows = []
        for item in self.detail_fields:
            column = item if isinstance(item, Column) else self._column(item)
            value = column.raw(obj)
            if column.accessor in masker.fields:
                value = masker.value(obj, column.accessor, value)
            rows.append((column.verbose_name, column.page_text(display_value(value))))
        return rows

    def _column(self, name: str) -> Column:
        return Column(name, self.model._meta.get_field(name).verbose_name)

    def extra(self, obj) -> dict:
        can_change = self.can(Action.CHANGE, obj)
        can_delete = self.can(Action.DELETE, obj)
        return {
            "detail_rows": self.detail_rows(obj),
            "edit_url": self.reverse_or_none("edit", pk=obj.pk) if can_change else None,
            "delete_url": self.reverse_or_none("delete", pk=obj.pk) if can_delete else None,
            "detail_url": self.reverse_or_none("detail", pk=obj.pk),
            "history_url": self.reverse_or_none("history", pk=obj.pk),
            "tab": "detail",
        }


class ObjectEditView(ScopedViewMixin, ObjectMixin, View):
    """Create (no ``pk``) or update: the form validates, ``save_form`` calls the app's service."""

    template_name = "core/object_edit.html"
    form_class = None

    def get_action(self) -> str:
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_form(self, data=None, files=None, instance=None):
        return self.form_class(data, files, instance=instance, user=self.request.user)

    def save_form(self, form):
        """Call the app's service with ``form.cleaned_data``; return the saved object."""
        raise NotImplementedError

    def success_url(self, obj) -> str:
        return self.reverse_or_none("detail", pk=obj.pk) or self.reverse_or_none("list") or "/"

    def handle_application_error(self, form, error: ApplicationError) -> None:
        """A service refused: its messages on the form (subclasses may offer a way forward)."""
        add_application_error(form, error)

    def get(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        return self.render(self.get_form(instance=obj), obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else None
        form = self.get_form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = self.save_form(form)
                    recheck_scope(user=request.user, obj=saved, action=self.get_action())
            except ValidationError as error:
                add_validation_error(form, error)
            except ApplicationError as error:
                self.handle_application_error(form, error)
            else:
                messages.success(request, _("已保存“%(object)s”。") % {"object": saved})
                return redirect_after_write(request, self.success_url(saved))
        return self.render(form, obj, status=422 if getattr(request, "htmx", False) else 200)

    def render(self, form, obj, status=200):
        cancel_url = (self.reverse_or_none("detail", pk=obj.pk) if obj else None) or self.reverse_or_none("list")
        context = self.get_context_data(form=form, object=obj, is_new=obj is None, cancel_url=cancel_url)
        return TemplateResponse(self.request, self.template_name, context, status=status)


def add_validation_error(form, error: ValidationError) -> None:
    """A model's or service's ValidationError on the form: on the fields it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def add_application_error(form, error: ApplicationError) -> None:
    """A service's refusal on the form: messages for fields the form has go on those fields, the others
    above the form; a refusal that names no field shows its message above the form."""
    for field, field_messages in error.fields.items():
        form.add_error(field if field in form.fields else None, field_messages)
    if not error.fields:
        form.add_error(None, error.message)


class ObjectDeleteView(ScopedViewMixin, ObjectMixin, View):
    """Asks for confirmation, then calls ``delete_object`` (the app's service)."""

    template_name = "core/object_confirm_delete.html"
    action = Action.DELETE

    def delete_object(self, obj) -> None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        cancel_url = self.reverse_or_none("detail", pk=obj.pk) or self.reverse_or_none("list")
        return TemplateResponse(request, self.template_name, self.get_context_data(object=obj, cancel_url=cancel_url))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            with transaction.atomic():
                self.delete_object(obj)
        except ProtectedError:
            messages.error(request, _("“%(object)s”仍被其他数据引用，不能删除。") % {"object": obj})
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:  # a service's rule (the default company may not go): said, not a 500
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("已删除“%(object)s”。") % {"object": obj})
            return redirect_after_write(request, self.reverse_or_none("list") or "/")
        return redirect_after_write(request, self.reverse_or_none("detail", pk=obj.pk) or "/")


class ObjectHistoryView(ScopedViewMixin, ObjectMixin, View):
    """The history tab: every audit entry about one record the user may view."""

    template_name = "core/object_history.html"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        # Seeing the record is what opens its history, so this reads the trail by object, not by audit grant.
        entries = AuditEntry.objects.for_object(obj).select_related("user", "content_type")
        paginator = Paginator(entries, 50)
        page = paginator.get_page(request.GET.get("page"))
        context = self.get_context_data(
            object=obj,
            page=page,
            entries=[(entry, describe_changes(entry, request.user)) for entry in page.object_list],
            tab="history",
            detail_url=self.reverse_or_none("detail", pk=obj.pk),
            history_url=request.path,
        )
        return TemplateResponse(request, self.template_name, context)
