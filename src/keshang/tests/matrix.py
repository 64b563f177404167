"""The permission matrix's machinery, shared by its test modules (``test_permission_matrix``: every route, list and
export for every persona; ``test_permission_side_doors``: the ways around them): the routes it walks, the record a
route aims at for an owner, a persona's client, the state a denied write must leave alone, and the count of cells
checked, printed at the end of each module (docs/reliability.md quotes it)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import get_resolver
from rest_framework.test import APIClient

from keshang.core.api import ScopedViewSetMixin
from keshang.core.models import Attachment, AuditEntry
from keshang.core.permissions import get_resource, resource_for_model
from keshang.core.views import ScopedViewMixin
from keshang.tests.test_url_walk import walk
from keshang.tests.world import World

CELLS: Counter = Counter()

SCOPED_PERSONAS = ("outside", "own", "department", "department_tree", "all")
# The owners whose records are the targets of detail routes: the buyer's are outside every scope but "all";
# the rep's are inside department, department tree and all, outside own and outside.
TARGET_OWNERS = ("buyer", "rep")

# Routes whose selector narrows the resource further than its scope (the pool lists partners without an
# owner): a record inside the scope may still be a 404 there, never a 200 outside it.
NARROWED = {
    "/partners/pool/<int:pk>/claim/",
    "/api/v1/partners/pool/<pk>/",
    # A file the world's records do not have (no upload, no error report, no mapping step yet) is a 404.
    "/core/imports/<int:pk>/errors/",
    "/core/imports/<int:pk>/mapping/",
    "/api/v1/core/import-jobs/<pk>/error-report/",
    "/partners/qualifications/<int:pk>/file/",
    "/api/v1/partners/qualifications/<pk>/file/",
    # The world's users hold no API token: the token of a user in scope is a 404.
    "/org/users/<int:pk>/tokens/<int:token_id>/revoke/",
}
# Routes no grant opens, only being a superuser (downloading a backup: the whole database). The generic checks
# below would expect a persona whose scope holds the target to be served; these are checked on their own.
SUPERUSER_ONLY = {"/core/backups/<str:name>/download/"}
# Denied writes that answer otherwise than 404, and why.
DENIED_STATUS = {
    # Claiming a partner that is not (or no longer) in the pool is explained on the pool page: the race with
    # a colleague who claimed it first is the common case, and it tells nothing about the partner.
    "/partners/pool/<int:pk>/claim/": 302,
}


@pytest.fixture(scope="module", autouse=True)
def report_cells(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\npermission matrix: {sum(CELLS.values())} cells checked ({dict(CELLS)})")


#
# Routes
#


def view_class(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def routes(base):
    """(route, callback) of every URL whose view is a subclass of ``base``, without format-suffix twins."""
    found = set()
    for route, callback in walk(get_resolver().url_patterns):
        route = simplify_regex(route)
        cls = view_class(callback)
        if "format" in route or cls is None or not issubclass(cls, base):
            continue
        found.add((route, callback))
    return sorted(found, key=lambda item: (item[0], str(getattr(item[1], "actions", ""))))


PAGE_ROUTES = routes(ScopedViewMixin)
API_ROUTES = routes(ScopedViewSetMixin)
PARAM = re.compile(r"<(?:(?:int|slug|str|path):)?(\w+)>")
# What a route's ``<name_pk>`` parameter names.
RELATED = {
    "partner": "partners.partner",
    "opportunity": "sales.opportunity",
    "product": "catalog.product",
    "company": "org.company",
}


def params(route: str) -> list[str]:
    return PARAM.findall(route)


def all_rows(model):
    """Test-only read of every row of ``model``; tables of other packages (login throttles) have no scope."""
    manager = model._default_manager
    return manager.unscoped() if hasattr(manager, "unscoped") else manager.all()


def record_of(world: World, model, owner: str):
    """The ``owner``'s record of ``model``: from the world, through the model's owner columns, through its
    parent record, or (for models nobody owns) the first row."""
    label = model._meta.label_lower
    mine = world.records[owner]
    if label in mine:
        return mine[label]
    user = world.users[owner]
    manager = model._default_manager
    parent = getattr(model, "scope_parent", None)
    if parent:
        parent_record = record_of(world, model._meta.get_field(parent).related_model, owner)
        # Test-only read of all rows: the matrix needs a row to aim at, visible or not.
        return manager.unscoped().filter(**{parent: parent_record}).order_by("pk").first()
    owner_field = getattr(model, "scope_owner_field", None)
    if owner_field and get_resource(resource_for_model(model)).scoped:
        return manager.unscoped().filter(**{owner_field: user.pk}).order_by("pk").first()
    return all_rows(model).order_by("pk").first()


def url_for(world: World, route: str, model, owner: str) -> str | None:
    """``route`` with its parameters pointing at ``owner``'s records; None when the world has no such row."""
    values = {}
    for name in params(route):
        if name == "pk":
            target = record_of(world, model, owner)
        elif name == "attachment_pk":
            # Test-only read of all rows: the attachment of the owner's record, whoever may see it.
            parent = record_of(world, model, owner)
            target = Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id=parent.pk
            ).first()
        elif name == "other_pk":
            target = world.records["peer" if owner != "peer" else "rep"]["partners.partner"]
        elif name.endswith("_pk"):
            kind = RELATED[name[: -len("_pk")]]
            target = world.records[owner].get(kind) or world.shared[kind.split(".")[1]]
        elif name == "move":
            values[name] = "withdraw"  # a move both quotations and orders have
            continue
        elif name == "token_id":
            values[name] = "999999"  # an API token that does not exist: the user's own 404 comes first
            continue
        elif name == "kind":
            values[name] = "partners"
            continue
        else:
            raise AssertionError(f"{route}: the matrix does not know the parameter <{name}>; teach url_for()")
        if target is None:
            return None
        values[name] = str(target.pk)
    return PARAM.sub(lambda match: values[match.group(1)], route)


def target_of(world: World, route: str, model, owner: str):
    """The record whose scope decides the answer: the attachment's parent, a part's own row, …"""
    names = params(route)
    if "pk" in names:
        return record_of(world, model, owner)
    for name in names:
        if name.endswith("_pk") and name != "attachment_pk":
            kind = RELATED[name[: -len("_pk")]]
            return world.records[owner].get(kind) or world.shared[kind.split(".")[1]]
    return None


def client_for(world: World, persona: str, *, api: bool):
    return world.clients[persona, api]


def state(model, obj) -> tuple:
    """What a denied write must leave alone: the row, the table's size and the audit trail."""
    rows = all_rows(model)
    row = rows.filter(pk=obj.pk).values().first() if obj is not None else None
    return row, rows.count(), AuditEntry.objects.count()


def denied_write(client, method: str, url: str, model, obj, data=None):
    """Send a write that must be refused; roll back whatever it did (so a failure does not spoil the world)."""
    before = state(model, obj)
    with transaction.atomic():
        kwargs = {"format": "json"} if isinstance(client, APIClient) else {}
        response = getattr(client, method)(url, data or {}, **kwargs)
        after = state(model, obj)
        transaction.set_rollback(True)
    return response, before, after


def expect_denied_anonymous(response, *, api: bool) -> None:
    if api:
        assert response.status_code in (401, 403), response.status_code
    else:
        assert response.status_code == 302 and response["Location"].startswith("/login/"), response.status_code
