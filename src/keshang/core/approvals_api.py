"""Approval endpoints: the inbox, decisions, flows and delegations."""

api_urlpatterns = []


def register_routes(router) -> None:
    pass
