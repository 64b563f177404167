"""The permission matrix's action dimension (issue 12): every POST action route, for every persona's default role.

The routes are discovered, so a new app's actions are covered without editing this file: the DRF routers' POST
actions other than create (``matrix.API_ROUTES``: submit, confirm, cancel, withdraw, to-order, claim, release,
transfer, merge …), and every scoped page with a ``post`` handler but the add/edit forms and the line editor's
preview (``matrix.PAGE_ROUTES``): deletes, workflow moves (one route per manual move of the document type:
submit, approve, reject, confirm, cancel, withdraw, to-order, copy, send …), claim, release, transfer, share,
merge, batch assign, stage moves, attachment uploads and deletes, imports, unlocks and backups.

Each route declares the action it needs: ``scope_action`` on a DRF action (a workflow move's permission, pinned
by test_workflow_tables), HTTP's mapping otherwise; a page's ``get_action()`` (a move's permission for a workflow
move); and "add" on the document a move creates and on what an import imports. The expected answer comes from
the role's grants as stored (Grant rows), not from ``has_action``: a persona whose role does not grant every
needed action is refused with 403; one whose role grants them is never refused for want of a grant (any other
answer may follow: 404 outside their scope, 400 for the empty body, a page's redirect with its message), and
never gets a server error. Each POST runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from keshang.core.documents.views import DocumentEditView, DocumentMoveView, EditorHelperMixin
from keshang.core.importing.base import get_importer
from keshang.core.importing.views import ImportViewMixin
from keshang.core.models import ImportJob
from keshang.core.permissions import Action, Persona, resource_for_model
from keshang.core.views import ObjectEditView
from keshang.org.models import Grant, Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import UserFactory
from keshang.tests import matrix
from keshang.tests.matrix import API_ROUTES, CELLS, PAGE_ROUTES, url_for, view_class
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
        # A right the action's service checks besides the route's (partners' bank-account 确认: approve on
        # partners.bankaccount), declared on the handler.
        needed |= {(resource, str(action)) for resource, action in getattr(handler, "required_rights", ())}
        document_type = getattr(cls, "document_type", None)
        move = document_type.workflow.get(name) if document_type else None
        if move is not None and move.creates:
            needed.add((move.creates, str(Action.ADD)))
        found.append((route, callback, frozenset(needed)))
    return found


API_ACTIONS = api_action_routes()

# Pages that accept POST without acting on a record: the add and edit forms (their add/change is the matrix's
# route dimension) and the line editor's preview (it saves nothing).
NOT_ACTIONS = (ObjectEditView, DocumentEditView, EditorHelperMixin)
# The import kind a route's ``<kind>`` names (matrix.url_for) and the world's import jobs hold.
IMPORT_KIND = "partners"


def declared_page_action(cls, kwargs: dict, move=None) -> str:
    """The action the page declares for a POST: its ``get_action()`` read on an instance that has not run
    (the declaration, as ``scope_action`` is the API's; a move's permission for a workflow move)."""
    view = cls()
    view.request, view.args, view.kwargs = SimpleNamespace(method="POST", GET={}, POST={}), (), kwargs
    if move is not None:
        view.move = move
    return str(view.get_action())


def page_action_routes():
    """(route, url template, callback, needed grants) of every page POST that acts: the declared action on the
    view's resource; for a workflow move, one entry per manual move with "add" on the document it creates; for
    an import, "add" on what the importer imports."""
    found = []
    for route, callback in PAGE_ROUTES:
        cls = view_class(callback)
        if not hasattr(cls, "post") or issubclass(cls, NOT_ACTIONS):
            continue
        resource = resource_for_model(cls.model)
        kwargs = {"pk": 1} if "<int:pk>" in route else {}
        if issubclass(cls, DocumentMoveView):
            for move in cls.document_type.workflow.manual_moves():
                needed = {(resource, declared_page_action(cls, kwargs, move))}
                if move.creates:
                    needed.add((move.creates, str(Action.ADD)))
                found.append((f"{route} {move.slug}", route.replace("<slug:move>", move.slug), callback, needed))
            continue
        needed = {(resource, declared_page_action(cls, kwargs))}
        # Rights a page needs besides its own action (a contract made from an order: "add" on contracts).
        needed |= {(resource, str(right)) for resource, right in getattr(cls, "required_rights", ())}
        if issubclass(cls, ImportViewMixin):
            needed.add((get_importer(getattr(cls, "kind", "") or IMPORT_KIND).resource, str(Action.ADD)))
        found.append((route, route, callback, needed))
    return [(name, template, callback, frozenset(needed)) for name, template, callback, needed in found]


PAGE_ACTIONS = page_action_routes()


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


@pytest.fixture(scope="module")
def page_clients(personas, django_db_blocker):
    """A signed-in page client per persona (signed in once: a sign-in writes a session and an audit entry), and
    an import job of their own: only its creator takes a job to its next step, anyone else's is a 404 before the
    importer's grant is known (the job names what it imports)."""
    with django_db_blocker.unblock():
        clients = {}
        for name, (user, _granted) in personas.items():
            client = Client()
            client.force_login(user)
            job = ImportJob.objects.create(
                kind=IMPORT_KIND, original_name=f"{name}.xlsx", created_by=user, file=f"imports/{name}.xlsx"
            )
            clients[name] = (client, job)
        return clients


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
        assert_answer(f"POST {url} ({route}, needs {sorted(declared)}) as {name}", response, declared, granted)


def assert_answer(where: str, response, declared: frozenset, granted: set) -> None:
    """Never a 5xx; 403 exactly when the role does not grant every needed action."""
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


def test_the_page_action_routes_are_discovered():
    names = {name.rstrip("/").replace(" ", "/").rsplit("/", 1)[-1] for name, _t, _c, _a in PAGE_ACTIONS}
    assert {"submit", "reject", "confirm", "cancel", "withdraw", "to-order", "claim", "release"} <= names
    assert {"transfer", "delete", "unlock", "confirm", "batch-transfer", "assign"} <= names
    assert not any("/edit/" in name or name.endswith("/add/") for name, _t, _c, _a in PAGE_ACTIONS)


@pytest.mark.parametrize(
    ("name", "template", "callback", "declared"), PAGE_ACTIONS, ids=[name for name, _t, _c, _a in PAGE_ACTIONS]
)
def test_page_action_routes_answer_each_persona_by_its_roles_grants(
    world, db, personas, page_clients, name, template, callback, declared
):
    cls = view_class(callback)
    url = url_for(world, template, cls.model, "rep")
    assert url is not None, f"{name}: no record of the rep to aim at"
    for persona, (_user, granted) in personas.items():
        client, own_job = page_clients[persona]
        if issubclass(cls, ImportViewMixin) and "<int:pk>" in template:
            url = template.replace("<int:pk>", str(own_job.pk))
        with transaction.atomic():
            response = client.post(url, {})
            transaction.set_rollback(True)
        CELLS["page action routes"] += 1
        assert_answer(f"POST {url} ({name}, needs {sorted(declared)}) as {persona}", response, declared, granted)
