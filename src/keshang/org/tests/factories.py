import factory
from factory.django import DjangoModelFactory

from keshang.core.permissions import Scope
from keshang.org.models import Department, Grant, Role, User

DEFAULT_PASSWORD = "Test-Pass-2026"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        """The tree path the service maintains, so subtree queries work on factory-made departments."""
        parent_path = obj.parent.path if obj.parent_id else "/"
        obj.path = f"{parent_path}{obj.pk}/"
        obj.depth = obj.path.count("/") - 2
        if create:
            obj.save(update_fields=["path", "depth"])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda obj: f"{obj.username}@example.com")
    phone = "13812345678"
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_active = True


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"角色{n}")


def grant(user: User, resource: str, actions, scope: str = Scope.ALL) -> Role:
    """Give ``user`` a fresh role granting ``actions`` on ``resource`` at ``scope``."""
    role = RoleFactory()
    Grant.objects.create(role=role, resource=resource, actions=list(actions), scope=scope)
    user.roles.add(role)
    user.forget_grants()
    return role
