"""Pages of core's attachments framework."""

urlpatterns: list = []
