"""Where a line's price came from is stored as a code (issue 11): a price typed in the English UI stays typed when
the document is saved again in Chinese, and an API PATCH of the header leaves each line's origin as it was."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import PriceRule, PriceRuleKind
from keshang.core.documents.models import PriceOrigin
from keshang.sales.models import Quotation
from keshang.sales.services import quotations

from .document_factories import line, make_quotation, make_team
from .test_views_documents import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def test_a_price_typed_in_english_is_kept_when_the_document_is_saved_again_in_chinese(client, team):
    # given a rep working in English types 99.99 on a line
    client.force_login(team.rep)
    lines = [{"product": team.product.pk, "quantity": "1", "unit_price_gross": "99.99"}]
    with translation.override("en"):
        client.post(reverse("sales:quotation_add"), form_data(team, lines), HTTP_ACCEPT_LANGUAGE="en")
    quotation = Quotation.objects.get()
    assert quotation.lines.get().price_origin == PriceOrigin.MANUAL
    # when the editor is opened in Chinese, the line is shown as typed, not left to the rules
    with translation.override("zh-hans"):
        page = client.get(reverse("sales:quotation_edit", args=[quotation.pk])).content.decode()
    assert (
        'name="lines-0-price_auto" value=""' in page or 'class="price-auto" name="lines-0-price_auto" value=""' in page
    )
    # and saving the document again through the service keeps the typed price
    items = [LineInput.from_line(saved) for saved in quotation.lines.all()]
    quotations.update_quotation(actor=team.rep, quotation=quotation, data={}, lines=items)
    saved = quotation.lines.get()
    assert (saved.unit_price_gross, saved.price_origin) == (Decimal("99.990000"), PriceOrigin.MANUAL)


def test_a_header_patch_keeps_rule_lines_with_the_rules_and_typed_lines_typed(client, team):
    # given one line priced by a customer price and one typed
    PriceRule.objects.create(
        product=team.product, kind=PriceRuleKind.CUSTOMER, partner=team.partner, price=Decimal("100")
    )
    quotation = make_quotation(team, line(team.product, "1"), line(team.product, "2", "95.50"))
    first, second = quotation.lines.order_by("position")
    assert (first.price_origin, second.price_origin) == (PriceOrigin.CUSTOMER, PriceOrigin.MANUAL)
    # when only the payment terms are patched
    client.force_login(team.rep)
    response = client.patch(
        f"/api/v1/sales/quotations/{quotation.pk}/",
        {"payment_terms": "款到发货", "version": quotation.version},
        content_type="application/json",
    )
    # then
    assert response.status_code == 200, response.content
    first, second = Quotation.objects.get().lines.order_by("position")
    assert (first.price_origin, first.unit_price_gross) == (PriceOrigin.CUSTOMER, Decimal("100.000000"))
    assert (second.price_origin, second.unit_price_gross) == (PriceOrigin.MANUAL, Decimal("95.500000"))
    origins = [item["price_origin"] for item in response.json()["line_items"]]
    assert origins == ["customer", "manual"]


def test_the_screen_names_a_typed_price_in_the_readers_language():
    typed = type("Line", (), {"price_origin": PriceOrigin.MANUAL, "price_source": ""})()
    from keshang.core.documents.models import PricedLine

    with translation.override("en"):
        assert PricedLine.price_source_display(typed) == "Entered by hand"
    with translation.override("zh-hans"):
        assert PricedLine.price_source_display(typed) == "手工录入"
