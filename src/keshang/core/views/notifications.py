"""Notifications: the user's own inbox (通知中心), marking read, and the header's unread badge."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .. import notifications
from .generic import PAGE_SIZES, PersonalViewMixin, htmx_partial, redirect_after_write

__all__ = ["NotificationListView", "NotificationReadView", "NotificationReadAllView", "NotificationBadgeView"]


class NotificationListView(PersonalViewMixin, View):
    template_name = "core/notification_list.html"

    def get(self, request):
        entries = notifications.list_notifications(user=request.user)
        if request.GET.get("unread"):
            entries = entries.unread()
        page = Paginator(entries, PAGE_SIZES[0]).get_page(request.GET.get("page"))
        context = {"page": page, "unread_only": bool(request.GET.get("unread"))}
        template = f"{self.template_name}#list" if htmx_partial(request) else self.template_name
        return TemplateResponse(request, template, context)


class NotificationReadView(PersonalViewMixin, View):
    """POST: mark one notification read and go to what it points at."""

    def post(self, request, pk):
        notification = get_object_or_404(notifications.list_notifications(user=request.user), pk=pk)
        notifications.mark_notification_read(user=request.user, pk=notification.pk)
        target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else ""
        return redirect_after_write(request, target or reverse("core:notification_list"))


class NotificationReadAllView(PersonalViewMixin, View):
    def post(self, request):
        count = notifications.mark_all_notifications_read(user=request.user)
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
        return redirect_after_write(request, reverse("core:notification_list"))


class NotificationBadgeView(PersonalViewMixin, View):
    """The header's unread count, polled by htmx."""

    def get(self, request):
        return TemplateResponse(
            request, "core/notification_badge.html", {"unread_count": notifications.count_unread(user=request.user)}
        )
