"""Approval endpoints: the inbox and its decisions, requests, flows (administrators) and delegations.

``approval-tasks`` and ``approval-requests`` are personal like the inbox page: a user's own tasks, and the
requests they submitted, approve, or whose document they may view (``approvals.list_visible_requests``).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keshang.core.documents.pricecontrol import PRICE_CONTROL_TYPE

from .. import approvals
from ..api import ScopedModelViewSet, ScopedRelatedField, StrictBodyMixin
from ..exceptions import ApplicationError
from ..models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    ApprovalTaskStatus,
)
from ..people import department_model, role_model, user_model
from .flows import STEP_FIELDS, step_errors

__all__ = ["register_routes", "api_urlpatterns"]


#
# Tasks and requests
#


class ApprovalTaskBriefSerializer(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.__str__", read_only=True)
    delegated_from_name = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalTask
        fields = [
            "id",
            "step_order",
            "step_name",
            "mode",
            "approver",
            "approver_name",
            "delegated_from",
            "delegated_from_name",
            "status",
            "comment",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_delegated_from_name(self, obj) -> str:
        return str(obj.delegated_from) if obj.delegated_from_id else ""


class ApprovalTaskSerializer(ApprovalTaskBriefSerializer):
    request = serializers.IntegerField(source="request_id", read_only=True)
    document = serializers.CharField(source="request.document_repr", read_only=True)
    document_type = serializers.SerializerMethodField()
    request_status = serializers.CharField(source="request.status", read_only=True)
    submitter_name = serializers.CharField(source="request.submitter.__str__", read_only=True)

    class Meta(ApprovalTaskBriefSerializer.Meta):
        fields = [
            *ApprovalTaskBriefSerializer.Meta.fields,
            "request",
            "document",
            "document_type",
            "request_status",
            "submitter_name",
        ]
        read_only_fields = fields

    def get_document_type(self, obj) -> str:
        return f"{obj.request.content_type.app_label}.{obj.request.content_type.model}"


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApprovalTaskFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[*ApprovalTaskStatus.choices, ("done", "已处理")], method="filter_status", label="状态"
    )

    class Meta:
        model = ApprovalTask
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        return approvals.list_my_tasks(user=self.request.user, status=value).filter(pk__in=queryset.values("pk"))


class ApprovalTaskViewSet(StrictBodyMixin, viewsets.ReadOnlyModelViewSet):
    """The signed-in user's own approval tasks (待我审批), newest first; ``?status=pending`` for the inbox.
    ``POST {id}/approve/``, ``reject/``, ``return/`` with ``{"comment"}`` decide one; deciding a task that is no
    longer pending answers 409 with code ``already_decided``."""

    personal = True
    serializer_class = ApprovalTaskSerializer
    filterset_class = ApprovalTaskFilterSet
    ordering_fields = ["id", "created_at", "decided_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalTask.objects.none()
        return approvals.list_my_tasks(user=self.request.user, status="all")

    def _decide(self, request, decision: str):
        task = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            approvals.decide_approval(
                task=task, actor=request.user, decision=decision, comment=serializer.validated_data["comment"]
            )
        except ApplicationError as error:
            statuses = {
                approvals.ApprovalErrorCode.ALREADY_DECIDED: status.HTTP_409_CONFLICT,
                # A delegate who no longer holds the approving rights may not act (issue 12, finding 12).
                approvals.ApprovalErrorCode.DELEGATE_LACKS_RIGHTS: status.HTTP_403_FORBIDDEN,
            }
            if error.code not in statuses:
                raise
            body = {"code": error.code, "message": error.message, "fields": {}}
            return Response(body, status=statuses[error.code])
        task.refresh_from_db()
        return Response(self.get_serializer(task).data)

    @extend_schema(request=DecisionSerializer, responses={200: ApprovalTaskSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approvals.Decision.APPROVE)

    @extend_schema(request=DecisionSerializer, responses={200: ApprovalTaskSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approvals.Decision.REJECT)

    @extend_schema(request=DecisionSerializer, responses={200: ApprovalTaskSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request, pk=None):
        return self._decide(request, approvals.Decision.RETURN)


class SnapshotChangeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    columns = serializers.ListField(child=serializers.CharField())


class ApprovalRequestSerializer(serializers.ModelSerializer):
    document_type = serializers.SerializerMethodField()
    submitter_name = serializers.CharField(source="submitter.__str__", read_only=True)
    tasks = ApprovalTaskBriefSerializer(many=True, read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "document_type",
            "object_id",
            "document_repr",
            "flow",
            "flow_name",
            "submitter",
            "submitter_name",
            "status",
            "current_step",
            "facts",
            "snapshot",
            "previous_snapshot",
            "changes",
            "tasks",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_document_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_changes(self, obj) -> list[dict]:
        return SnapshotChangeSerializer(approvals.snapshot_changes(obj), many=True).data


class ApprovalRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Approval requests the user may open: submitted by them, theirs to approve, or of a document they may view."""

    personal = True
    serializer_class = ApprovalRequestSerializer
    filterset_fields = ["status"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalRequest.objects.none()
        return (
            approvals.list_visible_requests(user=self.request.user)
            .select_related("content_type", "submitter")
            .prefetch_related("tasks__approver", "tasks__delegated_from")
            .order_by("-pk")
        )


#
# Flows (administrators)
#


class ApprovalStepSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = ApprovalStep
        fields = ["id", *STEP_FIELDS]
        extra_kwargs = {"role": {"required": False}, "users": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = ScopedRelatedField(queryset=role_model().objects.all(), allow_null=True, required=False)
        self.fields["users"] = ScopedRelatedField(queryset=user_model().objects.all(), many=True, required=False)

    def validate(self, attrs):
        errors = step_errors(kind=attrs.get("kind"), role=attrs.get("role"), users=attrs.get("users"))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ApprovalFlowSerializer(serializers.ModelSerializer):
    steps = ApprovalStepSerializer(many=True)
    document_type = serializers.ChoiceField(choices=())

    class Meta:
        model = ApprovalFlow
        fields = [
            "id",
            "name",
            "document_type",
            "priority",
            "is_active",
            "min_amount",
            "min_discount_percent",
            "below_min_price",
            "customer_levels",
            "kinds",
            "max_margin_percent",
            "nonstandard_terms",
            "departments",
            "description",
            "steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = sorted([*approvals.approvables(), PRICE_CONTROL_TYPE])
        self.fields["departments"] = ScopedRelatedField(
            queryset=department_model().objects.all(), many=True, required=False
        )

    def validate_customer_levels(self, value):
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise serializers.ValidationError('请填写级别代码的列表，如 ["A", "B"]。')
        return value

    def validate_kinds(self, value):
        if not isinstance(value, list) or not all(isinstance(code, str) and len(code) <= 50 for code in value):
            raise serializers.ValidationError(_('请填写种类代码的列表，如 ["sales"]。'))
        return value

    def validate_steps(self, value):
        if not value and (self.instance is None or not self.partial):
            raise serializers.ValidationError(_("审批流程至少需要一个步骤。"))
        # A step that names no order takes the model's default, so two such steps collide too.
        orders = [step.get("order") for step in value]
        if len(set(orders)) != len(orders):
            raise serializers.ValidationError(_("同一流程中步骤顺序不能重复。"))
        return value


def _step_dicts(steps: list[dict]) -> list[dict]:
    return [{**{key: value for key, value in step.items() if key != "id"}, "pk": step.get("id")} for step in steps]


class ApprovalFlowViewSet(ScopedModelViewSet):
    """Flows with their steps nested; writing ``steps`` replaces them (a step keeps its ``id`` to be updated)."""

    model = ApprovalFlow
    serializer_class = ApprovalFlowSerializer
    filterset_fields = ["document_type", "is_active"]
    ordering_fields = ["document_type", "priority", "name"]

    def get_scoped_queryset(self, action):
        return (
            approvals.list_flows(user=self.request.user, action=action)
            .prefetch_related("departments", "steps__users")
            .order_by("document_type", "priority", "pk")
        )

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        steps = _step_dicts(data.pop("steps"))
        return approvals.save_flow(actor=self.request.user, steps=steps, **data)

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        flow = serializer.instance
        if "steps" in data:
            steps = _step_dicts(data.pop("steps"))
        else:
            steps = [
                {**{field: getattr(step, field) for field in STEP_FIELDS if field != "users"}, "pk": step.pk}
                | {"users": list(step.users.all())}
                for step in flow.steps.all()
            ]
        return approvals.save_flow(actor=self.request.user, flow=flow, steps=steps, **data)

    def delete_object(self, instance):
        approvals.delete_flow(actor=self.request.user, flow=instance)


#
# Delegations: each user's own
#


class ApprovalDelegationSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ApprovalDelegation
        fields = ["id", "user", "delegate", "starts_on", "ends_on", "is_active", "note", "created_at"]
        read_only_fields = ["user", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone active may stand in for an approver: the id names a person, it opens none of their records.
        self.fields["delegate"] = serializers.PrimaryKeyRelatedField(
            queryset=user_model().objects.unscoped().filter(is_active=True)
        )

    def validate(self, attrs):
        user = self.instance.user if self.instance else self.context["request"].user
        delegate = attrs.get("delegate", self.instance.delegate if self.instance else None)
        if delegate is not None and delegate.pk == user.pk:
            raise serializers.ValidationError({"delegate": [_("不能委托给自己。")]})
        return attrs


class ApprovalDelegationViewSet(ScopedModelViewSet):
    model = ApprovalDelegation
    serializer_class = ApprovalDelegationSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["starts_on", "ends_on"]

    def get_scoped_queryset(self, action):
        return approvals.list_delegations(user=self.request.user, action=action)

    def create_object(self, serializer):
        return approvals.save_delegation(actor=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        return approvals.save_delegation(
            actor=self.request.user, delegation=serializer.instance, **serializer.validated_data
        )

    def delete_object(self, instance):
        approvals.delete_delegation(actor=self.request.user, delegation=instance)


api_urlpatterns = []


def register_routes(router) -> None:
    router.register("approval-tasks", ApprovalTaskViewSet, basename="approvaltask")
    router.register("approval-requests", ApprovalRequestViewSet, basename="approvalrequest")
    router.register("approval-flows", ApprovalFlowViewSet, basename="approvalflow")
    router.register("approval-delegations", ApprovalDelegationViewSet, basename="approvaldelegation")
