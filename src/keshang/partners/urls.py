from . import access_requests_views, importing_views, suppliers_views
from .views import merging, ownership, partners, pool

app_name = "partners"

urlpatterns = [
    *partners.urlpatterns,
    *pool.urlpatterns,
    *ownership.urlpatterns,
    *importing_views.urlpatterns,
    *merging.urlpatterns,
    *suppliers_views.urlpatterns,
    *access_requests_views.urlpatterns,
]
