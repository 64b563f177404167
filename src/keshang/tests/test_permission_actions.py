"""The permission matrix's action dimension (issue 12): every POST action route, for every persona's default role.

The routes are discovered (``matrix.API_ROUTES``: the DRF routers' POST actions other than create, such as
submit, confirm, cancel, withdraw, to-order, claim, release, transfer and merge), so a new app's actions are
covered without editing this file. (The web pages' POST views are not in it yet: their action depends on the
method and the move, see docs/reliability.md.) Each route declares the action it needs: ``scope_action`` on a
DRF action (a workflow move's permission, pinned by test_workflow_tables), HTTP's mapping otherwise, and "add"
on the document a move creates. The expected answer comes from the role's grants as stored (Grant rows), not
from ``has_action``: a persona whose role does not grant every needed action is refused with 403; one whose role
grants them is never refused for want of a grant (any other answer may follow: 404 outside their scope, 400 for
the empty body), and never gets a server error. Each POST runs in a savepoint rolled back after it.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from keshang.core.permissions import Action, Persona, resource_for_model
from keshang.org.models import Grant, Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import UserFactory
from keshang.tests import matrix
from keshang.tests.matrix import API_ROUTES, CELLS, url_for, view_class
from keshang.tests.world import matrix_world  # noqa: F401 (fixture)

report_cells = matrix.report_cells

HTTP_POST = Action.ADD


def api_action_routes():
    """(route, callback, needed grants) of every DRF POST action but create: the declared action on the route's
    resource, and for a workflow move that creates a document, "add" on that document's resource."""
    found = []
    for route, callback in API_ROUTES:
        name = getattr(callback, "actions", {}).get("post")
        if not name or name == "create":
            continue
        cls = view_class(callback)
        handler = getattr(cls, name)
        declared = getattr(handler, "scope_action", None) or (getattr(handler, "kwargs", {}) or {}).get("scope_action")
        needed = {(resource_for_model(cls.model), str(declared or HTTP_POST))}
        document_type = getattr(cls, "document_type", None)
        move = document_type.workflow.get(name) if document_type else None
        if move is not None and move.creates:
            needed.add((move.creates, str(Action.ADD)))
        found.append((route, callback, frozenset(needed)))
    return found


API_ACTIONS = api_action_routes()


@pytest.fixture(scope="module")
def personas(world, django_db_blocker):
    """A user per persona holding that persona's default role (in the world's department of the rep), and the
    actions each role grants, read from its Grant rows."""
    with django_db_blocker.unblock():
        ensure_default_roles()
        people = {}
        for persona in Persona:
            role = Role.objects.get(persona=persona.value)
            user = UserFactory(department=world.departments["east"], username=f"mx_act_{persona.value}")
            user.roles.add(role)
            granted = {
                (grant.resource, str(action)) for grant in Grant.objects.filter(role=role) for action in grant.actions
            }
            people[persona.value] = (user, granted)
        people["no_grant"] = (UserFactory(department=world.departments["east"], username="mx_act_none"), set())
        return people


def check(world, personas, route, callback, declared):
    model = view_class(callback).model
    url = url_for(world, route, model, "rep")
    assert url is not None, f"{route}: no record of the rep to aim at"
    for name, (user, granted) in personas.items():
        client = APIClient()
        client.force_authenticate(user=user)
        with transaction.atomic():
            response = client.post(url, {}, format="json")
            transaction.set_rollback(True)
        CELLS["action routes"] += 1
        where = f"POST {url} ({route}, needs {sorted(declared)}) as {name}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        if declared <= granted:
            assert response.status_code != 403, f"{where}: refused though the role grants it"
        else:
            assert response.status_code == 403, f"{where}: {response.status_code} though the role does not grant it"


def test_the_action_routes_are_discovered():
    # the routes the issue names at least
    names = {route.rstrip("/").rsplit("/", 1)[-1] for route, _cb, _a in API_ACTIONS}
    assert {"submit", "confirm", "cancel", "withdraw", "to-order", "claim", "release", "transfer", "merge"} <= names


@pytest.mark.parametrize(("route", "callback", "declared"), API_ACTIONS, ids=[r for r, _c, _a in API_ACTIONS])
def test_api_action_routes_answer_each_persona_by_its_roles_grants(world, db, personas, route, callback, declared):
    check(world, personas, route, callback, declared)
