"""The notification centre: services that write notifications and selectors that read a user's inbox.

A notification is personal: it is read only through ``list_notifications(user=…)``, never through a
data scope, so not even an administrator reads someone else's inbox.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import send_mail_task

__all__ = ["notify", "mark_notification_read", "mark_all_notifications_read", "list_notifications", "count_unread"]


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    email: bool = False,
) -> list[Notification]:
    """Notify users in-app, and by e-mail after commit for those with an address when ``email``."""
    recipients = [user for user in dict.fromkeys(recipients) if user is not None and user.is_active]
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            Notification(recipient=user, title=title[:200], body=body, url=url, level=level) for user in recipients
        )
        addresses = [user.email for user in recipients if user.email]
        if email and addresses:
            transaction.on_commit(
                lambda: send_mail_task(subject=title, body=f"{body}\n\n{url}".strip(), recipients=addresses)
            )
    return created


def mark_notification_read(*, user, pk: int) -> bool:
    return bool(list_notifications(user=user).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_notifications_read(*, user) -> int:
    return list_notifications(user=user).unread().update(read_at=timezone.now())


def list_notifications(*, user):
    return Notification.objects.filter(recipient=user)


def count_unread(*, user) -> int:
    return list_notifications(user=user).unread().count()
