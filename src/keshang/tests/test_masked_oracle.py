"""The masked-field oracle (issue 12): for every field masked to a persona, found by discovery
(``sensitive_fields`` of every model), that persona's search (``q``), filters, ordering and exports answer the same
whether they are given part of the record's hidden value or a value no record holds: the answers cannot tell what
the field holds.

- The API list routes of the model, for the world's department reader (every grant but view_sensitive).
- The web list pages of the model (``ObjectListView`` routes), for every persona whose default role views the
  resource but never in clear (the resource's declared defaults, checked against the stored Grant rows): the
  table a search for part of the value finds is the one a search for nothing finds, likewise every filter of the
  page's filterset and the field's name given the whole value, and sorting by the field either way (the table's
  sort keys that order by it) keeps the order an unknown sort key gives. The persona sees two rows that differ in
  the field (one is made so inside a savepoint where the world has only one), so an order by it would show.
  Where the persona may export the list, its CSV export holds the masked form only, and its search and sort tell
  no more than the page.
- Every list export a persona may make holds none of the world's values of a masked field the persona's role never
  shows in clear, whichever model's column wrote it.
"""

from __future__ import annotations

import copy
import difflib
from decimal import Decimal
from urllib.parse import quote_plus

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.utils.html import escape

from keshang.core.permissions import Action, Persona, get_resource, resource_for_model
from keshang.core.views import ObjectListView
from keshang.org.models import Grant, Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import UserFactory
from keshang.tests.matrix import API_ROUTES, PAGE_ROUTES, all_rows, view_class
from keshang.tests.test_sensitive import MASKED_FIELDS
from keshang.tests.world import matrix_world  # noqa: F401 (fixture)


def list_routes(model) -> list[str]:
    return [
        route
        for route, callback in API_ROUTES
        if view_class(callback).model is model
        and (getattr(callback, "actions", {}) or {}).get("get") == "list"
        and "<" not in route
    ]


def ids(api, url, params) -> list:
    response = api.get(url, {**params, "page_size": 500})
    assert response.status_code in (200, 400), (url, params, response.status_code)
    return [row.get("id") for row in response.json().get("results", [])] if response.status_code == 200 else [400]


def part_of(record, field) -> str:
    """Part of a hidden value, not all of it (what a digit-by-digit search types), and in none of the record's
    fields shown in clear: two records differing only in the hidden field would both hold those."""
    text = str(getattr(record, field)).lower()
    hidden = set(getattr(type(record), "sensitive_fields", ()))
    shown = " ".join(
        str(getattr(record, item.attname) or "").lower()
        for item in type(record)._meta.concrete_fields
        if item.name not in hidden and item.editable  # derived keys (search text, phone key) are never shown
    )
    for size in (6, 5, 4):
        for start in range(len(text) - size + 1):
            piece = text[start : start + size]
            if piece != text and piece not in shown and "@" not in piece:
                return piece
    raise AssertionError(f"no part of {type(record).__name__}.{field} is hidden only there")


@pytest.mark.parametrize(("label", "field"), MASKED_FIELDS)
def test_search_filters_and_ordering_cannot_tell_a_masked_value(world, db, label, field):
    model = apps.get_model(label)
    record = world.records["rep"].get(label) or model._default_manager.unscoped().order_by("pk").first()
    value = getattr(record, field)
    assert value not in (None, ""), f"the world must fill {label}.{field}"
    api = world.clients["department", True]
    for url in list_routes(model):
        plain = ids(api, url, {})
        for name in ("q", field):
            assert ids(api, url, {name: part_of(record, field)}) == ids(api, url, {name: "zqxjv"}), (url, name)
        assert ids(api, url, {field: str(value)}) == ids(api, url, {field: "zqxjv"}), (url, "whole value filter")
        for ordering in (field, f"-{field}"):
            assert ids(api, url, {"ordering": ordering}) == plain, (url, ordering)


#
# The web list pages and the exports, for every persona whose default role masks the field (issue 12)
#

# Query values echoed by a page (its search box, its pagination and sort links) are replaced by this before two
# pages are compared: only what the page found may differ.
ECHO = "⟨query⟩"
NOWHERE = "zqxjv"


def masking_personas(model) -> list[str]:
    """The personas whose default role views ``model``'s resource but holds no view_sensitive on it (the
    resource's declared defaults, the ones ``ensure_default_roles`` stores; the fixture checks the stored rows)."""
    resource = get_resource(resource_for_model(model))
    return sorted(
        str(persona)
        for persona, (actions, _scope) in resource.defaults.items()
        if Action.VIEW in actions and Action.VIEW_SENSITIVE not in actions
    )


def page_list_routes(model=None) -> list[tuple[str, type]]:
    """(route, view) of every web list page (of ``model``), without parameters."""
    return [
        (route, view_class(callback))
        for route, callback in PAGE_ROUTES
        if issubclass(view_class(callback), ObjectListView)
        and "<" not in route
        and (model is None or view_class(callback).model is model)
    ]


PAGE_CASES = [
    (label, field, persona)
    for label, field in MASKED_FIELDS
    for persona in masking_personas(apps.get_model(label))
    if page_list_routes(apps.get_model(label))
]


@pytest.fixture(scope="module")
def readers(world, django_db_blocker):
    """persona → (user, signed-in page client, the resources their role views but never in clear), read from
    the role's stored Grant rows; the users sit in the department of the world's rep and peer."""
    with django_db_blocker.unblock():
        ensure_default_roles()
        found = {}
        for persona in Persona:
            role = Role.objects.get(persona=persona.value)
            user = UserFactory(department=world.departments["east"], username=f"mx_mask_{persona.value}")
            user.roles.add(role)
            granted: dict[str, set] = {}
            for grant in Grant.objects.filter(role=role):
                granted.setdefault(grant.resource, set()).update(str(action) for action in grant.actions)
            client = Client()
            client.force_login(user)
            masked = {
                label for label, actions in granted.items() if "view" in actions and "view_sensitive" not in actions
            }
            found[persona.value] = (user, client, masked, granted)
        return found


def hidden_values(world, masked_resources) -> set[str]:
    """The clear values, as a page or an export writes them, of every masked field of the world's records whose
    resource the reader never sees in clear."""
    values = set()
    for label, field in MASKED_FIELDS:
        model = apps.get_model(label)
        if resource_for_model(model) not in masked_resources:
            continue
        records = [world.records[owner].get(label) for owner in world.records]
        records += [item for item in world.shared.values() if isinstance(item, model)]
        for record in filter(None, records):
            value = getattr(record, field)
            if value not in (None, ""):
                values.add(written(value))
    return values


def table_of(client, url, params, *echoed) -> str:
    """The list's table (the htmx partial) as ``params`` find it, with the echoed query values blanked."""
    response = client.get(url, params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, (url, params, response.status_code)
    text = response.content.decode()
    for value in echoed:
        text = text.replace(quote_plus(value), ECHO).replace(escape(value), ECHO).replace(value, ECHO)
    return text


def same(found: str, expected: str, where) -> None:
    """The two answers are the same; the lines that differ otherwise."""
    if found != expected:
        diff = difflib.unified_diff(expected.splitlines(), found.splitlines(), lineterm="", n=0)
        raise AssertionError(f"{where}: the answers differ\n" + "\n".join(list(diff)[:40]))


def export_of(client, url, params) -> str:
    response = client.get(url, {**params, "export": "csv"})
    assert response.status_code == 200, (url, params, response.status_code)
    return b"".join(response.streaming_content).decode("utf-8-sig")


def sort_keys(view, field) -> set[str]:
    """The list's ``?sort=`` keys that order by ``field`` (and the field's own name, which a reader may type)."""
    return {field} | {key for key, order_by in view.table.sortable().items() if order_by.split("__")[0] == field}


@pytest.mark.parametrize(("label", "field", "persona"), PAGE_CASES)
def test_web_lists_and_exports_cannot_tell_a_masked_value(world, db, readers, label, field, persona):
    # given a persona whose role views the records but not this field, and records of the world's rep (and others
    # the persona sees) that differ in it
    model = apps.get_model(label)
    user, client, masked, granted = readers[persona]
    resource = resource_for_model(model)
    assert resource in masked, f"{persona}'s stored role shows {label}.{field} in clear, unlike its defaults"
    record = world.records["rep"].get(label) or model._default_manager.unscoped().order_by("pk").first()
    with transaction.atomic():
        twin_differs_only_in(model, field, record, user)
        check_lists_and_exports(client, model, field, record, granted.get(resource, ()))
        transaction.set_rollback(True)


def twin_differs_only_in(model, field, record, user) -> None:
    """Make sure the persona sees two rows that differ in ``field`` (else sorting by it could not tell anything):
    another row they see is given a neighbouring value (the world's rows may all hold none but one)."""
    seen = model._default_manager.visible_to(user, Action.VIEW)
    value = getattr(record, field)
    holding = (
        seen.exclude(**{field: None})
        if isinstance(value, Decimal)
        else seen.exclude(**{field: None}).exclude(**{field: ""})
    )
    if holding.values(field).distinct().count() >= 2:
        return
    twin = value + 1 if isinstance(value, Decimal) else value[:-1] + ("1" if value[-1] != "1" else "2")
    other = seen.exclude(pk=record.pk).order_by("pk").first()
    if other is None:  # the world has one row the persona sees (one product): a copy of it, unique columns aside
        other = copy_of(record, user, "T")
    if not seen.filter(pk=record.pk).exists() and seen.count() < 2:
        # a role that sees its own rows only (a purchaser's contracts): a second row of theirs holds the value
        copy_of(record, user, "U")
    all_rows(model).filter(pk=other.pk).update(**{field: twin})
    assert holding.values(field).distinct().count() >= 2


def copy_of(record, user, suffix: str):
    """A copy of ``record``, unique text columns suffixed; an owned row becomes ``user``'s, so they see it."""
    model = type(record)
    other = copy.copy(record)
    other.pk = None
    for item in model._meta.concrete_fields:
        if item.unique and not item.primary_key and isinstance(getattr(other, item.attname), str):
            setattr(other, item.attname, f"{getattr(other, item.attname)}{suffix}"[-item.max_length :])
    if getattr(model, "scope_owner_field", None) == "owner":
        other.owner_id, other.department_id = user.pk, user.department_id
    all_rows(model).bulk_create([other])
    return other


def written(value) -> str:
    """A value as a page or an export writes it (an amount without its stored trailing zeros)."""
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def searching_filters(view, field) -> list[str]:
    """The list's filters that could read ``field``: those with a method of their own (a search may look anywhere)
    and those on the field itself. A filter on another column (合同金额不低于) answers a number as a number, the
    masked margin's or any other, and tells nothing about the margin."""
    filters = view.filterset.base_filters if view.filterset else {}
    return [
        name
        for name, item in filters.items()
        if item.method is not None or (item.field_name or name).split("__")[0] == field
    ]


def check_lists_and_exports(client, model, field, record, granted_actions) -> None:
    value = written(getattr(record, field))
    piece = part_of(record, field)
    for route, view in page_list_routes(model):
        # when they search for part of the hidden value, or filter by the whole of it, then the page found what it
        # finds for a value nobody holds
        same(table_of(client, route, {"q": piece}, piece), table_of(client, route, {"q": NOWHERE}, NOWHERE), route)
        for name in {field, *searching_filters(view, field)} - {"q"}:
            found = table_of(client, route, {name: value}, value)
            same(found, table_of(client, route, {name: NOWHERE}, NOWHERE), (route, name))
        # when they sort by the field, either way, then the rows keep the default order (an unknown key's)
        unsorted = table_of(client, route, {"sort": NOWHERE})
        for key in sort_keys(view, field):
            for sort in (key, f"-{key}"):
                same(table_of(client, route, {"sort": sort}), unsorted, (route, sort))
        # and their export (where they may export) tells no more than the page
        if "export" in granted_actions:
            exported = export_of(client, route, {})
            assert exported.count("\n") > 1, f"{route}: the export is empty"
            assert value not in exported, f"{route}: the export holds {field} in clear"
            same(export_of(client, route, {"q": piece}), export_of(client, route, {"q": NOWHERE}), route)
            for key in sort_keys(view, field):
                same(export_of(client, route, {"sort": f"-{key}"}), exported, (route, key))


@pytest.mark.parametrize("persona", [str(persona) for persona in Persona])
def test_no_export_holds_a_value_the_persona_sees_masked(world, db, readers, persona):
    # given every value of a masked field the persona's role never shows in clear
    user, client, masked, granted = readers[persona]
    hidden = hidden_values(world, masked)
    exported_lists = 0
    for route, view in page_list_routes():
        if "export" not in granted.get(resource_for_model(view.model), ()):
            continue
        # when they export any list they may export
        exported = export_of(client, route, {})
        exported_lists += 1
        # then none of those values is in it (a related record's column included)
        leaked = sorted(value for value in hidden if value in exported)
        assert not leaked, f"{route}: {persona}'s export holds {leaked}"
    assert exported_lists or persona == "warehouse" or not hidden, persona
