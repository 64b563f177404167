api_urlpatterns = []


def register_routes(router) -> None:
    pass
