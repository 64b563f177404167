"""登录限制: the addresses waiting to log in to an account, and unlocking them (issue 12, finding 9)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectMixin, ScopedViewMixin, redirect_after_write

from ..throttling import clear_login_throttle, list_login_throttles, waits_until

__all__ = ["urlpatterns"]


class LoginThrottleListView(ScopedViewMixin, View):
    model = AccessAttempt
    selector = list_login_throttles
    template_name = "org/loginthrottle_list.html"

    def get(self, request):
        rows = [(attempt, waits_until(attempt)) for attempt in self.queryset[:500]]
        context = {"rows": rows, "can_unlock": has_action(request.user, self.resource, Action.DELETE)}
        return TemplateResponse(request, self.template_name, context)


class LoginThrottleUnlockView(ScopedViewMixin, ObjectMixin, View):
    model = AccessAttempt
    selector = list_login_throttles
    action = Action.DELETE

    def post(self, request, pk):
        attempt = self.get_object()
        with transaction.atomic():
            clear_login_throttle(actor=request.user, attempt=attempt)
        messages.success(
            request,
            _("已解除“%(username)s”在地址 %(address)s 的登录限制。")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
        return redirect_after_write(request, reverse("org:loginthrottle_list"))


urlpatterns = [
    path("login-throttles/", LoginThrottleListView.as_view(), name="loginthrottle_list"),
    path("login-throttles/<int:pk>/unlock/", LoginThrottleUnlockView.as_view(), name="loginthrottle_unlock"),
]
