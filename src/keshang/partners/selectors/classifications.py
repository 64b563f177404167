"""Reads of the classification lists (客户级别, 行业, 标签): everyone may read them (forms and filters need them)."""

from __future__ import annotations

from django.db.models import QuerySet

from keshang.core.permissions import Action

from ..models import Industry, PartnerLevel, Tag

__all__ = ["list_partner_levels", "list_industries", "list_tags", "count_partners_using"]


def list_partner_levels(*, user, action: str = Action.VIEW) -> QuerySet[PartnerLevel]:
    return PartnerLevel.objects.visible_to(user, action)


def list_industries(*, user, action: str = Action.VIEW) -> QuerySet[Industry]:
    return Industry.objects.visible_to(user, action)


def list_tags(*, user, action: str = Action.VIEW) -> QuerySet[Tag]:
    return Tag.objects.visible_to(user, action)


def count_partners_using(classification: PartnerLevel | Industry | Tag) -> int:
    """How many partners carry this level, industry or tag. Deliberately across all partners, not
    the user's scope: whether a classification is still in use is a fact about the whole company."""
    return classification.partners.count()
