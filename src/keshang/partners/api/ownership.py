"""API of partners' ownership (issue 3): actions on /api/v1/partners/partners/… and the pool and
handover lists.

* ``POST partners/{id}/assign/`` ``{owner, reason?, notes?}``, ``…/transfer/`` ``{owner, reason, notes}``,
  ``…/release/`` ``{reason?, notes?}``, ``…/claim/``, ``…/share/`` ``{user, can_write}``, ``…/unshare/`` ``{user}``;
  ``GET …/collaborators/``
* ``POST partners/batch-assign/``, ``partners/batch-transfer/`` ``{ids, owner, reason, notes}``,
  ``partners/batch-share/`` ``{ids, user, can_write}``: all or none; an id outside the scope is a 404
* ``GET pool/`` (everyone who may claim), ``GET handovers/`` (the handovers of partners in scope)
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedReadOnlyViewSet, ScopedRelatedField
from keshang.core.models import Collaboration
from keshang.core.permissions import Action
from keshang.org.models import User

from .. import selectors, services
from ..filters import HandoverFilterSet, PoolFilterSet
from ..models import Handover, HandoverReason, Partner, PartnerKind, PartnerSource, PartnerStatus

__all__ = ["OwnershipActionsMixin", "PoolViewSet", "HandoverViewSet"]


#
# Serializers
#


class HandoverSerializer(serializers.ModelSerializer):
    # Null where the partner came from or went to the pool; declared because DRF's read-only fields
    # keep neither allow_null nor allow_blank, and the schema then said a value is always there.
    from_owner_name = serializers.StringRelatedField(source="from_owner", read_only=True, allow_null=True)
    to_owner_name = serializers.StringRelatedField(source="to_owner", read_only=True, allow_null=True)
    reason = serializers.ChoiceField(choices=HandoverReason.choices, allow_blank=True, read_only=True)
    partner_name = serializers.StringRelatedField(source="partner", read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "partner",
            "partner_name",
            "kind",
            "from_owner",
            "from_owner_name",
            "to_owner",
            "to_owner_name",
            "reason",
            "notes",
            "moved",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class HandoverInputSerializer(serializers.Serializer):
    # An owner the caller cannot see is "does not exist", like one that does not exist.
    owner = ScopedRelatedField(queryset=User.objects.all(), help_text="新负责人")
    reason = serializers.ChoiceField(choices=HandoverReason.choices, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class BatchHandoverInputSerializer(HandoverInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=selectors.BATCH_LIMIT,
        help_text="客商编号",
    )


class ReleaseInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HandoverReason.choices, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ShareInputSerializer(serializers.Serializer):
    user = ScopedRelatedField(queryset=User.objects.all(), help_text="协作人")
    can_write = serializers.BooleanField(required=False, default=False)


class BatchShareInputSerializer(ShareInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=selectors.BATCH_LIMIT,
        help_text="客商编号",
    )


class UnshareInputSerializer(serializers.Serializer):
    # Looked up among the partner's collaborators, whom a manager may not otherwise see.
    user = serializers.IntegerField(min_value=1, help_text="协作人的用户编号")


class CollaboratorSerializer(serializers.ModelSerializer):
    user_name = serializers.StringRelatedField(source="user", read_only=True)

    class Meta:
        model = Collaboration
        fields = ["user", "user_name", "can_write", "created_at"]
        read_only_fields = fields


class BatchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    handovers = HandoverSerializer(many=True)


def _list_codes(choices) -> str:
    return "、".join(f"{value} {label}" for value, label in choices.choices)


# Lazy, so the labels are read in the schema's language, not when this module is imported.
_codes = lazy(_list_codes, str)


class PoolPartnerSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    """What a claimant sees of a pool partner; phone and e-mail masked unless ``view_sensitive``."""

    # Codes as plain strings, not enums: drf-spectacular names an enum after its field, and the partner's
    # choices appearing in a second component collide with any other app's ``kind``/``status``/``source``
    # (W001, which fails ``check --deploy``).
    kind = serializers.CharField(read_only=True, help_text=_codes(PartnerKind))
    status = serializers.CharField(read_only=True, help_text=_codes(PartnerStatus))
    source = serializers.CharField(read_only=True, help_text=_codes(PartnerSource))
    industry_name = serializers.StringRelatedField(source="industry", read_only=True, allow_null=True)
    level_name = serializers.StringRelatedField(source="level", read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True, default="")
    pooled_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="进入公海时间")

    class Meta:
        model = Partner
        fields = [
            "id",
            "kind",
            "is_customer",
            "is_supplier",
            "name",
            "short_name",
            "industry",
            "industry_name",
            "level",
            "level_name",
            "status",
            "source",
            "region",
            "region_name",
            "phone",
            "email",
            "pooled_at",
            "created_at",
        ]
        read_only_fields = fields


#
# Actions on PartnerViewSet
#


class OwnershipActionsMixin:
    """Custom actions on /api/v1/partners/partners/… for ownership and the pool.

    The base maps each action to the grant it needs (``scope_action``) and narrows ``get_object()``
    to that action's scope: outside it is a 404, without the grant a 403.
    """

    # DRF passes an action's extra kwargs to as_view(), which accepts only names the class defines.
    scope_action: str | None = None

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _scoped_ids(self, ids) -> list[int]:
        """The batch's ids, all inside the action's scope, or a 404 before anything is written."""
        ids = sorted(set(ids))
        found = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        if found != set(ids):
            raise exceptions.NotFound()
        return ids

    def _handovers(self, handovers) -> Response:
        data = HandoverSerializer(handovers, many=True, context=self.get_serializer_context()).data
        return Response({"count": len(handovers), "handovers": data})

    @extend_schema(request=HandoverInputSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.ASSIGN)
    def assign(self, request, pk=None):
        """分配: give the partner (from the pool or another owner) to ``owner``."""
        partner = self.get_object()
        handover = services.assign_partner(actor=request.user, partner=partner, **self._input(HandoverInputSerializer))
        return Response(HandoverSerializer(handover, context=self.get_serializer_context()).data)

    @extend_schema(request=HandoverInputSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.ASSIGN)
    def transfer(self, request, pk=None):
        """转移 (客户交接): an owned partner to ``owner``; ``reason`` and ``notes`` are required."""
        partner = self.get_object()
        handover = services.transfer_partner(
            actor=request.user, partner=partner, **self._input(HandoverInputSerializer)
        )
        return Response(HandoverSerializer(handover, context=self.get_serializer_context()).data)

    @extend_schema(request=ReleaseInputSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.CHANGE)
    def release(self, request, pk=None):
        """放入公海."""
        partner = self.get_object()
        handover = services.release_partner(actor=request.user, partner=partner, **self._input(ReleaseInputSerializer))
        return Response(HandoverSerializer(handover, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.ADD)
    def claim(self, request, pk=None):
        """从公海领取: within the claim limit and the cool-down; the partner must be in the pool."""
        # Pool partners are outside an own-scope rep's visible_to: they are found through the pool.
        partner = get_object_or_404(selectors.list_pool_partners(user=request.user), pk=pk)
        handover = services.claim_partner(actor=request.user, partner=partner)
        return Response(HandoverSerializer(handover, context=self.get_serializer_context()).data)

    @extend_schema(request=ShareInputSerializer, responses=CollaboratorSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.CHANGE)
    def share(self, request, pk=None):
        """Share with a colleague (``can_write``: may change it too); sharing again changes the access."""
        partner = self.get_object()
        collaboration = services.share_partner(actor=request.user, partner=partner, **self._input(ShareInputSerializer))
        return Response(CollaboratorSerializer(collaboration).data)

    @extend_schema(request=UnshareInputSerializer, responses={204: None})
    @action(detail=True, methods=["post"], scope_action=Action.CHANGE)
    def unshare(self, request, pk=None):
        partner = self.get_object()
        user_pk = self._input(UnshareInputSerializer)["user"]
        collaboration = selectors.list_collaborators(partner=partner).filter(user_id=user_pk).first()
        if collaboration is None:
            raise exceptions.ValidationError({"user": [_("该用户不是协作人。")]})
        services.unshare_partner(actor=request.user, partner=partner, user=collaboration.user)
        return Response(status=204)

    @extend_schema(responses=CollaboratorSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list: the schema said paginated
    def collaborators(self, request, pk=None):
        partner = self.get_object()
        return Response(CollaboratorSerializer(selectors.list_collaborators(partner=partner), many=True).data)

    @extend_schema(request=BatchHandoverInputSerializer, responses=BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch-assign", scope_action=Action.ASSIGN)
    def batch_assign(self, request):
        data = self._input(BatchHandoverInputSerializer)
        ids = self._scoped_ids(data.pop("ids"))
        return self._handovers(services.assign_partners(actor=request.user, partners=ids, **data))

    @extend_schema(request=BatchHandoverInputSerializer, responses=BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch-transfer", scope_action=Action.ASSIGN)
    def batch_transfer(self, request):
        data = self._input(BatchHandoverInputSerializer)
        ids = self._scoped_ids(data.pop("ids"))
        return self._handovers(services.transfer_partners(actor=request.user, partners=ids, **data))

    @extend_schema(request=BatchShareInputSerializer, responses=CollaboratorSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="batch-share", scope_action=Action.CHANGE)
    def batch_share(self, request):
        data = self._input(BatchShareInputSerializer)
        ids = self._scoped_ids(data.pop("ids"))
        collaborations = services.share_partners(actor=request.user, partners=ids, **data)
        return Response(CollaboratorSerializer(collaborations, many=True).data)


#
# The pool and the handovers
#


class PoolViewSet(ScopedReadOnlyViewSet):
    """The public pool (公海): every partner without an owner, for users who may claim ("add")."""

    model = Partner
    serializer_class = PoolPartnerSerializer
    filterset_class = PoolFilterSet
    ordering_fields = ["name", "created_at", "pooled_at"]

    def get_scope_action(self) -> str:
        return Action.ADD

    def get_scoped_queryset(self, action):
        return selectors.list_pool_partners(user=self.request.user, action=action)


class HandoverViewSet(ScopedReadOnlyViewSet):
    """Handovers (客户交接) of the partners the user may view."""

    model = Handover
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilterSet
    ordering_fields = ["created_at"]

    def get_scoped_queryset(self, action):
        return selectors.list_handovers(user=self.request.user, action=action)
