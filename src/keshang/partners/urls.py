from . import access_requests_views, importing_views
from .views import classifications, merging, ownership, partners, pool, suppliers

app_name = "partners"

urlpatterns = [
    *partners.urlpatterns,
    *pool.urlpatterns,
    *ownership.urlpatterns,
    *importing_views.urlpatterns,
    *merging.urlpatterns,
    *suppliers.urlpatterns,
    *classifications.urlpatterns,
    *access_requests_views.urlpatterns,
]
