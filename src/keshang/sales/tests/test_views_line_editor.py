"""The line editor of quotations and orders (issue 11, finding 10), as the server answers it: a blank line is not
an error, a reopened document is priced, and many lines come in at once — products picked together or rows
pasted from Excel — priced by the same preview as typed lines."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from .document_factories import line, make_quotation, make_team
from .test_views_documents import form_data

pytestmark = pytest.mark.django_db

PREVIEW = "sales:quotation_lines_preview"


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def rep_client(client, team):
    client.force_login(team.rep)
    return client


class PostedFields(HTMLParser):
    """What a browser would post from an HTML fragment: inputs (checked boxes only), selected options and
    textareas, by name."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and (attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            if attrs.get("type") not in ("button", "submit"):
                self.values[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def by_testid(html: str, testid: str) -> list[str]:
    """The text of every element marked ``data-testid=testid`` (tags inside stripped, spaces collapsed)."""
    pattern = rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>'
    return [" ".join(re.sub(r"<[^>]+>", "", text).split()) for _tag, text in re.findall(pattern, html, re.S)]


def header(team) -> dict:
    data = form_data(team, [])
    return {key: value for key, value in data.items() if not key.startswith("lines-")}


#
# A blank line
#


def test_a_new_blank_line_shows_no_error_on_adding_it_nor_after_the_preview_renders_it_again(rep_client, team):
    # given a quotation with one priced line
    data = form_data(team, [{"product": team.product.pk, "quantity": "2", "price_auto": "True"}])
    # when 添加明细 asks for a new line
    added = rep_client.post(reverse(PREVIEW), {**data, "add_line": "1"}, HTTP_HX_REQUEST="true").content.decode()
    # then the new line is there, blank, and no line shows an error
    assert 'name="lines-1-product"' in added
    assert "invalid-feedback" not in added
    # when the first line's quantity changes, the page posting the blank line back exactly as rendered
    posted = {**header(team), **PostedFields(added).values, "lines-0-quantity": "3"}
    again = rep_client.post(reverse(PREVIEW), posted, HTTP_HX_REQUEST="true").content.decode()
    # then the blank line is still no error, and the first line is priced
    assert 'name="lines-1-product"' in again
    assert "invalid-feedback" not in again
    assert by_testid(again, "line-amount") == ["339.00", ""]


def test_a_line_with_a_quantity_typed_but_no_product_asks_for_the_product(rep_client, team):
    data = form_data(team, [{"product": "", "quantity": "5"}])
    page = rep_client.post(reverse(PREVIEW), data, HTTP_HX_REQUEST="true").content.decode()
    assert by_testid(page, "line-error") == ["请选择商品。"]


#
# Reopening a saved document
#


def test_reopening_a_saved_quotation_shows_its_line_amounts_and_totals(rep_client, team):
    # given a saved quotation: 2 × 12.50 typed, and 1 × the list price of 113.00
    quotation = make_quotation(team, line(team.product, "2", price="12.5"), line(team.product, "1"))
    # when its editor is opened
    page = rep_client.get(reverse("sales:quotation_edit", args=[quotation.pk])).content.decode()
    # then each line shows its amount and the totals and 金额大写 are there, as saved
    assert by_testid(page, "line-amount") == ["25.00", "113.00"]
    assert by_testid(page, "preview-totals") == ["122.12 / 15.88 / 138.00"]
    assert quotation.gross_amount == Decimal("138.00")
    assert by_testid(page, "preview-words") == ["金额大写：人民币壹佰叁拾捌元整"]
    # and prices read 12.50, not 12.500000; VAT 13%, not 0.13
    fields = PostedFields(page).values
    assert (fields["lines-0-unit_price_gross"], fields["lines-0-unit_price_net"]) == ("12.50", "11.061947")
    assert fields["lines-0-price_auto"] == "" and fields["lines-1-price_auto"] == "True"
    assert "税率 13%" in by_testid(page, "price-source")[0]
