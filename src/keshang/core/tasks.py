"""Background jobs of core, run by the Huey consumer (immediately, in-process, under tests)."""

from django.core.mail import send_mail
from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=60)
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients, fail_silently=False)
