"""API tokens as people read them: one's own, or a user's for those who may change that user."""

from django.utils import timezone

from keshang.core.permissions import Action

from ..models import ApiToken, User

__all__ = ["list_api_tokens", "token_rows"]


def list_api_tokens(*, viewer, user: User):
    """``user``'s tokens, newest first, when ``viewer`` is that user or may change them; else None."""
    if viewer.pk != user.pk and not User.objects.visible_to(viewer, Action.CHANGE).filter(pk=user.pk).exists():
        return None
    return ApiToken.objects.filter(user=user)


def token_rows(tokens, revoke_url) -> list[dict]:
    """What a token table shows: each token, whether it has expired, and its revoke page (``revoke_url(token)``)."""
    now = timezone.now()
    return [{"token": token, "expired": token.is_expired(on=now), "revoke_url": revoke_url(token)} for token in tokens]
