"""Catalog pages: list filters and export with the cost price masked, the duplicate confirmation, the parts'
inline forms, the detail tabs and history, and the category tree."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keshang.catalog.models import PriceRule, Product, ProductCategory, ProductUnit
from keshang.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    PriceRuleFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
)
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

MAINTAIN = [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT, Action.VIEW_SENSITIVE]


@pytest.fixture
def purchaser(client):
    user = UserFactory()
    grant(user, "catalog.product", MAINTAIN, Scope.ALL)
    for resource in ("catalog.unit", "catalog.brand", "catalog.productcategory"):
        grant(user, resource, [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT], Scope.ALL)
    grant(user, "partners.partnerlevel", [Action.VIEW], Scope.ALL)
    client.force_login(user)
    return user


@pytest.fixture
def rep(client):
    user = UserFactory()
    grant(user, "catalog.product", [Action.VIEW, Action.EXPORT], Scope.ALL)
    # As the sales persona's defaults: the lists the filters choose from are readable by everyone.
    for resource in ("catalog.unit", "catalog.brand", "catalog.productcategory"):
        grant(user, resource, [Action.VIEW], Scope.ALL)
    client.force_login(user)
    return user


def product_post(**overrides):
    unit = UnitFactory(name="个")
    data = {
        "code": "R-0603-10K",
        "name": "贴片电阻",
        "specification": "0603 10KΩ",
        "unit": unit.pk,
        "vat_rate": "0.13",
        "list_price": "0.05",
        "min_price": "0.04",
        "cost_price": "0.02",
        "status": "active",
    }
    data.update(overrides)
    return data


#
# List, filters, export
#


def test_the_category_filter_includes_the_subtree(client, rep):
    # given
    electronics = CategoryFactory(name="电子元器件")
    resistors = CategoryFactory(name="电阻", parent=electronics)
    inside = ProductFactory(category=resistors, name="贴片电阻")
    outside = ProductFactory(category=CategoryFactory(name="办公用品"), name="复印纸")
    # when
    response = client.get(reverse("catalog:product_list"), {"category": electronics.pk})
    # then
    assert [obj for obj, _cells in response.context["rows"]] == [inside]
    assert outside.code not in response.content.decode()


@pytest.mark.parametrize("query", ["tpdz", "0603", "R-06", "6901234567890", "贴片 0603"])
def test_the_search_box_finds_by_pinyin_spec_code_prefix_and_barcode(client, rep, query):
    # given
    ProductFactory(code="R-0603", name="贴片电阻", specification="0603 10KΩ", barcode="6901234567890")
    ProductFactory(code="P-A4", name="复印纸", specification="A4 70g")
    # when
    response = client.get(reverse("catalog:product_list"), {"q": query})
    # then
    assert [obj.code for obj, _cells in response.context["rows"]] == ["R-0603"]


def test_filters_by_brand_status_and_vat_rate_and_sorts(client, rep):
    # given
    brand = BrandFactory(name="得力")
    ProductFactory(code="A1", brand=brand, vat_rate="0.13")
    ProductFactory(code="A2", brand=brand, vat_rate="0.09")
    ProductFactory(code="A3", status="discontinued", brand=brand, vat_rate="0.09")
    # when
    response = client.get(
        reverse("catalog:product_list"), {"brand": brand.pk, "vat_rate": "0.09", "status": "active", "sort": "-code"}
    )
    # then: the listed rows (the page's random CSRF token could contain "A1")
    assert [obj.code for obj, _cells in response.context["rows"]] == ["A2"]


def test_a_sales_rep_sees_no_digit_of_the_cost_price_on_list_detail_and_export(client, rep):
    # given
    product = ProductFactory(cost_price=Decimal("1234.56"), list_price=Decimal("2000"), min_price=None)
    # when
    listing = client.get(reverse("catalog:product_list")).content.decode()
    detail = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    exported = client.get(reverse("catalog:product_list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    # then
    for text in (listing, detail):
        assert "1234" not in text and "****" in text
    cost_column = rows[0].index("成本价")
    assert rows[1][cost_column] == "****"
    assert rows[1][rows[0].index("标准售价")] == "2000.00"


def test_a_purchaser_exports_the_cost_price_to_excel(client, purchaser):
    # given
    ProductFactory(cost_price=Decimal("60"))
    # when
    response = client.get(reverse("catalog:product_list"), {"export": "xlsx"})
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("成本价") + 1).value == "60.00"


def test_the_list_offers_import_only_to_who_may_add(client, purchaser):
    assert reverse("catalog:product_import") in client.get(reverse("catalog:product_list")).content.decode()


def test_the_list_does_not_offer_import_to_a_rep(client, rep):
    assert reverse("catalog:product_import") not in client.get(reverse("catalog:product_list")).content.decode()


#
# Forms
#


def test_a_purchaser_adds_a_product(client, purchaser):
    # when
    response = client.post(reverse("catalog:product_add"), product_post())
    # then
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:product_detail", args=[product.pk])
    assert (product.cost_price, product.created_by) == (Decimal("0.02"), purchaser)


def test_a_duplicate_name_and_spec_names_the_existing_code_and_can_be_confirmed(client, purchaser):
    # given
    ProductFactory(code="OLD-1", name="贴片电阻", specification="0603 10KΩ")
    # when
    warned = client.post(reverse("catalog:product_add"), product_post(specification="0603 10kω"))
    confirmed = client.post(
        reverse("catalog:product_add"), product_post(specification="0603 10kω", confirm_duplicate="on")
    )
    # then
    content = warned.content.decode()
    assert warned.status_code == 200 and "OLD-1" in content and "仍然保存" in content
    assert confirmed.status_code == 302
    assert Product.objects.count() == 2


def test_a_taken_code_is_shown_on_the_code_field(client, purchaser):
    # given
    ProductFactory(code="R-0603-10K", name="别的")
    # when
    response = client.post(reverse("catalog:product_add"), product_post())
    # then
    assert response.status_code == 200
    assert "商品编码 R-0603-10K 已被“别的”使用" in response.context["form"].errors["code"][0]


def test_min_price_above_list_price_is_a_field_message(client, purchaser):
    response = client.post(reverse("catalog:product_add"), product_post(min_price="1"))
    assert "最低售价不能高于标准售价" in response.content.decode()
    assert not Product.objects.exists()


def test_a_user_without_view_sensitive_edits_without_touching_the_cost(client):
    # given: may change products but not see costs
    user = UserFactory()
    grant(user, "catalog.product", [Action.VIEW, Action.CHANGE], Scope.ALL)
    client.force_login(user)
    product = ProductFactory(cost_price=Decimal("60"))
    # when
    form_page = client.get(reverse("catalog:product_edit", args=[product.pk])).content.decode()
    client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        product_post(code=product.code, name=product.name, cost_price="1", unit=product.unit_id),
    )
    # then
    product.refresh_from_db()
    assert 'name="cost_price"' not in form_page
    assert product.cost_price == Decimal("60")
    assert product.name_key  # saved through the service


#
# Detail tabs and parts
#


def test_the_detail_page_has_the_tabs(client, purchaser):
    product = ProductFactory()
    content = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    for label in ("单位换算", "价格规则", "图片", "历史"):
        assert label in content


def test_a_box_conversion_is_added_and_shows_in_the_tab_and_history(client, purchaser):
    # given
    product = ProductFactory()
    box = UnitFactory(name="箱")
    # when
    response = client.post(reverse("catalog:productunit_add", args=[product.pk]), {"unit": box.pk, "factor": "12"})
    # then
    assert response.status_code == 302
    assert response.url == reverse("catalog:product_units", args=[product.pk])
    tab = client.get(response.url).content.decode()
    assert "1 箱 = 12 个" in tab
    history = client.get(reverse("catalog:product_history", args=[product.pk])).content.decode()
    assert "单位换算" in history or "换算系数" in history


def test_the_base_unit_as_conversion_is_a_field_message(client, purchaser):
    product = ProductFactory()
    response = client.post(
        reverse("catalog:productunit_add", args=[product.pk]), {"unit": product.unit_id, "factor": "1"}
    )
    assert response.status_code == 200
    assert "换算单位不能与基本单位相同" in response.content.decode()
    assert not ProductUnit.objects.exists()


def test_a_price_rule_is_added_edited_and_deleted_inline(client, purchaser):
    # given
    product = ProductFactory()
    # when: add a quantity break
    added = client.post(
        reverse("catalog:pricerule_add", args=[product.pk]), {"kind": "quantity", "min_quantity": "100", "price": "90"}
    )
    rule = PriceRule.objects.get()
    edited = client.post(
        reverse("catalog:pricerule_edit", args=[rule.pk]), {"kind": "quantity", "min_quantity": "50", "price": "88"}
    )
    tab = client.get(reverse("catalog:product_prices", args=[product.pk])).content.decode()
    confirm_page = client.get(reverse("catalog:pricerule_delete", args=[rule.pk]))
    deleted = client.post(reverse("catalog:pricerule_delete", args=[rule.pk]))
    # then
    assert added.status_code == edited.status_code == deleted.status_code == 302
    assert "数量阶梯价：≥50" in tab
    assert confirm_page.status_code == 200
    assert not PriceRule.objects.exists()


def test_a_customer_rule_without_a_customer_is_a_field_message(client, purchaser):
    product = ProductFactory()
    response = client.post(reverse("catalog:pricerule_add", args=[product.pk]), {"kind": "customer", "price": "90"})
    assert "客户专属价须选择客户" in response.content.decode()
    assert not PriceRule.objects.exists()


def test_a_rep_cannot_open_the_part_forms(client, rep):
    product = ProductFactory()
    rule = PriceRuleFactory(product=product)
    assert client.get(reverse("catalog:pricerule_add", args=[product.pk])).status_code == 403
    assert client.post(reverse("catalog:pricerule_delete", args=[rule.pk])).status_code == 403
    assert PriceRule.objects.filter(pk=rule.pk).exists()


def test_the_history_masks_cost_changes_for_a_rep(client, rep):
    # given
    from keshang.catalog import services

    product = ProductFactory(cost_price=Decimal("1234.56"), list_price=Decimal("2000"), min_price=None)
    services.update_product(actor=None, product=product, data={"cost_price": Decimal("1300.99")})
    # when
    content = client.get(reverse("catalog:product_history", args=[product.pk])).content.decode()
    # then
    assert "1234" not in content and "1300" not in content


def test_deleting_a_product_asks_then_deletes(client, purchaser):
    product = ProductFactory()
    assert client.get(reverse("catalog:product_delete", args=[product.pk])).status_code == 200
    assert client.post(reverse("catalog:product_delete", args=[product.pk])).status_code == 302
    assert not Product.objects.exists()


#
# Categories, brands, units
#


def test_the_category_tree_lists_children_under_parents_indented(client, purchaser):
    # given
    office = CategoryFactory(name="办公用品", code="B")
    CategoryFactory(name="电子元器件", code="A")
    CategoryFactory(name="纸品", code="C", parent=office)
    # when
    response = client.get(reverse("catalog:productcategory_list"))
    # then
    content = response.content.decode()
    assert content.index("办公用品") < content.index("纸品") < content.index("电子元器件")
    assert "　纸品" in content


def test_a_category_is_added_moved_and_refused_below_itself(client, purchaser):
    # given
    client.post(reverse("catalog:productcategory_add"), {"name": "电子", "code": "E", "order": 1})
    parent = ProductCategory.objects.get()
    client.post(reverse("catalog:productcategory_add"), {"name": "电阻", "code": "R", "parent": parent.pk, "order": 1})
    child = ProductCategory.objects.get(code="R")
    # when: the parent offered no descendants as its parent, and a forged post is refused
    form = client.get(reverse("catalog:productcategory_edit", args=[parent.pk]))
    forged = client.post(
        reverse("catalog:productcategory_edit", args=[parent.pk]),
        {"name": "电子", "code": "E", "parent": child.pk, "order": 1},
    )
    # then
    assert child.path == f"/{parent.pk}/{child.pk}/"
    assert list(form.context["form"].fields["parent"].queryset) == []
    assert forged.status_code == 200
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_a_brand_in_use_is_not_deleted_with_a_message(client, purchaser):
    brand = BrandFactory()
    ProductFactory(brand=brand)
    response = client.post(reverse("catalog:brand_delete", args=[brand.pk]), follow=True)
    assert "该品牌下还有商品" in response.content.decode()


def test_units_are_listed_added_and_edited(client, purchaser):
    client.post(reverse("catalog:unit_add"), {"name": "卷", "is_active": "on"})
    unit = UnitFactory._meta.model.objects.get(name="卷")
    client.post(reverse("catalog:unit_edit", args=[unit.pk]), {"name": "卷"})
    unit.refresh_from_db()
    assert not unit.is_active
    assert "卷" in client.get(reverse("catalog:unit_list")).content.decode()


def test_a_rep_may_view_but_not_add_units(client, rep):
    assert client.get(reverse("catalog:unit_list")).status_code == 200
    assert client.get(reverse("catalog:unit_add")).status_code == 403


def test_a_product_may_use_a_conversion_in_the_detail_example(client, purchaser):
    product = ProductFactory()
    ProductUnitFactory(product=product)
    assert "1 箱 = 12 个" in client.get(reverse("catalog:product_units", args=[product.pk])).content.decode()


def test_the_parts_tabs_offer_adding_a_part_not_a_product(client, purchaser):
    # given
    product = ProductFactory()
    # when
    units_tab = client.get(reverse("catalog:product_units", args=[product.pk])).content.decode()
    prices_tab = client.get(reverse("catalog:product_prices", args=[product.pk])).content.decode()
    # then
    assert reverse("catalog:productunit_add", args=[product.pk]) in units_tab
    assert reverse("catalog:pricerule_add", args=[product.pk]) in prices_tab


def test_prices_read_with_two_decimals_on_the_detail_page(client, purchaser):
    product = ProductFactory(list_price=Decimal("2.5"), min_price=Decimal("0.012"))
    content = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "2.50" in content and "0.012" in content and "2.500000" not in content


def test_minimum_quantities_read_as_typed_in_the_prices_tab(client, purchaser):
    # given quantity breaks from 100, 1,200 and 0.5: stored as 100.0000 …, whose normalize() is 1E+2 (shown as 100
    # only by Django's number formatting) and 1.2E+3 (shown as 1200, without the separator every other quantity has)
    product = ProductFactory()
    for quantity in ("100", "1200", "0.5"):
        PriceRuleFactory(product=product, min_quantity=Decimal(quantity))
    # when
    tab = client.get(reverse("catalog:product_prices", args=[product.pk])).content.decode()
    # then the 起订数量 column shows the figures people typed, with the base unit
    rows = re.findall(r'<tr data-testid="part">(.*?)</tr>', tab, re.S)
    cells = [
        [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]
    assert sorted(row[2] for row in cells) == ["0.5 个", "1,200 个", "100 个"]
    assert "E+" not in tab
