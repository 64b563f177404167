from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/add/", views.ProductEditView.as_view(), name="product_add"),
    path("products/import/", views.ProductImportView.as_view(), name="product_import"),
    path("products/pick/", views.ProductPickView.as_view(), name="product_pick"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
    path("products/<int:pk>/delete/", views.ProductDeleteView.as_view(), name="product_delete"),
    path("products/<int:pk>/history/", views.ProductHistoryView.as_view(), name="product_history"),
    path("products/<int:pk>/units/", views.ProductUnitsView.as_view(), name="product_units"),
    path("products/<int:pk>/prices/", views.ProductPriceRulesView.as_view(), name="product_prices"),
    path("products/<int:product_pk>/units/add/", views.ProductUnitEditView.as_view(), name="productunit_add"),
    path("product-units/<int:pk>/edit/", views.ProductUnitEditView.as_view(), name="productunit_edit"),
    path("product-units/<int:pk>/delete/", views.ProductUnitDeleteView.as_view(), name="productunit_delete"),
    path("products/<int:product_pk>/prices/add/", views.PriceRuleEditView.as_view(), name="pricerule_add"),
    path("price-rules/<int:pk>/edit/", views.PriceRuleEditView.as_view(), name="pricerule_edit"),
    path("price-rules/<int:pk>/delete/", views.PriceRuleDeleteView.as_view(), name="pricerule_delete"),
    path("categories/", views.CategoryListView.as_view(), name="productcategory_list"),
    path("categories/add/", views.CategoryEditView.as_view(), name="productcategory_add"),
    path("categories/<int:pk>/", views.CategoryDetailView.as_view(), name="productcategory_detail"),
    path("categories/<int:pk>/edit/", views.CategoryEditView.as_view(), name="productcategory_edit"),
    path("categories/<int:pk>/delete/", views.CategoryDeleteView.as_view(), name="productcategory_delete"),
    path("categories/<int:pk>/history/", views.CategoryHistoryView.as_view(), name="productcategory_history"),
    path("brands/", views.BrandListView.as_view(), name="brand_list"),
    path("brands/add/", views.BrandEditView.as_view(), name="brand_add"),
    path("brands/<int:pk>/", views.BrandDetailView.as_view(), name="brand_detail"),
    path("brands/<int:pk>/edit/", views.BrandEditView.as_view(), name="brand_edit"),
    path("brands/<int:pk>/delete/", views.BrandDeleteView.as_view(), name="brand_delete"),
    path("brands/<int:pk>/history/", views.BrandHistoryView.as_view(), name="brand_history"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/add/", views.UnitEditView.as_view(), name="unit_add"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("units/<int:pk>/history/", views.UnitHistoryView.as_view(), name="unit_history"),
]
