"""API of the classification lists: ``/api/v1/partners/levels/``, ``industries/``, ``tags/``, readable by everyone,
written by administrators; each the viewset of its declaration in ``views/classifications.py``."""

from __future__ import annotations

from rest_framework import serializers

from keshang.core.modelviews import DeclaredModelViewSet

from ..models import Industry, PartnerLevel, Tag
from ..views.classifications import INDUSTRY_VIEWS, PARTNER_LEVEL_VIEWS, TAG_VIEWS

__all__ = [
    "PartnerLevelSerializer",
    "PartnerLevelViewSet",
    "IndustrySerializer",
    "IndustryViewSet",
    "TagSerializer",
    "TagViewSet",
]


class PartnerLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerLevel
        fields = ["id", "code", "name", "order"]


class PartnerLevelViewSet(DeclaredModelViewSet):
    """Customer levels (A/B/C/D…), most important first."""

    model_views = PARTNER_LEVEL_VIEWS
    serializer_class = PartnerLevelSerializer
    ordering_fields = ["order", "code", "name"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "name", "order"]


class IndustryViewSet(DeclaredModelViewSet):
    """Industries (行业), in their configured order."""

    model_views = INDUSTRY_VIEWS
    serializer_class = IndustrySerializer
    ordering_fields = ["order", "name"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class TagViewSet(DeclaredModelViewSet):
    """Tags (标签) put on partners."""

    model_views = TAG_VIEWS
    serializer_class = TagSerializer
    ordering_fields = ["name"]
