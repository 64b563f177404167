"""Pages of core's importing framework."""

urlpatterns: list = []
