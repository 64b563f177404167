from django.apps import apps
from django.urls import path

from keshang.core.timeline import timeline_models

from . import views

app_name = "web"


def _timeline_urls() -> list:
    """One 动态 page per model some app gave a timeline (registered in ready(), before the URLconf loads)."""
    patterns = []
    for label in timeline_models():
        model = apps.get_model(label)
        view = type(f"{model.__name__}TimelineView", (views.TimelineView,), {"model": model, "__module__": __name__})
        route = f"timeline/{model._meta.app_label}/{model._meta.model_name}/<int:pk>/"
        patterns.append(path(route, view.as_view(), name=f"{label.replace('.', '_')}_timeline"))
    return patterns


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("search/", views.SearchView.as_view(), name="search"),
    *_timeline_urls(),
]
