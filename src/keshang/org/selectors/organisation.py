"""Every read of departments, users and roles, through the data scope (STYLE.md §2)."""

from keshang.core.permissions import Action

from ..models import Department, Role, User

__all__ = ["list_departments", "list_users", "list_roles"]


def list_departments(*, user, action: str = Action.VIEW):
    return Department.objects.visible_to(user, action).select_related("parent", "head")


def list_users(*, user, action: str = Action.VIEW):
    return User.objects.visible_to(user, action).select_related("department", "manager").prefetch_related("roles")


def list_roles(*, user, action: str = Action.VIEW):
    return Role.objects.visible_to(user, action).prefetch_related("grants")
