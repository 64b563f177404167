from .views import urlpatterns as contract_patterns
from .views_signing import urlpatterns as signing_patterns

app_name = "contracts"

# Signing first: the generated contract patterns take any word after a contract's id as a workflow move.
urlpatterns = [*signing_patterns, *contract_patterns]
