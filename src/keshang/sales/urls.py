from . import opportunities_views, quotations_views

app_name = "sales"

urlpatterns = [*opportunities_views.urlpatterns, *quotations_views.urlpatterns]
