"""Importing spreadsheets: the machinery every importer shares (issue 3; products reuse it in issue 4).

An import is an :class:`~keshang.core.models.ImportJob` that goes through four steps:

1. **upload** (:func:`create_import_job`): the file is recognised by its content, not its name (an .xlsx is
   a zip holding ``[Content_Types].xml``; anything else must be text: UTF-8 with or without BOM, UTF-16 as
   Excel's "Unicode text", or GB18030 as Excel on Chinese Windows writes CSV); its size and row count are
   capped; the header row is found and each column matched to a field by its header's synonyms.
2. **mapping** (:func:`set_import_mapping`): the user confirms the columns, the duplicate policy and the
   importer's options. A refused mapping fails the job with its reasons; a corrected one revives it.
3. **validation** (:func:`run_import_job` with ``commit=False``): every row is cleaned and checked by the
   importer, against the database and against the rows above it. Nothing is written. Rejected rows go to
   the error report (.xlsx: the original row, its line number and 错误原因).
4. **commit** (``commit=True``): the same pass again inside ONE transaction, writing batch by batch; if any
   row is rejected, everything rolls back. Checking again rather than trusting the preview keeps the result
   right when someone added a record in between.

Files over ``KESHANG_IMPORT_INLINE_ROWS`` rows run as a Huey job and the page polls the progress. While a
commit's transaction is open its progress cannot go through the database (SQLite has one writer, and
other connections do not see uncommitted rows), so it goes through Huey's key-value store instead.

Rows are streamed: one batch of cleaned rows is held at a time, plus the keys seen so far (for duplicates
within the file). An importer is a class per kind, registered with :func:`register_importer`.

The package: ``base`` (what an importer is written against), ``files`` (reading, template, error
report), ``steps`` (the steps a user takes, as services), ``jobs`` (running a step: the pass over the rows),
``progress`` (progress and heartbeats through Huey's store), ``recovery`` (failing the jobs of crashed runs),
``lookups`` (countries and China's regions for importers), ``archives`` (upload checks); its pages are
``views`` and its API ``api``, imported by core's URLconfs only (apps subclass ``views.ImportUploadView``).

``ImportJob.mapping`` holds ``header_row`` (1-based), ``headers``, ``samples`` (the first data rows, for
the mapping page), ``columns`` (field → 0-based column index) and ``options``. ``ImportJob.errors`` holds
up to :data:`jobs.MAX_LISTED` entries ``{line, label, level ("error" or "notice"), messages}``.
"""

from django.utils.translation import gettext_lazy

from ..permissions import Action
from .base import (
    DuplicatePolicy,
    Importer,
    ImportField,
    ImportFileError,
    ImportOption,
    Row,
    get_importer,
    importers,
    normalise_header,
    register_importer,
)
from .files import build_template, inspect_file, open_rows, suggest_columns
from .jobs import run_import_job
from .lookups import RegionResolver, country_code
from .progress import import_progress
from .recovery import fail_orphaned_imports
from .steps import create_import_job, list_import_jobs, set_import_mapping, start_commit, start_validation

__all__ = [
    "DuplicatePolicy",
    "ImportField",
    "ImportOption",
    "Row",
    "Importer",
    "ImportFileError",
    "register_importer",
    "get_importer",
    "importers",
    "normalise_header",
    "open_rows",
    "inspect_file",
    "suggest_columns",
    "build_template",
    "list_import_jobs",
    "create_import_job",
    "set_import_mapping",
    "start_validation",
    "start_commit",
    "run_import_job",
    "import_progress",
    "fail_orphaned_imports",
    "country_code",
    "RegionResolver",
    "register",
]


def register() -> None:
    """The ``core.importjob`` resource: everyone follows their own imports, administrators all of them.
    Called from CoreConfig.ready(); importers register themselves from their apps."""
    from ..permissions import Persona, Resource, Scope, register_resource

    mine = {persona: ((Action.VIEW, Action.ADD), Scope.OWN) for persona in Persona.values}
    register_resource(
        Resource(
            "core.importjob",
            gettext_lazy("导入任务"),
            actions=(Action.VIEW, Action.ADD),
            scoped=True,
            defaults={**mine, Persona.ADMIN: ((Action.VIEW, Action.ADD), Scope.ALL)},
        )
    )
