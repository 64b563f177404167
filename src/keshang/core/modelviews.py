"""A model's standard pages and API declared once (NetBox's ``register_model_view``): list, add, detail, edit,
delete and history pages, and a scoped viewset, all from one :class:`ModelViews`. The per-model boilerplate —
five view classes, six URL patterns and a viewset mapping create/update/delete onto services — goes; what a
model does differently is a subclass or an extra URL next to the generated ones.

``save(actor=, instance=None|record, data=)`` and ``delete(actor=, instance=)`` are the app's services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import path

from .api import ScopedModelViewSet
from .views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView

__all__ = ["ModelViews", "model_urls", "DeclaredModelViewSet"]


@dataclass(frozen=True)
class ModelViews:
    model: type
    url_prefix: str
    table: type
    form_class: type
    save: Callable
    detail_fields: tuple[str, ...]
    delete: Callable | None = None
    selector: Callable | None = None
    filterset: type | None = None
    export_basename: str = ""
    # Subclasses of the generic views where a model needs more than the generic page (an extra panel …).
    detail_view: type = ObjectDetailView
    edit_view: type = ObjectEditView

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name


def _save_form(self, form):
    spec = type(self).model_views
    instance = form.instance if form.instance.pk else None
    return spec.save(actor=self.request.user, instance=instance, data=form.cleaned_data)


def _delete_object(self, obj):
    type(self).model_views.delete(actor=self.request.user, instance=obj)


def _view(base, spec: ModelViews, **attributes):
    name = f"{spec.model.__name__}{base.__name__.removeprefix('Object')}"
    return type(name, (base,), {"model": spec.model, "selector": spec.selector, "model_views": spec, **attributes})


def model_urls(spec: ModelViews) -> list:
    """URL patterns named ``<model>_list``, ``_add``, ``_detail``, ``_edit``, ``_delete``, ``_history`` in the app's
    namespace; a model without a delete service has no delete page."""
    prefix, name = spec.url_prefix, spec.model_name
    list_view = _view(
        ObjectListView, spec, table=spec.table, filterset=spec.filterset, export_basename=spec.export_basename or None
    )
    edit_view = _view(spec.edit_view, spec, form_class=spec.form_class, save_form=_save_form)
    patterns = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", _view(spec.detail_view, spec, detail_fields=spec.detail_fields).as_view(),
             name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/history/", _view(ObjectHistoryView, spec).as_view(), name=f"{name}_history"),
    ]  # fmt: skip
    if spec.delete is not None:
        delete_view = _view(ObjectDeleteView, spec, delete_object=_delete_object)
        patterns.append(path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"))
    return patterns


class DeclaredModelViewSet(ScopedModelViewSet):
    """The API of a declared model: subclasses set ``model_views`` and ``serializer_class``."""

    model_views: ModelViews = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("model_views")
        if spec is not None:
            cls.model = spec.model
            cls.filterset_class = spec.filterset
            if spec.delete is None:
                cls.http_method_names = [method for method in cls.http_method_names if method != "delete"]

    def get_scoped_queryset(self, action):
        spec = type(self).model_views
        if spec.selector is not None:
            return spec.selector(user=self.request.user, action=action)
        return super().get_scoped_queryset(action)

    def create_object(self, serializer):
        return self.model_views.save(actor=self.request.user, instance=None, data=dict(serializer.validated_data))

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        return self.model_views.save(actor=self.request.user, instance=serializer.instance, data=data)

    def delete_object(self, instance):
        self.model_views.delete(actor=self.request.user, instance=instance)
