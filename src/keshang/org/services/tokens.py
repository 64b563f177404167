"""API tokens: obtained per device, shown once, stored hashed; revoked by their user, an administrator, a password
change or reset and deactivation (issue 12, finding 2)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

from ..models import ApiToken, User, hash_token_key

__all__ = [
    "TOKEN_TOUCH_INTERVAL",
    "authenticate_token",
    "create_api_token",
    "revoke_api_token",
    "revoke_user_tokens",
]

# last_used_at / last_used_ip are written at most this often per token, not on every request.
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=1)
DEVICE_NAME_MAX = ApiToken._meta.get_field("name").max_length


def _device_name(name: str, user_agent: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        name = " ".join((user_agent or "").split()) or gettext("未命名设备")
    return name[:DEVICE_NAME_MAX]


def create_api_token(*, user: User, name: str = "", user_agent: str = "") -> tuple[ApiToken, str]:
    """A new token for one device; returns it and its key, which is never stored or shown again."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=_device_name(name, user_agent),
            key_hash=hash_token_key(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.KESHANG_API_TOKEN_DAYS),
        )
        audit.record_event(
            actor=user,
            obj=user,
            action=AuditAction.LOGIN,
            message=gettext("创建 API 令牌 %(prefix)s（%(name)s）") % {"prefix": token.prefix, "name": token.name},
        )
    return token, key


def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one token (the caller has found it through the actor's own tokens or the users they manage)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record_event(
                actor=actor,
                obj=token.user,
                action=AuditAction.LOGOUT,
                message=gettext("撤销 API 令牌 %(prefix)s（%(name)s）") % {"prefix": token.prefix, "name": token.name},
            )
    return token


def revoke_user_tokens(*, user: User) -> int:
    """Revoke every live token of the user (password change or reset, deactivation); the caller audits why."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate_token(*, key: str, ip: str | None = None) -> ApiToken:
    """The live token of this key, its use recorded at most once a minute; else ApplicationError with
    ``invalid_token``, ``token_expired`` or ``token_revoked``."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(key)).first()
    if token is None or not token.user.is_active:
        raise ApplicationError(gettext("API 令牌无效。"), code="invalid_token")
    now = timezone.now()
    if token.revoked_at is not None:
        raise ApplicationError(gettext("API 令牌已撤销，请重新获取。"), code="token_revoked")
    if token.is_expired(on=now):
        raise ApplicationError(gettext("API 令牌已过期，请重新获取。"), code="token_expired")
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        # One conditional UPDATE: concurrent requests of the same minute write once.
        stale = now - TOKEN_TOUCH_INTERVAL
        updated = (
            ApiToken.objects.filter(pk=token.pk)
            .exclude(last_used_at__gt=stale)
            .update(last_used_at=now, last_used_ip=ip)
        )
        if updated:
            token.last_used_at, token.last_used_ip = now, ip
    return token
