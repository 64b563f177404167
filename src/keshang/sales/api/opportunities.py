"""REST API of opportunities, their competitors and stage history, the stages, and the funnel.

``POST /api/v1/sales/opportunities/{id}/move/`` {stage, reason} moves an opportunity (scope action
"change"); ``GET /api/v1/sales/opportunities/funnel/`` is the open pipeline per stage, amounts as strings.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedRelatedField
from keshang.core.permissions import Action
from keshang.org.models import Department, User
from keshang.partners.models import Contact, Partner

from .. import selectors, services
from ..filters import OpportunityFilterSet, OpportunityStageFilterSet
from ..models import Competitor, Opportunity, OpportunityStage, OpportunityStageChange

__all__ = ["register_routes"]


#
# Opportunities
#


class OpportunitySerializer(serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=Partner.objects.all())
    contacts = ScopedRelatedField(queryset=Contact.objects.all(), many=True, required=False)
    stage = ScopedRelatedField(queryset=OpportunityStage.objects.filter(is_active=True), required=False)
    owner = ScopedRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    department = ScopedRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    weighted_amount = serializers.SerializerMethodField(help_text="预计金额 × 阶段赢单概率，四舍五入到分")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "partner",
            "partner_name",
            "contacts",
            "stage",
            "stage_name",
            "status",
            "expected_amount",
            "weighted_amount",
            "expected_close_date",
            "source",
            "close_reason",
            "closed_at",
            "notes",
            "owner",
            "owner_name",
            "department",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "closed_at", "created_at", "updated_at"]
        brief_fields = ["id", "name", "stage", "status", "expected_amount"]

    def get_weighted_amount(self, obj) -> str:
        return str(services.weighted_amount(obj.expected_amount, obj.stage.probability))


class MoveSerializer(serializers.Serializer):
    stage = ScopedRelatedField(queryset=OpportunityStage.objects.filter(is_active=True), help_text="目标阶段")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="stage.pk")
    name = serializers.CharField(source="stage.name")
    probability = serializers.IntegerField(source="stage.probability")
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=18, decimal_places=2)


class FunnelSerializer(serializers.Serializer):
    stages = FunnelStageSerializer(many=True)
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted_total = serializers.DecimalField(max_digits=18, decimal_places=2)


class OpportunityViewSet(ScopedModelViewSet):
    model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    ordering_fields = ["name", "expected_amount", "expected_close_date", "updated_at", "created_at"]

    def get_scoped_queryset(self, action):
        return selectors.list_opportunities(user=self.request.user, action=action).prefetch_related("contacts")

    def _split(self, serializer):
        data = dict(serializer.validated_data)
        return data, data.pop("contacts", None)

    def create_object(self, serializer):
        data, contacts = self._split(serializer)
        return services.create_opportunity(actor=self.request.user, data=data, contacts=contacts)

    def update_object(self, serializer):
        data, contacts = self._split(serializer)
        return services.update_opportunity(
            actor=self.request.user, opportunity=serializer.instance, data=data, contacts=contacts
        )

    def delete_object(self, instance):
        services.delete_opportunity(actor=self.request.user, opportunity=instance)

    @extend_schema(request=MoveSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"], scope_action=services.OPPORTUNITY_WORKFLOW.get("move").permission)
    def move(self, request, pk=None):
        """Move to another stage; a won or lost stage needs ``reason``."""
        opportunity = self.get_object()
        serializer = MoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        moved = services.move_opportunity_stage(
            opportunity=opportunity,
            stage=serializer.validated_data["stage"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        moved = self.get_queryset().get(pk=moved.pk)
        return Response(self.get_serializer(moved).data)

    @extend_schema(responses={200: FunnelSerializer})
    @action(detail=False, methods=["get"])
    def funnel(self, request):
        """Open opportunities per stage: count, expected amount and weighted amount, and the totals."""
        queryset = self.filter_queryset(self.get_queryset())
        return Response(FunnelSerializer(selectors.get_funnel(user=request.user, opportunities=queryset)).data)


#
# Competitors and stage history: parts of an opportunity
#


class CompetitorSerializer(serializers.ModelSerializer):
    opportunity = ScopedRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = Competitor
        fields = ["id", "opportunity", "name", "offer", "strengths", "weaknesses"]


class CompetitorViewSet(ScopedModelViewSet):
    """Any write changes the opportunity the competitor belongs to, so it takes the opportunity's "change"."""

    model = Competitor
    serializer_class = CompetitorSerializer
    filterset_fields = ["opportunity"]
    ordering_fields = ["name"]

    def get_scope_action(self) -> str:
        action_name = super().get_scope_action()
        return Action.VIEW if action_name == Action.VIEW else Action.CHANGE

    def get_scoped_queryset(self, action):
        return selectors.list_competitors(user=self.request.user, action=action)

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        changeable = selectors.list_opportunities(user=self.request.user, action=Action.CHANGE)
        opportunity = get_object_or_404(changeable, pk=data.pop("opportunity").pk)
        return services.save_competitor(actor=self.request.user, opportunity=opportunity, data=data)

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("opportunity", None)  # a competitor stays with its opportunity
        return services.save_competitor(
            actor=self.request.user,
            opportunity=serializer.instance.opportunity,
            competitor=serializer.instance,
            data=data,
        )

    def delete_object(self, instance):
        services.delete_competitor(actor=self.request.user, competitor=instance)


class OpportunityStageChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True, default="")

    class Meta:
        model = OpportunityStageChange
        fields = ["id", "opportunity", "from_stage", "to_stage", "changed_by", "changed_by_name", "changed_at"]


class OpportunityStageChangeViewSet(ScopedReadOnlyViewSet):
    model = OpportunityStageChange
    serializer_class = OpportunityStageChangeSerializer
    filterset_fields = ["opportunity"]
    ordering_fields = ["changed_at"]

    def get_scoped_queryset(self, action):
        return selectors.list_stage_changes(user=self.request.user, action=action)


#
# Stages: everyone reads them, admins configure them
#


class OpportunityStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpportunityStage
        fields = ["id", "name", "order", "probability", "is_won", "is_lost", "is_active"]


class OpportunityStageViewSet(ScopedModelViewSet):
    model = OpportunityStage
    serializer_class = OpportunityStageSerializer
    filterset_class = OpportunityStageFilterSet
    ordering_fields = ["order", "name", "probability"]

    def get_scoped_queryset(self, action):
        return selectors.list_stages(user=self.request.user, action=action)

    def create_object(self, serializer):
        return services.create_stage(actor=self.request.user, data=serializer.validated_data)

    def update_object(self, serializer):
        return services.update_stage(actor=self.request.user, stage=serializer.instance, data=serializer.validated_data)

    def delete_object(self, instance):
        services.delete_stage(actor=self.request.user, stage=instance)


def register_routes(router) -> None:
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("competitors", CompetitorViewSet, basename="competitor")
    router.register("opportunity-stage-changes", OpportunityStageChangeViewSet, basename="opportunitystagechange")
    router.register("opportunity-stages", OpportunityStageViewSet, basename="opportunitystage")
