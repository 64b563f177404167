"""Word (.docx) contract templates, filled by docxtpl with the same merge fields as the rich-text ones (issue 13).

Syntax in the Word document:

- A text field anywhere, headers and footers included: ``{{甲方名称}}``, ``{{合同金额大写}}``.
- A block field as a paragraph of its own, not in a table: ``{{产品明细表}}`` inserts the ready-made table
  (序号 … 金额, 合计, 金额大写) and ``{{付款条款}}`` one paragraph per instalment. (docxtpl's own spelling,
  ``{{p 产品明细表}}``, is accepted too.)
- Or a table of one's own, one Word row repeated per line: a row holding ``{%tr for 行 in 产品明细表 %}``, the
  row with the cells ``{{行.序号}}``, ``{{行.商品名称}}``, ``{{行.数量}}`` … (:data:`~.blocks.LINE_FIELDS`),
  and a row holding ``{%tr endfor %}``. Payment terms the same way, with paragraphs:
  ``{%p for 期 in 付款条款 %}`` / ``{{期.说明}}`` (or ``{{期.金额}}`` …, :data:`~.blocks.STAGE_FIELDS`) /
  ``{%p endfor %}``. The loop variable's name is free.

Nothing else of Jinja is allowed (filters, calls, conditions, expressions): :func:`check_docx` refuses it with
``template_syntax``, unknown fields and row fields with ``unknown_template_fields`` (all named, in order), a block
field inside text or a table with ``template_block_placement``, anything but a .docx with ``template_not_docx``.
The check reads what docxtpl renders — the body, headers and footers as ``patch_xml`` leaves them, plus the
footnotes and the document properties — and rendering runs in Jinja's sandbox with every value escaped.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.exceptions import ApplicationError

from .blocks import LINE_COLUMNS, LINE_FIELDS, STAGE_FIELDS, LinesBlock, StagesBlock
from .context import ContractContext
from .fields import BLOCK_FIELD_NAMES, FIELDS, FIELDS_BY_NAME, FieldKind

__all__ = ["check_docx", "render_docx"]

MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a contract template is a few hundred kB; this refuses zip bombs
_ROW_FIELDS = {"产品明细表": {field.name for field in LINE_FIELDS}, "付款条款": {field.name for field in STAGE_FIELDS}}
_BLOCK_PARAGRAPH = re.compile(r"\{\{\s*(?:p\s+)?(" + "|".join(map(re.escape, BLOCK_FIELD_NAMES)) + r")\s*\}\}")
_OUTPUT = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # \a and \f would also break paragraphs
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")  # those docxtpl renders
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _refuse(message: str, code: str, field: str):
    raise ApplicationError(message, code=code, fields={field: [message]})


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


#
# Reading and checking
#


def _open(data: bytes, field: str):
    """The python-docx Document, or a refusal: not a zip, not a Word document, or unpacking far too large."""
    from docx import Document

    not_docx = _("这不是 Word 文档（.docx），请上传用 Word 或 WPS 保存的 .docx 文件。")
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            infos = package.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                _refuse(_("Word 模板解压后过大。"), "template_not_docx", field)
            content_types = package.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        _refuse(not_docx, "template_not_docx", field)
    # A .docx declares its main part as a document; .docm, .dotx, .xlsx and the like declare something else.
    if _DOCUMENT_MAIN not in content_types:
        _refuse(not_docx, "template_not_docx", field)
    try:
        return Document(BytesIO(data))
    except Exception:  # python-docx meets a malformed package with any error (KeyError, XML, AttributeError …)
        _refuse(not_docx, "template_not_docx", field)


def _normalise(document) -> bytes:
    """A block field alone in a body paragraph becomes docxtpl's ``{{p 产品明细表}}``, which replaces the whole
    paragraph (a table cannot sit inside one)."""
    from docx.oxml.ns import qn

    for paragraph in document.paragraphs:
        match = _BLOCK_PARAGRAPH.fullmatch(paragraph.text.strip())
        if match:
            for child in list(paragraph._p):
                if child.tag != qn("w:pPr"):
                    paragraph._p.remove(child)
            paragraph.add_run("{{p " + match.group(1) + "}}")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _sources(template) -> list[tuple[str, bool]]:
    """What docxtpl hands to Jinja, as (source, is_xml)."""
    docx = template.get_docx()
    sources = [(template.patch_xml(template.get_xml()), True)]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            sources.append((template.patch_xml(template.get_part_xml(part)), True))
    for part in docx.part.package.parts:
        if part.content_type == _FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            sources.append((template.patch_xml(blob), True))
    for name in _PROPERTIES:
        value = getattr(docx.core_properties, name) or ""
        if "{" in value:
            sources.append((value, False))
    return sources


# What a refused construct is called in the message (Jinja node class → words).
_UNSUPPORTED = {
    "Filter": gettext_lazy("过滤器"),
    "Call": gettext_lazy("函数调用"),
    "If": gettext_lazy("条件判断"),
    "CondExpr": gettext_lazy("条件表达式"),
    "Const": gettext_lazy("常量"),
    "Getitem": gettext_lazy("下标"),
    "Assign": gettext_lazy("赋值"),
    "AssignBlock": gettext_lazy("赋值"),
    "Macro": gettext_lazy("宏"),
    "Include": gettext_lazy("引用其他模板"),
    "Import": gettext_lazy("引用其他模板"),
    "FromImport": gettext_lazy("引用其他模板"),
    "Extends": gettext_lazy("引用其他模板"),
    "Getattr": gettext_lazy("属性访问"),
}


class _Walk:
    """Names, row fields and constructs used by a parsed template, checked against the registry."""

    def __init__(self):
        self.unknown: list[str] = []
        self.unsupported: list[str] = []

    def visit(self, node, loops: dict[str, str]):
        from jinja2 import nodes

        if isinstance(node, nodes.Template | nodes.Output):
            for child in node.iter_child_nodes():
                self.visit(child, loops)
        elif isinstance(node, nodes.TemplateData):
            pass
        elif isinstance(node, nodes.Name):
            if node.name in loops or node.name not in FIELDS_BY_NAME:
                self.unknown.append(node.name)
        elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name in loops:
            if node.attr not in _ROW_FIELDS[loops[node.node.name]]:
                self.unknown.append(f"{node.node.name}.{node.attr}")
        elif isinstance(node, nodes.For):
            iterable = node.iter.name if isinstance(node.iter, nodes.Name) else None
            if iterable not in BLOCK_FIELD_NAMES or not isinstance(node.target, nodes.Name) or node.test is not None:
                self.unsupported.append(_("对 %(fields)s 以外的循环") % {"fields": "、".join(BLOCK_FIELD_NAMES)})
                return
            inner = {**loops, node.target.name: iterable}
            for child in [*node.body, *node.else_]:
                self.visit(child, inner)
        else:
            kind = type(node).__name__
            self.unsupported.append(str(_UNSUPPORTED.get(kind, kind)))


def _inside(xml: str, position: int, tag: str) -> bool:
    """Whether ``position`` in ``xml`` is inside a ``<w:tag>`` element (by counting opening and closing tags)."""
    before = xml[:position]
    return len(re.findall(rf"<w:{tag}[ >]", before)) > before.count(f"</w:{tag}>")


def _misplaced(source: str, is_xml: bool) -> tuple[list[str], list[str]]:
    """Blocks printed inside text or a table cell; other fields printed outside text (``{{p 甲方名称}}``)."""
    blocks, fields = [], []
    for match in _OUTPUT.finditer(source):
        expression = match.group(1).strip()
        in_text = not is_xml or _inside(source, match.start(), "t")
        if expression in BLOCK_FIELD_NAMES:
            if in_text or _inside(source, match.start(), "tc"):
                blocks.append(expression)
        elif not in_text:
            fields.append(expression)
    return blocks, fields


def _check(data: bytes, field: str) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    normalised = _normalise(_open(data, field))
    template = DocxTemplate(BytesIO(normalised))
    environment = _environment()
    walk = _Walk()
    misplaced: list[str] = []
    outside_text: list[str] = []
    for source, is_xml in _sources(template):
        try:
            parsed = environment.parse(source)
        except TemplateSyntaxError:
            _refuse(
                _("Word 模板的写法有误（花括号不成对或循环未闭合），合并字段写作 {{字段名}}。"),
                "template_syntax",
                field,
            )
        walk.visit(parsed, {})
        blocks, fields = _misplaced(source, is_xml)
        misplaced += blocks
        outside_text += fields
    if walk.unsupported:
        _refuse(
            _("Word 模板中有不支持的写法：%(what)s。只能使用合并字段和对 产品明细表、付款条款 的逐行循环。")
            % {"what": "、".join(dict.fromkeys(walk.unsupported))},
            "template_syntax",
            field,
        )
    if outside_text:
        _refuse(
            _("只有 %(blocks)s 可以写作 {{p 字段名}}：%(fields)s 须写在文字中，如 {{甲方名称}}。")
            % {"blocks": "、".join(BLOCK_FIELD_NAMES), "fields": "、".join(dict.fromkeys(outside_text))},
            "template_syntax",
            field,
        )
    if walk.unknown:
        tokens = "、".join("{{" + name + "}}" for name in dict.fromkeys(walk.unknown))
        _refuse(_("模板中有未知字段：%(fields)s。") % {"fields": tokens}, "unknown_template_fields", field)
    if misplaced:
        tokens = "、".join("{{" + name + "}}" for name in dict.fromkeys(misplaced))
        _refuse(
            _("%(fields)s 须单独成段，不能放在表格、列表或其他文字中。") % {"fields": tokens},
            "template_block_placement",
            field,
        )
    return normalised


def check_docx(data: bytes, *, field: str = "file") -> None:
    """Refuse a Word template that is not a .docx, or uses what :func:`render_docx` cannot fill (module docstring).
    ``field`` names the form field the message belongs to."""
    _check(data, field)


#
# Filling
#


def _text(value) -> str:
    return _NOT_XML.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


class _Block:
    """A block field in docxtpl's context: iterable as its rows (for ``{%tr for %}``), and printed as the WordML of
    its table or paragraphs (for ``{{p 产品明细表}}``), which the escaping leaves alone through ``__html__``."""

    def __init__(self, rows: list[dict[str, str]], xml: str):
        self._rows = [{name: _text(value) for name, value in row.items()} for row in rows]
        self._xml = xml

    def __iter__(self):
        return iter(self._rows)

    def __len__(self):
        return len(self._rows)

    def __html__(self):
        return self._xml

    __str__ = __html__


def _scratch():
    """A blank python-docx document to build a block in. Not docxtpl's Subdoc, which needs docxcompose for
    nothing a table of text uses (styles, images, numbering of another document)."""
    from docx import Document

    return Document()


def _body_xml(document) -> str:
    """The document's body content as WordML, without the section properties."""
    from lxml import etree

    body = document.element.body
    return "".join(etree.tostring(child, encoding="unicode") for child in body if child is not body.sectPr)


def _set_table_look(table, widths: list[int]):
    """Full width, single borders and the columns' shares (a merged cell: the sum of its columns'), set on the
    table itself (the template may lack the "Table Grid" style), each element where the schema orders it: Word
    refuses a file with them out of order."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")  # fiftieths of a percent
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for name, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{name}"), value)
        borders.append(line)
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(borders)
    else:
        properties.append(borders)
    total = sum(int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.gridCol_lst)
    for column, share in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.set(qn("w:w"), str(total * share // 100))
    for row in table._tbl.tr_lst:
        column = 0
        for cell in row.tc_lst:
            share = sum(widths[column : column + cell.grid_span])
            column += cell.grid_span
            cell_width = cell.get_or_add_tcPr().get_or_add_tcW()
            cell_width.set(qn("w:type"), "pct")
            cell_width.set(qn("w:w"), str(share * 50))


def _fill_cell(cell, text: str, *, align: str = "left", bold: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}.get(
        align, WD_ALIGN_PARAGRAPH.RIGHT
    )
    paragraph.add_run(_text(text)).bold = bold or None


def _lines_xml(block: LinesBlock) -> str:
    if not block.rows:
        return ""
    document = _scratch()
    span = len(LINE_COLUMNS)
    table = document.add_table(rows=len(block.rows) + 3, cols=span)
    for column, cell in zip(LINE_COLUMNS, table.rows[0].cells, strict=True):
        _fill_cell(cell, column.label, align="center", bold=True)
    for row, values in zip(table.rows[1:], block.rows, strict=False):
        for column, cell in zip(LINE_COLUMNS, row.cells, strict=True):
            _fill_cell(cell, values[column.label], align=column.align)
    total, words = table.rows[-2], table.rows[-1]
    _fill_cell(total.cells[0].merge(total.cells[span - 2]), "合计", align="right")
    _fill_cell(total.cells[span - 1], block.total, align="right")
    _fill_cell(words.cells[0].merge(words.cells[span - 1]), f"金额大写：{block.total_in_words}")
    _set_table_look(table, [column.width for column in LINE_COLUMNS])
    return _body_xml(document)


def _stages_xml(block: StagesBlock) -> str:
    document = _scratch()
    for sentence in block.sentences:
        document.add_paragraph(_text(sentence))
    return _body_xml(document)


def render_docx(data: bytes, context: ContractContext) -> bytes:
    """The Word template filled from ``context`` (checked first, as :func:`check_docx`), as .docx bytes."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(BytesIO(_check(data, "file")))
    values: dict[str, object] = {}
    for merge_field in FIELDS:
        value = merge_field.value(context)
        if merge_field.kind == FieldKind.TEXT:
            values[merge_field.name] = _text(value)
        elif isinstance(value, LinesBlock):
            values[merge_field.name] = _Block(value.rows, _lines_xml(value))
        else:
            values[merge_field.name] = _Block(value.rows, _stages_xml(value))
    template.render(values, jinja_env=_environment(), autoescape=True)
    out = BytesIO()
    template.save(out)
    return out.getvalue()
