"""One API test base (STYLE.md §11, after NetBox's APIViewTestCases).

A resource's test class subclasses :class:`APIResourceTests` and says how to make an object in a
given department and what to send on create and update. The base then proves, for that resource:
anonymous is refused; no grant is 403 and changes nothing; an object outside the scope is 404 (and
absent from the list); inside it is 200; and create, update and delete each leave an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

__all__ = ["APIResourceTests", "ScopeContext"]


@dataclass
class ScopeContext:
    """An actor in department A; a colleague in A; a stranger in department B."""

    actor: object
    colleague: object
    stranger: object
    department: object
    other_department: object


@pytest.mark.django_db
class APIResourceTests:
    resource: str = ""  # "org.user"
    basename: str = ""  # "org-api:user"
    scope: str = Scope.DEPARTMENT  # the scope the actor is granted in scope tests
    scoped: bool = True  # False: a grant opens all rows, so there is no "outside"
    supports_write: bool = True
    # Grants the actor needs besides the resource's own, e.g. viewing the departments a form refers to.
    related_grants: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    # -- what a subclass provides --------------------------------------------------------------

    def make_object(self, *, ctx: ScopeContext, inside: bool):
        raise NotImplementedError

    def create_data(self, *, ctx: ScopeContext) -> dict:
        raise NotImplementedError

    def update_data(self, *, ctx: ScopeContext, obj) -> dict:
        raise NotImplementedError

    # -- plumbing ------------------------------------------------------------------------------

    @pytest.fixture
    def ctx(self, db) -> ScopeContext:
        department = DepartmentFactory()
        other_department = DepartmentFactory()
        actor = UserFactory(department=department)
        for resource, actions, scope in self.related_grants:
            grant(actor, resource, actions, scope)
        return ScopeContext(
            actor=actor,
            colleague=UserFactory(department=department),
            stranger=UserFactory(department=other_department),
            department=department,
            other_department=other_department,
        )

    def client_for(self, user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.basename}-detail", kwargs={"pk": obj.pk})

    def give(self, ctx: ScopeContext, *actions: str, scope: str | None = None) -> None:
        grant(ctx.actor, self.resource, actions, scope or self.scope)

    def audit_count(self, model, action: str, pk=None) -> int:
        entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), action=action)
        if pk is not None:
            entries = entries.filter(object_id=str(pk))
        return entries.count()

    def model(self):
        from django.apps import apps

        return apps.get_model(self.resource)

    # -- reads ---------------------------------------------------------------------------------

    def test_anonymous_is_refused(self, ctx):
        response = self.client_for(None).get(self.list_url())
        assert response.status_code in (401, 403)

    def test_list_without_grant_is_403(self, ctx):
        # given
        self.make_object(ctx=ctx, inside=True)
        # when
        response = self.client_for(ctx.actor).get(self.list_url())
        # then
        assert response.status_code == 403
        assert set(response.json()) == {"code", "message", "fields"}

    def test_detail_inside_scope_is_200(self, ctx):
        obj = self.make_object(ctx=ctx, inside=True)
        self.give(ctx, Action.VIEW)
        response = self.client_for(ctx.actor).get(self.detail_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_detail_outside_scope_is_404_and_absent_from_list(self, ctx):
        if not self.scoped:
            pytest.skip("not a scoped resource: a grant opens every row")
        # given
        inside = self.make_object(ctx=ctx, inside=True)
        outside = self.make_object(ctx=ctx, inside=False)
        self.give(ctx, Action.VIEW)
        client = self.client_for(ctx.actor)
        # when
        detail = client.get(self.detail_url(outside))
        listed = client.get(self.list_url(), {"page_size": 500})
        # then
        assert detail.status_code == 404
        ids = {row["id"] for row in listed.json()["results"]}
        assert inside.pk in ids
        assert outside.pk not in ids

    # -- writes --------------------------------------------------------------------------------

    def test_create_without_grant_is_403_and_writes_nothing(self, ctx):
        if not self.supports_write:
            pytest.skip("read-only resource")
        self.give(ctx, Action.VIEW)
        model = self.model()
        before = model._default_manager.count()
        response = self.client_for(ctx.actor).post(self.list_url(), self.create_data(ctx=ctx), format="json")
        assert response.status_code == 403
        assert model._default_manager.count() == before
        assert self.audit_count(model, AuditAction.CREATE) == 0

    def test_create_writes_an_audit_row(self, ctx):
        if not self.supports_write:
            pytest.skip("read-only resource")
        self.give(ctx, Action.VIEW, Action.ADD)
        response = self.client_for(ctx.actor).post(self.list_url(), self.create_data(ctx=ctx), format="json")
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        entry = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(self.model()), object_id=str(pk), action=AuditAction.CREATE
        )
        assert entry.user == ctx.actor

    def test_update_writes_an_audit_row(self, ctx):
        if not self.supports_write:
            pytest.skip("read-only resource")
        obj = self.make_object(ctx=ctx, inside=True)
        self.give(ctx, Action.VIEW, Action.CHANGE)
        response = self.client_for(ctx.actor).patch(
            self.detail_url(obj), self.update_data(ctx=ctx, obj=obj), format="json"
        )
        assert response.status_code == 200, response.json()
        assert self.audit_count(self.model(), AuditAction.UPDATE, obj.pk) == 1

    def test_update_outside_scope_is_404_and_changes_nothing(self, ctx):
        if not self.supports_write or not self.scoped:
            pytest.skip("no scope to be outside of")
        obj = self.make_object(ctx=ctx, inside=False)
        self.give(ctx, Action.VIEW, Action.CHANGE)
        before = self.model()._default_manager.filter(pk=obj.pk).values().get()
        response = self.client_for(ctx.actor).patch(
            self.detail_url(obj), self.update_data(ctx=ctx, obj=obj), format="json"
        )
        assert response.status_code == 404
        assert self.model()._default_manager.filter(pk=obj.pk).values().get() == before
        assert self.audit_count(self.model(), AuditAction.UPDATE, obj.pk) == 0

    def test_delete_writes_an_audit_row(self, ctx):
        if not self.supports_write:
            pytest.skip("read-only resource")
        obj = self.make_object(ctx=ctx, inside=True)
        self.give(ctx, Action.VIEW, Action.DELETE)
        response = self.client_for(ctx.actor).delete(self.detail_url(obj))
        assert response.status_code == 204
        assert not self.model()._default_manager.filter(pk=obj.pk).exists()
        assert self.audit_count(self.model(), AuditAction.DELETE, obj.pk) == 1

    def test_delete_without_grant_is_403_and_keeps_the_row(self, ctx):
        if not self.supports_write:
            pytest.skip("read-only resource")
        obj = self.make_object(ctx=ctx, inside=True)
        self.give(ctx, Action.VIEW, Action.CHANGE)
        response = self.client_for(ctx.actor).delete(self.detail_url(obj))
        assert response.status_code == 403
        assert self.model()._default_manager.filter(pk=obj.pk).exists()
