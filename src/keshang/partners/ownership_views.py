"""Pages of partners' ownership feature."""

urlpatterns: list = []
