"""Core's home-page widgets: the user's newest notifications and the audit activity they may see."""

from . import notifications, selectors


def notifications_widget(request):
    entries = notifications.list_notifications(user=request.user)[:8]
    return {"notifications": entries, "unread_count": notifications.count_unread(user=request.user)}


def recent_activity_widget(request):
    return {"entries": selectors.recent_activity(user=request.user, limit=10)}
