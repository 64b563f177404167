"""Pages of partners' importing feature."""

urlpatterns: list = []
