"""The workflows of quotations and orders are declared once: every button, page and API action follows from the
declaration and asks the same permission; and the defects found by trying the documents as a new user would
(issue 11): view-only roles creating documents, one quotation made into many orders, unapproved prints without a
mark, an edit form opening on a confirmed order."""

import io

import pypdfium2
import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.sales.documents import QUOTATION, SALES_ORDER
from keshang.sales.models import Quotation, SalesOrder, SalesOrderStatus
from keshang.sales.services import orders, quotations

from .document_factories import flow, line, make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def accepted_quotation(team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    quotation = quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    return quotations.accept_quotation(actor=team.rep, quotation=quotation)


def view_only(*resources) -> object:
    """A user who may only view and export (finance, the boss): scope everything."""
    user = UserFactory()
    for resource in resources:
        grant(user, resource, (Action.VIEW, Action.EXPORT), Scope.ALL)
    grant(user, "partners.partner", (Action.VIEW,), Scope.ALL)
    return user


def api_post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}, content_type="application/json")


#
# One declaration
#


@pytest.mark.parametrize("doc", [QUOTATION, SALES_ORDER], ids=["quotation", "salesorder"])
def test_every_manual_move_has_a_page_and_an_api_action_and_system_moves_have_neither(doc, client):
    from keshang.sales.api.documents import QuotationViewSet, SalesOrderViewSet

    viewset = QuotationViewSet if doc is QUOTATION else SalesOrderViewSet
    actions = {action.url_path: action for action in viewset.get_extra_actions()}
    for move in doc.workflow.moves:
        page = reverse(doc.url_name("move"), args=[1, move.slug])
        if move.manual:
            assert move.slug in actions, move.name
            assert actions[move.slug].kwargs["scope_action"] == move.permission
        else:
            assert move.slug not in actions, move.name
            client.force_login(UserFactory(is_superuser=True))
            assert client.post(page).status_code == 404, move.name


def test_the_transition_check_is_the_declared_pairs():
    pairs = QUOTATION.workflow.transitions
    assert ("draft", "submitted") in pairs and ("sent", "accepted") in pairs
    assert ("draft", "accepted") not in pairs and ("accepted", "draft") not in pairs
    assert ("delivered", "closed") in SALES_ORDER.workflow.transitions
    assert ("draft", "closed") not in SALES_ORDER.workflow.transitions


def test_an_undeclared_move_is_refused_with_its_code(team):
    order = make_order(team)
    with pytest.raises(Exception) as refused:
        orders.close_sales_order(actor=team.rep, order=order)
    assert refused.value.code == "invalid_transition"
    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrderStatus.DRAFT


#
# Finding 4: a button and its endpoint ask the same permission
#


@pytest.mark.parametrize("move", ["to-order", "copy"])
def test_view_only_roles_may_not_create_documents_from_a_quotation(client, team, move):
    # given finance, who may view quotations and orders but create neither
    quotation = accepted_quotation(team)
    finance = view_only("sales.quotation", "sales.salesorder")
    counts = (Quotation.objects.count(), SalesOrder.objects.count())
    # then the detail page offers neither button
    client.force_login(finance)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert f"/quotations/{quotation.pk}/{move}/" not in page
    # and neither the move page nor the API accepts it
    assert client.post(reverse("sales:quotation_move", args=[quotation.pk, move])).status_code == 403
    response = api_post(client, finance, f"/api/v1/sales/quotations/{quotation.pk}/{move}/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert (Quotation.objects.count(), SalesOrder.objects.count()) == counts


def test_the_rep_who_may_create_orders_sees_and_uses_to_order(client, team):
    quotation = accepted_quotation(team)
    client.force_login(team.rep)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert f"/quotations/{quotation.pk}/to-order/" in page
    response = client.post(reverse("sales:quotation_move", args=[quotation.pk, "to-order"]))
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:salesorder_detail", args=[order.pk])


def test_finance_sees_no_email_button_and_the_email_page_refuses_them(client, team):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    finance = view_only("sales.quotation")
    client.force_login(finance)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert reverse("sales:quotation_email", args=[quotation.pk]) not in page
    assert client.get(reverse("sales:quotation_email", args=[quotation.pk])).status_code == 403
    # while the rep who may change it sees the button
    client.force_login(team.rep)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert reverse("sales:quotation_email", args=[quotation.pk]) in page


def test_a_confirmed_orders_edit_page_refuses_before_showing_a_form(client, team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    client.force_login(team.rep)
    detail = client.get(reverse("sales:salesorder_detail", args=[order.pk])).content.decode()
    assert reverse("sales:salesorder_edit", args=[order.pk]) not in detail
    response = client.get(reverse("sales:salesorder_edit", args=[order.pk]), follow=True)
    assert response.redirect_chain == [(reverse("sales:salesorder_detail", args=[order.pk]), 302)]
    assert "不能修改" in response.content.decode()
    assert client.post(reverse("sales:salesorder_edit", args=[order.pk]), {}).status_code == 302
    assert SalesOrder.objects.get(pk=order.pk).version == order.version


def test_the_move_message_says_an_order_went_to_approval_and_in_which_flow(client, team):
    flow("sales.salesorder", name="大额订单审批", min_amount=1)
    order = make_order(team)
    client.force_login(team.rep)
    response = client.post(reverse("sales:salesorder_move", args=[order.pk, "confirm"]), follow=True)
    page = response.content.decode()
    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrderStatus.SUBMITTED
    assert "已提交审批（大额订单审批），等待审批" in page and "确认订单：" not in page


#
# Finding 2: one accepted quotation, one order
#


def test_an_accepted_quotation_becomes_one_order_until_that_one_is_cancelled(client, team):
    quotation = accepted_quotation(team)
    first = orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    with pytest.raises(Exception) as refused:
        orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    assert refused.value.code == "quotation_already_ordered"
    response = api_post(client, team.rep, f"/api/v1/sales/quotations/{quotation.pk}/to-order/")
    assert response.status_code == 400 and response.json()["code"] == "quotation_already_ordered"
    assert SalesOrder.objects.count() == 1
    # once cancelled, the quotation may be ordered again
    orders.cancel_sales_order(actor=team.rep, order=first, reason="客户改了交期")
    second = orders.create_order_from_quotation(actor=team.rep, quotation=quotation)
    assert second.pk != first.pk and second.quotation_id == quotation.pk


#
# Finding 3: what is not binding prints with a mark; orders print too
#


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(content))
    return "".join(page.get_textpage().get_text_range() for page in document)


def test_a_quotation_waiting_for_approval_prints_and_downloads_marked_unapproved(client, team):
    flow("sales.quotation", below_min_price=True)
    quotation = quotations.submit_quotation(
        actor=team.rep, quotation=make_quotation(team, line(team.product, "1", "50"))
    )
    assert quotation.status == "submitted" and quotation.number
    client.force_login(team.rep)
    page = client.get(reverse("sales:quotation_print", args=[quotation.pk])).content.decode()
    assert 'data-testid="print-watermark">未审批<' in page
    assert "未审批" in pdf_text(client.get(reverse("sales:quotation_pdf", args=[quotation.pk])).content)


def test_a_draft_prints_as_draft_and_an_approved_quotation_without_a_mark(client, team):
    quotation = make_quotation(team)
    client.force_login(team.rep)
    assert (
        'print-watermark">草稿<' in client.get(reverse("sales:quotation_print", args=[quotation.pk])).content.decode()
    )
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    assert quotation.status == "approved"
    page = client.get(reverse("sales:quotation_print", args=[quotation.pk])).content.decode()
    assert "print-watermark" not in page and str(quotation) in page
    assert "草稿" not in pdf_text(client.get(reverse("sales:quotation_pdf", args=[quotation.pk])).content)


def test_a_confirmed_order_has_its_own_print_and_pdf(client, team):
    order = orders.confirm_sales_order(actor=team.rep, order=make_order(team, line(team.product, "2")))
    client.force_login(team.rep)
    detail = client.get(reverse("sales:salesorder_detail", args=[order.pk])).content.decode()
    assert reverse("sales:salesorder_print", args=[order.pk]) in detail
    page = client.get(reverse("sales:salesorder_print", args=[order.pk])).content.decode()
    assert "销售订单" in page and order.number in page and "226.00" in page and "print-watermark" not in page
    text = pdf_text(client.get(reverse("sales:salesorder_pdf", args=[order.pk])).content)
    assert order.number in text and "人民币贰佰贰拾陆元整" in text
    response = client.get(f"/api/v1/sales/orders/{order.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_another_app_adds_a_print_to_orders_through_the_registry(client, team, monkeypatch):
    # given a later app (the warehouse) registers a delivery note for confirmed orders
    from keshang.core.documents import printing
    from keshang.sales.services.printing import order_layout

    def delivery_note(order, *, user):
        layout = order_layout(order, user=user)
        layout.title = "发货单"
        return layout

    monkeypatch.setattr(printing, "_templates", {})
    printing.register_print_template(
        "sales.salesorder", printing.PrintTemplate("delivery_note", "发货单", delivery_note, states=("confirmed",))
    )
    draft = make_order(team)
    confirmed = orders.confirm_sales_order(actor=team.rep, order=make_order(team))
    client.force_login(team.rep)
    # then the confirmed order offers it, the draft does not
    detail = client.get(reverse("sales:salesorder_detail", args=[confirmed.pk])).content.decode()
    assert "?template=delivery_note" in detail and "发货单 PDF" in detail
    assert (
        "?template=delivery_note"
        not in client.get(reverse("sales:salesorder_detail", args=[draft.pk])).content.decode()
    )
    page = client.get(reverse("sales:salesorder_print", args=[confirmed.pk]) + "?template=delivery_note")
    assert page.status_code == 200 and '<h1 class="h4 mt-2">发货单</h1>' in page.content.decode()
    assert "发货单" in pdf_text(
        client.get(reverse("sales:salesorder_pdf", args=[confirmed.pk]) + "?template=delivery_note").content
    )
    api = client.get(f"/api/v1/sales/orders/{confirmed.pk}/pdf/?template=delivery_note")
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    assert client.get(reverse("sales:salesorder_print", args=[draft.pk]) + "?template=delivery_note").status_code == 404
    assert client.get(reverse("sales:salesorder_print", args=[confirmed.pk]) + "?template=nope").status_code == 404


def test_the_contact_choice_offers_the_chosen_customers_contacts_only(client, team):
    from keshang.partners.tests.factories import ContactFactory, PartnerFactory

    # given two customers of the rep, each with a contact
    ContactFactory(partner=team.partner, name="张三")
    other_customer = PartnerFactory(owner=team.rep)
    ContactFactory(partner=other_customer, name="李四")
    client.force_login(team.rep)
    # a new quotation offers no contact until a customer is chosen
    page = client.get(reverse("sales:quotation_add")).content.decode()
    assert "张三" not in page and "李四" not in page
    # preselected from the customer's page, and reloaded by htmx when the customer changes
    page = client.get(reverse("sales:quotation_add") + f"?partner={team.partner.pk}").content.decode()
    assert "张三" in page and "李四" not in page
    options = client.get(reverse("sales:quotation_contact_options"), {"partner": other_customer.pk}).content.decode()
    assert "李四" in options and "张三" not in options
    # a stranger's customer gives no contacts at all
    stranger = make_team()
    ContactFactory(partner=stranger.partner, name="王五")
    options = client.get(reverse("sales:quotation_contact_options"), {"partner": stranger.partner.pk}).content.decode()
    assert "王五" not in options
