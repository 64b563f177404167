from functools import partial

from django.conf import settings

from keshang.core.notifications import count_unread
from keshang.core.registry import menu_for


def shell(request):
    """The frame's menu and unread count, as callables so fragments that do not show them cost no query."""
    user = getattr(request, "user", None)
    context = {"site_name": settings.KESHANG_SITE_NAME}
    if user is not None and user.is_authenticated:
        context.update(menu=partial(menu_for, user, request.path), unread_count=partial(count_unread, user=user))
    return context
