"""Attachments: files on any record, governed by that record's grants and scope (issue 3).

An attachment has no scope of its own. Whoever may view its parent record may list and download
it; whoever may change the parent may upload and delete. Every read starts from the parent's
``visible_to()``. Files go through Django's storage API under generated names, and are only ever
served by a view that checks the parent (never from a public media URL). The name the user gave
is kept for display and for the download.

A model gets attachment pages and API routes by being registered here from its app's
``AppConfig.ready()`` (``register_attachable(Partner)``).

Modules: ``registry`` (which models carry attachments), ``files`` (checking uploads by content, serving
downloads), ``services`` (upload, delete, move), ``selectors`` (a record's attachments), ``views`` and ``api``
(routed by core's URLconfs, never imported here: they are built from the registry once it is filled). The
public names are re-exported here: callers import ``keshang.core.attachments``.
"""

from .files import (
    DEFAULT_MAX_BYTES,
    IMAGE_KINDS,
    KINDS,
    CheckedUpload,
    check_upload,
    display_name,
    file_response,
    max_upload_bytes,
    mime_type_for,
    stored_name,
)
from .registry import (
    allowed_kinds,
    attachable_models,
    attachment_api_url_name,
    attachment_url_name,
    register_attachable,
)
from .selectors import list_attachments
from .services import delete_attachment, delete_attachments_of, move_attachments, upload_attachment

__all__ = [
    "DEFAULT_MAX_BYTES",
    "register_attachable",
    "IMAGE_KINDS",
    "KINDS",
    "attachable_models",
    "allowed_kinds",
    "attachment_url_name",
    "attachment_api_url_name",
    "max_upload_bytes",
    "CheckedUpload",
    "check_upload",
    "display_name",
    "stored_name",
    "mime_type_for",
    "upload_attachment",
    "delete_attachment",
    "delete_attachments_of",
    "move_attachments",
    "list_attachments",
    "file_response",
]
