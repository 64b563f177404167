"""The project's URLs plus the test app's, for tests marked ``@pytest.mark.urls(__name__)``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from keshang.urls import urlpatterns as project_urlpatterns

from . import api, views

router = DefaultRouter()
router.register("memos", api.MemoViewSet, basename="memo")

scopeapp_patterns = (
    [
        path("", views.MemoListView.as_view(), name="memo_list"),
        path("add/", views.MemoEditView.as_view(), name="memo_add"),
        path("<int:pk>/", views.MemoDetailView.as_view(), name="memo_detail"),
        path("<int:pk>/edit/", views.MemoEditView.as_view(), name="memo_edit"),
        path("<int:pk>/delete/", views.MemoDeleteView.as_view(), name="memo_delete"),
        path("<int:pk>/history/", views.MemoHistoryView.as_view(), name="memo_history"),
        path("import/", views.MemoImportView.as_view(), name="memo_import"),
        path("bulk-delete/", views.MemoBulkDeleteView.as_view(), name="memo_bulk_delete"),
    ],
    "scopeapp",
)

urlpatterns = [
    *project_urlpatterns,
    path("memos/", include(scopeapp_patterns)),
    path("api/v1/scopeapp/", include((router.urls, "scopeapp-api"))),
]
