from django.urls import path

from .approvals import views as approvals_views
from .attachments import views as attachments_views
from .importing import views as importing_views
from .views import audit, backups, currencies, notifications, regions

app_name = "core"

urlpatterns = [
    path("audit/", audit.AuditEntryListView.as_view(), name="auditentry_list"),
    path("audit/<int:pk>/", audit.AuditEntryDetailView.as_view(), name="auditentry_detail"),
    *currencies.urlpatterns,
    path("regions/options/", regions.RegionOptionsView.as_view(), name="region_options"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path("notifications/badge/", notifications.NotificationBadgeView.as_view(), name="notification_badge"),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", notifications.NotificationReadView.as_view(), name="notification_read"),
]
urlpatterns += [
    *importing_views.urlpatterns,
    *attachments_views.urlpatterns,
    *approvals_views.urlpatterns,
    *backups.urlpatterns,
]
