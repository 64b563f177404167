from .views import masters, parts, products

app_name = "catalog"

urlpatterns = [*products.urlpatterns, *parts.urlpatterns, *masters.urlpatterns]
