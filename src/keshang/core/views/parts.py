"""Pages of a record's parts (a partner's contacts, a product's price rules, a company's bank accounts: models
with ``scope_parent``): adding, editing and deleting one is changing the record it belongs to."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse

from ..permissions import Action
from .generic import ObjectDeleteView, ObjectEditView

__all__ = ["PartViewMixin", "PartEditView", "PartDeleteView"]


class PartViewMixin:
    """A part of a record (a partner's contact, a product's price rule, see ``scope_parent``): changing it is
    changing the record, so it takes the record's "change" grant and scope, and goes back to the record's
    tab. Subclasses set ``tab_key`` (the tab is ``<app>:<parent>_<tab_key>``) and the part's services."""

    tab_key = ""
    # The part's service and the keyword it takes the existing row by (save_contact(contact=…)).
    instance_argument = ""

    def get_action(self) -> str:
        return Action.CHANGE

    @property
    def parent_field(self) -> str:
        return self.model.scope_parent

    def tab_url(self, parent_pk) -> str:
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        return reverse(
            f"{parent_model._meta.app_label}:{parent_model._meta.model_name}_{self.tab_key}", args=[parent_pk]
        )


class PartEditView(PartViewMixin, ObjectEditView):
    """Add (``<parent>_pk`` in the URL) or edit (``pk``) one part; ``save_service(actor=, <parent>=, data=,
    [<instance_argument>=])`` writes it."""

    save_service = None

    def get_parent(self, obj=None):
        if obj is not None:
            return getattr(obj, self.parent_field)
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        parents = parent_model._default_manager.visible_to(self.request.user, Action.CHANGE)
        return get_object_or_404(parents, pk=self.kwargs[f"{self.parent_field}_pk"])

    def get(self, request, *args, **kwargs):
        self.parent = self.get_parent(self.get_object() if "pk" in kwargs else None)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.parent = self.get_parent(self.get_object() if "pk" in kwargs else None)
        return super().post(request, *args, **kwargs)

    def save_form(self, form):
        existing = {self.instance_argument: form.instance} if form.instance.pk else {}
        return type(self).save_service(
            actor=self.request.user, data=form.cleaned_data, **{self.parent_field: self.parent}, **existing
        )

    def success_url(self, obj) -> str:
        return self.tab_url(getattr(obj, f"{self.parent_field}_id"))

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data.update(
            {self.parent_field: self.parent, "parent": self.parent, "cancel_url": self.tab_url(self.parent.pk)}
        )
        return response


class PartDeleteView(PartViewMixin, ObjectDeleteView):
    """Asks, then deletes one part through ``delete_service(actor=, <instance_argument>=)``."""

    delete_service = None

    def delete_object(self, obj):
        type(self).delete_service(actor=self.request.user, **{self.instance_argument: obj})

    def get(self, request, *args, **kwargs):
        self.parent_pk = getattr(self.get_object(), f"{self.parent_field}_id")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.parent_pk = getattr(self.get_object(), f"{self.parent_field}_id")
        return super().post(request, *args, **kwargs)

    def reverse_or_none(self, view: str, **kwargs):
        # Cancel, and after deleting (or failing to), go back to the record's tab, not a list of parts.
        if view in ("list", "detail") and getattr(self, "parent_pk", None):
            return self.tab_url(self.parent_pk)
        return super().reverse_or_none(view, **kwargs)
