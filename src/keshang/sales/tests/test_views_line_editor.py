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


#
# Many lines at once
#


@pytest.fixture
def cable(team):
    from keshang.catalog.tests.factories import ProductFactory

    return ProductFactory(code="CBL-05", name="网线", list_price=Decimal("50"), min_price=Decimal("40"))


def test_picking_products_adds_one_line_each_with_quantity_1_priced_by_the_rules(rep_client, team, cable):
    # given a quotation with one line, and two products ticked in the dialog (the cable first)
    data = form_data(team, [{"product": team.product.pk, "quantity": "2", "price_auto": "True"}])
    # when 添加所选商品
    page = rep_client.post(
        reverse(PREVIEW), {**data, "add_products": "1", "pick": [cable.pk, team.product.pk]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    # then two lines follow the first, in the order ticked, each 1 × its list price, left to the rules
    fields = PostedFields(page).values
    assert [fields[f"lines-{index}-product"] for index in range(3)] == [
        str(team.product.pk),
        str(cable.pk),
        str(team.product.pk),
    ]
    assert (fields["lines-1-quantity"], fields["lines-1-price_auto"], fields["lines-2-price_auto"]) == (
        "1",
        "True",
        "True",
    )
    assert by_testid(page, "line-amount") == ["226.00", "50.00", "113.00"]
    assert by_testid(page, "preview-totals") == ["344.25 / 44.75 / 389.00"]
    # and the page says so, and the dialog is emptied for the next pick
    assert by_testid(page, "line-entry-status") == ["已添加 2 行明细。"]
    assert '<div id="product-picker-search" hx-swap-oob="true">' in page


def test_adding_with_nothing_ticked_adds_nothing_and_says_so(rep_client, team):
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    page = rep_client.post(reverse(PREVIEW), {**data, "add_products": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert PostedFields(page).values["lines-TOTAL_FORMS"] == "1"
    assert by_testid(page, "line-entry-status") == ["没有勾选商品。"]


def test_pasted_rows_become_lines_priced_like_typed_ones_and_each_bad_row_is_named(rep_client, team, cable):
    # given rows copied from Excel: a header, a typed price, an unknown code, one left to the rules, a bad quantity
    paste = f"商品编号\t数量\t含税单价\nCBL-05\t2\t12.50\nNOPE-1\t1\n{team.product.code}\t3\n{team.product.code}\t两箱"
    data = form_data(team, [])
    # when 添加粘贴的明细
    page = rep_client.post(
        reverse(PREVIEW), {**data, "paste_lines": "1", "paste": paste}, HTTP_HX_REQUEST="true"
    ).content.decode()
    # then the good rows are lines: the typed price kept as typed, the other priced by the rules
    fields = PostedFields(page).values
    assert fields["lines-TOTAL_FORMS"] == "2"
    assert (fields["lines-0-product"], fields["lines-0-quantity"]) == (str(cable.pk), "2")
    assert (fields["lines-0-unit_price_gross"], fields["lines-0-price_auto"]) == ("12.50", "")
    assert (fields["lines-1-product"], fields["lines-1-quantity"], fields["lines-1-price_auto"]) == (
        str(team.product.pk),
        "3",
        "True",
    )
    assert by_testid(page, "line-amount") == ["25.00", "339.00"]
    assert [text.split(" · ")[0] for text in by_testid(page, "price-source")] == [
        "价格来源：手工录入",
        "价格来源：标准售价",
    ]
    # and each bad row is named with its row and reason, and left in the box to be fixed
    assert by_testid(page, "paste-error") == ["第 3 行：商品编号“NOPE-1”不存在。", "第 5 行：数量“两箱”不是正数。"]
    assert fields["paste"] == "NOPE-1\t1\n" + f"{team.product.code}\t两箱"
    assert by_testid(page, "line-entry-status") == ["已添加 2 行明细。"]
    # when the document is saved as the page now stands
    response = rep_client.post(reverse("sales:quotation_add"), {**header(team), **fields})
    # then it holds exactly the figures the preview showed
    from keshang.sales.models import Quotation

    assert response.status_code == 302
    quotation = Quotation.objects.get()
    assert [(saved.quantity, saved.gross_amount) for saved in quotation.lines.order_by("position")] == [
        (Decimal("2"), Decimal("25.00")),
        (Decimal("3"), Decimal("339.00")),
    ]
    assert quotation.gross_amount == Decimal("364.00")


def test_a_paste_of_only_bad_rows_adds_nothing(rep_client, team):
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    page = rep_client.post(
        reverse(PREVIEW), {**data, "paste_lines": "1", "paste": "NOPE-1\t1\nNOPE-2\tx"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert PostedFields(page).values["lines-TOTAL_FORMS"] == "1"
    assert by_testid(page, "paste-error") == [
        "第 1 行：商品编号“NOPE-1”不存在。",
        "第 2 行：商品编号“NOPE-2”不存在。",
        "第 2 行：数量“x”不是正数。",
    ]
    assert by_testid(page, "line-entry-status") == [""]


def test_the_detail_table_shows_quantities_as_typed_and_vat_as_a_percentage(rep_client, team):
    quotation = make_quotation(team, line(team.product, "1200", price="12.5", discount="10"))
    page = rep_client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    row = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)
    cells = [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[2:11] == ["1,200", "个", "12.50", "11.061947", "10", "13%", "11,946.90", "1,553.10", "13,500.00"]


def test_a_change_after_lines_were_added_clears_the_status(rep_client, team):
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    page = rep_client.post(reverse(PREVIEW), data, HTTP_HX_REQUEST="true").content.decode()
    assert by_testid(page, "line-entry-status") == [""]


def test_a_failed_save_keeps_the_pasted_text_not_yet_added_in_its_open_box(rep_client, team):
    # given rows pasted but not yet added, and a header without its customer
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    # when the document is saved
    response = rep_client.post(reverse("sales:quotation_add"), {**data, "partner": "", "paste": "CBL-05\t2"})
    # then the page comes back with the pasted text still in its box, the box open
    page = response.content.decode()
    assert response.status_code == 200
    assert PostedFields(page).values["paste"] == "CBL-05\t2"
    assert 'class="collapse show" id="line-paste-panel"' in page


@pytest.mark.parametrize(
    ("add", "date_field"), [("sales:quotation_add", "quote_date"), ("sales:salesorder_add", "order_date")]
)
def test_the_product_dialog_searches_with_the_document_date_so_a_past_document_is_offered_discontinued_products(
    rep_client, team, add, date_field
):
    # the dialog's search names the header field holding the document's date; the editor's script sends that
    # field's value as ``on`` with every search (catalog:product_pick offers discontinued products before today)
    page = rep_client.get(reverse(add)).content.decode()
    assert re.search(rf'<input[^>]*data-picker-search[^>]*data-date-field="{date_field}"', page)
    # and so does the dialog the preview hands back emptied after 添加所选商品
    data = form_data(team, [{"product": team.product.pk, "quantity": "1", "price_auto": "True"}])
    preview = rep_client.post(
        reverse(PREVIEW), {**data, "add_products": "1", "pick": [team.product.pk]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert re.search(r'<input[^>]*data-picker-search[^>]*data-date-field="quote_date"', preview)
