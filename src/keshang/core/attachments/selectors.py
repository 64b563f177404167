"""Reads of attachments: always through the parent record's ``visible_to()``."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from ..models import Attachment
from ..permissions import Action

__all__ = ["list_attachments"]


def list_attachments(*, user, obj: models.Model, action: str = Action.VIEW) -> QuerySet[Attachment]:
    """The attachments of ``obj``, or none if ``user`` may not ``action`` it.

    Attachments have no scope of their own: they are open exactly where their parent is, so the
    parent is read through its ``visible_to()`` first.
    """
    if not type(obj)._default_manager.visible_to(user, action).filter(pk=obj.pk).exists():
        return Attachment.objects.none()
    return Attachment.objects.for_object(obj).select_related("uploaded_by")
