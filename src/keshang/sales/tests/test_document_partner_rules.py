"""Issue 12, findings 14 (first part) and 5: the customer of a sales document must be a customer the author may
change. One rule in the services, so the API and the forms refuse the same things; and documents others made on
a customer stay visible to the customer's owner."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from keshang.core.exceptions import ApplicationError
from keshang.core.models import Collaboration
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.models import Quotation, SalesOrder
from keshang.sales.services import create_opportunity, orders, quotations

from .document_factories import line, make_team
from .factories import default_stages
from .test_views_documents import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def share(partner, user, *, can_write):
    Collaboration.objects.create(
        content_type=ContentType.objects.get_for_model(Partner), object_id=partner.pk, user=user, can_write=can_write
    )


def post(client, user, name, data):
    client.force_login(user)
    return client.post(reverse(f"sales-api:{name}-list"), data, content_type="application/json")


def document_body(team, partner):
    return {"partner": partner.pk, "lines": [{"product": team.product.pk, "quantity": "1"}]}


# Finding 14 (first part): a supplier-only partner is not a customer


@pytest.mark.parametrize("name", ["quotation", "salesorder"])
def test_the_api_refuses_a_supplier_only_partner_on_a_sales_document(client, team, name):
    supplier = PartnerFactory(owner=team.rep, is_customer=False, is_supplier=True)
    response = post(client, team.rep, name, document_body(team, supplier))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "not_a_customer"
    assert not Quotation.objects.exists() and not SalesOrder.objects.exists()


def test_the_api_refuses_a_supplier_only_partner_on_an_opportunity(client, team):
    default_stages()
    supplier = PartnerFactory(owner=team.rep, is_customer=False, is_supplier=True)
    response = post(client, team.rep, "opportunity", {"name": "供货商机", "partner": supplier.pk})
    assert response.status_code == 400, response.content
    assert "partner" in str(response.json())


def test_the_service_refuses_a_supplier_only_partner_with_its_code(team):
    supplier = PartnerFactory(owner=team.rep, is_customer=False, is_supplier=True)
    with pytest.raises(ApplicationError) as refused:
        orders.create_sales_order(actor=team.rep, data={"partner": supplier}, lines=[line(team.product)])
    assert refused.value.code == "not_a_customer"


def test_a_partner_both_customer_and_supplier_is_accepted(team):
    both = PartnerFactory(owner=team.rep, is_customer=True, is_supplier=True)
    order = orders.create_sales_order(actor=team.rep, data={"partner": both}, lines=[line(team.product)])
    assert order.partner == both


# Finding 5: a read-only collaborator books nothing on the shared customer


@pytest.mark.parametrize("name", ["quotation", "salesorder"])
def test_a_read_only_collaborator_cannot_create_documents_on_the_shared_customer(client, team, name):
    share(team.partner, team.other_rep, can_write=False)
    response = post(client, team.other_rep, name, document_body(team, team.partner))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "partner_not_writable"
    assert not Quotation.objects.exists() and not SalesOrder.objects.exists()


def test_a_read_only_collaborator_cannot_open_an_opportunity_on_the_shared_customer(client, team):
    default_stages()
    share(team.partner, team.other_rep, can_write=False)
    response = post(client, team.other_rep, "opportunity", {"name": "蹭单", "partner": team.partner.pk})
    assert response.status_code == 400, response.content
    with pytest.raises(ApplicationError) as refused:
        create_opportunity(actor=team.other_rep, data={"name": "蹭单", "partner": team.partner})
    assert refused.value.code == "partner_not_writable"


def test_the_quotation_form_refuses_a_read_only_shared_customer(client, team):
    share(team.partner, team.other_rep, can_write=False)
    client.force_login(team.other_rep)
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "unit_price_gross": "113"}])
    response = client.post(reverse("sales:quotation_add"), {**data, "quote_date": timezone.localdate().isoformat()})
    assert response.status_code == 200  # the form again, with the error
    assert "没有修改权限" in response.content.decode()
    assert not Quotation.objects.exists()


def test_a_write_collaborator_books_and_the_owner_sees_it(client, team):
    share(team.partner, team.other_rep, can_write=True)
    response = post(client, team.other_rep, "salesorder", document_body(team, team.partner))
    assert response.status_code == 201, response.content
    order = SalesOrder.objects.get()
    assert order.owner == team.other_rep
    # The customer's owner sees the order made on their customer (list, detail), in the API and the pages.
    client.force_login(team.rep)
    assert SalesOrder.objects.visible_to(team.rep).filter(pk=order.pk).exists()
    detail = client.get(reverse("sales-api:salesorder-detail", args=[order.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("sales:salesorder_detail", args=[order.pk])).status_code == 200
    quotation = quotations.create_quotation(
        actor=team.other_rep, data={"partner": team.partner}, lines=[line(team.product)]
    )
    assert Quotation.objects.visible_to(team.rep).filter(pk=quotation.pk).exists()


def test_the_customer_owner_sees_but_does_not_change_a_collaborators_order(team):
    share(team.partner, team.other_rep, can_write=True)
    order = orders.create_sales_order(actor=team.other_rep, data={"partner": team.partner}, lines=[line(team.product)])
    assert not SalesOrder.objects.visible_to(team.rep, "change").filter(pk=order.pk).exists()
    with pytest.raises(SalesOrder.DoesNotExist):
        orders.update_sales_order(actor=team.rep, order=order, data={"notes": "改"}, lines=[line(team.product, "2")])
    assert order.gross_amount == Decimal("113.00")
