"""Importing products on core's import machinery: columns, created references, error rows, the three
duplicate policies, 商品排重, an .xlsx file, the import page and ``keshang import products``."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files import File
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from keshang.catalog.models import Brand, Product, ProductCategory, Unit
from keshang.catalog.services.importing import parse_price, parse_vat_rate
from keshang.catalog.tests.factories import CategoryFactory, ProductFactory
from keshang.core import importing
from keshang.core.models import AuditAction, AuditEntry, ImportStatus
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchaser():
    user = UserFactory()
    grant(user, "catalog.product", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.ALL)
    grant(user, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    return user


def csv_bytes(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(dict.fromkeys(key for row in rows for key in row)))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run(actor, content: bytes, *, name="products.csv", policy="skip", commit=True):
    job = importing.create_import_job(
        actor=actor, kind="products", upload=File(io.BytesIO(content), name=name), policy=policy, options={}
    )
    return importing.run_import_job(job_pk=job.pk, commit=commit)


def errors_of(job) -> dict[int, list[str]]:
    return {entry["line"]: entry["messages"] for entry in job.errors if entry["level"] == "error"}


ROW = {
    "商品编码": "R-0603-10K",
    "商品名称": "贴片电阻",
    "规格型号": "0603 10KΩ",
    "单位": "个",
    "商品分类": "电子元器件/电阻",
    "品牌": "国巨",
    "条码": "6901234567890",
    "税率": "13%",
    "标准售价": "¥0.05",
    "成本价": "0.02",
    "最低售价": "0.04",
    "状态": "在售",
}


@pytest.mark.parametrize(
    ("text", "rate"), [("13%", "0.13"), ("0.13", "0.13"), ("13", "0.13"), ("９％", "0.09"), ("0", "0"), ("7%", None)]
)
def test_vat_rates_are_read_in_the_ways_people_write_them(text, rate):
    assert parse_vat_rate(text) == rate


def test_prices_drop_currency_marks_and_separators():
    assert parse_price("¥1,234.5") == Decimal("1234.500000")
    assert parse_price("12元") == Decimal("12.000000")
    with pytest.raises(ValueError):
        parse_price("-1")


def test_a_new_product_gets_its_fields_and_missing_references_are_created(purchaser):
    # when
    job = run(purchaser, csv_bytes([ROW]))
    # then
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 1, 0)
    product = Product.objects.get()
    assert (product.code, product.unit.name, product.brand.name) == ("R-0603-10K", "个", "国巨")
    assert product.category.name == "电阻" and product.category.parent.name == "电子元器件"
    assert (product.vat_rate, product.list_price, product.cost_price) == ("0.13", Decimal("0.05"), Decimal("0.02"))
    assert product.created_by == purchaser
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(product.pk)).exists()


def test_the_preview_announces_what_it_will_create_and_writes_nothing(purchaser):
    # when
    job = run(purchaser, csv_bytes([ROW]), commit=False)
    # then
    notices = [message for entry in job.errors for message in entry["messages"]]
    assert "将新建单位“个”。" in notices and "将新建品牌“国巨”。" in notices
    assert not Product.objects.exists() and not Unit.objects.exists()


def test_existing_categories_match_by_code_or_unique_name(purchaser):
    # given
    resistors = CategoryFactory(name="电阻", code="RES")
    # when
    run(
        purchaser,
        csv_bytes([{**ROW, "商品分类": "RES"}, {**ROW, "商品编码": "B", "规格型号": "x", "商品分类": "电阻"}]),
    )
    # then
    assert set(Product.objects.values_list("category", flat=True)) == {resistors.pk}
    assert ProductCategory.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_written(purchaser):
    rows = [
        ROW,
        {**ROW, "商品编码": "E1", "规格型号": "a", "税率": "7%"},
        {**ROW, "商品编码": "E2", "规格型号": "b", "标准售价": "abc"},
        {**ROW, "商品编码": "E3", "规格型号": "c", "最低售价": "1"},  # above the list price
        {**ROW, "商品编码": "", "规格型号": "d"},
        {**ROW, "商品编码": "E5", "规格型号": "e", "单位": ""},
        {**ROW, "商品编码": "R-0603-10K", "规格型号": "f"},  # same code as line 2
    ]
    # when
    job = run(purchaser, csv_bytes(rows))
    # then
    errors = errors_of(job)
    assert job.status == ImportStatus.FAILED
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "税率“7%”无效" in errors[3][0]
    assert "不是有效的金额" in errors[4][0]
    assert "最低售价不能高于标准售价" in errors[5][0]
    assert "商品编码不能为空" in errors[6][0]
    assert "新商品必须填写单位" in errors[7][0]
    assert "与第 2 行重复" in errors[8][0]
    assert not Product.objects.exists() and not Unit.objects.exists()


def test_policy_skip_leaves_an_existing_code_alone(purchaser):
    ProductFactory(code="R-0603-10K", name="旧名称", list_price=Decimal("1"), min_price=None)
    job = run(purchaser, csv_bytes([ROW]), policy="skip")
    assert (job.created_count, job.skipped_count) == (0, 1)
    assert Product.objects.get().name == "旧名称"


def test_policy_update_overwrites_only_the_filled_cells(purchaser):
    # given
    ProductFactory(code="R-0603-10K", name="旧名称", list_price=Decimal("1"), min_price=None, barcode="KEEP")
    # when
    job = run(
        purchaser,
        csv_bytes([{"商品编码": "r-0603-10k", "商品名称": "新名称", "标准售价": "2", "条码": ""}]),
        policy="update",
    )
    # then
    product = Product.objects.get()
    assert job.updated_count == 1
    assert (product.name, product.list_price, product.barcode) == ("新名称", Decimal("2"), "KEEP")


def test_policy_create_refuses_an_existing_code(purchaser):
    ProductFactory(code="R-0603-10K")
    job = run(purchaser, csv_bytes([ROW]), policy="create")
    assert "已被" in errors_of(job)[2][0]


def test_a_name_and_spec_duplicate_under_another_code_is_refused_unless_create(purchaser):
    # given
    ProductFactory(code="OLD", name="贴片电阻", specification="0603 10kω")
    # when
    refused = run(purchaser, csv_bytes([ROW]), policy="skip")
    created = run(purchaser, csv_bytes([ROW]), policy="create")
    # then
    assert "OLD" in errors_of(refused)[2][0]
    assert created.created_count == 1
    assert any("OLD" in message for entry in created.errors for message in entry["messages"])
    assert Product.objects.count() == 2


def test_an_xlsx_file_imports(purchaser):
    # given
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(ROW))
    sheet.append([*ROW.values()])
    sheet.append(["X-2", "复印纸", "A4 70g", "包", "办公用品", "得力", "", 0.13, 22, 15, 19, "停售"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when
    job = run(purchaser, buffer.getvalue(), name="products.xlsx")
    # then
    assert (job.created_count, job.error_count) == (2, 0), job.errors
    paper = Product.objects.get(code="X-2")
    assert (paper.vat_rate, paper.list_price, paper.status) == ("0.13", Decimal("22"), "discontinued")
    assert Brand.objects.count() == 2


def test_the_import_page_offers_products(client, purchaser):
    client.force_login(purchaser)
    response = client.get(reverse("catalog:product_import"))
    assert response.status_code == 200
    assert "商品编码" in response.content.decode()


def test_the_command_imports_products(tmp_path):
    # given
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes([ROW]))
    out = io.StringIO()
    # when
    call_command("import", "products", str(path), stdout=out)
    # then
    assert "新增 1" in out.getvalue()
    assert Product.objects.get().code == "R-0603-10K"


@pytest.mark.parametrize("header", ["product_id", "商品编号", "产品编号", "产品编码"])
def test_a_product_id_column_is_taken_as_the_product_code(purchaser, header):
    # given: a list from another system, the code under its own name
    content = csv_bytes([{header: "17", "product_name": "Alice Mutton", "单位": "箱"}])
    # when
    job = run(purchaser, content, commit=False)
    # then
    assert job.mapping["columns"]["code"] == 0
    assert (job.status, job.error_count) == (ImportStatus.VALIDATED, 0)
