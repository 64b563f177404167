"""The permission matrix's side doors (issue 6): what the route-by-route checks of ``test_permission_matrix`` cannot
see. Ids of records outside the scope sent in a request body (IDOR) or offered in a form's choices, a duplicate
warning about a record one may not see, an attachment fetched through another record, the approval inbox, and
backups that only a superuser downloads. The same world and the same count of cells (``matrix.py``)."""

from __future__ import annotations

from django.db import transaction

from keshang.core.models import AuditEntry, BackupRun
from keshang.tests import matrix
from keshang.tests.matrix import (
    CELLS,
    SCOPED_PERSONAS,
    SUPERUSER_ONLY,
    client_for,
    expect_denied_anonymous,
)
from keshang.tests.world import World, matrix_world  # noqa: F401 (fixture)

# The count of cells checked, printed at the end of the module.
report_cells = matrix.report_cells


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
    assert body["code"] == "duplicate_partner_owned"  # refused: someone else's customer (issue 11, 撞单)
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

    # given the manager away, delegating to a colleague who holds nothing but the approve right on quotations (a
    # delegate must hold the approving rights: issue 12, finding 12), and a second request
    from keshang.core.permissions import Action, Scope
    from keshang.org.tests.factories import grant

    today = datetime.date.today()
    grant(users["nobody"], "sales.quotation", [Action.APPROVE], Scope.ALL)
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
