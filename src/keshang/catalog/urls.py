from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("categories/", views.ProductCategoryListView.as_view(), name="productcategory_list"),
    path("brands/", views.BrandListView.as_view(), name="brand_list"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
]
