"""API of core's attachments framework."""

api_urlpatterns: list = []
