"""Background jobs of core, run by the Huey consumer (immediately, in-process, under tests)."""

from django.core.mail import send_mail
from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=60)
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients, fail_silently=False)


@db_task()
def run_import_task(job_pk: int, *, commit: bool) -> None:
    """Validate or commit a large import (core.importing). Never retried: a commit is all or nothing, and a
    failed run leaves the job marked failed with its reason for the user to act on."""
    from .importing import run_import_job

    run_import_job(job_pk=job_pk, commit=commit)
