"""Drawing the quotation PDF with fpdf2 and Noto Sans SC (embedded, subset), from the context
``printing.quotation_context`` builds for the printable page too."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from .models import Quotation

__all__ = ["draw_quotation"]


@cache
def _font_path() -> str:
    import pylopdf_fonts_zh_cn

    return str(Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf")


class _QuotationPdf(FPDF):
    def __init__(self, company: dict):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.company = company
        self.add_font("noto", fname=_font_path())
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(14, 14, 14)

    def footer(self):
        self.set_y(-12)
        self.set_font("noto", size=8)
        self.set_text_color(120)
        self.cell(0, 6, _("第 %(page)s 页") % {"page": self.page_no()}, align="C")


def draw_quotation(quotation: Quotation, context: dict) -> bytes:
    company = context["company"]
    pdf = _QuotationPdf(company)
    pdf.add_page()
    pdf.set_font("noto", size=16)
    pdf.cell(0, 9, company["name"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9)
    contact_line = "  ".join(part for part in (company["address"], company["phone"]) if part)
    if contact_line:
        pdf.cell(0, 5, contact_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("noto", size=14)
    pdf.cell(0, 8, _("报价单"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("noto", size=9.5)
    contact = context["contact"]
    header = [
        (_("报价单号"), str(quotation), _("报价日期"), quotation.quote_date.isoformat()),
        (_("客户"), str(quotation.partner), _("有效期至"), quotation.valid_until.isoformat()),
        (
            _("联系人"),
            f"{contact.name} {context['contact_phone']}".strip() if contact else "—",
            _("业务员"),
            str(quotation.owner),
        ),
    ]
    with pdf.table(
        col_widths=(18, 72, 18, 40), borders_layout="NONE", first_row_as_headings=False, line_height=6
    ) as table:
        for row in header:
            cells = table.row()
            for index, text in enumerate(row):
                cells.cell(text, style=FontFace(color=(110, 110, 110)) if index % 2 == 0 else None)
    pdf.ln(3)

    headings = (_("序号"), _("商品"), _("规格型号"), _("数量"), _("单位"), _("含税单价"), _("折扣%"), _("价税合计"))
    with pdf.table(
        col_widths=(10, 46, 34, 16, 11, 24, 13, 26),
        text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "CENTER", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(fill_color=(235, 239, 245)),
        line_height=6,
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(text)
        for line in context["lines"]:
            product = line["product"] + (f"\n{line['description']}" if line["description"] else "")
            row = table.row()
            for text in (
                str(line["position"]),
                product,
                line["specification"],
                line["quantity"],
                line["unit"],
                line["price_gross"],
                line["discount"],
                line["amount"],
            ):
                row.cell(text)
    pdf.ln(2)
    for label, value in (
        (_("不含税金额"), context["net_amount"]),
        (_("税额"), context["tax_amount"]),
        (_("价税合计"), context["gross_amount"]),
    ):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(0, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=10.5)
    pdf.cell(0, 8, _("金额大写：%(words)s") % {"words": context["amount_in_words"]}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9.5)
    for label, value in (
        (_("付款条件"), quotation.payment_terms),
        (_("交货条件"), quotation.delivery_terms),
        (_("备注"), quotation.notes),
    ):
        if value:
            pdf.multi_cell(0, 6, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(90, 6, _("报价方（盖章）：%(name)s") % {"name": company["name"]})
    pdf.cell(0, 6, _("客户确认（盖章）："), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
