"""Writes of attachments: upload, delete (one, or all of a record being deleted) and move (a merge), each audited
as part of the record the file is attached to."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from .. import audit
from ..models import Attachment, AuditAction
from .files import check_upload, stored_name
from .registry import allowed_kinds

__all__ = ["upload_attachment", "delete_attachment", "delete_attachments_of", "move_attachments"]


def upload_attachment(*, actor, obj: models.Model, upload) -> Attachment:
    """Check ``upload``, store it and attach it to ``obj``; audited as part of ``obj``.

    The caller has checked that ``actor`` may change ``obj``. If saving the row fails, the stored
    file is removed again.
    """
    checked = check_upload(upload, kinds=allowed_kinds(type(obj)))
    with transaction.atomic():
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            name=checked.name or _("附件") + checked.extension,
            size=upload.size,
            mime_type=checked.mime_type,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        attachment.file.save(stored_name(checked.extension), upload, save=False)
        try:
            attachment.full_clean()
            attachment.save()
            audit.record(actor=actor, obj=attachment, action=AuditAction.CREATE, related=obj)
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def _delete_file_after_commit(field_file) -> None:
    """Remove a stored file once the deletion of its row is committed (a rollback keeps both)."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def delete_attachment(*, actor, attachment: Attachment, parent: models.Model) -> None:
    """Delete ``attachment`` of ``parent``; the stored file goes after commit."""
    with transaction.atomic():
        audit.record(
            actor=actor, obj=attachment, action=AuditAction.DELETE, before=audit.snapshot(attachment), related=parent
        )
        attachment.delete()
        _delete_file_after_commit(attachment.file)


def delete_attachments_of(*, actor, obj: models.Model) -> int:
    """Delete every attachment of ``obj`` (its parent is being deleted); returns how many."""
    count = 0
    with transaction.atomic():
        for attachment in Attachment.objects.for_object(obj):
            delete_attachment(actor=actor, attachment=attachment, parent=obj)
            count += 1
    return count


def move_attachments(*, actor, source: models.Model, target: models.Model) -> int:
    """Re-attach every attachment of ``source`` to ``target`` (a merge); audited on both records."""
    count = 0
    with transaction.atomic():
        target_type = ContentType.objects.get_for_model(target)
        for attachment in Attachment.objects.for_object(source).select_for_update():
            before = audit.snapshot(attachment)
            attachment.content_type, attachment.object_id = target_type, target.pk
            attachment.full_clean()
            attachment.save(update_fields=["content_type", "object_id"])
            for parent in (source, target):
                audit.record(actor=actor, obj=attachment, action=AuditAction.UPDATE, before=before, related=parent)
            count += 1
    return count
