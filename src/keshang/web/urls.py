from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
]
