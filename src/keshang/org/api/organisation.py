"""REST API of departments, users and roles."""

from django.contrib.auth.password_validation import validate_password
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response

from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.core.permissions import Persona, Scope, get_resource

from .. import selectors, services
from ..filters import DepartmentFilterSet, RoleFilterSet, UserFilterSet
from ..models import Department, Role, User
from .tokens import UserTokenActionsMixin

#
# Departments
#


class DepartmentSerializer(serializers.ModelSerializer):
    parent = ScopedRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    head = ScopedRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Department
        fields = ["id", "name", "code", "parent", "head", "path", "depth", "is_active", "created_at", "updated_at"]
        read_only_fields = ["path", "depth", "created_at", "updated_at"]
        brief_fields = ["id", "name", "code"]


class DepartmentViewSet(ScopedModelViewSet):
    model = Department
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    ordering_fields = ["name", "code", "path"]

    def get_scoped_queryset(self, action):
        return selectors.list_departments(user=self.request.user, action=action)

    def create_object(self, serializer):
        return services.create_department(actor=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        return services.update_department(
            actor=self.request.user, department=serializer.instance, data=serializer.validated_data
        )

    def delete_object(self, instance):
        services.delete_department(actor=self.request.user, department=instance)


#
# Users
#


class UserSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    department = ScopedRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    manager = ScopedRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    roles = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), many=True, required=False)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "phone",
            "department",
            "manager",
            "position",
            "roles",
            "is_active",
            "last_login",
            "date_joined",
            "password",
        ]
        read_only_fields = ["last_login", "date_joined"]
        brief_fields = ["id", "username", "name"]

    def validate(self, attrs):
        if self.instance is None:
            password = attrs.get("password")
            if not password:
                raise serializers.ValidationError({"password": ["新建用户必须设置密码。"]})
            validate_password(password, User(username=attrs.get("username", ""), email=attrs.get("email", "")))
        elif "password" in attrs:
            raise serializers.ValidationError({"password": ["请通过重置密码修改已有用户的密码。"]})
        return attrs


class UserViewSet(UserTokenActionsMixin, ScopedModelViewSet):
    model = User
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "name", "last_login"]

    def get_scoped_queryset(self, action):
        return selectors.list_users(user=self.request.user, action=action)

    def create_object(self, serializer):
        return services.create_user(actor=self.request.user, **serializer.validated_data)

    def update_object(self, serializer):
        return services.update_user(actor=self.request.user, user=serializer.instance, data=serializer.validated_data)

    def delete_object(self, instance):
        services.delete_user(actor=self.request.user, user=instance)


#
# Roles
#


class GrantSerializer(serializers.Serializer):
    resource = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    scope = serializers.ChoiceField(choices=Scope.choices)

    def validate_resource(self, value):
        if get_resource(value) is None:
            raise serializers.ValidationError(f"未知资源：{value}")
        return value


class RoleSerializer(serializers.ModelSerializer):
    grants = GrantSerializer(many=True, required=False)
    # Declared: DRF drops allow_blank from read-only fields, and the schema then omitted "" (no persona).
    persona = serializers.ChoiceField(choices=Persona.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Role
        fields = ["id", "name", "description", "persona", "is_active", "grants", "created_at", "updated_at"]
        read_only_fields = ["persona", "created_at", "updated_at"]
        brief_fields = ["id", "name"]


class RoleViewSet(ScopedModelViewSet):
    model = Role
    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ["name"]

    def get_scoped_queryset(self, action):
        return selectors.list_roles(user=self.request.user, action=action)

    def _save_grants(self, role, grants):
        if grants is None:
            return role
        return services.set_role_grants(
            actor=self.request.user,
            role=role,
            grants={grant["resource"]: (grant["actions"], grant["scope"]) for grant in grants},
        )

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        grants = data.pop("grants", None)
        return self._save_grants(services.create_role(actor=self.request.user, **data), grants)

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        grants = data.pop("grants", None)
        role = services.update_role(actor=self.request.user, role=serializer.instance, data=data)
        return self._save_grants(role, grants)

    def delete_object(self, instance):
        services.delete_role(actor=self.request.user, role=instance)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    department = serializers.IntegerField(source="department_id", allow_null=True)
    is_superuser = serializers.BooleanField()
    grants = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class MeView(views.APIView):
    """Who am I and what may I do: the signed-in user's own grants (personal, no scope)."""

    personal = True

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "name": user.name,
            "department_id": user.department_id,
            "is_superuser": user.is_superuser,
            "grants": user.grants(),
        }
        return Response(MeSerializer(data).data)
