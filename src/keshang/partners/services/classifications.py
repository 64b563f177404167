"""Every write to the classification lists (客户级别, 行业, 标签)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _

from keshang.core import services as core_services
from keshang.core.exceptions import ApplicationError

from ..models import Industry, PartnerLevel, Tag
from ..selectors.classifications import count_partners_using

__all__ = ["save_classification", "delete_classification"]


def save_classification(*, actor, instance: models.Model | None, data: dict, model: type | None = None) -> models.Model:
    """Create (``instance`` None: a new ``model``) or update a level, industry or tag; full_clean checks the unique
    names and codes. The declared pages and API (``core.modelviews``) call it with ``model`` bound."""
    return core_services.save_instance(actor=actor, instance=instance if instance is not None else model(), data=data)


def delete_classification(*, actor, instance: PartnerLevel | Industry | Tag) -> None:
    """Refuse while partners use it: clearing it from them silently would change partners without a
    trace in their history. Rename it instead, or move the partners to another one first."""
    with transaction.atomic():
        in_use = count_partners_using(instance)
        if in_use:
            raise ApplicationError(
                _(
                    "“%(name)s”仍有 %(count)s 个客商在使用，不能删除。"
                    "请先将这些客商改为其他%(kind)s，或直接修改它的名称。"
                )
                % {"name": instance, "count": in_use, "kind": instance._meta.verbose_name},
                code="in_use",
            )
        core_services.delete_instance(actor=actor, instance=instance)
