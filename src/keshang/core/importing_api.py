"""API of core's importing framework."""

api_urlpatterns: list = []
