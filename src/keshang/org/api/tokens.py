"""API tokens through the API: obtaining one per device (``/api/v1/auth/token/``), one's own tokens
(``/api/v1/org/me/tokens/``) and, for those who may change a user, that user's (``users/{id}/tokens/``)."""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from keshang.core.api.base import StrictBodyMixin
from keshang.core.permissions import Action

from .. import services
from ..models import ApiToken


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, write_only=True)

    def validate(self, attrs):
        user = authenticate(request=self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(gettext("用户名或密码不正确。"), code="authorization")
        attrs["user"] = user
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at"]
        read_only_fields = fields


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="令牌本身：只在此时返回一次。")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class ObtainTokenView(views.APIView):
    """A new token for this device each time (named by ``name`` or the User-Agent); the key is shown once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ObtainTokenSerializer

    @extend_schema(request=ObtainTokenSerializer, responses={201: NewApiTokenSerializer}, auth=[])
    def post(self, request):
        serializer = ObtainTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.create_api_token(
            user=serializer.validated_data["user"],
            name=serializer.validated_data.get("name", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class MyTokenViewSet(StrictBodyMixin, viewsets.GenericViewSet):
    """The signed-in user's own tokens (never their keys); revoking one is ``POST {id}/revoke/`` or ``DELETE
    {id}/``. Another user's token answers 404, as one that does not exist."""

    personal = True
    serializer_class = ApiTokenSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def list(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        services.revoke_api_token(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.revoke_api_token(actor=request.user, token=self.get_object())
        return Response(self.get_serializer(token).data)


class UserTokenActionsMixin:
    """``GET users/{id}/tokens/`` and ``POST users/{id}/tokens/{token_id}/revoke/``, mixed into ``UserViewSet``:
    seeing and revoking a user's tokens takes "change" on that user, as resetting their password does."""

    scope_action: str | None = None

    @extend_schema(request=None, responses=ApiTokenSerializer(many=True), summary="用户的 API 令牌")
    @action(detail=True, methods=["get"], url_path="tokens", scope_action=Action.CHANGE, pagination_class=None)
    def tokens(self, request, pk=None):
        user = self.get_object()
        return Response(ApiTokenSerializer(user.api_tokens.all(), many=True).data)

    @extend_schema(request=None, responses=ApiTokenSerializer, summary="撤销用户的 API 令牌")
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tokens/(?P<token_id>[0-9]{1,18})/revoke",
        scope_action=Action.CHANGE,
    )
    def revoke_token(self, request, pk=None, token_id=None):
        user = self.get_object()
        token = get_object_or_404(user.api_tokens.all(), pk=token_id)
        return Response(ApiTokenSerializer(services.revoke_api_token(actor=request.user, token=token)).data)
