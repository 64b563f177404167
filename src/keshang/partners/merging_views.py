"""Pages of partners' merging feature."""

urlpatterns: list = []
