from .views import access_requests, classifications, importing, merging, ownership, partners, pool, suppliers

app_name = "partners"

urlpatterns = [
    *partners.urlpatterns,
    *pool.urlpatterns,
    *ownership.urlpatterns,
    *importing.urlpatterns,
    *merging.urlpatterns,
    *suppliers.urlpatterns,
    *classifications.urlpatterns,
    *access_requests.urlpatterns,
]
