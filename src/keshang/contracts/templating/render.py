"""Rich-text (HTML) contract templates: find, check, clean and fill the merge fields (issue 13).

A template body is HTML from the browser's editor with merge fields in double braces, ``{{甲方名称}}`` (spaces and
``&nbsp;`` inside the braces are allowed). Filling is a plain substitution, not a template language: the body can
do nothing but name fields, and every value is HTML-escaped. On save the app calls :func:`prepare_template`
(:func:`clean_html`, then :func:`check_template`) and stores what it returns; :func:`render_html` cleans and checks
again, so a body stored some other way, or a field since renamed, still cannot slip through.

The two block fields (产品明细表, 付款条款) become a table and paragraphs, so each must stand in a paragraph of its
own (``<p>{{产品明细表}}</p>``), not inside a table, list or other text: :func:`check_template` refuses it
otherwise, with code ``template_block_placement``.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext as _

from keshang.core.exceptions import ApplicationError

from .context import ContractContext
from .fields import BLOCK_FIELD_NAMES, FIELDS_BY_NAME, FieldKind

__all__ = [
    "ALIGN_CLASSES",
    "find_fields",
    "check_template",
    "clean_html",
    "prepare_template",
    "render_html",
]

# What the editor may use for alignment (Bootstrap's names); the PDF reads them as ``align``.
ALIGN_CLASSES = {"text-start": "left", "text-center": "center", "text-end": "right", "text-justify": "justify"}

_SPACE = r"(?:\s|&nbsp;|&#160;|&#xa0;)*"
_FIELD = re.compile(r"\{\{" + _SPACE + r"([^{}]*?)" + _SPACE + r"\}\}")
_BLOCKS = "|".join(map(re.escape, BLOCK_FIELD_NAMES))
_BLOCK_PARAGRAPH = re.compile(
    rf"<(p|div)\b[^>]*>(?:{_SPACE}<br\s*/?>)*{_SPACE}"
    rf"\{{\{{{_SPACE}(?P<name>{_BLOCKS}){_SPACE}\}}\}}"
    rf"(?:{_SPACE}<br\s*/?>)*{_SPACE}</\1>"
)

_TAGS = {
    *(f"h{level}" for level in range(1, 7)),
    *("p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "ol", "ul", "li"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
_ALIGNABLE = {*(f"h{level}" for level in range(1, 7)), "p", "div", "li", "th", "td"}


def find_fields(text: str) -> list[str]:
    """The names of the ``{{ 名称 }}`` occurrences, in order, repeats included."""
    return [match.group(1) for match in _FIELD.finditer(text)]


def _refuse(message: str, code: str, field: str):
    raise ApplicationError(message, code=code, fields={field: [message]})


def _tokens(names) -> str:
    return "、".join("{{" + name + "}}" for name in names)


def _check_syntax(text: str, *, field: str = "body") -> None:
    """Every ``{{`` has its ``}}`` around a name (code ``template_syntax``)."""
    empty = next((match for match in _FIELD.finditer(text) if not match.group(1)), None)
    if empty:
        _refuse(_("模板中有空的合并字段 {{}}。"), "template_syntax", field)
    leftover = _FIELD.sub("", text)
    broken = min((index for index in (leftover.find("{{"), leftover.find("}}")) if index >= 0), default=-1)
    if broken >= 0:
        snippet = re.sub(r"<[^>]*>", "", leftover[max(broken - 10, 0) : broken + 20]).strip()
        _refuse(
            _("模板中的花括号不成对：“%(snippet)s”。合并字段写作 {{字段名}}。") % {"snippet": snippet},
            "template_syntax",
            field,
        )


def check_template(text: str, *, field: str = "body") -> None:
    """Refuse a body with a broken brace (``template_syntax``), fields we do not know (``unknown_template_fields``,
    every one named, in order of appearance) or a block field that is not a paragraph of its own
    (``template_block_placement``). ``field`` names the form field the message belongs to."""
    _check_syntax(text, field=field)
    unknown = list(dict.fromkeys(name for name in find_fields(text) if name not in FIELDS_BY_NAME))
    if unknown:
        _refuse(_("模板中有未知字段：%(fields)s。") % {"fields": _tokens(unknown)}, "unknown_template_fields", field)
    placement = _BlockPlacement()
    placement.feed(text)
    placement.close()
    if placement.misplaced:
        _refuse(
            _("%(fields)s 须单独成段，不能放在表格、列表或其他文字中。")
            % {"fields": _tokens(dict.fromkeys(placement.misplaced))},
            "template_block_placement",
            field,
        )


class _BlockPlacement(HTMLParser):
    """Finds block fields that are not the only thing in a top-level ``<p>``/``<div>`` (or bare top-level text)."""

    _VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "col", "area", "base", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.misplaced: list[str] = []
        self._stack: list[str] = []
        self._top: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self._VOID:
            if self._top is not None and tag != "br":
                self._top["children"] += 1
            return
        if not self._stack:
            self._top = {"tag": tag, "text": [], "children": 0}
        elif self._top is not None:
            self._top["children"] += 1
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack.pop() != tag:
            pass
        if not self._stack and self._top is not None:
            top, self._top = self._top, None
            self._judge("".join(top["text"]), alone=top["tag"] in ("p", "div") and not top["children"])

    def handle_data(self, data):
        if self._top is not None:
            self._top["text"].append(data)
        else:
            self._judge(data, alone=True)

    def close(self):
        super().close()
        if self._top is not None:
            self._judge("".join(self._top["text"]), alone=False)

    def _judge(self, text: str, *, alone: bool):
        names = [name for name in find_fields(text) if name in BLOCK_FIELD_NAMES]
        if names and not (alone and len(names) == 1 and _FIELD.fullmatch(text.strip())):
            self.misplaced += names


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # fpdf2 reads colspan/rowspan with int(): anything but a small number is dropped.
    if attribute in ("colspan", "rowspan"):
        return value if value.isdigit() and 1 <= int(value) <= 50 else None
    return value


def clean_html(html: str) -> str:
    """The body with only what a contract needs: headings, paragraphs, emphasis, lists and tables (colspan and
    rowspan), alignment through :data:`ALIGN_CLASSES`. No links, images, styles, scripts or event handlers."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "noscript", "iframe", "object"},
        attributes={"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        attribute_filter=_attribute_filter,
        allowed_classes={tag: set(ALIGN_CLASSES) for tag in _ALIGNABLE},
        strip_comments=True,
        link_rel=None,
    )


def prepare_template(html: str, *, field: str = "body") -> str:
    """What the app stores when a template is saved: the body cleaned, then checked (or refused)."""
    cleaned = clean_html(html)
    check_template(cleaned, field=field)
    return cleaned


def render_html(text: str, context: ContractContext) -> str:
    """The template with every field replaced by its HTML-escaped value; the blocks as a table and paragraphs."""
    html = prepare_template(text)
    cache: dict[str, str] = {}

    def value(name: str) -> str:
        if name not in cache:
            field = FIELDS_BY_NAME[name]
            if field.kind == FieldKind.BLOCK:
                cache[name] = field.value(context).html()
            else:
                cache[name] = escape(str(field.value(context))).replace("\r\n", "\n").replace("\n", "<br>")
        return cache[name]

    html = _BLOCK_PARAGRAPH.sub(lambda match: value(match.group("name")), html)
    return _FIELD.sub(lambda match: value(match.group(1)), html)
