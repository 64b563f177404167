"""API of partners' importing feature: actions mixed into PartnerViewSet and extra routes."""


class ActionsMixin:
    """Custom actions on /api/v1/partners/partners/{id}/… for this feature."""


api_urlpatterns: list = []
