"""The filled template in the HTML that fpdf2's ``FPDF.write_html`` draws (issue 13).

``write_html`` knows a small HTML subset (fpdf/html.py): one text per table cell (a tag inside a cell raises),
no nested tables, no ``<div>``/``<span>``/classes, and bold or italic only when the font has those faces — Noto
Sans SC, which we embed, has only its regular face. :func:`render_for_pdf` therefore takes :func:`render_html`'s
output and rewrites it: cells flattened to their text, ``<th>`` drawn as a shaded ``<td>``, ``<div>`` as ``<p>``,
alignment classes as ``align``, bold/italic dropped (underline kept), tables given borders and the full width.

Usage, with the font added as ``core.documents.printing`` does::

    pdf.add_font("noto", fname=font_path)
    pdf.set_font("noto", size=10.5)
    pdf.write_html(render_for_pdf(body, context), **pdf_write_options())
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from .context import ContractContext
from .render import ALIGN_CLASSES, render_html

__all__ = ["render_for_pdf", "pdf_write_options", "html_for_pdf"]

_HEADINGS = {f"h{level}" for level in range(1, 7)}
_BLOCK_STARTS = {"p", "div", "ul", "ol", "table", "hr", *_HEADINGS}
_DROPPED = {"span", "b", "strong", "i", "em", "thead", "tbody", "tfoot"}
_HEADING_FILL = "#eef1f5"


def _align(attrs: dict) -> str | None:
    if attrs.get("align"):
        return attrs["align"]
    classes = (attrs.get("class") or "").split()
    return next((ALIGN_CLASSES[name] for name in classes if name in ALIGN_CLASSES), None)


def _start(tag: str, attrs: dict[str, str | None]) -> str:
    parts = [tag, *(f'{name}="{escape(value)}"' for name, value in attrs.items() if value is not None)]
    return "<" + " ".join(parts) + ">"


class _PdfHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._cell: list[str] | None = None  # the text of the open cell
        self._cell_tables = 0  # tables opened inside the open cell: their cells are its text
        self._div_paragraph = False  # a <div> is open as a <p>
        self._li_depth = 0

    def _close_div_paragraph(self):
        if self._div_paragraph:
            self.out.append("</p>")
            self._div_paragraph = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._cell is not None:
            self._cell_tables += tag == "table"
            if tag in ("br", "p", "div", "li", "tr", "td", "th", *_HEADINGS):
                self._cell.append(" ")
            return
        if tag in _DROPPED:
            return
        if tag in _BLOCK_STARTS:
            self._close_div_paragraph()
        if tag in ("th", "td"):
            self._cell = []
            cell = {name: attrs.get(name) for name in ("colspan", "rowspan", "width")}
            cell["align"] = _align(attrs) or ("center" if tag == "th" else None)
            if tag == "th":
                cell["bgcolor"] = _HEADING_FILL
            self.out.append(_start("td", cell))
        elif tag == "table":
            self.out.append('<table border="1" width="100%">')
        elif tag == "div" or (tag == "p" and self._li_depth):
            if self._li_depth:
                self.out.append(" ")
            else:
                self.out.append(_start("p", {"align": _align(attrs)}))
                self._div_paragraph = True
        elif tag == "p" or tag in _HEADINGS:
            self.out.append(_start(tag, {"align": _align(attrs)}))
        elif tag in ("tr", "ul", "ol", "li", "br", "hr", "u"):
            self._li_depth += tag == "li"
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if self._cell is not None:
            if tag in ("td", "th") and not self._cell_tables:
                self.out.append(escape(" ".join("".join(self._cell).split()), quote=False) + "</td>")
                self._cell = None
                return
            self._cell_tables -= tag == "table"
            if tag in ("p", "div", "li", "td", "th", "table", *_HEADINGS):
                self._cell.append(" ")
            return
        if tag in _DROPPED or tag == "br" or tag == "hr":
            return
        if tag == "div" or (tag == "p" and self._li_depth):
            if not self._li_depth:
                self._close_div_paragraph()
            return
        if tag in ("ul", "ol", "table"):
            self._close_div_paragraph()
        self._li_depth -= tag == "li"
        if tag in ("p", "tr", "ul", "ol", "li", "u", "table", *_HEADINGS):
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        else:
            self.out.append(escape(data, quote=False))


def html_for_pdf(html: str) -> str:
    """Cleaned template HTML (or :func:`render_html` output) rewritten into what ``write_html`` draws."""
    parser = _PdfHtml()
    parser.feed(html)
    parser.close()
    parser._close_div_paragraph()
    return "".join(parser.out)


def render_for_pdf(text: str, context: ContractContext) -> str:
    """:func:`render_html`, in the HTML subset fpdf2's ``write_html`` draws with a regular-only font."""
    return html_for_pdf(render_html(text, context))


def pdf_write_options() -> dict:
    """Keyword arguments for ``write_html`` that suit a contract: black headings (fpdf2 draws them dark red) and
    list markers, lines between table rows. fpdf2 is imported here only (~30 MB, see ``printing.render_pdf``)."""
    from fpdf.fonts import TextStyle

    sizes = {"h1": 18, "h2": 15, "h3": 13, "h4": 12, "h5": 11, "h6": 10.5}
    return {
        "tag_styles": {
            tag: TextStyle(color="#000000", font_size_pt=size, t_margin=4, b_margin=2) for tag, size in sizes.items()
        },
        "li_prefix_color": (0, 0, 0),
        "table_line_separators": True,
    }
