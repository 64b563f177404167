"""REST API of the catalog's simple masters — categories, brands and units — each the viewset of its page
declaration (``views.masters``, ``core.modelviews``): list, read, create, update and delete through the services."""

from rest_framework import serializers

from keshang.core.modelviews import DeclaredModelViewSet

from ..models import Brand, ProductCategory, Unit
from ..views.masters import BRAND_VIEWS, CATEGORY_VIEWS, UNIT_VIEWS

__all__ = ["CategoryViewSet", "BrandViewSet", "UnitViewSet"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=ProductCategory.objects.all(), allow_null=True, required=False)

    class Meta:
        model = ProductCategory
        fields = ["id", "name", "code", "parent", "order", "path", "depth"]
        read_only_fields = ["path", "depth"]
        brief_fields = ["id", "name", "code"]
        validators = []  # unique name per parent: the model's constraint message, from the service's full_clean


class CategoryViewSet(DeclaredModelViewSet):
    """Product categories, a tree (``parent``; ``path`` and ``depth`` derived); ``?q=`` searches name and code,
    ``?parent=`` lists one category's children."""

    model_views = CATEGORY_VIEWS
    serializer_class = CategorySerializer
    ordering_fields = ["path", "code", "name"]


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name"]
        brief_fields = ["id", "name"]


class BrandViewSet(DeclaredModelViewSet):
    """Brands; ``?q=`` searches the name."""

    model_views = BRAND_VIEWS
    serializer_class = BrandSerializer
    ordering_fields = ["name"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "is_active"]
        brief_fields = ["id", "name"]


class UnitViewSet(DeclaredModelViewSet):
    """Units of measure; ``?q=`` searches the name, ``?is_active=true`` (or ``false``) keeps the active (or the
    retired) ones."""

    model_views = UNIT_VIEWS
    serializer_class = UnitSerializer
    ordering_fields = ["name"]
