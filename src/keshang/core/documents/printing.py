"""One print layout per document, rendered twice: as a printable HTML page (the browser's print dialog) and
as a PDF (fpdf2 with Noto Sans SC from the ``pylopdf-fonts-zh-cn`` wheel, embedded and subset, so Chinese
renders the same on every reader). A document type builds a :class:`PrintLayout` — title, seller, header
pairs, the line table, totals, the amount in words, terms, signatures — and both renderers draw exactly that,
so the page and the PDF cannot differ. A document not yet approved prints with a watermark saying so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

__all__ = [
    "SignatureArea",
    "render_pdf_with_areas",
    "PrintColumn",
    "PrintLayout",
    "PrintTemplate",
    "register_print_template",
    "print_templates_for",
    "render_html",
    "render_pdf",
    "new_document_pdf",
    "MM",
    "SIGNING_HEIGHT",
]


@dataclass(frozen=True)
class PrintColumn:
    label: str
    width: float  # millimetres on A4 portrait (182 mm of text width); the HTML page uses them as proportions
    align: str = "LEFT"  # LEFT, CENTER or RIGHT


@dataclass
class PrintLayout:
    title: str
    number: str
    seller: dict  # name, address, phone (and any of credit_code, bank): the company issuing the document
    header: list[tuple[str, str]]  # printed two pairs a row
    columns: list[PrintColumn]
    rows: list[list[str]]
    totals: list[tuple[str, str]]
    amount_in_words: str
    terms: list[tuple[str, str]] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    watermark: str = ""  # e.g. 草稿 / 未审批: a document that is not (yet) binding
    filename: str = "document.pdf"
    back_url: str = ""
    pdf_url: str = ""
    # The seller's seal: a file path for the PDF, a URL for the page; given only for binding documents.
    seal_path: str = ""
    seal_url: str = ""

    @property
    def header_rows(self) -> list[list[tuple[str, str]]]:
        return [self.header[index : index + 2] for index in range(0, len(self.header), 2)]

    @property
    def aligned_rows(self) -> list[list[tuple[str, str]]]:
        return [[(text, column.align) for text, column in zip(row, self.columns, strict=True)] for row in self.rows]

    @property
    def seller_line(self) -> str:
        return "  ".join(part for part in (self.seller.get("address"), self.seller.get("phone")) if part)


@dataclass(frozen=True)
class PrintTemplate:
    """A way to print a document: its own layout (报价单), or one a later app adds (the warehouse's 发货单 of an
    order). ``build(document, user=)`` gives the :class:`PrintLayout`; ``states`` limits when it is offered."""

    key: str
    label: str
    build: Callable
    states: tuple[str, ...] | None = None

    def applies(self, document) -> bool:
        return self.states is None or getattr(document, "status", None) in self.states


_templates: dict[str, list[PrintTemplate]] = {}


def register_print_template(model_label: str, template: PrintTemplate) -> PrintTemplate:
    """Offer another print of ``model_label``'s documents (call from ``AppConfig.ready()``)."""
    if any(existing.key == template.key for existing in _templates.get(model_label, [])):
        raise ValueError(f"print template {template.key!r} registered twice for {model_label}")
    _templates.setdefault(model_label, []).append(template)
    return template


def print_templates_for(model_label: str, default: PrintTemplate | None = None) -> list[PrintTemplate]:
    """The document type's own print first (``default``), then those other apps registered."""
    return [*([default] if default else []), *_templates.get(model_label, [])]


def render_html(layout: PrintLayout, request=None) -> str:
    return render_to_string("documents/print.html", {"layout": layout}, request=request)


@cache
def _font_path() -> str:
    import pylopdf_fonts_zh_cn

    return str(Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf")


@dataclass(frozen=True)
class SignatureArea:
    """Where a party signs on the PDF, in PDF points from the page's bottom-left corner (what a PDF signature's
    visible box is given in); ``page`` counts from 0."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


MM = 72 / 25.4
# Height left under each party's signature line for a seal (42 mm across) and a handwritten signature.
SIGNING_HEIGHT = 46


def render_pdf(layout: PrintLayout) -> bytes:
    """The layout as an A4 PDF (see :func:`render_pdf_with_areas`)."""
    return render_pdf_with_areas(layout)[0]


def new_document_pdf(*, watermark: str = ""):
    """An A4 ``FPDF`` with Noto Sans SC as ``noto``, the prints' margins, the watermark on every page (drawn first,
    under the text) and the ``第 N 页 共 M 页`` footer; the first page added. Shared by every print drawn here and
    by the contracts' templated PDF."""
    from fpdf import FPDF

    class DocumentPdf(FPDF):
        def header(self):
            if watermark:
                with self.local_context(text_color=(215, 215, 215)):
                    self.set_font("noto", size=64)
                    with self.rotation(35, x=105, y=150):
                        self.text(48, 170, watermark)

        def footer(self):
            self.set_y(-12)
            self.set_font("noto", size=8)
            self.set_text_color(120)
            self.cell(0, 6, _("第 %(page)s 页 共 %(pages)s 页") % {"page": self.page_no(), "pages": "{nb}"}, align="C")

    pdf = DocumentPdf(orientation="P", unit="mm", format="A4")
    pdf.add_font("noto", fname=_font_path())
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    return pdf


def render_pdf_with_areas(layout: PrintLayout) -> tuple[bytes, list[SignatureArea]]:
    """The layout as an A4 PDF, and the area under each of its signature lines (in ``layout.signatures``' order)
    where that party's seal and signature go. fpdf2 and its font tools are imported here: ~30 MB that only
    processes which print something need."""
    from fpdf.fonts import FontFace

    pdf = new_document_pdf(watermark=layout.watermark)
    pdf.set_font("noto", size=16)
    pdf.cell(0, 9, layout.seller.get("name", ""), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9)
    if layout.seller.get("credit_code"):
        pdf.cell(0, 5, _("统一社会信用代码：%(code)s") % {"code": layout.seller["credit_code"]}, align="C",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    if layout.seller_line:
        pdf.cell(0, 5, layout.seller_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("noto", size=14)
    pdf.cell(0, 8, layout.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("noto", size=9.5)
    muted = FontFace(color=(110, 110, 110))
    with pdf.table(
        col_widths=(20, 71, 20, 71), borders_layout="NONE", first_row_as_headings=False, line_height=6
    ) as table:
        for pairs in layout.header_rows:
            cells = table.row()
            for label, value in pairs:
                cells.cell(label, style=muted)
                cells.cell(value or "—")
    pdf.ln(3)

    with pdf.table(
        col_widths=tuple(column.width for column in layout.columns),
        text_align=tuple(column.align for column in layout.columns),
        headings_style=FontFace(fill_color=(235, 239, 245)),
        line_height=6,
    ) as table:
        heading = table.row()
        for column in layout.columns:
            heading.cell(column.label)
        for values in layout.rows:
            row = table.row()
            for text in values:
                row.cell(text)
    pdf.ln(2)
    for label, value in layout.totals:
        pdf.cell(150, 6, label, align="R")
        pdf.cell(0, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=10.5)
    pdf.multi_cell(0, 8, _("金额大写：%(words)s") % {"words": layout.amount_in_words}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9.5)
    for label, value in layout.terms:
        pdf.multi_cell(0, 6, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
    if layout.seller.get("bank"):
        pdf.multi_cell(
            0, 6, _("开户行及账号：%(bank)s") % {"bank": layout.seller["bank"]}, new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(8)
    if pdf.get_y() + 6 + SIGNING_HEIGHT > pdf.h - pdf.b_margin:
        # The signature lines and the room under them stay together on one page.
        pdf.add_page()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / max(len(layout.signatures), 1)
    top = pdf.get_y()
    areas = [
        SignatureArea(
            page=pdf.page_no() - 1,
            x1=(pdf.l_margin + index * width) * MM,
            y1=(pdf.h - top - 6 - SIGNING_HEIGHT) * MM,
            x2=(pdf.l_margin + (index + 1) * width - 4) * MM,
            y2=(pdf.h - top - 6) * MM,
        )
        for index in range(len(layout.signatures))
    ]
    for index, text in enumerate(layout.signatures):
        last = index == len(layout.signatures) - 1
        pdf.cell(width, 6, text, new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP")
    if layout.seal_path:
        # Over the first signature (ours), as a stamp sits over the printed name.
        pdf.image(layout.seal_path, x=pdf.l_margin + 20, y=top - 14, w=36)
    return bytes(pdf.output()), areas
