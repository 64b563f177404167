"""Issue 12, finding 10: a purchaser added a supplier's default bank account, which finance then paid. Entering or
changing an account needs ``partners.bankaccount`` "add"/"change"; a new default (or a changed bank, name or number on
the default) is held 待确认 until a second person with "approve" (finance) confirms it; finance is told."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ScopeViolation
from keshang.core.models import AuditAction, AuditEntry, Notification
from keshang.core.permissions import Action, Persona, Scope, get_resource
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import selectors, services
from keshang.partners.models import BankAccount
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

BANK = "partners.bankaccount"


@pytest.fixture
def purchaser():
    user = UserFactory(name="采购小王")
    grant(user, "partners.partner", (Action.VIEW, Action.ADD, Action.CHANGE), Scope.OWN)
    grant(user, BANK, (Action.ADD, Action.CHANGE), Scope.ALL)
    return user


def make_finance(name="财务小陈"):
    user = UserFactory(name=name)
    grant(user, "partners.partner", (Action.VIEW, Action.VIEW_SENSITIVE), Scope.ALL)
    grant(user, BANK, (Action.ADD, Action.CHANGE, Action.APPROVE), Scope.ALL)
    return user


@pytest.fixture
def finance():
    return make_finance()


@pytest.fixture
def supplier(purchaser):
    return PartnerFactory(owner=purchaser, is_customer=False, is_supplier=True)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


ACCOUNT = {"bank_name": "招商银行深圳分行", "account_name": "某供应商", "account_number": "6225880123456789"}


def test_a_new_default_account_is_held_until_finance_confirms_it_and_finance_is_told(purchaser, finance, supplier):
    old = services.save_bank_account(actor=None, partner=supplier, data={**ACCOUNT, "is_default": True})
    body = {**ACCOUNT, "partner": supplier.pk, "account_number": "6222020000000001", "is_default": True}
    response = api(purchaser).post(reverse("partners-api:bankaccount-list"), body, format="json")
    assert response.status_code == 201, response.json()
    new = BankAccount.objects.get(pk=response.json()["id"])
    assert new.pending and not new.is_default and new.entered_by == purchaser
    assert selectors.get_default_bank_account(partner=supplier) == old
    assert Notification.objects.filter(recipient=finance).exists()
    assert not Notification.objects.filter(recipient=purchaser).exists()
    confirmed = api(finance).post(reverse("partners-api:bankaccount-confirm", args=[new.pk]), {}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    new.refresh_from_db()
    assert new.is_default and not new.pending and new.confirmed_by == finance
    assert selectors.get_default_bank_account(partner=supplier) == new
    assert not BankAccount.objects.get(pk=old.pk).is_default
    assert AuditEntry.objects.for_object(new).filter(action=AuditAction.UPDATE, user=finance).exists()


def test_changing_the_number_of_the_default_takes_it_off_until_confirmed(purchaser, finance, supplier):
    account = services.save_bank_account(actor=None, partner=supplier, data={**ACCOUNT, "is_default": True})
    services.save_bank_account(
        actor=purchaser, partner=supplier, account=account, data={"account_number": "6222020000000002"}
    )
    account.refresh_from_db()
    assert account.pending and not account.is_default
    assert selectors.get_default_bank_account(partner=supplier) is None


def test_the_person_who_entered_it_cannot_confirm_it(supplier):
    finance = make_finance()
    account = services.save_bank_account(actor=finance, partner=supplier, data={**ACCOUNT, "is_default": True})
    response = api(finance).post(reverse("partners-api:bankaccount-confirm", args=[account.pk]), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "bank_account_self_confirm"
    assert BankAccount.objects.get(pk=account.pk).pending
    other = make_finance("财务小刘")
    services.confirm_bank_account(actor=other, account=account)
    assert BankAccount.objects.get(pk=account.pk).is_default


def test_a_purchaser_cannot_confirm(purchaser, supplier):
    account = services.save_bank_account(actor=make_finance(), partner=supplier, data={**ACCOUNT, "is_default": True})
    with pytest.raises(ScopeViolation) as refused:
        services.confirm_bank_account(actor=purchaser, account=account)
    assert refused.value.code == "bank_account_confirm_not_allowed"


def test_without_the_grant_nobody_enters_an_account(supplier):
    rep = UserFactory()
    grant(rep, "partners.partner", (Action.VIEW, Action.ADD, Action.CHANGE), Scope.ALL)
    body = {**ACCOUNT, "partner": supplier.pk}
    response = api(rep).post(reverse("partners-api:bankaccount-list"), body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "bank_account_not_allowed"
    assert not BankAccount.objects.exists()


def test_the_page_shows_the_pending_badge_and_a_confirm_button_that_confirms(purchaser, finance, supplier, client):
    account = services.save_bank_account(actor=purchaser, partner=supplier, data={**ACCOUNT, "is_default": True})
    client.force_login(finance)
    page = client.get(reverse("partners:partner_bank_accounts", args=[supplier.pk])).content.decode()
    confirm_url = reverse("partners:bankaccount_confirm", args=[account.pk])
    assert "待确认" in page and confirm_url in page
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert BankAccount.objects.get(pk=account.pk).is_default
    client.force_login(purchaser)
    page = client.get(reverse("partners:partner_bank_accounts", args=[supplier.pk])).content.decode()
    assert confirm_url not in page


def test_by_default_finance_confirms_and_purchasers_enter():
    defaults = get_resource(BANK).defaults
    assert Action.APPROVE in defaults[Persona.FINANCE][0]
    assert Action.ADD in defaults[Persona.PURCHASER][0] and Action.APPROVE not in defaults[Persona.PURCHASER][0]
