import io
from decimal import Decimal

import pypdfium2
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from keshang.sales.models import Quotation, QuotationStatus, SalesOrderStatus
from keshang.sales.services import quotations

from .document_factories import line, make_order, make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def rep_client(client, team):
    client.force_login(team.rep)
    return client


def form_data(team, lines, **header):
    data = {
        "partner": team.partner.pk,
        "quote_date": timezone.localdate().isoformat(),
        "valid_until": "",
        "payment_terms": "月结30天",
        "delivery_terms": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        **header,
    }
    for index, values in enumerate(lines):
        for key, value in {"price_entry": "gross", "discount_percent": "0", **values}.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_a_rep_creates_a_quotation_by_typing_a_tax_inclusive_price(rep_client, team):
    # when
    response = rep_client.post(
        reverse("sales:quotation_add"),
        form_data(team, [{"product": team.product.pk, "quantity": "3", "unit_price_gross": "99.99"}]),
    )
    # then
    assert response.status_code == 302
    quotation = Quotation.objects.get()
    assert quotation.gross_amount == Decimal("299.97") and quotation.owner == team.rep
    page = rep_client.get(response["Location"]).content.decode()
    assert "人民币贰佰玖拾玖元玖角柒分" in page
    assert "299.97" in page


def test_a_line_without_a_product_is_a_field_error_and_saves_nothing(rep_client, team):
    response = rep_client.post(reverse("sales:quotation_add"), form_data(team, [{"quantity": "1"}]))
    assert response.status_code == 200
    assert not Quotation.objects.exists()


def test_the_line_preview_prices_on_the_server_and_shows_the_rule(rep_client, team):
    # given a line whose price was left to the rules, and one typed as net
    data = form_data(
        team,
        [
            {"product": team.product.pk, "quantity": "2", "price_auto": "True"},
            {"product": team.product.pk, "quantity": "1", "unit_price_net": "100", "price_entry": "net"},
        ],
    )
    # when
    response = rep_client.post(reverse("sales:quotation_lines_preview"), data, HTTP_HX_REQUEST="true")
    # then both prices and the totals come back, exactly
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="113.00"' in page  # the rule's price, filled in
    assert "226.00" in page and "113.00" in page
    assert "339.00" in page  # the total


def test_the_preview_offers_the_last_price_this_customer_paid(rep_client, team):
    from keshang.sales.services import orders

    orders.confirm_sales_order(actor=team.rep, order=make_order(team, line(team.product, "1", price="105")))
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    page = rep_client.post(reverse("sales:quotation_lines_preview"), data).content.decode()
    assert 'data-last-price="105.000000"' in page


def test_submitting_from_the_detail_page_approves_without_a_flow(rep_client, team):
    quotation = make_quotation(team)
    response = rep_client.post(reverse("sales:quotation_move", args=[quotation.pk, "submit"]))
    assert response.status_code == 302
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.APPROVED


def test_a_stranger_gets_404_on_pages_and_moves(client, team):
    quotation = make_quotation(team)
    client.force_login(team.other_rep)
    assert client.get(reverse("sales:quotation_detail", args=[quotation.pk])).status_code == 404
    assert client.post(reverse("sales:quotation_move", args=[quotation.pk, "submit"])).status_code == 404
    assert client.get(reverse("sales:quotation_pdf", args=[quotation.pk])).status_code == 404
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.DRAFT


def test_an_unknown_move_is_404(rep_client, team):
    quotation = make_quotation(team)
    assert rep_client.post(reverse("sales:quotation_move", args=[quotation.pk, "explode"])).status_code == 404


def test_the_pdf_holds_the_chinese_text_and_renders(rep_client, team):
    # given
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team, line(team.product, "2")))
    # when
    response = rep_client.get(reverse("sales:quotation_pdf", args=[quotation.pk]))
    # then the text layer has the title, customer, total and the amount in words
    assert response["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(io.BytesIO(response.content))
    text = document[0].get_textpage().get_text_range()
    for expected in ("报价单", str(team.partner), "226.00", "人民币贰佰贰拾陆元整", str(quotation)):
        assert expected in text
    image = document[0].render(scale=1).to_pil()
    assert image.size[0] > 500 and image.getbbox() is not None


def test_the_printable_page_shows_totals_and_words(rep_client, team):
    quotation = make_quotation(team, line(team.product, "2"))
    page = rep_client.get(reverse("sales:quotation_print", args=[quotation.pk])).content.decode()
    assert "226.00" in page and "人民币贰佰贰拾陆元整" in page


def test_e_mailing_a_quotation_attaches_the_pdf_and_marks_it_sent(rep_client, team, django_capture_on_commit_callbacks):
    quotation = quotations.submit_quotation(actor=team.rep, quotation=make_quotation(team))
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("sales:quotation_email", args=[quotation.pk]),
            {"to": "buyer@example.com", "subject": "报价", "message": "请查收"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert message.attachments[0][0].endswith(".pdf") and message.attachments[0][1].startswith(b"%PDF")
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.SENT


def test_a_draft_cannot_be_e_mailed(rep_client, team):
    quotation = make_quotation(team)
    response = rep_client.post(
        reverse("sales:quotation_email", args=[quotation.pk]), {"to": "a@example.com", "subject": "s", "message": "m"}
    )
    assert response.status_code == 200
    assert not mail.outbox


def test_an_order_is_confirmed_from_its_page_and_cancel_asks_for_a_reason(rep_client, team):
    order = make_order(team)
    rep_client.post(reverse("sales:salesorder_move", args=[order.pk, "confirm"]))
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED
    assert rep_client.get(reverse("sales:salesorder_move", args=[order.pk, "cancel"])).status_code == 200
    rep_client.post(reverse("sales:salesorder_move", args=[order.pk, "cancel"]), {"reason": ""})
    order.refresh_from_db()
    assert order.status == SalesOrderStatus.CONFIRMED


def test_lists_and_partner_tabs_show_only_visible_documents(client, team):
    mine = make_quotation(team)
    client.force_login(team.other_rep)
    page = client.get(reverse("sales:quotation_list")).content.decode()
    assert f"/sales/quotations/{mine.pk}/" not in page
    client.force_login(team.rep)
    assert f"/sales/quotations/{mine.pk}/" in client.get(reverse("sales:quotation_list")).content.decode()
    tab = client.get(reverse("sales:partner_quotations", args=[team.partner.pk])).content.decode()
    assert f"/sales/quotations/{mine.pk}/" in tab
    export = client.get(reverse("sales:quotation_list"), {"export": "csv"})
    assert export.status_code == 200
