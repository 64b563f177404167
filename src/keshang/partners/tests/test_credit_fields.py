"""Issue 12, finding 7: a rep set their customer's credit limit and level (level drives prices and approvals).
信用额度、级别、付款条件 are changed only with "change" on ``partners.credit``; everyone who sees the partner still
reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ScopeViolation
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Persona, Scope, get_resource
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Partner, PartnerLevel
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.import_helpers import make_user, messages_of, preview

pytestmark = pytest.mark.django_db

REP = (Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT)


@pytest.fixture
def rep():
    user = UserFactory(name="销售小李")
    grant(user, "partners.partner", REP, Scope.OWN)
    return user


@pytest.fixture
def level_a():
    return PartnerLevel.objects.create(code="A", name="A 类", order=1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def detail(partner):
    return reverse("partners-api:partner-detail", args=[partner.pk])


@pytest.mark.parametrize(
    "field,value", [("credit_limit", "500000.00"), ("payment_terms", "月结 90 天"), ("level", "level")]
)
def test_a_rep_cannot_change_their_customers_credit_fields_through_the_api(rep, level_a, field, value):
    partner = PartnerFactory(owner=rep, credit_limit=Decimal("1000.00"), payment_terms="款到发货")
    body = {field: level_a.pk if value == "level" else value}
    response = api(rep).patch(detail(partner), body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "credit_fields_not_allowed"
    partner.refresh_from_db()
    assert (partner.credit_limit, partner.payment_terms, partner.level_id) == (Decimal("1000.00"), "款到发货", None)


def test_a_rep_may_send_the_unchanged_credit_fields_and_still_reads_them(rep):
    partner = PartnerFactory(owner=rep, credit_limit=Decimal("1000.00"), payment_terms="款到发货")
    body = {"credit_limit": "1000.00", "payment_terms": "款到发货", "level": None, "notes": "改了备注"}
    response = api(rep).patch(detail(partner), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["credit_limit"] == "1000.00"
    assert Partner.objects.get(pk=partner.pk).notes == "改了备注"


def test_a_rep_creating_a_partner_cannot_set_credit_fields(rep, level_a):
    body = {"name": "新客户甲有限公司", "credit_limit": "90000", "level": level_a.pk}
    response = api(rep).post(reverse("partners-api:partner-list"), body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "credit_fields_not_allowed"
    assert not Partner.objects.filter(name="新客户甲有限公司").exists()
    created = api(rep).post(reverse("partners-api:partner-list"), {"name": "新客户乙有限公司"}, format="json")
    assert created.status_code == 201
    partner = Partner.objects.get(name="新客户乙有限公司")
    assert (partner.credit_limit, partner.level_id, partner.payment_terms) == (None, None, "")


def test_a_holder_of_the_credit_right_changes_them_and_the_audit_shows_it(rep, level_a):
    finance = UserFactory(name="财务小陈")
    grant(finance, "partners.partner", (Action.VIEW, Action.CHANGE), Scope.ALL)
    grant(finance, "partners.credit", (Action.CHANGE,), Scope.ALL)
    partner = PartnerFactory(owner=rep)
    body = {"credit_limit": "200000.00", "level": level_a.pk, "payment_terms": "月结 30 天"}
    response = api(finance).patch(detail(partner), body, format="json")
    assert response.status_code == 200, response.json()
    partner.refresh_from_db()
    assert (partner.credit_limit, partner.level_id) == (Decimal("200000.00"), level_a.pk)
    entry = AuditEntry.objects.for_object(partner).filter(action=AuditAction.UPDATE).latest("pk")
    assert entry.user == finance
    assert entry.after["credit_limit"] == "200000.00" and entry.before["credit_limit"] in (None, "None")


def test_the_service_refuses_the_rep_with_a_code(rep):
    partner = PartnerFactory(owner=rep)
    with pytest.raises(ScopeViolation) as refused:
        services.update_partner(actor=rep, partner=partner, data={"credit_limit": Decimal("1")})
    assert refused.value.code == "credit_fields_not_allowed"


def test_the_form_shows_the_credit_fields_disabled_to_a_rep(rep, client, level_a):
    partner = PartnerFactory(owner=rep, credit_limit=Decimal("1000.00"))
    client.force_login(rep)
    form = client.get(reverse("partners:partner_edit", args=[partner.pk])).context["form"]
    assert all(form.fields[name].disabled for name in ("level", "credit_limit", "payment_terms"))
    assert not form.fields["notes"].disabled


def test_the_form_ignores_a_posted_credit_limit_from_a_rep(rep, client):
    partner = PartnerFactory(owner=rep, credit_limit=Decimal("1000.00"))
    client.force_login(rep)
    form = client.get(reverse("partners:partner_edit", args=[partner.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "tags"}
    data.update(credit_limit="999999", notes="表单改备注", country="CN")
    response = client.post(reverse("partners:partner_edit", args=[partner.pk]), data)
    assert response.status_code == 302, getattr(response, "context", {}) and response.context["form"].errors
    partner.refresh_from_db()
    assert (partner.credit_limit, partner.notes) == (Decimal("1000.00"), "表单改备注")


def test_an_import_by_a_rep_refuses_rows_that_set_a_level(level_a):
    rep = make_user()
    job = preview(rep, [{"名称": "导入客户有限公司", "级别": "A"}])
    assert job.error_count == 1
    assert any("信用额度与级别" in text for text in messages_of(job)[2]), messages_of(job)


def test_an_import_by_a_holder_of_the_credit_right_sets_the_level(level_a):
    manager = make_user()
    grant(manager, "partners.credit", (Action.CHANGE,), Scope.ALL)
    job = preview(manager, [{"名称": "导入客户有限公司", "级别": "A"}])
    assert job.error_count == 0, messages_of(job)


def test_by_default_managers_finance_management_and_admins_hold_the_credit_right_and_reps_do_not():
    defaults = get_resource("partners.credit").defaults
    for persona in (Persona.SALES_MANAGER, Persona.FINANCE, Persona.MANAGEMENT, Persona.ADMIN):
        assert Action.CHANGE in defaults[persona][0]
    assert Persona.SALES not in defaults and Persona.PURCHASER not in defaults
