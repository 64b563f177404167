"""The parts of the import framework an importer is written against: fields, options, rows, the
:class:`Importer` base class and the registry of importers by kind."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import ApplicationError
from ..permissions import Action
from ..scope import has_action

__all__ = [
    "DuplicatePolicy",
    "ImportFileError",
    "ImportField",
    "ImportOption",
    "Row",
    "Importer",
    "normalise_header",
    "register_importer",
    "get_importer",
    "importers",
]


class ImportFileError(ApplicationError):
    """The file itself cannot be imported (format, encoding, size, no rows)."""

    def __init__(self, message):
        super().__init__(message, code="import_file", fields={"file": [message]})


class DuplicatePolicy(models.TextChoices):
    """What a row that matches an existing record does."""

    SKIP = "skip", gettext_lazy("跳过已存在的")
    UPDATE = "update", gettext_lazy("更新已存在的")
    CREATE = "create", gettext_lazy("仍然新增")


def normalise_header(text: str) -> str:
    """A header as compared with synonyms: 名称* / 名称（必填）/ Company_Name / ＣｏｍｐａｎｙＮａｍｅ → one key."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    text = re.sub(r"[(（\[【]\s*(必填|选填|required|optional)\s*[)）\]】]", "", text)
    return re.sub(r"[\W_]+", "", text)


#
# Importers: one class per kind of record, registered by name
#


@dataclass(frozen=True)
class ImportField:
    """One column an importer understands. ``synonyms`` are other headers people use for it."""

    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help_text: str = ""
    example: str = ""

    def header_keys(self) -> set[str]:
        """Every way a header may name this field: its label in the site's language and the user's, the
        field name and the synonyms, each normalised."""
        with translation.override(settings.LANGUAGE_CODE):
            source_label = str(self.label)
        texts = (self.name, source_label, str(self.label), *self.synonyms)
        return {normalise_header(text) for text in texts} - {""}


@dataclass(frozen=True)
class ImportOption:
    """A choice made once for the whole file (e.g. "import rows without a role as suppliers")."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...]
    default: str


@dataclass
class Row:
    """One data row on its way through an importer. ``line`` is its row number in the file (the header
    is line ``header_row``); ``cells`` are the original texts, for the error report; ``values`` the mapped
    ones by field name. The importer fills ``data``, sets ``action`` and may point ``target`` at the
    existing record an update or skip refers to."""

    CREATE: ClassVar[str] = "create"
    UPDATE: ClassVar[str] = "update"
    SKIP: ClassVar[str] = "skip"

    line: int
    cells: list[str]
    values: dict[str, str]
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    action: str = ""
    target: object = None

    def error(self, message: str) -> None:
        self.errors.append(message)

    def notice(self, message: str) -> None:
        self.notices.append(message)


class Importer:
    """Base of every importer. The framework reads, maps, counts, reports and wraps the commit in one
    transaction; a subclass says what the columns mean and how rows are written.

    Per file: ``prepare()`` once (load what validation compares against, in bulk: a query per row would
    not survive 100,000 rows). Per row, in order: ``clean(row)`` (parse ``row.values`` into ``row.data`` or
    ``row.error(...)``), ``identities(row)`` (keys two rows of one file must not share), ``resolve(row)``
    (compare with the database under ``self.policy``: set ``row.action``, ``row.target`` or an error). On
    commit, ``write(rows)`` is called per batch with the rows to create or update; it may reject rows
    with ``row.error()`` (the whole import then rolls back).
    """

    # Pages show the class's name and fields; a template must not try to instantiate it.
    do_not_call_in_templates: ClassVar[bool] = True
    kind: ClassVar[str] = ""
    verbose_name: ClassVar[str] = ""
    resource: ClassVar[str] = ""  # needs "add"; the update policy needs "change" too
    list_url_name: ClassVar[str] = ""  # where the result page sends people to see what was imported
    fields: ClassVar[tuple[ImportField, ...]] = ()
    options: ClassVar[tuple[ImportOption, ...]] = ()
    policies: ClassVar[tuple[str, ...]] = tuple(DuplicatePolicy.values)
    instructions: ClassVar[tuple[str, ...]] = ()  # lines for the template's 填写说明 sheet

    def __init__(self, *, actor, policy: str = DuplicatePolicy.SKIP, options: dict | None = None):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.policy = policy
        self.option_values = {option.name: option.default for option in self.options}
        self.option_values.update({key: value for key, value in (options or {}).items() if key in self.option_values})

    @classmethod
    def field_map(cls) -> dict[str, ImportField]:
        return {item.name: item for item in cls.fields}

    @classmethod
    def required_actions(cls, policy: str) -> tuple[str, ...]:
        return (Action.ADD, Action.CHANGE) if policy == DuplicatePolicy.UPDATE else (Action.ADD,)

    @classmethod
    def check_grants(cls, actor, policy: str) -> None:
        """Refuse an actor whose roles do not allow this import (no actor: the system, from the command line)."""
        if actor is None:
            return
        for action in cls.required_actions(policy):
            if not has_action(actor, cls.resource, action):
                raise PermissionDenied(_("您没有导入%(kind)s的权限。") % {"kind": cls.verbose_name})

    def prepare(self) -> None:
        """Load, in a few queries, what the rows are compared against."""

    def clean(self, row: Row) -> None:
        raise NotImplementedError

    def identities(self, row: Row) -> list[tuple[str, str]]:
        """``(key, what it is)`` pairs no two rows of one file may share, e.g. ``("91…", "统一社会信用代码")``."""
        return []

    def resolve(self, row: Row) -> None:
        row.action = Row.CREATE

    def write(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def describe(self, row: Row) -> str:
        """A short label for the row on the preview page: its first filled field, in the importer's field
        order (not the mapping's: PostgreSQL's jsonb does not keep the order of a stored mapping's keys)."""
        return next((row.values[item.name] for item in self.fields if row.values.get(item.name)), "")


_importers: dict[str, type[Importer]] = {}


def register_importer(kind: str, importer: type[Importer]) -> None:
    _importers[kind] = importer


def get_importer(kind: str) -> type[Importer] | None:
    return _importers.get(kind)


def importers() -> dict[str, type[Importer]]:
    return dict(_importers)
