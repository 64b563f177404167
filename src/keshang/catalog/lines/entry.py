"""Many lines at once: products ticked together in the line editor's product dialog, and rows pasted from a
spreadsheet. Both give :class:`NewLine`\\ s that the editor appends to its formset, so the preview prices them
exactly like typed lines (``build_line``): a line without a price is priced by the catalog's rules.

Pasted text is read here, on the server, and only here: ``商品编号<TAB>数量[<TAB>含税单价]`` per row as Excel
copies it (or separated by commas), an optional header row, blank rows skipped. Every row is checked before any
is taken; a bad row is named with its row number and every reason, and nothing of it becomes a line."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keshang.core.identifiers import parse_pk

from ..models import Product
from ..selectors import list_products
from .pricing import check_product_sellable

__all__ = [
    "MAX_PASTED_ROWS",
    "EntryErrorCode",
    "NewLine",
    "PasteError",
    "PastedLines",
    "read_pasted_lines",
    "list_picked_products",
]

# As many rows as a document may have lines (LineFormSet's max_num).
MAX_PASTED_ROWS = 500
# A first row whose code or quantity cell says one of these (lower case, without spaces, "_" or "-") is a header.
CODE_HEADERS = frozenset(
    {"商品编号", "商品编码", "产品编号", "产品编码", "物料编号", "物料编码", "编号", "编码", "货号"}
    | {"code", "productcode", "productid", "sku", "item", "itemcode"}
)
QUANTITY_HEADERS = frozenset({"数量", "qty", "quantity"})
# The model's limits (core.documents.models QUANTITY and PRICE: 18 digits, 4 and 6 places).
QUANTITY_PLACES, QUANTITY_LIMIT = 4, Decimal(10) ** 14
PRICE_PLACES, PRICE_LIMIT = 6, Decimal(10) ** 12


class EntryErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    MISSING_CODE = "missing_code"
    UNKNOWN_PRODUCT = "unknown_product"
    DISCONTINUED = "discontinued"
    BAD_QUANTITY = "bad_quantity"
    BAD_PRICE = "bad_price"


@dataclass(frozen=True)
class NewLine:
    """A line to add: ``unit_price_gross`` None leaves the price to the catalog's rules."""

    product: Product
    quantity: Decimal = Decimal("1")
    unit_price_gross: Decimal | None = None


@dataclass(frozen=True)
class PasteError:
    """``row`` is the row of the pasted text (from 1, blank rows counted); None for the paste as a whole."""

    row: int | None
    code: EntryErrorCode
    message: str


@dataclass(frozen=True)
class PastedLines:
    lines: list[NewLine]
    errors: list[PasteError]
    # The rows not taken, as pasted, for the user to fix and add again.
    rejected_text: str = ""


class _RowProblem(Exception):
    """One reason a row is not a line; ``str()`` is the reason."""

    def __init__(self, code: EntryErrorCode, problem: str):
        super().__init__(problem)
        self.code = code


def read_pasted_lines(*, user, text: str, historical: bool = False) -> PastedLines:
    """The lines of a pasted sheet, products read in one query through the user's grant (``list_products``).
    ``historical`` (a document dated in the past) lets discontinued products through, as ``build_line`` does."""
    rows = _rows(text)
    if rows and _is_header(rows[0][2]):
        rows = rows[1:]
    if not rows:
        message = _("没有可添加的明细：每行粘贴商品编号、数量、含税单价（可省略）。")
        return PastedLines([], [PasteError(None, EntryErrorCode.EMPTY, message)], text.strip())
    if len(rows) > MAX_PASTED_ROWS:
        message = _("一次最多粘贴 %(max)s 行，这次有 %(count)s 行。") % {"max": MAX_PASTED_ROWS, "count": len(rows)}
        return PastedLines([], [PasteError(None, EntryErrorCode.TOO_MANY_ROWS, message)], text)
    codes = {cells[0] for _number, _original, cells in rows}
    products = {product.code: product for product in list_products(user=user).filter(code__in=codes)}
    lines, errors, rejected = [], [], []
    for number, original, cells in rows:
        line, problems = _read_row(cells, products, historical)
        if line is not None:
            lines.append(line)
            continue
        rejected.append(original)
        errors.extend(
            PasteError(number, problem.code, _("第 %(line)s 行：%(message)s") % {"line": number, "message": problem})
            for problem in problems
        )
    return PastedLines(lines, errors, "\n".join(rejected))


def list_picked_products(*, user, product_ids) -> list[Product]:
    """The products ticked in the product dialog, in the order ticked, once each; ids that are no product the
    user may see are left out."""
    ids = list(dict.fromkeys(pk for pk in map(parse_pk, product_ids) if pk))
    found = list_products(user=user).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


#
# Reading rows
#


def _rows(text: str) -> list[tuple[int, str, list[str]]]:
    """(row number, the row as pasted, its cells) of every row holding anything. Full-width characters are read
    as their ASCII forms (，１２ → ,12); tabs separate cells when the text has any, commas otherwise."""
    delimiter = "\t" if "\t" in text else ","
    rows = []
    for number, original in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        normalised = unicodedata.normalize("NFKC", original)
        cells = [cell.strip() for cell in next(csv.reader([normalised], delimiter=delimiter), [])]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, original, cells))
    return rows


def _header_key(cell: str) -> str:
    return cell.lower().replace(" ", "").replace("_", "").replace("-", "")


def _is_header(cells: list[str]) -> bool:
    return _header_key(cells[0]) in CODE_HEADERS or (len(cells) > 1 and _header_key(cells[1]) in QUANTITY_HEADERS)


def _read_row(cells: list[str], products: dict, historical: bool) -> tuple[NewLine | None, list[_RowProblem]]:
    """The row's line, or every reason it is not one."""
    if len(cells) > 3:
        problem = _("列太多：每行应为商品编号、数量、含税单价（可省略）。")
        return None, [_RowProblem(EntryErrorCode.TOO_MANY_COLUMNS, problem)]
    values, problems = [], []
    for read in (
        lambda: _read_product(cells[0], products, historical),
        lambda: _read_quantity(cells),
        lambda: _read_price(cells),
    ):
        try:
            values.append(read())
        except _RowProblem as problem:
            problems.append(problem)
    if problems:
        return None, problems
    product, quantity, price = values
    return NewLine(product=product, quantity=quantity, unit_price_gross=price), []


def _read_product(code: str, products: dict, historical: bool) -> Product:
    if not code:
        raise _RowProblem(EntryErrorCode.MISSING_CODE, _("缺少商品编号。"))
    product = products.get(code)
    if product is None:
        raise _RowProblem(EntryErrorCode.UNKNOWN_PRODUCT, _("商品编号“%(code)s”不存在。") % {"code": code})
    try:
        check_product_sellable(product, historical=historical)
    except ValidationError as refusal:
        raise _RowProblem(EntryErrorCode.DISCONTINUED, "；".join(refusal.messages)) from refusal
    return product


def _read_quantity(cells: list[str]) -> Decimal:
    if len(cells) < 2 or not cells[1]:
        raise _RowProblem(EntryErrorCode.BAD_QUANTITY, _("缺少数量。"))
    text = cells[1]
    quantity = _number(text)
    if quantity is None or quantity <= 0:
        raise _RowProblem(EntryErrorCode.BAD_QUANTITY, _("数量“%(value)s”不是正数。") % {"value": text})
    if _places(quantity) > QUANTITY_PLACES:
        raise _RowProblem(EntryErrorCode.BAD_QUANTITY, _("数量“%(value)s”最多 4 位小数。") % {"value": text})
    if quantity >= QUANTITY_LIMIT:
        raise _RowProblem(EntryErrorCode.BAD_QUANTITY, _("数量“%(value)s”太大。") % {"value": text})
    return quantity


def _read_price(cells: list[str]) -> Decimal | None:
    if len(cells) < 3 or not cells[2]:
        return None
    text = cells[2]
    price = _number(text)
    if price is None:
        raise _RowProblem(EntryErrorCode.BAD_PRICE, _("含税单价“%(value)s”不是数字。") % {"value": text})
    if price < 0:
        raise _RowProblem(EntryErrorCode.BAD_PRICE, _("含税单价“%(value)s”不能为负数。") % {"value": text})
    if _places(price) > PRICE_PLACES:
        raise _RowProblem(EntryErrorCode.BAD_PRICE, _("含税单价“%(value)s”最多 6 位小数。") % {"value": text})
    if price >= PRICE_LIMIT:
        raise _RowProblem(EntryErrorCode.BAD_PRICE, _("含税单价“%(value)s”太大。") % {"value": text})
    return price


def _number(text: str) -> Decimal | None:
    """A figure as a spreadsheet shows it: thousands separators (in tab-separated rows, as Excel copies them; in a
    comma-separated row a comma is always a cell's end, so ``A001,1,200`` is quantity 1 at 200) and a leading ¥
    allowed; never a float."""
    try:
        value = Decimal(text.replace(",", "").replace(" ", "").removeprefix("¥"))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _places(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)
