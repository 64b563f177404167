"""core.bulk.insert_rows stores exactly what bulk_create stores, and gives the objects their keys."""

from decimal import Decimal

import pytest
from django.db import connection

from keshang.core.bulk import insert_rows
from keshang.core.models import AuditAction, AuditEntry
from keshang.org.tests.factories import UserFactory
from keshang.partners.models import BankAccount, Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# Set by the database or the clock, so they differ between two inserts of the same values.
GENERATED = {"id", "created_at", "updated_at"}


def raw_row(model, pk) -> dict:
    """The row as the database holds it (no field conversion on the way back)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        names = [column[0] for column in cursor.description]
        return {name: value for name, value in zip(names, cursor.fetchone(), strict=True) if name not in GENERATED}


def partners_of(user) -> list[Partner]:
    return [
        Partner(
            name=f"批量贸易{index}有限公司",
            name_key=f"批量贸易{index}",
            owner=user,
            department=user.department,
            credit_limit=Decimal("12345.67"),
            is_supplier=index % 2 == 0,
            notes="备注\n第二行" if index else "",
            search_text=f"批量贸易{index}有限公司 plmy",
        )
        for index in range(3)
    ]


@pytest.mark.parametrize(
    "build",
    [
        partners_of,
        lambda user: [
            AuditEntry(
                user=user,
                user_name=user.username,
                action=AuditAction.CREATE,
                ip_address="2001:db8::1",
                after={"price": "99.99", "tags": [1, 2], "name": "华为"},
                object_id="7",
            )
        ],
    ],
    ids=["partners", "audit-entries"],
)
def test_rows_are_stored_as_bulk_create_stores_them(build):
    # given the same objects built twice
    user = UserFactory()
    ours, django = build(user), build(user)
    model = type(ours[0])
    # when one set goes through insert_rows and the other through bulk_create
    insert_rows(model, ours)
    model.objects.bulk_create(django)
    # then every object has its key, and the stored rows are equal column for column
    assert all(obj.pk is not None and not obj._state.adding for obj in ours)
    for mine, theirs in zip(ours, django, strict=True):
        assert raw_row(model, mine.pk) == raw_row(model, theirs.pk)
        assert mine.created_at is not None  # auto_now_add ran on the object, as on a save


def test_encrypted_values_are_not_stored_in_clear():
    # given a bank account whose number is an encrypted column
    account = BankAccount(
        partner=PartnerFactory(), bank_name="招商银行", account_name="华为", account_number="6225880112345678"
    )
    # when it is inserted in bulk
    insert_rows(BankAccount, [account])
    # then the database holds no clear number, and the model reads it back
    assert "6225880112345678" not in str(raw_row(BankAccount, account.pk))
    assert BankAccount.objects.get(pk=account.pk).account_number == "6225880112345678"


def test_many_rows_go_in_several_statements_in_order():
    # given more rows than one statement carries
    user = UserFactory()
    entries = [AuditEntry(user=user, action=AuditAction.CREATE, object_id=str(index)) for index in range(2500)]
    # when
    insert_rows(AuditEntry, entries)
    # then each object got the key of its own row
    stored = dict(AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).values_list("pk", "object_id"))
    assert [stored[entry.pk] for entry in entries] == [str(index) for index in range(2500)]
