"""Data scope, enforced in one place (DESIGN.md rule 2, STYLE.md §3).

``Model.objects.visible_to(user, action)`` is the only way views, API, exports, search, reports
and jobs read records a role can grant on. A model declares how scope maps onto its rows:

* ``scope_owner_field``: the user who owns a row (``"owner"``; ``"pk"`` for the user model itself)
* ``scope_department_field``: the department a row belongs to (``"department"``; ``"pk"`` for departments)
* ``scope_collaborators``: whether rows can be shared through :class:`~keshang.core.models.Collaboration`
* ``scope_parent``: for parts of a record (contacts of a partner), the foreign key to the record whose
  grants and scope they follow
* ``scope_related``: optional foreign keys to owned records that a row may name (a price rule's customer):
  where set, that record must be visible too, else the row would show it to someone outside its scope
* ``scope_viewer_fields``: fields naming users who may view (and export) a row whatever their scope, for
  records made on something they own: ``("partner__owner",)`` on sales documents

The user object supplies the grants (see ``org.User.grant_scope``), so this module does not depend
on how roles are stored.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .permissions import Action, Scope, get_resource, resource_for_model

__all__ = [
    "ScopedQuerySet",
    "ScopedManager",
    "has_action",
    "scope_filter",
    "owners_within_scope",
    "recheck_scope",
    "COLLABORATOR_ACTIONS",
]

# What a collaborator may do on a record shared with them (if their role grants the action at all).
COLLABORATOR_ACTIONS = {Action.VIEW: False, Action.EXPORT: False, Action.CHANGE: True}


def has_action(user, resource: str, action: str) -> bool:
    """True when any of the user's roles grants ``action`` on ``resource`` (at any scope)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.grant_scope(resource, action) is not None


def scope_filter(model: type[models.Model], user, scope: str, action: str) -> Q:
    """The rows of ``model`` that ``scope`` opens to ``user``, plus their own and shared rows."""
    if scope == Scope.ALL:
        return Q()
    owner_field = getattr(model, "scope_owner_field", None)
    department_field = getattr(model, "scope_department_field", None)
    q = Q(pk__in=[])
    if owner_field:
        q |= Q(**{owner_field: user.pk})
    if department_field and user.department_id and scope in (Scope.DEPARTMENT, Scope.DEPARTMENT_TREE):
        if scope == Scope.DEPARTMENT:
            q |= Q(**{department_field: user.department_id})
        else:
            q |= Q(**{f"{department_field}__in": user.department_tree_ids()})
    if action in (Action.VIEW, Action.EXPORT):
        # The users these fields name read the row too: a customer's owner sees the documents a collaborator made
        # on their customer (issue 12, finding 5), but changes nothing through this.
        for field in getattr(model, "scope_viewer_fields", ()):
            q |= Q(**{field: user.pk})
    if getattr(model, "scope_collaborators", False) and action in COLLABORATOR_ACTIONS:
        from .models import Collaboration

        shared = Collaboration.objects.for_model(model).filter(user=user)
        if COLLABORATOR_ACTIONS[action]:
            shared = shared.filter(can_write=True)
        q |= Q(pk__in=shared.values("object_id"))
    return q


def owners_within_scope(users: models.QuerySet, *, viewer, resource: str, action: str = Action.VIEW):
    """The users who can own the rows of ``resource`` that ``viewer`` reaches with ``action``: everyone for
    superusers, unscoped resources and scope "all"; the users of the viewer's department (and of those below
    it) for the department scopes; the viewer alone for "own"; nobody without the grant.

    This is what a 负责人 filter offers. It is not ``users.visible_to(viewer)``, which answers whom the viewer
    may look up as a record (finance sees her own department's users, yet reads every order).
    """
    if not has_action(viewer, resource, action):
        return users.none()
    registered = get_resource(resource)
    scope = Scope.ALL if viewer.is_superuser else viewer.grant_scope(resource, action)
    if scope == Scope.ALL or registered is None or not registered.scoped:
        return users
    model = users.model
    q = Q(**{model.scope_owner_field: viewer.pk})
    if viewer.department_id and scope == Scope.DEPARTMENT:
        q |= Q(**{model.scope_department_field: viewer.department_id})
    elif viewer.department_id and scope == Scope.DEPARTMENT_TREE:
        q |= Q(**{f"{model.scope_department_field}__in": viewer.department_tree_ids()})
    return users.filter(q)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = Action.VIEW) -> ScopedQuerySet:
        """The rows ``user`` may act on with ``action``: none without a grant, all for superusers."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        parent = getattr(self.model, "scope_parent", None)
        if parent:
            # Parts of a record (a partner's contacts) are visible exactly where the record is.
            parent_model = self.model._meta.get_field(parent).related_model
            visible_parents = parent_model._default_manager.visible_to(user, action).values("pk")
            return self._related_visible(user).filter(**{f"{parent}__in": visible_parents})
        label = resource_for_model(self.model)
        scope = user.grant_scope(label, action)
        if scope is None:
            return self.none()
        resource = get_resource(label)
        if resource is None or not resource.scoped:
            return self
        return self.filter(scope_filter(self.model, user, scope, action))

    def _related_visible(self, user) -> ScopedQuerySet:
        """Rows whose ``scope_related`` records are unset or visible to ``user`` (naming is viewing)."""
        queryset = self
        for name in getattr(self.model, "scope_related", ()):
            related = self.model._meta.get_field(name).related_model
            visible = related._default_manager.visible_to(user, Action.VIEW).values("pk")
            queryset = queryset.filter(Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__in": visible}))
        return queryset

    def unscoped(self) -> ScopedQuerySet:
        """All rows, for jobs and migrations that act for the system; callers say why in a comment."""
        return self.all()


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def recheck_scope(*, user, obj: models.Model, action: str = Action.CHANGE) -> None:
    """Inside the write's transaction: the saved row must still be visible for ``action``, else roll back.

    This is what stops a user creating a record they could not see, or moving one out of their scope.
    """
    from .exceptions import ScopeViolation

    if not type(obj)._default_manager.visible_to(user, action).filter(pk=obj.pk).exists():
        raise ScopeViolation()
