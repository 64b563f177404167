"""The contract template engine (issue 13): merge fields named in Chinese, filled into rich-text (HTML) bodies,
their PDF form and Word (.docx) templates. Pure Python: the contracts app builds a :class:`ContractContext` from
its records and calls these functions; nothing here reads or writes the database.

- :mod:`.context`: the dataclasses a template is filled from.
- :mod:`.fields`: the registry of merge fields (``FIELDS``, ``field_groups()`` for the picker).
- :mod:`.render`: HTML bodies — ``find_fields``, ``check_template``, ``clean_html``, ``prepare_template``,
  ``render_html``.
- :mod:`.pdf`: ``render_for_pdf`` — the same, in the HTML subset fpdf2's ``write_html`` draws.
- :mod:`.word`: ``check_docx``, ``render_docx`` — Word templates through docxtpl (syntax in its docstring).
"""

from .blocks import LINE_FIELDS, STAGE_FIELDS, RowField
from .context import ContractContext, LineContext, PartyContext, StageContext
from .fields import BLOCK_FIELD_NAMES, FIELDS, GROUPS, FieldGroup, FieldKind, MergeField, field_groups, field_names
from .pdf import html_for_pdf, pdf_write_options, render_for_pdf
from .render import ALIGN_CLASSES, check_template, clean_html, find_fields, prepare_template, render_html
from .word import check_docx, render_docx

__all__ = [
    "ContractContext",
    "PartyContext",
    "LineContext",
    "StageContext",
    "FIELDS",
    "GROUPS",
    "BLOCK_FIELD_NAMES",
    "FieldGroup",
    "FieldKind",
    "MergeField",
    "RowField",
    "LINE_FIELDS",
    "STAGE_FIELDS",
    "field_groups",
    "field_names",
    "ALIGN_CLASSES",
    "find_fields",
    "check_template",
    "clean_html",
    "prepare_template",
    "render_html",
    "render_for_pdf",
    "html_for_pdf",
    "pdf_write_options",
    "check_docx",
    "render_docx",
]
