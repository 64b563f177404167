"""Numbers an import kept as typed (issue 11, finding 7): flagged on the partner or contact, shown as 未核实,
without a duplicate key; an edit that leaves them alone is not refused for them, and a new number must be
valid and clears the flag."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.permissions import Action, Scope
from keshang.core.testing.errors import validation_codes
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Contact, Partner

pytestmark = pytest.mark.django_db

KEPT = "(5) 555-4729"  # as Northwind wrote a Mexican number: it cannot be read


@pytest.fixture
def rep(client):
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE, Action.VIEW_SENSITIVE], Scope.OWN)
    client.force_login(user)
    return user


@pytest.fixture
def imported(rep):
    """What an import that kept unreadable numbers stores."""
    partner = services.create_partner(
        actor=rep, data={"name": "Ana Trujillo", "country": "MX", "phone": KEPT, "phone_unverified": True}
    )
    services.save_contact(
        actor=rep, partner=partner, data={"name": "Ana", "mobile": KEPT, "mobile_unverified": True, "is_primary": True}
    )
    return partner


def form_post(partner, **overrides):
    data = {
        "kind": partner.kind,
        "is_customer": "on",
        "name": partner.name,
        "status": partner.status,
        "country": partner.country,
        "phone": partner.phone,
        "version": partner.version,
    }
    data.update(overrides)
    return data


def test_a_kept_number_has_no_duplicate_key_and_shows_as_unverified(client, imported):
    assert (imported.phone, imported.phone_unverified, imported.phone_key) == (KEPT, True, "")
    detail = client.get(reverse("partners:partner_detail", args=[imported.pk])).content.decode()
    contacts = client.get(reverse("partners:partner_contacts", args=[imported.pk])).content.decode()
    listed = client.get(reverse("partners:partner_list")).content.decode()
    assert 'data-testid="phone-unverified"' in detail and "电话未核实" in detail
    assert "未核实" in contacts
    assert f"{KEPT}（未核实）" in listed


def test_an_edit_that_leaves_the_kept_number_alone_is_saved(client, imported):
    response = client.post(reverse("partners:partner_edit", args=[imported.pk]), form_post(imported, notes="已联系"))
    assert response.status_code == 302
    partner = Partner.objects.get(pk=imported.pk)
    assert (partner.notes, partner.phone, partner.phone_unverified) == ("已联系", KEPT, True)


def test_a_new_number_must_be_valid_and_clears_the_flag(client, imported):
    refused = client.post(reverse("partners:partner_edit", args=[imported.pk]), form_post(imported, phone="555-1"))
    assert refused.context["form"].errors["phone"] == ["请输入有效的电话号码。"]
    saved = client.post(
        reverse("partners:partner_edit", args=[imported.pk]), form_post(imported, phone="+52 55 5555 4729")
    )
    assert saved.status_code == 302
    partner = Partner.objects.get(pk=imported.pk)
    assert (partner.phone_unverified, partner.phone_key) == (False, "+525555554729")


def test_the_services_refuse_an_unreadable_new_number_even_without_a_form(rep, imported):
    with pytest.raises(ValidationError) as refused:
        services.update_partner(actor=rep, partner=imported, data={"phone": "555-1"})
    assert validation_codes(refused.value) == ["invalid_phone"]


def test_the_api_shows_the_flags_and_accepts_a_patch_that_leaves_the_number_alone(rep, imported):
    api = APIClient()
    api.force_authenticate(rep)
    url = reverse("partners-api:partner-detail", args=[imported.pk])
    body = api.get(url).json()
    assert (body["phone"], body["phone_unverified"]) == (KEPT, True)
    patched = api.patch(url, {"phone": KEPT, "notes": "已联系"}, format="json")
    assert patched.status_code == 200 and patched.json()["phone_unverified"] is True
    refused = api.patch(url, {"phone": "555-1"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid" and "phone" in refused.json()["fields"]
    contact = Contact.objects.get()
    contact_url = reverse("partners-api:contact-detail", args=[contact.pk])
    assert api.get(contact_url).json()["mobile_unverified"] is True
    assert api.patch(contact_url, {"mobile": KEPT, "title": "经理"}, format="json").status_code == 200


def test_a_contacts_kept_mobile_is_cleared_by_a_valid_one(client, rep, imported):
    contact = Contact.objects.get()
    response = client.post(
        reverse("partners:contact_edit", args=[contact.pk]),
        {"name": "Ana", "mobile": "+52 55 1234 5678", "is_primary": "on", "version": contact.version},
    )
    assert response.status_code == 302
    assert not Contact.objects.get(pk=contact.pk).mobile_unverified
