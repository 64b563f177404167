"""Many lines at once (issue 11, finding 10): rows pasted from Excel are read on the server — each good row a
line, each bad row named with its row number and reason and none of it added — and products ticked together in
the editor's product dialog come back in the order ticked, only those the user may see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keshang.catalog.lines.entry import (
    MAX_PASTED_ROWS,
    EntryErrorCode,
    NewLine,
    list_picked_products,
    read_pasted_lines,
)
from keshang.catalog.models import ProductStatus
from keshang.catalog.tests.factories import ProductFactory
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    user = UserFactory()
    grant(user, "catalog.product", (Action.VIEW,), Scope.ALL)
    return user


@pytest.fixture
def pen():
    return ProductFactory(code="PEN-01", name="中性笔")


@pytest.fixture
def ink():
    return ProductFactory(code="INK-02", name="墨水")


@pytest.fixture
def old_model():
    return ProductFactory(code="OLD-09", name="旧款订书机", status=ProductStatus.DISCONTINUED)


def problems(pasted) -> list[tuple[int | None, str, str]]:
    return [(error.row, error.code, error.message) for error in pasted.errors]


#
# Pasting rows
#


def test_tab_separated_rows_from_excel_become_lines_with_the_typed_price_or_none(rep, pen, ink):
    # when two rows are pasted as Excel copies them: a header, a price with a thousands separator, none on the second
    pasted = read_pasted_lines(user=rep, text="商品编号\t数量\t含税单价\r\nPEN-01\t1,200\t12.50\r\nINK-02\t3\r\n")
    # then
    assert pasted.lines == [
        NewLine(product=pen, quantity=Decimal("1200"), unit_price_gross=Decimal("12.50")),
        NewLine(product=ink, quantity=Decimal("3"), unit_price_gross=None),
    ]
    assert pasted.errors == [] and pasted.rejected_text == ""
    assert all(isinstance(line.quantity, Decimal) for line in pasted.lines)


def test_comma_separated_rows_without_a_header_are_read_too(rep, pen, ink):
    pasted = read_pasted_lines(user=rep, text="PEN-01,2,¥3.5\nINK-02，0.25\n")
    assert [(line.product, line.quantity, line.unit_price_gross) for line in pasted.lines] == [
        (pen, Decimal("2"), Decimal("3.5")),
        (ink, Decimal("0.25"), None),
    ]
    assert pasted.errors == []


def test_each_bad_row_is_named_with_its_row_and_reason_and_only_the_good_rows_become_lines(rep, pen, old_model):
    # given a paste whose rows 3 to 6 are wrong in each of the ways a spreadsheet goes wrong
    text = "\n".join(
        [
            "商品编号\t数量\t含税单价",
            "PEN-01\t2\t12.50",
            "NOPE-1\t2",
            "OLD-09\t1",
            "PEN-01\t-3",
            "PEN-01\t2\t十二元",
        ]
    )
    # when
    pasted = read_pasted_lines(user=rep, text=text)
    # then
    assert pasted.lines == [NewLine(product=pen, quantity=Decimal("2"), unit_price_gross=Decimal("12.50"))]
    assert problems(pasted) == [
        (3, EntryErrorCode.UNKNOWN_PRODUCT, "第 3 行：商品编号“NOPE-1”不存在。"),
        (4, EntryErrorCode.DISCONTINUED, "第 4 行：商品“OLD-09 旧款订书机”已停售，不能添加到新单据。"),
        (5, EntryErrorCode.BAD_QUANTITY, "第 5 行：数量“-3”不是正数。"),
        (6, EntryErrorCode.BAD_PRICE, "第 6 行：含税单价“十二元”不是数字。"),
    ]
    # and the bad rows stay as pasted, to be fixed and added again
    assert pasted.rejected_text == "NOPE-1\t2\nOLD-09\t1\nPEN-01\t-3\nPEN-01\t2\t十二元"


def test_a_row_wrong_in_several_ways_names_every_reason(rep):
    pasted = read_pasted_lines(user=rep, text="NOPE-1\tabc\t1.2.3")
    assert problems(pasted) == [
        (1, EntryErrorCode.UNKNOWN_PRODUCT, "第 1 行：商品编号“NOPE-1”不存在。"),
        (1, EntryErrorCode.BAD_QUANTITY, "第 1 行：数量“abc”不是正数。"),
        (1, EntryErrorCode.BAD_PRICE, "第 1 行：含税单价“1.2.3”不是数字。"),
    ]
    assert pasted.rejected_text == "NOPE-1\tabc\t1.2.3"


@pytest.mark.parametrize(
    ("row", "code", "message"),
    [
        ("\t5", EntryErrorCode.MISSING_CODE, "第 1 行：缺少商品编号。"),
        ("PEN-01", EntryErrorCode.BAD_QUANTITY, "第 1 行：缺少数量。"),
        ("PEN-01\t0", EntryErrorCode.BAD_QUANTITY, "第 1 行：数量“0”不是正数。"),
        ("PEN-01\tNaN", EntryErrorCode.BAD_QUANTITY, "第 1 行：数量“NaN”不是正数。"),
        ("PEN-01\t1.23456", EntryErrorCode.BAD_QUANTITY, "第 1 行：数量“1.23456”最多 4 位小数。"),
        ("PEN-01\t1e20", EntryErrorCode.BAD_QUANTITY, "第 1 行：数量“1e20”太大。"),
        ("PEN-01\t1\t-5", EntryErrorCode.BAD_PRICE, "第 1 行：含税单价“-5”不能为负数。"),
        ("PEN-01\t1\t0.1234567", EntryErrorCode.BAD_PRICE, "第 1 行：含税单价“0.1234567”最多 6 位小数。"),
        ("PEN-01\t1\t1e15", EntryErrorCode.BAD_PRICE, "第 1 行：含税单价“1e15”太大。"),
        (
            "PEN-01\t1\t2\t备注",
            EntryErrorCode.TOO_MANY_COLUMNS,
            "第 1 行：列太多：每行应为商品编号、数量、含税单价（可省略）。",
        ),
    ],
)
def test_a_bad_cell_is_refused_with_its_reason(rep, pen, row, code, message):
    pasted = read_pasted_lines(user=rep, text=row)
    assert pasted.lines == []
    assert problems(pasted) == [(1, code, message)]


def test_blank_rows_and_empty_trailing_cells_are_skipped_but_rows_keep_their_numbers(rep, pen):
    pasted = read_pasted_lines(user=rep, text="PEN-01\t1\t\t\n\n  \nNOPE\t1\n")
    assert [line.product for line in pasted.lines] == [pen]
    assert problems(pasted) == [(4, EntryErrorCode.UNKNOWN_PRODUCT, "第 4 行：商品编号“NOPE”不存在。")]


def test_nothing_pasted_says_what_to_paste(rep):
    pasted = read_pasted_lines(user=rep, text=" \n\t\n")
    assert problems(pasted) == [
        (None, EntryErrorCode.EMPTY, "没有可添加的明细：每行粘贴商品编号、数量、含税单价（可省略）。")
    ]


def test_too_many_rows_are_refused_whole(rep, pen):
    text = "\n".join(["PEN-01\t1"] * (MAX_PASTED_ROWS + 1))
    pasted = read_pasted_lines(user=rep, text=text)
    assert pasted.lines == []
    assert problems(pasted) == [(None, EntryErrorCode.TOO_MANY_ROWS, "一次最多粘贴 500 行，这次有 501 行。")]
    assert pasted.rejected_text == text


def test_a_discontinued_product_may_be_pasted_onto_a_document_dated_in_the_past(rep, old_model):
    pasted = read_pasted_lines(user=rep, text="OLD-09\t1", historical=True)
    assert [line.product for line in pasted.lines] == [old_model] and pasted.errors == []


def test_without_a_grant_on_products_no_code_is_known(pen):
    pasted = read_pasted_lines(user=UserFactory(), text="PEN-01\t1")
    assert problems(pasted) == [(1, EntryErrorCode.UNKNOWN_PRODUCT, "第 1 行：商品编号“PEN-01”不存在。")]


def test_a_pasted_sheet_is_read_in_one_product_query(rep, pen, ink, django_assert_num_queries):
    # given a sheet of 100 rows, and the user's grants read already (once per request)
    text = "\n".join(["PEN-01\t1", "INK-02\t2"] * 50)
    rep.grants()
    with django_assert_num_queries(1):
        pasted = read_pasted_lines(user=rep, text=text)
    assert len(pasted.lines) == 100


#
# Picking products
#


def test_picked_products_come_in_the_order_ticked_once_each_and_only_those_the_user_may_see(rep, pen, ink):
    # when the dialog posts its ticks, with a repeat, a stale id and garbage
    picked = list_picked_products(user=rep, product_ids=[str(ink.pk), str(pen.pk), str(ink.pk), "999999", "x"])
    # then
    assert picked == [ink, pen]
    assert list_picked_products(user=UserFactory(), product_ids=[str(pen.pk)]) == []
