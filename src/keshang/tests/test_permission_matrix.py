"""The permission matrix (issue 6): every API route and every page, for every persona and scope.

The routes come from the URL resolver and the DRF routers (as in ``test_url_walk``), the resources from the
registry, so a new resource or page is covered without editing this file, or the coverage test fails and
says what the world (``core/testing/world.py``) lacks. Personas: anonymous, signed in without a grant, a
grant whose scope holds none of the records, own, department, department tree and all. Expectations come
from ``world.row_visible``, an oracle that reads owner and department columns in Python, never from
``visible_to``. Denied writes must leave the row, the table and the audit trail as they were.

The world is built once per module inside a transaction that is rolled back at the end; every write a test
lets through runs in a savepoint that is rolled back too. The number of cells checked is printed at the end
of the run (docs/reliability.md quotes it). The machinery is in ``matrix.py``; the ways around these checks
(ids in request bodies, duplicate warnings, attachments, the approval inbox, backups) in
``test_permission_side_doors.py``.
"""

from __future__ import annotations

import csv
import io

import pytest

from keshang.core.permissions import Action, get_resource, resource_for_model, resources
from keshang.core.views import ObjectListView
from keshang.tests import matrix
from keshang.tests.matrix import (
    API_ROUTES,
    CELLS,
    DENIED_STATUS,
    NARROWED,
    PAGE_ROUTES,
    SCOPED_PERSONAS,
    SUPERUSER_ONLY,
    TARGET_OWNERS,
    client_for,
    denied_write,
    expect_denied_anonymous,
    params,
    record_of,
    target_of,
    url_for,
    view_class,
)
from keshang.tests.world import World, expected_visible, matrix_world, row_visible  # noqa: F401 (fixture)

# The count of cells checked, printed at the end of the module.
report_cells = matrix.report_cells


#
# Coverage: the matrix knows every resource and every route
#


def test_every_registered_resource_is_reached_by_a_route_the_matrix_walks():
    # given the routed models of the pages and API the matrix walks
    routed = {resource_for_model(view_class(callback).model) for _route, callback in PAGE_ROUTES + API_ROUTES}
    # when the registry is compared with them
    # Rights that are not a model's (Resource.on_records False) are checked by the services of their model's routes.
    rights = {resource.label for resource in resources() if not resource.on_records}
    unreached = {resource.label for resource in resources()} - routed - {"scopeapp.memo"} - rights
    # then every resource a role can grant is exercised by the matrix
    assert not unreached, (
        f"resources no page or API route reaches (add their views, or exempt with a reason): {unreached}"
    )


def test_the_world_has_a_record_of_every_routed_model_for_every_target_owner(world, db):
    # given every routed model
    missing = set()
    for _route, callback in PAGE_ROUTES + API_ROUTES:
        model = view_class(callback).model
        for owner in TARGET_OWNERS:
            # when the matrix looks for the owner's record
            if record_of(world, model, owner) is None:
                missing.add(f"{model._meta.label_lower} of {owner}")
    # then there is one to aim at (else add it to core/testing/world.py)
    assert not missing


#
# Detail routes: every method, every persona, in and out of scope
#

DETAIL_PAGES = [
    (route, cb)
    for route, cb in PAGE_ROUTES
    if params(route) and set(params(route)) - {"kind"} and route not in SUPERUSER_ONLY
]
DETAIL_API = [(route, cb) for route, cb in API_ROUTES if params(route) and set(params(route)) - {"kind"}]


def page_methods(cls) -> list[str]:
    return [method for method in ("get", "post") if hasattr(cls, method)]


def api_methods(callback) -> list[str]:
    return sorted(getattr(callback, "actions", {}))


def check_detail(world: World, route: str, callback, *, api: bool) -> None:
    cls = view_class(callback)
    model = cls.model
    methods = api_methods(callback) if api else page_methods(cls)
    reads = [method for method in methods if method in ("get", "head")]
    writes = [method for method in methods if method not in ("get", "head", "options")]
    for owner in TARGET_OWNERS:
        url = url_for(world, route, model, owner)
        target = target_of(world, route, model, owner)
        assert url is not None and target is not None, f"{route}: no record of {owner} to aim at"
        # Without a sign-in or a grant the record does not matter: asked once, on the first owner's.
        unsigned = ("anonymous", "no_grant") if owner == TARGET_OWNERS[0] else ()
        inside_seen = False
        for persona in (*unsigned, *SCOPED_PERSONAS):
            user, scope = world.persona(persona)
            client = client_for(world, persona, api=api)
            inside = row_visible(target, user=user, scope=scope)
            if inside and inside_seen:
                continue  # the wider scopes open it too: one persona proves a record in scope is served
            inside_seen = inside_seen or inside
            for method in reads:
                response = client.get(url)
                CELLS["detail reads"] += 1
                where = f"{method.upper()} {url} ({route}) as {persona} on {owner}'s record"
                if persona == "anonymous":
                    expect_denied_anonymous(response, api=api)
                elif persona == "no_grant":
                    assert response.status_code == 403, f"{where}: {response.status_code}"
                elif inside:
                    allowed = (200, 302, 405) + ((404,) if route in NARROWED else ())
                    assert response.status_code in allowed, f"{where}: {response.status_code}"
                else:
                    assert response.status_code == 404, f"{where}: {response.status_code} outside the scope"
            if inside:
                continue
            for method in writes:
                response, before, after = denied_write(client, method, url, model, record_of(world, model, owner))
                CELLS["denied writes"] += 1
                where = f"{method.upper()} {url} ({route}) as {persona} on {owner}'s record"
                if persona == "anonymous":
                    expect_denied_anonymous(response, api=api)
                else:
                    expected = 403 if persona == "no_grant" else DENIED_STATUS.get(route, 404)
                    assert response.status_code == expected, f"{where}: {response.status_code}"
                assert after == before, f"{where}: a denied write changed something"


@pytest.mark.parametrize(("route", "callback"), DETAIL_PAGES, ids=[route for route, _cb in DETAIL_PAGES])
def test_detail_pages_answer_each_persona_by_scope_and_denied_posts_change_nothing(world, db, route, callback):
    check_detail(world, route, callback, api=False)


@pytest.mark.parametrize(
    ("route", "callback"), DETAIL_API, ids=[f"{route} {sorted(cb.actions)}" for route, cb in DETAIL_API]
)
def test_detail_api_routes_answer_each_persona_by_scope_and_denied_writes_change_nothing(world, db, route, callback):
    check_detail(world, route, callback, api=True)


#
# Lists, searches and exports: exactly the rows of the scope
#

LIST_PAGES = [
    (route, cb) for route, cb in PAGE_ROUTES if not params(route) and issubclass(view_class(cb), ObjectListView)
]
LIST_API = [
    (route, cb) for route, cb in API_ROUTES if not params(route) and getattr(cb, "actions", {}).get("get") == "list"
]
# Searches the matrix runs on top of the plain lists: every partner's name holds 矩阵.
SEARCHES = {
    "/partners/": [{"q": "矩阵"}, {"q": "西岭"}],
    "/partners/contacts/": [{"q": "联系人"}],
    "/api/v1/partners/partners/": [{"q": "矩阵"}, {"q": "北海"}],
    "/api/v1/partners/contacts/": [{"q": "联系人"}],
}


def listed_ids(response, *, api: bool) -> set[int]:
    if api:
        return {row["id"] for row in response.json()["results"]}
    return set(response.context["paginator"].object_list.values_list("pk", flat=True))


def check_list(world: World, route: str, callback, *, api: bool) -> None:
    model = view_class(callback).model
    for query in [{}, *SEARCHES.get(route, [])]:
        query = {**query, **({"page_size": 500} if api else {})}
        superuser = client_for(world, "root", api=api).get(route, query)
        assert superuser.status_code == 200, f"{route} as superuser: {superuser.status_code}"
        every = listed_ids(superuser, api=api)
        rows = matrix.all_rows(model).filter(pk__in=every)
        for persona in ("anonymous", "no_grant", *SCOPED_PERSONAS):
            user, scope = world.persona(persona)
            response = client_for(world, persona, api=api).get(route, query)
            CELLS["lists and searches"] += 1
            where = f"GET {route} {query} as {persona}"
            if persona == "anonymous":
                expect_denied_anonymous(response, api=api)
            elif persona == "no_grant":
                assert response.status_code == 403, f"{where}: {response.status_code}"
            else:
                assert response.status_code == 200, f"{where}: {response.status_code}"
                assert listed_ids(response, api=api) == expected_visible(rows, user=user, scope=scope), where


@pytest.mark.parametrize(("route", "callback"), LIST_PAGES, ids=[route for route, _cb in LIST_PAGES])
def test_list_pages_and_their_searches_show_exactly_the_rows_of_the_scope(world, db, route, callback):
    check_list(world, route, callback, api=False)


@pytest.mark.parametrize(("route", "callback"), LIST_API, ids=[route for route, _cb in LIST_API])
def test_api_lists_and_their_searches_return_exactly_the_rows_of_the_scope(world, db, route, callback):
    check_list(world, route, callback, api=True)


# Models whose rows carry only their own owner's word (a user row also names its manager, so counts suffice there).
WORDED = {"partners.partner", "partners.contact", "sales.opportunity", "sales.quotation", "sales.salesorder"}


def exported_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


@pytest.mark.parametrize(("route", "callback"), LIST_PAGES, ids=[route for route, _cb in LIST_PAGES])
def test_exports_hold_exactly_the_rows_of_the_scope(world, db, route, callback):
    model = view_class(callback).model
    exportable = Action.EXPORT in get_resource(resource_for_model(model)).actions
    for persona in ("anonymous", "no_grant", *SCOPED_PERSONAS):
        user, scope = world.persona(persona)
        # when the persona exports the list as CSV
        response = client_for(world, persona, api=False).get(route, {"export": "csv"})
        CELLS["exports"] += 1
        where = f"CSV export of {route} as {persona}"
        if persona == "anonymous":
            expect_denied_anonymous(response, api=False)
            continue
        if persona == "no_grant" or not exportable:
            assert response.status_code == 403, f"{where}: {response.status_code}"
            continue
        assert response.status_code == 200, f"{where}: {response.status_code}"
        exported = exported_rows(response)
        # then it holds one line per row of the scope (the rows as the superuser's list holds them now: the
        # export itself is an audit entry), and no owner's word from outside it
        every = listed_ids(client_for(world, "root", api=False).get(route), api=False)
        expected = [
            obj for obj in matrix.all_rows(model).filter(pk__in=every) if row_visible(obj, user=user, scope=scope)
        ]
        assert len(exported) == len(expected), where
        if model._meta.label_lower in WORDED:
            hidden = {world.word(owner) for owner in world.records if record_of(world, model, owner) not in expected}
            leaked = {word for word in hidden for line in exported for cell in line if word in cell}
            assert not leaked, f"{where}: rows of {leaked} leaked"
