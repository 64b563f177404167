"""A contact's 动态 tab (registered in ``apps.py``, read in ``selectors/feeds.py``): the quotations and orders
addressed to the contact, as far as the reader may see them, and nothing addressed to another contact."""

import pytest
from django.urls import reverse

from keshang.core.permissions import Persona
from keshang.core.timeline import timeline_url_name
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import UserFactory
from keshang.partners.tests.factories import ContactFactory
from keshang.sales.services import orders, quotations
from keshang.sales.tests.document_factories import line, make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db

TIMELINE = timeline_url_name("partners.contact")


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def contacts(team):
    """Two contacts of the rep's customer: the buyer the documents are addressed to, and a colleague of theirs."""
    return ContactFactory(partner=team.partner, name="孙采购"), ContactFactory(partner=team.partner, name="吴财务")


def test_the_timeline_lists_an_order_addressed_to_the_contact_and_not_one_to_another_contact(client, team, contacts):
    buyer, colleague = contacts
    # given a confirmed order and a submitted quotation addressed to the buyer, and an order to the colleague
    mine = orders.confirm_sales_order(actor=team.rep, order=make_order(team, contact=buyer))
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team, contact=buyer))
    theirs = orders.confirm_sales_order(actor=team.rep, order=make_order(team, contact=colleague))
    client.force_login(team.rep)
    # when the rep opens the buyer's page and its 动态 tab
    detail = client.get(reverse("partners:contact_detail", args=[buyer.pk])).content.decode()
    page = client.get(reverse(TIMELINE, args=[buyer.pk])).content.decode()
    # then the tab is offered, and lists the buyer's documents only
    assert reverse(TIMELINE, args=[buyer.pk]) in detail
    assert f"{mine} 确认" in page and f"{quotation} 提交" in page
    assert reverse("sales:salesorder_detail", args=[mine.pk]) in page
    assert reverse("sales:salesorder_detail", args=[theirs.pk]) not in page and str(theirs) not in page
    # and the colleague's timeline the other way round
    other = client.get(reverse(TIMELINE, args=[colleague.pk])).content.decode()
    assert str(theirs) in other and str(mine) not in other


def test_a_rep_of_another_department_is_refused_the_contacts_page_and_timeline(client, team, contacts):
    buyer, _colleague = contacts
    orders.confirm_sales_order(actor=team.rep, order=make_order(team, contact=buyer))
    # given a rep of another department, with the same grants over their own customers
    client.force_login(team.other_rep)
    # then neither the page nor the timeline of the customer's contact exists for them
    assert client.get(reverse("partners:contact_detail", args=[buyer.pk])).status_code == 404
    assert client.get(reverse(TIMELINE, args=[buyer.pk])).status_code == 404


def test_the_customers_owner_sees_on_the_timeline_the_orders_others_made_for_it(client, team, contacts):
    # issue 12, finding 5: documents on a customer stay visible to its owner, whoever made them
    buyer, _colleague = contacts
    # given the rep's order to the buyer, and the manager's own order to the same buyer of the rep's customer
    mine = orders.confirm_sales_order(actor=team.rep, order=make_order(team, contact=buyer))
    managers = orders.create_sales_order(
        actor=team.manager, data={"partner": team.partner, "contact": buyer}, lines=[line(team.product)]
    )
    # when each opens the buyer's timeline
    client.force_login(team.rep)
    rep_page = client.get(reverse(TIMELINE, args=[buyer.pk])).content.decode()
    client.force_login(team.manager)
    manager_page = client.get(reverse(TIMELINE, args=[buyer.pk])).content.decode()
    # then both see both orders
    manager_url = reverse("sales:salesorder_detail", args=[managers.pk])
    assert reverse("sales:salesorder_detail", args=[mine.pk]) in rep_page and manager_url in rep_page
    assert reverse("sales:salesorder_detail", args=[mine.pk]) in manager_page and manager_url in manager_page


@pytest.mark.parametrize("persona", [Persona.FINANCE, Persona.MANAGEMENT])
def test_finance_and_the_boss_read_the_contacts_documents_through_their_default_roles(client, team, contacts, persona):
    buyer, _colleague = contacts
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team, contact=buyer))
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team, contact=buyer))
    # given a user holding only the persona's default role (read partners and sales documents, everywhere)
    ensure_default_roles()
    reader = UserFactory()
    reader.roles.add(Role.objects.get(persona=persona))
    client.force_login(reader)
    # when
    detail = client.get(reverse("partners:contact_detail", args=[buyer.pk]))
    page = client.get(reverse(TIMELINE, args=[buyer.pk])).content.decode()
    # then they read the contact and see its order and quotation on its timeline
    assert detail.status_code == 200 and "孙采购" in detail.content.decode()
    assert f"{order} 确认" in page and f"{quotation} 提交" in page
