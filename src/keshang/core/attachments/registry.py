"""The models that carry attachments: each registered from its app's ``AppConfig.ready()``
(``register_attachable(Partner)``); the attachment pages and API routes are built from this registry when the
URLconf loads."""

from __future__ import annotations

from django.db import models

__all__ = [
    "register_attachable",
    "attachable_models",
    "allowed_kinds",
    "attachment_url_name",
    "attachment_api_url_name",
]

_attachable: dict[str, type[models.Model]] = {}
# Models whose attachments are limited to some kinds of content (a product's images).
_allowed_kinds: dict[str, frozenset[str]] = {}


def register_attachable(model: type[models.Model], *, kinds: tuple[str, ...] | None = None) -> None:
    """Give ``model`` attachment pages and API routes; call from ``AppConfig.ready()``. ``kinds`` limits
    what may be attached (e.g. ``IMAGE_KINDS``); by default every kind ``files.KINDS`` lists."""
    _attachable[model._meta.label_lower] = model
    if kinds is not None:
        _allowed_kinds[model._meta.label_lower] = frozenset(kinds)


def attachable_models() -> list[type[models.Model]]:
    return list(_attachable.values())


def allowed_kinds(model: type[models.Model]) -> frozenset[str] | None:
    """The kinds of content ``model`` may carry, or None for every kind."""
    return _allowed_kinds.get(model._meta.label_lower)


def attachment_url_name(model: type[models.Model], view: str) -> str:
    """``core:partners_partner_attachment_list`` (``view`` is list, download or delete)."""
    return f"core:{model._meta.app_label}_{model._meta.model_name}_attachment_{view}"


def attachment_api_url_name(model: type[models.Model], view: str) -> str:
    """``core-api:partners_partner-attachment-list`` (``view`` is list, detail or download)."""
    return f"core-api:{model._meta.app_label}_{model._meta.model_name}-attachment-{view}"
