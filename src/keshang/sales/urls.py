from .views import board, documents, opportunities

app_name = "sales"

urlpatterns = [*board.urlpatterns, *opportunities.urlpatterns, *documents.urlpatterns]
