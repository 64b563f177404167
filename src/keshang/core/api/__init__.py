"""Core's API. The package's own names are the framework every app builds its API on: the scoped viewset bases,
fields and serializer mixins (``base``) and the one error format (``errors``), re-exported here so apps import
``keshang.core.api``. Core's own endpoints are the other modules (``audit``, ``currencies``, ``notifications``,
``regions``), routed in ``urls``; nothing here imports them."""

from .base import (
    HTTP_ACTIONS,
    MaskedSerializerMixin,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedRelatedField,
    ScopedViewSetMixin,
    StrictBodyMixin,
)
from .errors import NotFoundView, document_error_responses, exception_handler, not_found_route

__all__ = [
    "ScopedViewSetMixin",
    "ScopedModelViewSet",
    "ScopedReadOnlyViewSet",
    "ScopedRelatedField",
    "MaskedSerializerMixin",
    "exception_handler",
    "document_error_responses",
    "NotFoundView",
    "not_found_route",
    "HTTP_ACTIONS",
    "StrictBodyMixin",
]
