"""API pagination, in its own module: DRF imports it while ``core.api`` is still loading."""

from rest_framework.pagination import PageNumberPagination

__all__ = ["StandardPagination"]


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
