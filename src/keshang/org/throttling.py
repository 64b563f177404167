"""Login throttling (issue 12, finding 9): failures are counted per account *and* address, with growing delays.

A hard lock of the account let anyone lock anyone out with five wrong passwords. Instead, after
``AXES_FAILURE_LIMIT`` failures for one account from one address, that address waits
``KESHANG_LOGIN_THROTTLE_BASE``; each further failure after a wait doubles it, up to
``KESHANG_LOGIN_THROTTLE_MAX``. Another address (the user at their desk) still logs in. Failures are forgotten
after ``AXES_COOLOFF_TIME`` without one. The user is alerted when an address reaches the limit, and again each
time it fails that many times more. The API token endpoint authenticates through the same backend, so it is
throttled alike. Administrators see and clear throttles on the 登录限制 page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.models import AuditAction, Notification
from keshang.core.notifications import notify
from keshang.core.permissions import Action

__all__ = ["ThrottlingHandler", "throttle_delay", "waits_until", "list_login_throttles", "clear_login_throttle"]


def throttle_delay(failures: int, limit: int | None = None) -> timedelta:
    """How long an address waits after ``failures`` failures for one account: nothing below the limit, then
    the base delay doubled for each failure past it, capped."""
    limit = limit or settings.AXES_FAILURE_LIMIT
    if failures < limit:
        return timedelta(0)
    base, cap = settings.KESHANG_LOGIN_THROTTLE_BASE, settings.KESHANG_LOGIN_THROTTLE_MAX
    return min(base * 2 ** min(failures - limit, 20), cap)


def waits_until(attempt: AccessAttempt) -> datetime | None:
    """When the address may try again, or None when it need not wait."""
    delay = throttle_delay(attempt.failures_since_start)
    if not delay:
        return None
    until = attempt.attempt_time + delay
    return until if until > timezone.now() else None


class ThrottlingHandler(AxesDatabaseHandler):
    """axes' database handler, with a growing wait per (account, address) instead of a fixed lock."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        limit = get_failure_limit(request, credentials)
        for attempts in self.get_user_attempts(request, credentials):
            for attempt in attempts:
                if attempt.failures_since_start >= limit and waits_until(attempt) is not None:
                    return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        failures = getattr(request, "axes_failures_since_start", 0) or 0
        limit = get_failure_limit(request, credentials)
        if failures >= limit and (failures - limit) % limit == 0:
            _alert_user(get_client_username(request, credentials), request.axes_ip_address, failures)


def _alert_user(username: str | None, address: str, failures: int) -> None:
    from .models import User

    user = User.objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        return
    notify(
        recipients=[user],
        title=_("您的账户多次登录失败"),
        body=_(
            "您的账户从地址 %(address)s 已连续登录失败 %(count)s 次，该地址已被暂缓登录。"
            "如果不是您本人操作，请尽快修改密码并告知管理员。"
        )
        % {"address": address, "count": failures},
        level=Notification.Level.WARNING,
        email=True,
    )


def list_login_throttles(*, user, action: str = Action.VIEW):
    """Every recorded run of failures (the page checks the grant; throttles are not scoped data)."""
    return AccessAttempt.objects.order_by("-attempt_time")


def clear_login_throttle(*, actor, attempt: AccessAttempt) -> None:
    """Unlock: forget the failures of one account from one address, audited on the account when it exists."""
    from .models import User

    with transaction.atomic():
        user = User.objects.filter(username=attempt.username).first()
        audit.record_event(
            actor=actor,
            obj=user,
            action=AuditAction.UPDATE,
            message=_("解除登录限制：%(username)s，地址 %(address)s")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
        attempt.delete()
