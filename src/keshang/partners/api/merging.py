"""API of the duplicate finder and the merge tool (issue 3); both need "assign" on partners.

* ``GET partners/duplicates/?threshold=90&reason=name|phone|similar``: groups of probable duplicates
  among the partners the caller may assign, paged like every list
* ``POST partners/{id}/merge/`` ``{duplicate, field_choices?}``: merge partner ``duplicate`` into
  partner ``id`` and delete it; ``field_choices`` maps fields to "survivor" or "duplicate". Either
  partner outside the caller's "assign" scope is a 404 and changes nothing.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedViewSetMixin
from keshang.core.masking import Masker
from keshang.core.permissions import Action

from .. import selectors, services
from ..models import Partner
from ..selectors import DuplicateReason, MergeChoice

__all__ = ["MergeActionsMixin", "DuplicateGroupViewSet"]


#
# Serializers
#


class MergeInputSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(help_text="被合并的客商 id：其数据转移到本客商后，该客商被删除")
    field_choices = serializers.DictField(
        child=serializers.ChoiceField(choices=MergeChoice.choices),
        required=False,
        default=dict,
        help_text="字段名 → survivor（保留本客商的值）或 duplicate（采用被合并客商的值）；未列出的字段保留本客商的值，"
        "本客商为空时采用被合并客商的值。可选字段：" + "、".join(selectors.MERGE_FIELDS),
    )

    def validate_field_choices(self, value):
        unknown = sorted(set(value) - set(selectors.MERGE_FIELDS))
        if unknown:
            raise serializers.ValidationError(_("不能选择的字段：%(fields)s。") % {"fields": "、".join(unknown)})
        return value


class DuplicateQuerySerializer(serializers.Serializer):
    threshold = serializers.IntegerField(
        default=selectors.DEFAULT_THRESHOLD, help_text="名称相似度阈值（70–100），默认 90"
    )
    reason = serializers.ChoiceField(choices=DuplicateReason.choices, required=False, help_text="只看一种重复原因")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].error_messages["invalid"] = selectors.threshold_message()

    def validate_threshold(self, value):
        if not selectors.MIN_THRESHOLD <= value <= selectors.MAX_THRESHOLD:
            raise serializers.ValidationError(selectors.threshold_message())
        return value


class DuplicateMemberSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    owner_name = serializers.StringRelatedField(source="owner", read_only=True, allow_null=True)
    department_name = serializers.StringRelatedField(source="department", read_only=True, allow_null=True)
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "owner",
            "owner_name",
            "department",
            "department_name",
            "credit_code",
            "phone",
            "created_at",
            "contact_count",
        ]
        read_only_fields = fields


class DuplicateGroupSerializer(serializers.Serializer):
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=DuplicateReason.choices))
    reason_display = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="名称相似度（仅“名称相似”的组）")
    members = DuplicateMemberSerializer(many=True, help_text="最早创建的在前")


#
# Views
#


class MergeActionsMixin:
    """``POST /api/v1/partners/partners/{id}/merge/``, mixed into ``PartnerViewSet``."""

    # DRF passes an action's extra kwargs to as_view(), which accepts only names the class defines.
    scope_action: str | None = None

    @extend_schema(request=MergeInputSerializer, summary="合并重复客商（本客商保留）")
    @action(detail=True, methods=["post"], scope_action=Action.ASSIGN)
    def merge(self, request, pk=None):
        """Merge partner ``duplicate`` into this one: its contacts, addresses, bank accounts, attachments,
        tags, collaborators and every later module's records move here, then it is deleted. Needs "assign"
        on both; answers this partner as it is after the merge."""
        survivor = self.get_object()
        serializer = MergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        duplicate = get_object_or_404(self.get_queryset(), pk=serializer.validated_data["duplicate"])
        merged = services.merge_partners(
            actor=request.user,
            survivor=survivor,
            duplicate=duplicate,
            field_choices=serializer.validated_data["field_choices"],
        )
        return Response(self.get_serializer(merged).data)


class DuplicateGroupViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Groups of probable duplicates among the partners the caller may assign (查重)."""

    model = Partner
    serializer_class = DuplicateGroupSerializer
    filter_backends = []

    def get_scope_action(self) -> str:
        return Action.ASSIGN

    @extend_schema(parameters=[DuplicateQuerySerializer], responses=DuplicateGroupSerializer(many=True))
    def list(self, request):
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        reason = query.validated_data.get("reason")
        report = selectors.find_duplicate_groups(
            user=request.user, threshold=query.validated_data["threshold"], reasons=[reason] if reason else None
        )
        # The paginator directly: the base's paginate_queryset hands the page to the masker, and a page
        # of groups is not a page of partners.
        page = self.paginator.paginate_queryset(report.groups, request, view=self)
        groups = selectors.load_group_members(user=request.user, groups=page)
        masker = Masker(request.user, Partner).prepare([member for group in groups for member in group.members])
        context = {**self.get_serializer_context(), "_maskers": {Partner: masker}}
        data = DuplicateGroupSerializer(groups, many=True, context=context).data
        response = self.paginator.get_paginated_response(data)
        response.data.update(threshold=report.threshold, truncated=report.truncated)
        return response
