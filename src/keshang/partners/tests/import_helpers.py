"""What the import tests share: users who may import, a CSV written from rows, an import job started, previewed or
committed, its refused rows, and Northwind's sample files (the real foreign data of issue 11)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.core.files import File
from django.utils import timezone

from keshang.core import importing
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

NORTHWIND = Path(__file__).resolve().parents[5] / "shared" / "datasets" / "northwind"
CREDIT_CODE = "91440300MA5G0A1B29"  # valid check digit
PERIOD = timezone.localdate().strftime("%Y%m")
OTHER_CREDIT_CODE = "91110108MA01XY3K0T"


def make_user(*, scope=Scope.OWN, department=None, actions=(Action.VIEW, Action.ADD, Action.CHANGE)):
    user = UserFactory(department=department or DepartmentFactory())
    grant(user, "partners.partner", actions, scope)
    grant(user, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    return user


def csv_bytes(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(dict.fromkeys(key for row in rows for key in row)))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def start(actor, content: bytes, *, name="partners.csv", policy="skip", **options):
    return importing.create_import_job(
        actor=actor, kind="partners", upload=File(io.BytesIO(content), name=name), policy=policy, options=options
    )


def preview(actor, rows: list[dict], **kwargs):
    return importing.run_import_job(job_pk=start(actor, csv_bytes(rows), **kwargs).pk, commit=False)


def commit(actor, rows: list[dict], **kwargs):
    return importing.run_import_job(job_pk=start(actor, csv_bytes(rows), **kwargs).pk, commit=True)


def messages_of(job) -> dict[int, list[str]]:
    return {entry["line"]: entry["messages"] for entry in job.errors if entry["level"] == "error"}


needs_northwind = pytest.mark.skipif(
    not NORTHWIND.is_dir(), reason=f"Northwind sample data not found at {NORTHWIND} (../shared/datasets/northwind)"
)


def northwind(tmp_path, name: str) -> Path:
    target = tmp_path / f"{name}.csv"
    shutil.copy(NORTHWIND / f"{name}.csv", target)
    return target


def blank_rejected_cells(path: Path, job, columns: dict[str, str]) -> Path:
    """What a user does with the error report: fix each cell a message names (here, by clearing it).
    ``columns`` maps the start of a message (电话) to the file's column (phone)."""
    rejected = messages_of(job)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for line, row in enumerate(rows, start=1):
        for message in rejected.get(line, []):
            column = next(column for prefix, column in columns.items() if message.startswith(prefix))
            row[header.index(column)] = ""
    fixed = path.with_name(f"{path.stem}-fixed.csv")
    with open(fixed, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return fixed


def import_path(actor, path: Path, *, commit_: bool, **options):
    with open(path, "rb") as handle:
        job = importing.create_import_job(actor=actor, kind="partners", upload=File(handle, name=path.name), **options)
    return importing.run_import_job(job_pk=job.pk, commit=commit_)
