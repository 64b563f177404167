"""Fuzzing the whole API from its OpenAPI schema (issue 6, hostile and bad input).

Schemathesis generates requests for every operation of ``/api/schema/`` — valid ones and ones that
break the schema (wrong types, missing fields, junk path ids, odd Unicode) — as a signed-in user who
holds every action on every resource at scope "all", and checks every response: no server error, a
documented status code, a body and content type that match the schema, and that the operation
refuses a request without or with a corrupted token.

* **Stateless**: every operation and method on its own. A path id is drawn partly from the records
  the fixture made, so updates, deletes and the document actions reach real rows, not only 404s.
* **Stateful**: schemathesis's state machine chains operations through the links it infers from the
  schema (create → read → update → delete, and a created id fed to the actions).

Two of schemathesis's checks judge how strictly input is read rather than what comes back, and are
off. ``positive_data_acceptance`` (every schema-valid request accepted): an id that does not exist, a
quotation without lines or a business rule's refusal is valid by the schema and rightly answered 400.
``negative_data_rejection`` (every schema-breaking request refused): Django and DRF read an empty
query value as "not given", trim whitespace before checking a length and read form fields leniently,
by design. The schema-breaking requests are still sent, and must still get a documented answer.

``KESHANG_FUZZ_EXAMPLES`` sets the examples per operation (the stateful scenarios are five times as
many): the default 5 is the short, deterministic run of ``make test`` (about 1,150 requests);
``make fuzz`` runs 200, seeded afresh each time, and adds schemathesis's coverage phase (boundary and
schema-breaking values of every parameter).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.config import SchemathesisConfig

from keshang.catalog.tests.factories import BrandFactory, CategoryFactory, PriceRuleFactory, ProductUnitFactory
from keshang.core import services as core_services
from keshang.core.permissions import Persona, Scope, resources
from keshang.org import services as org_services
from keshang.org.models import Grant, Role
from keshang.org.tests.factories import DepartmentFactory, RoleFactory, UserFactory
from keshang.partners.tests.factories import ContactFactory
from keshang.sales.services import orders, quotations
from keshang.sales.tests.document_factories import flow, line
from keshang.sales.tests.factories import OpportunityFactory, default_stages

EXAMPLES = int(os.environ.get("KESHANG_FUZZ_EXAMPLES", "5"))
LONG_RUN = EXAMPLES >= 20

CONFIG = SchemathesisConfig.from_dict(
    {
        # The short run is the same every time (no flaky `make test`); the long one explores afresh.
        "generation": {"max-examples": EXAMPLES, "deterministic": not LONG_RUN, "database": "none"},
        "phases": {
            # Boundary and negative values of every parameter: many cases per operation, so the long run only.
            "coverage": {"enabled": LONG_RUN},
        },
        "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
    }
)


def _load_schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)), config=CONFIG)
    # In process, through Django's own WSGI handler (the whole middleware stack): no server, no sockets.
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()

# What the current test's fixture made: the database, and so the token and the ids, are new for every test.
CURRENT: dict = {"token": None, "ids": [], "partner": None}


@schema.auth(refresh_interval=None)
class TokenAuth:
    """The token as schemathesis's own auth provider, so its ``ignored_auth`` check knows which
    credentials are real and proves that the operation refuses a request without them."""

    def get(self, case, context):
        return CURRENT["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, aim a generated ``id`` at a record that exists."""
    if not path_parameters or "id" not in path_parameters or not CURRENT["ids"]:
        return st.just(path_parameters)
    existing = st.sampled_from(CURRENT["ids"]).map(lambda pk: {**path_parameters, "id": pk})
    return st.one_of(st.just(path_parameters), existing)


def _seed(user):
    """A few rows of every kind, so reads, updates, deletes and document actions have targets."""
    stages = default_stages()
    contact = ContactFactory(partner__owner=user)
    partner = contact.partner
    unit = ProductUnitFactory()
    product = unit.product
    CategoryFactory()
    BrandFactory()
    PriceRuleFactory(product=product)
    currency = core_services.save_currency(actor=user, code="XFZ", name="测试币", symbol="¤", is_active=True)
    core_services.save_exchange_rate(actor=user, currency=currency, date="2026-01-01", rate=Decimal("7.1"))
    opportunity = OpportunityFactory(owner=user, partner=partner, stage=next(iter(stages.values())))
    flow("sales.quotation")
    quotation = quotations.create_quotation(actor=user, data={"partner": partner}, lines=[line(product)])
    order = orders.create_sales_order(actor=user, data={"partner": partner}, lines=[line(product, quantity="2")])
    CURRENT["partner"] = partner.pk
    return sorted({partner.pk, contact.pk, product.pk, unit.pk, opportunity.pk, quotation.pk, order.pk, user.pk})


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """Made once for the module, inside a transaction rolled back at its end; each test runs in a
    savepoint within it (pytest-django's ``db``), so every test starts from the same rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        user = UserFactory(department=DepartmentFactory())
        for role in org_services.ensure_default_roles():
            if role.persona in (Persona.MANAGEMENT, Persona.ADMIN):
                user.roles.add(role)
        everything = RoleFactory()
        Grant.objects.bulk_create(
            Grant(role=everything, resource=resource.label, actions=list(resource.actions), scope=Scope.ALL)
            for resource in resources()
        )
        user.roles.add(everything)
        CURRENT.update(token=org_services.create_api_token(user=user, name="fuzz")[1], ids=_seed(user))
        # Requests must not close the connection that holds the test's transaction (Django's test
        # client does the same).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            yield user
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            CURRENT.update(token=None, ids=[], partner=None)
            transaction.set_rollback(True)


@pytest.fixture
def fuzz_user(fuzz_world, db):
    """A management + admin user holding every action of every resource at scope "all"."""
    return fuzz_world


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_within_its_schema(case, fuzz_user):
    # given a signed-in user who may do everything, and a generated request
    # when it is sent, then the answer is no server error and conforms to the schema
    case.call_and_validate()


#
# The same operations as a sales rep (issue 12: the fuzz ran only as a user with every grant, so the paths that
# refuse were barely fuzzed): the rep's default role, their own partner, quotation and order beside the
# manager's rows; every answer is documented and no refusal is a server error.
#

# Examples per operation as the rep: fewer than the full user's, the refusals are what is fuzzed here.
REP_EXAMPLES = max(EXAMPLES // 2, 2)


@pytest.fixture(scope="module")
def rep_world(fuzz_world, django_db_blocker):
    """A rep of the same department holding the sales persona's default role, with a token and rows of their
    own (inside fuzz_world's transaction, rolled back with it)."""
    with django_db_blocker.unblock():
        rep = UserFactory(department=fuzz_world.department)
        rep.roles.add(Role.objects.get(persona=Persona.SALES))
        contact = ContactFactory(partner__owner=rep)
        product = ProductUnitFactory().product
        quotation = quotations.create_quotation(actor=rep, data={"partner": contact.partner}, lines=[line(product)])
        order = orders.create_sales_order(actor=rep, data={"partner": contact.partner}, lines=[line(product)])
        ids = sorted({*CURRENT["ids"], contact.pk, contact.partner_id, quotation.pk, order.pk, rep.pk})
        return org_services.create_api_token(user=rep, name="fuzz-rep")[1], ids


@pytest.fixture
def fuzz_rep(rep_world, db):
    """The rep's token and ids for schemathesis's auth provider and path hook, for one test."""
    saved = dict(CURRENT)
    CURRENT.update(token=rep_world[0], ids=rep_world[1])
    yield
    CURRENT.update(saved)


@schema.parametrize()
@settings(FUZZ_SETTINGS, max_examples=REP_EXAMPLES)
def test_every_operation_answers_a_sales_rep_within_its_schema_and_refuses_with_a_4xx(case, fuzz_rep):
    # given a rep with the sales persona's default role, and a generated request
    # when it is sent
    response = case.call_and_validate()
    # then the answer is documented, and what the rep may not do is a refusal (4xx), never a server error
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"


def test_chained_operations_answer_within_their_schema(fuzz_user):
    # given the operations chained by the links schemathesis infers (create → read → update → delete),
    # counting the steps that used a value an earlier response gave (a created record's id)
    steps = {"all": 0, "chained": 0}

    class Scenario(schema.as_state_machine()):
        """Each scenario starts from the same rows (a savepoint rolled back after it): hypothesis replays
        scenarios while shrinking and needs them to behave the same."""

        def setup(self):
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def step(self, input):
            steps["all"] += 1
            steps["chained"] += input.transition is not None and input.is_applied
            return super().step(input)

    # when scenarios of several steps run
    scenarios = settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES * 5, 20), stateful_step_count=10 if LONG_RUN else 6)
    Scenario.run(settings=scenarios)
    # then every step's answer conformed to the schema (run() raises otherwise), and (in the long run, whose
    # thousands of steps always include some; the short one's few depend on the ids earlier tests used up)
    # records were chained
    assert steps["all"] > 0
    assert steps["chained"] > 0 or not LONG_RUN, steps
    print(f"stateful: {steps['all']} steps, {steps['chained']} of them on a record an earlier step made")


#
# The defects the fuzzer found, pinned down one by one (the fuzzer finds them only by chance)
#


@pytest.fixture
def signed_in(fuzz_user):
    client = APIClient()
    client.force_authenticate(user=fuzz_user)
    return client


def test_every_operation_documents_the_errors_the_api_answers():
    # given the generated schema
    operations = [
        (path, method, operation)
        for path, item in schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    # then each names the one error body for 401 and 403, and 404 wherever a path names a record
    for path, method, operation in operations:
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), f"{method} {path}"
        assert "{" not in path or "404" in responses, f"{method} {path}"
        assert responses["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/catalog/products/0.5/price/",
        "/api/v1/partners/partners/1/no-such-action/",
        "/api/v1/sales/nowhere/",
        "/api/v1/core/attachments/partners.partner/a%0Ab/",
    ],
)
def test_an_api_address_no_route_matches_is_a_json_404(signed_in, url):
    # when
    response = signed_in.get(url)
    # then the API's error body, not the HTML page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_claiming_a_partner_by_an_id_that_is_not_a_number_is_404(signed_in):
    # when (this was a 500: the raw id went into the query)
    response = signed_in.post("/api/v1/partners/partners/null,null/claim/")
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["false", "0", "-3", "1.5", "[]"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_refused(signed_in, value):
    # when (DRF quietly fell back to 50 rows)
    response = signed_in.get("/api/v1/core/currencies/", {"page_size": value})
    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"page_size"}


def test_a_yes_no_filter_refuses_a_value_that_is_neither(signed_in):
    # when (django-filter read "39" as no filter and listed every row)
    refused = signed_in.get("/api/v1/org/departments/", {"is_active": "39"})
    accepted = signed_in.get("/api/v1/org/departments/", {"is_active": "false"})
    # then
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"is_active"}
    assert accepted.status_code == 200


def test_a_number_filter_beyond_the_database_is_refused_not_a_server_error(signed_in):
    # when (SQLite overflowed into a 500)
    response = signed_in.get("/api/v1/org/departments/", {"parent_id": "-1.7976931348623157e+308"})
    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"parent_id"}


def test_approval_steps_that_name_no_order_are_refused_not_a_server_error(signed_in):
    # given two steps without an order: both would take the default, the same one
    body = {
        "name": "无序流程",
        "document_type": "sales.quotation",
        "steps": [{"name": "一", "kind": "manager"}, {"name": "二", "kind": "manager"}],
    }
    # when (a KeyError made this a 500)
    response = signed_in.post("/api/v1/core/approval-flows/", body, format="json")
    # then
    assert response.status_code == 400
    assert "steps" in response.json()["fields"]


def test_a_handover_from_the_pool_conforms_to_its_schema(signed_in, fuzz_user):
    # given a partner of the user's, released into the pool (no new owner, no reason)
    partner_id = CURRENT["partner"]
    # when
    response = signed_in.post(f"/api/v1/partners/partners/{partner_id}/release/", {"notes": "x"}, format="json")
    # then the null owner name and the empty reason are what the schema says may come back
    assert response.status_code == 200, response.json()
    handover = schema.raw_schema["components"]["schemas"]["Handover"]["properties"]
    assert response.json()["to_owner_name"] is None and handover["to_owner_name"].get("nullable")
    assert response.json()["reason"] == "" and any(
        choice.get("$ref", "").endswith("BlankEnum") for choice in handover["reason"].get("oneOf", [])
    )
