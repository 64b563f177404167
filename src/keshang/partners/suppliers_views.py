"""Pages of partners' suppliers feature."""

urlpatterns: list = []
