from django.urls import path

from . import approvals_views, attachments_views, backup_views, importing_views, views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditEntryListView.as_view(), name="auditentry_list"),
    path("audit/<int:pk>/", views.AuditEntryDetailView.as_view(), name="auditentry_detail"),
    path("currencies/", views.CurrencyListView.as_view(), name="currency_list"),
    path("currencies/add/", views.CurrencyEditView.as_view(), name="currency_add"),
    path("currencies/<int:pk>/", views.CurrencyDetailView.as_view(), name="currency_detail"),
    path("currencies/<int:pk>/edit/", views.CurrencyEditView.as_view(), name="currency_edit"),
    path("currencies/<int:pk>/delete/", views.CurrencyDeleteView.as_view(), name="currency_delete"),
    path("currencies/<int:pk>/history/", views.CurrencyHistoryView.as_view(), name="currency_history"),
    path("exchange-rates/", views.ExchangeRateListView.as_view(), name="exchangerate_list"),
    path("exchange-rates/add/", views.ExchangeRateEditView.as_view(), name="exchangerate_add"),
    path("exchange-rates/<int:pk>/", views.ExchangeRateDetailView.as_view(), name="exchangerate_detail"),
    path("exchange-rates/<int:pk>/edit/", views.ExchangeRateEditView.as_view(), name="exchangerate_edit"),
    path("exchange-rates/<int:pk>/delete/", views.ExchangeRateDeleteView.as_view(), name="exchangerate_delete"),
    path("exchange-rates/<int:pk>/history/", views.ExchangeRateHistoryView.as_view(), name="exchangerate_history"),
    path("regions/options/", views.RegionOptionsView.as_view(), name="region_options"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/badge/", views.NotificationBadgeView.as_view(), name="notification_badge"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
]
urlpatterns += [
    *importing_views.urlpatterns,
    *attachments_views.urlpatterns,
    *approvals_views.urlpatterns,
    *backup_views.urlpatterns,
]
