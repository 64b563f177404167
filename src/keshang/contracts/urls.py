from .views import urlpatterns as contract_patterns

app_name = "contracts"

urlpatterns = [*contract_patterns]
