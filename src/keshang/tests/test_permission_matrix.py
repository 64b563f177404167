"""The permission matrix (issue 6): every API route and every page, for every persona and scope.

The routes come from the URL resolver and the DRF routers (as in ``test_url_walk``), the resources from the
registry, so a new resource or page is covered without editing this file, or the coverage test fails and
says what the world (``core/testing/world.py``) lacks. Personas: anonymous, signed in without a grant, a
grant whose scope holds none of the records, own, department, department tree and all. Expectations come
from ``world.row_visible``, an oracle that reads owner and department columns in Python, never from
``visible_to``. Denied writes must leave the row, the table and the audit trail as they were.

The world is built once per module inside a transaction that is rolled back at the end; every write a test
lets through runs in a savepoint that is rolled back too. The number of cells checked is printed at the end
of the run (docs/reliability.md quotes it).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import get_resolver
from rest_framework.test import APIClient

from keshang.core.api import ScopedViewSetMixin
from keshang.core.models import Attachment, AuditEntry, BackupRun
from keshang.core.permissions import Action, get_resource, resource_for_model, resources
from keshang.core.views import ObjectListView, ScopedViewMixin
from keshang.tests.test_url_walk import walk
from keshang.tests.world import World, expected_visible, matrix_world, row_visible  # noqa: F401 (fixture)

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


def params(route: str) -> list[str]:
    return PARAM.findall(route)


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
    return manager.unscoped().order_by("pk").first()


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
            related = {
                "partner": "partners.partner",
                "opportunity": "sales.opportunity",
                "product": "catalog.product",
                "company": "org.company",
            }
            kind = related[name[: -len("_pk")]]
            target = world.records[owner].get(kind) or world.shared[kind.split(".")[1]]
        elif name == "move":
            values[name] = "withdraw"  # a move both quotations and orders have
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
            related = {
                "partner": "partners.partner",
                "opportunity": "sales.opportunity",
                "product": "catalog.product",
                "company": "org.company",
            }
            kind = related[name[: -len("_pk")]]
            return world.records[owner].get(kind) or world.shared[kind.split(".")[1]]
    return None


def client_for(world: World, persona: str, *, api: bool):
    return world.clients[persona, api]


def state(model, obj) -> tuple:
    """What a denied write must leave alone: the row, the table's size and the audit trail."""
    manager = model._default_manager
    row = manager.unscoped().filter(pk=obj.pk).values().first() if obj is not None else None
    return row, manager.unscoped().count(), AuditEntry.objects.count()


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


#
# Coverage: the matrix knows every resource and every route
#


def test_every_registered_resource_is_reached_by_a_route_the_matrix_walks():
    # given the routed models of the pages and API the matrix walks
    routed = {resource_for_model(view_class(callback).model) for _route, callback in PAGE_ROUTES + API_ROUTES}
    # when the registry is compared with them
    unreached = {resource.label for resource in resources()} - routed - {"scopeapp.memo"}
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
        rows = model._default_manager.unscoped().filter(pk__in=every)
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
            obj
            for obj in model._default_manager.unscoped().filter(pk__in=every)
            if row_visible(obj, user=user, scope=scope)
        ]
        assert len(exported) == len(expected), where
        if model._meta.label_lower in WORDED:
            hidden = {world.word(owner) for owner in world.records if record_of(world, model, owner) not in expected}
            leaked = {word for word in hidden for line in exported for cell in line if word in cell}
            assert not leaked, f"{where}: rows of {leaked} leaked"


#
# Backups: every persona with the grant lists and runs them; only the superuser downloads one
#


def test_backups_are_listed_and_run_with_the_grant_and_downloaded_by_the_superuser_only(world, db, settings, tmp_path):
    # given a backup in the backup directory
    settings.KESHANG_BACKUP_DIR = tmp_path
    (tmp_path / "keshang-20260105-031500.bak").write_bytes(b"backup")
    (route,) = SUPERUSER_ONLY
    download = route.replace("<str:name>", "keshang-20260105-031500.bak")

    def state():
        return sorted(path.name for path in tmp_path.iterdir()), BackupRun.objects.count(), AuditEntry.objects.count()

    for persona in ("anonymous", "no_grant", *SCOPED_PERSONAS, "root"):
        client = client_for(world, persona, api=False)
        where = f"as {persona}"
        # when they open the page, ask for a backup and try to download one (each write rolled back)
        before = state()
        with transaction.atomic():
            listed, run = client.get("/core/backups/"), client.post("/core/backups/run/")
            downloaded = client.get(download)
            ran = state()
            transaction.set_rollback(True)
        CELLS["backups"] += 3
        # then
        if persona == "anonymous":
            for response in (listed, run, downloaded):
                expect_denied_anonymous(response, api=False)
        elif persona == "no_grant":
            assert (listed.status_code, run.status_code, downloaded.status_code) == (403, 403, 403), where
        else:
            assert (listed.status_code, run.status_code) == (200, 302), where
            assert downloaded.status_code == (200 if persona == "root" else 403), where
        if persona in ("anonymous", "no_grant"):
            assert ran == before, f"{where}: a refused request changed something"
        elif persona != "root":
            # the run is recorded (row and audit), the refused download is not
            assert ran == (before[0], before[1] + 1, before[2] + 1), where


#
# Foreign keys that point outside the scope (IDOR): a field error, nothing written
#


def idor_cases(world: World) -> list[tuple[str, str, dict, str]]:
    """(method, url, body, the field that must refuse) for the rep, whose scope is their department (华东):
    the buyer's records (采购部) are outside it, the rep's own are inside."""
    mine, theirs = world.records["rep"], world.records["buyer"]
    product = world.shared["product"].pk
    line = {"product": product, "quantity": "1"}
    return [
        ("post", "/api/v1/partners/contacts/", {"partner": theirs["partners.partner"].pk, "name": "越权"}, "partner"),
        (
            "post",
            "/api/v1/partners/addresses/",
            {"partner": theirs["partners.partner"].pk, "detail": "越权"},
            "partner",
        ),
        (
            "post",
            "/api/v1/partners/bank-accounts/",
            {
                "partner": theirs["partners.partner"].pk,
                "bank_name": "越权",
                "account_name": "越权",
                "account_number": "1",
            },
            "partner",
        ),
        (
            "post",
            "/api/v1/partners/qualifications/",
            {"partner": theirs["partners.partner"].pk, "name": "越权"},
            "partner",
        ),
        (
            "patch",
            f"/api/v1/partners/contacts/{mine['partners.contact'].pk}/",
            {"partner": theirs["partners.partner"].pk},
            "partner",
        ),
        (
            "post",
            "/api/v1/sales/opportunities/",
            {"partner": theirs["partners.partner"].pk, "name": "越权", "expected_amount": "1.00"},
            "partner",
        ),
        (
            "post",
            "/api/v1/sales/opportunities/",
            {"partner": mine["partners.partner"].pk, "name": "越权", "contacts": [theirs["partners.contact"].pk]},
            "contacts",
        ),
        (
            "post",
            "/api/v1/sales/competitors/",
            {"opportunity": theirs["sales.opportunity"].pk, "name": "越权"},
            "opportunity",
        ),
        ("post", "/api/v1/sales/quotations/", {"partner": theirs["partners.partner"].pk, "lines": [line]}, "partner"),
        (
            "post",
            "/api/v1/sales/quotations/",
            {"partner": mine["partners.partner"].pk, "contact": theirs["partners.contact"].pk, "lines": [line]},
            "contact",
        ),
        (
            "post",
            "/api/v1/sales/quotations/",
            {"partner": mine["partners.partner"].pk, "opportunity": theirs["sales.opportunity"].pk, "lines": [line]},
            "opportunity",
        ),
        ("post", "/api/v1/sales/orders/", {"partner": theirs["partners.partner"].pk, "lines": [line]}, "partner"),
        (
            "patch",
            f"/api/v1/sales/quotations/{mine['sales.quotation'].pk}/",
            {"partner": theirs["partners.partner"].pk},
            "partner",
        ),
        (
            "post",
            "/api/v1/catalog/price-rules/",
            {"product": product, "kind": "customer", "partner": theirs["partners.partner"].pk, "price": "1.00"},
            "partner",
        ),
        (
            "post",
            f"/api/v1/partners/partners/{mine['partners.partner'].pk}/share/",
            {"user": world.users["buyer"].pk},
            "user",
        ),
        (
            "post",
            f"/api/v1/partners/partners/{mine['partners.partner'].pk}/transfer/",
            {"owner": world.users["buyer"].pk, "reason": "other", "notes": "越权"},
            "owner",
        ),
    ]


def all_rows() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_foreign_keys_outside_the_scope_are_refused_on_the_field_and_write_nothing(world, db):
    client = client_for(world, "department", api=True)
    for method, url, body, field in idor_cases(world):
        # given the whole database's row counts and the rep's quotation and contact as they are
        before = all_rows()
        rows = [
            type(obj)._default_manager.filter(pk=obj.pk).values().get()
            for obj in (world.records["rep"]["partners.contact"], world.records["rep"]["sales.quotation"])
        ]
        # when the rep sends an id they cannot see
        with transaction.atomic():
            response = getattr(client, method)(url, body, format="json")
            after = all_rows()
            rows_after = [
                type(obj)._default_manager.filter(pk=obj.pk).values().get()
                for obj in (world.records["rep"]["partners.contact"], world.records["rep"]["sales.quotation"])
            ]
            transaction.set_rollback(True)
        CELLS["foreign keys outside the scope"] += 1
        # then the field refuses it as if it did not exist, and nothing is written
        where = f"{method.upper()} {url} {body}"
        assert response.status_code == 400, f"{where}: {response.status_code} {response.content[:300]}"
        assert field in response.json()["fields"], f"{where}: {response.json()}"
        assert after == before and rows_after == rows, f"{where}: something was written"


def test_the_same_foreign_keys_inside_the_scope_are_accepted(world, db):
    """The control: the cases above fail for the id, not for the rest of the body."""
    client = client_for(world, "department", api=True)
    mine = world.records["rep"]
    product = world.shared["product"].pk
    for url, body in (
        ("/api/v1/partners/contacts/", {"partner": mine["partners.partner"].pk, "name": "本人"}),
        (
            "/api/v1/sales/quotations/",
            {"partner": mine["partners.partner"].pk, "lines": [{"product": product, "quantity": "1"}]},
        ),
        ("/api/v1/sales/competitors/", {"opportunity": mine["sales.opportunity"].pk, "name": "本人"}),
    ):
        with transaction.atomic():
            response = client.post(url, body, format="json")
            transaction.set_rollback(True)
        assert response.status_code == 201, f"{url}: {response.status_code} {response.content[:300]}"


def test_form_choices_hold_only_records_in_scope_and_a_posted_id_outside_is_a_field_error(world, db):
    # given the rep's quotation form, and the buyer's partner outside the rep's scope
    client = client_for(world, "department", api=False)
    theirs = world.records["buyer"]["partners.partner"]
    before = all_rows()
    # when the rep opens it and posts the buyer's partner
    page = client.get("/sales/quotations/add/")
    with transaction.atomic():
        response = client.post("/sales/quotations/add/", {"partner": theirs.pk, "quote_date": "2026-01-05"})
        after = all_rows()
        transaction.set_rollback(True)
    # then the partner is not offered, the post is a field error on it, and nothing is written
    assert page.status_code == 200
    choices = {str(value) for value, _label in page.context["form"].fields["partner"].choices if value}
    assert str(theirs.pk) not in choices and str(world.records["rep"]["partners.partner"].pk) in choices
    assert response.status_code == 200 and "partner" in response.context["form"].errors
    assert after == before
    CELLS["foreign keys outside the scope"] += 2


#
# Duplicate warnings, attachments, the approval inbox
#


def test_a_duplicate_outside_the_scope_tells_only_its_name_and_owner(world, db):
    # given the buyer's partner, outside the rep's scope, with its phone, e-mail and number
    theirs = world.records["buyer"]["partners.partner"]
    client = client_for(world, "department", api=True)
    # when the rep enters the same name
    with transaction.atomic():
        response = client.post("/api/v1/partners/partners/", {"name": theirs.name}, format="json")
        transaction.set_rollback(True)
    # then they learn the name and the owner, nothing else
    assert response.status_code == 400
    text = response.content.decode()
    body = response.json()
    assert body["code"] == "duplicate_partner"
    assert theirs.name in body["message"] and str(world.users["buyer"]) in body["message"]
    for secret in (theirs.phone, theirs.email, world.records["buyer"]["partners.contact"].name, f'"id": {theirs.pk}'):
        assert secret not in text, secret
    CELLS["duplicate warnings"] += 1


def test_an_attachment_is_served_only_through_its_own_parent_in_scope(world, db):
    mine, theirs = world.records["rep"], world.records["buyer"]
    client = client_for(world, "department", api=False)
    base = "/core/attachments/partners/partner"
    # when the rep downloads their own file, the buyer's file, and the buyer's file under their own partner
    own = client.get(f"{base}/{mine['partners.partner'].pk}/{mine['core.attachment'].pk}/download/")
    other = client.get(f"{base}/{theirs['partners.partner'].pk}/{theirs['core.attachment'].pk}/download/")
    smuggled = client.get(f"{base}/{mine['partners.partner'].pk}/{theirs['core.attachment'].pk}/download/")
    api = client_for(world, "department", api=True).get(
        f"/api/v1/core/attachments/partners.partner/{mine['partners.partner'].pk}/{theirs['core.attachment'].pk}/download/"
    )
    # then only their own is served
    assert own.status_code == 200
    assert (other.status_code, smuggled.status_code, api.status_code) == (404, 404, 404)
    CELLS["attachment downloads"] += 4


def test_the_approval_inbox_shows_and_decides_only_ones_own_or_delegated_tasks(world, db):
    import datetime

    from keshang.core.models import ApprovalDelegation, ApprovalTask, ApprovalTaskStatus, ApproverKind
    from keshang.sales.services import quotations
    from keshang.sales.tests.document_factories import flow

    # given a flow sending quotations to the submitter's manager, and the rep's quotation submitted
    flow("sales.quotation", steps=((ApproverKind.MANAGER, 1),))
    users = world.users
    quotation = quotations.submit_quotation(actor=users["rep"], quotation=world.records["rep"]["sales.quotation"])
    task = ApprovalTask.objects.unscoped().get(request__object_id=quotation.pk, status=ApprovalTaskStatus.PENDING)
    assert task.approver == users["manager"]
    audit_before = AuditEntry.objects.count()
    # when everyone else (the all-scope buyer too) lists their inbox and tries to decide it by id
    for persona in ("own", "department", "all", "no_grant"):
        api = client_for(world, persona, api=True)
        listed = {row["id"] for row in api.get("/api/v1/core/approval-tasks/").json()["results"]}
        decided = api.post(f"/api/v1/core/approval-tasks/{task.pk}/approve/", {}, format="json")
        page = client_for(world, persona, api=False).post(
            f"/core/approvals/requests/{task.request_id}/", {"decision": "approve"}
        )
        # then they neither see it nor decide it
        assert task.pk not in listed, persona
        assert decided.status_code == 404, persona
        assert page.status_code in (302, 404), persona
        CELLS["approval inbox"] += 3
    task.refresh_from_db()
    assert task.status == ApprovalTaskStatus.PENDING
    assert AuditEntry.objects.count() == audit_before
    # and the manager sees it in the inbox page and the API
    manager = client_for(world, "department_tree", api=True)
    assert task.pk in {row["id"] for row in manager.get("/api/v1/core/approval-tasks/").json()["results"]}
    inbox = client_for(world, "department_tree", api=False).get("/core/approvals/")
    assert task in inbox.context["page"].object_list

    # given the manager away, delegating to the colleague without any grant, and a second request
    today = datetime.date.today()
    ApprovalDelegation.objects.create(
        user=users["manager"], delegate=users["nobody"], starts_on=today, ends_on=today + datetime.timedelta(days=1)
    )
    peer_quotation = quotations.submit_quotation(
        actor=users["rep"],
        quotation=quotations.copy_quotation(actor=users["rep"], quotation=world.records["rep"]["sales.quotation"]),
    )
    delegated = ApprovalTask.objects.unscoped().get(
        request__object_id=peer_quotation.pk, status=ApprovalTaskStatus.PENDING
    )
    # when the manager tries to decide it, and the delegate does
    refused = manager.post(f"/api/v1/core/approval-tasks/{delegated.pk}/approve/", {}, format="json")
    accepted = client_for(world, "no_grant", api=True).post(
        f"/api/v1/core/approval-tasks/{delegated.pk}/approve/", {}, format="json"
    )
    # then only the delegate decides it
    assert delegated.approver == users["nobody"] and delegated.delegated_from == users["manager"]
    assert refused.status_code == 404
    assert accepted.status_code == 200, accepted.content
    CELLS["approval inbox"] += 2
