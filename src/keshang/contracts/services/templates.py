"""Contract templates (issue 13): save (the body cleaned and checked by the template engine, the Word file
checked too), deactivate, delete (refused while contracts use the template), the default a new contract takes,
and the defaults ``keshang setup`` creates. Every write is audited; every saved content is kept as a version."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

from ..models import ContractKind, ContractTemplate, ContractTemplateVersion
from ..templating import check_docx, prepare_template
from .default_templates import DEFAULT_TEMPLATES

__all__ = [
    "TEMPLATE_FIELDS",
    "save_template",
    "deactivate_template",
    "delete_template",
    "default_template_for",
    "ensure_default_templates",
]

TEMPLATE_FIELDS = {"name", "kind", "category", "body", "docx", "is_default", "is_active"}


def _docx_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    value.seek(0)
    return value.read()


def save_template(*, actor, instance: ContractTemplate | None = None, data: dict) -> ContractTemplate:
    """Create or update a template. ``docx``: an uploaded file (checked with ``check_docx``), ``False`` to remove
    the Word file, ``None``/absent to keep it. Made the default, it takes over from its kind's (and category's)
    previous default. The version goes up by one whenever the body or the Word file changes, and the saved
    content is kept as a :class:`ContractTemplateVersion`."""
    unknown = sorted(set(data) - TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"unknown contract template fields: {unknown}")
    data = dict(data)
    if "body" in data:
        data["body"] = prepare_template(data["body"] or "", field="body")
    docx = data.pop("docx", None)
    if isinstance(docx, FieldFile):  # a form's unchanged file: keep it
        docx = None
    content = None
    if docx is not None and docx is not False:
        content = _docx_bytes(docx)
        check_docx(content, field="docx")
    with transaction.atomic():
        is_new = instance is None or instance.pk is None
        if is_new:
            instance = instance or ContractTemplate()
            before = None
        else:
            instance = ContractTemplate.objects.select_for_update().get(pk=instance.pk)
            before = audit.snapshot(instance)
        old_body, old_sha = instance.body, instance.docx_sha256
        for field, value in data.items():
            setattr(instance, field, value)
        if content is not None:
            instance.docx_sha256 = hashlib.sha256(content).hexdigest()
            instance.docx.save(f"{uuid.uuid4().hex}.docx", ContentFile(content), save=False)
        elif docx is False and instance.docx:
            instance.docx = None
            instance.docx_sha256 = ""
        if not instance.is_active:
            instance.is_default = False
        if instance.is_default:
            _take_over_default(actor=actor, template=instance)
        content_changed = is_new or instance.body != old_body or instance.docx_sha256 != old_sha
        if content_changed and not is_new:
            instance.version += 1
        instance.full_clean()
        instance.save()
        if content_changed:
            ContractTemplateVersion.objects.create(
                template=instance,
                version=instance.version,
                body=instance.body,
                docx_sha256=instance.docx_sha256,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        audit.record(
            actor=actor, obj=instance, action=AuditAction.CREATE if is_new else AuditAction.UPDATE, before=before
        )
    return instance


def _take_over_default(*, actor, template: ContractTemplate) -> None:
    others = ContractTemplate.objects.filter(
        kind=template.kind, category=template.category, is_default=True
    ).select_for_update()
    if template.pk:
        others = others.exclude(pk=template.pk)
    for other in others:
        before = audit.snapshot(other)
        other.is_default = False
        other.save(update_fields=["is_default", "updated_at"])
        audit.record(actor=actor, obj=other, action=AuditAction.UPDATE, before=before)


def deactivate_template(*, actor, template: ContractTemplate) -> ContractTemplate:
    """停用: no longer offered nor taken by new contracts; contracts made from it keep printing from it."""
    return save_template(actor=actor, instance=template, data={"is_active": False})


def delete_template(*, actor, instance: ContractTemplate) -> None:
    """Delete a template no contract uses (with its versions); one in use is refused (``protected``)."""
    message = _("该模板已被合同使用，不能删除；可停用。")
    if instance.contracts.exists():
        raise ApplicationError(message, code="protected")
    try:
        with transaction.atomic():
            audit.record(actor=actor, obj=instance, action=AuditAction.DELETE, before=audit.snapshot(instance))
            file = instance.docx.name
            instance.delete()
            if file:
                transaction.on_commit(lambda: instance.docx.storage.delete(file))
    except ProtectedError as exc:
        raise ApplicationError(message, code="protected") from exc


def default_template_for(*, kind: str, category=None) -> ContractTemplate | None:
    """The active default template for a new contract: its category's if it has one, else its kind's."""
    defaults = ContractTemplate.objects.filter(kind=kind, is_default=True, is_active=True)
    if category is not None:
        found = defaults.filter(category=category).first()
        if found is not None:
            return found
    return defaults.filter(category__isnull=True).first()


def ensure_default_templates() -> None:
    """One default template per kind, created when the kind has no template yet: once it has one, the
    administrators own the list and a deleted default does not come back."""
    with transaction.atomic():
        for kind in ContractKind.values:
            if ContractTemplate.objects.filter(kind=kind).exists():
                continue
            name, body = DEFAULT_TEMPLATES[kind]
            template = ContractTemplate(name=name, kind=kind, body=prepare_template(body), is_default=True)
            template.full_clean()
            template.save()
            ContractTemplateVersion.objects.create(template=template, version=1, body=template.body)
            audit.record(actor=None, obj=template, action=AuditAction.CREATE, user_name="setup")
