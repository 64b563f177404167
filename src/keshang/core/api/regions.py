"""China's administrative regions (reference data, read-only): a province's cities, a city's counties, search."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters
from rest_framework import serializers

from ..models import Region, RegionLevel
from .base import ScopedReadOnlyViewSet

__all__ = ["RegionSerializer", "RegionFilterSet", "RegionViewSet"]


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="上级区划代码（省级为空）"
    )

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "full_name"]


class RegionFilterSet(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", label="上级区划代码")
    level = filters.ChoiceFilter(choices=RegionLevel.choices, label="级别")
    q = filters.CharFilter(method="search", label="搜索")

    class Meta:
        model = Region
        fields = ["parent", "level", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(full_name__icontains=value))


class RegionViewSet(ScopedReadOnlyViewSet):
    """China's provinces, cities and counties: ``?parent=44`` lists 广东省's cities, ``?q=南山`` searches names."""

    model = Region
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]

    def get_scoped_queryset(self, action):
        return super().get_scoped_queryset(action).select_related("parent")
