"""Every write to departments, users and roles: one transaction each, audited (STYLE.md §2)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.permissions import Action, Persona, Scope, get_resource, resources
from keshang.core.scope import has_action

from ..models import Department, Grant, Role, User
from .tokens import revoke_user_tokens

__all__ = [
    "model_update",
    "create_department",
    "update_department",
    "delete_department",
    "create_user",
    "update_user",
    "set_user_password",
    "change_own_password",
    "delete_user",
    "create_role",
    "update_role",
    "delete_role",
    "set_role_grants",
    "ensure_default_roles",
]


def model_update(*, instance, data: dict) -> tuple[object, bool]:
    """Set the given fields, validate, and save only what changed (SGE common/services.py)."""
    changed = [field for field, value in data.items() if getattr(instance, field) != value]
    for field in changed:
        setattr(instance, field, data[field])
    if changed:
        instance.full_clean()
        instance.save(update_fields=[*changed, *(["updated_at"] if hasattr(instance, "updated_at") else [])])
    return instance, bool(changed)


#
# Departments
#


def _set_path(department: Department) -> None:
    parent_path = department.parent.path if department.parent_id else "/"
    department.path = f"{parent_path}{department.pk}/"
    department.depth = department.path.count("/") - 2


def create_department(
    *, actor, name: str, code: str, parent: Department | None = None, head=None, is_active: bool = True
) -> Department:
    with transaction.atomic():
        department = Department(name=name, code=code, parent=parent, head=head, is_active=is_active)
        department.full_clean(exclude=["path"])
        department.save()
        _set_path(department)
        department.save(update_fields=["path", "depth"])
        audit.record(actor=actor, obj=department, action=AuditAction.CREATE)
    return department


def update_department(*, actor, department: Department, data: dict) -> Department:
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        before = audit.snapshot(department)
        old_path = department.path
        department, changed = model_update(instance=department, data=data)
        if "parent" in data:
            _set_path(department)
            if department.path != old_path:
                department.save(update_fields=["path", "depth"])
                # Move the subtree with it: every descendant's path starts with the old path.
                for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
                    child.path = department.path + child.path[len(old_path) :]
                    child.depth = child.path.count("/") - 2
                    child.save(update_fields=["path", "depth"])
        if changed:
            audit.record(actor=actor, obj=department, action=AuditAction.UPDATE, before=before)
    return department


def delete_department(*, actor, department: Department) -> None:
    """Refused (ProtectedError) while the department has sub-departments or members."""
    with transaction.atomic():
        before = audit.snapshot(department)
        audit.record(actor=actor, obj=department, action=AuditAction.DELETE, before=before)
        department.delete()


#
# Who may hand out what (issue 12, finding 8)
#

SUPERUSER_PROTECTED = "superuser_protected"
GRANT_EXCEEDS_OWN = "grant_exceeds_own"


def _check_may_manage(actor, user: User, *, make_superuser: bool = False) -> None:
    """Only a superuser changes, resets, deactivates, deletes, re-roles or creates a superuser. ``actor=None``
    is the system (setup, commands run on the server)."""
    if actor is None or actor.is_superuser:
        return
    if user.is_superuser or make_superuser:
        raise ApplicationError(gettext("只有超级管理员可以管理超级管理员账户。"), code=SUPERUSER_PROTECTED)


def _rights_beyond(actor, grants) -> list[str]:
    """The ``(resource, actions, scope)`` rights that ``actor`` does not hold themselves at that scope or
    wider, as "资源：操作" labels; none for the system or a superuser."""
    if actor is None or actor.is_superuser:
        return []
    own = actor.grants()
    labels = dict(Action.choices)
    beyond = []
    for label, actions, scope in grants:
        resource = get_resource(label)
        for action in sorted(actions):
            held = own.get(label, {}).get(action)
            scoped = resource is None or resource.scoped
            if held is None or (scoped and Scope.widest(held, scope) != held):
                name = resource.verbose_name if resource else label
                beyond.append(f"{name}：{labels.get(action, action)}")
    return beyond


def _check_within_own_rights(actor, grants, *, field: str) -> None:
    beyond = _rights_beyond(actor, grants)
    if beyond:
        message = gettext("不能授予超出您自身权限的权利：%(rights)s。") % {"rights": "、".join(beyond)}
        raise ApplicationError(message, code=GRANT_EXCEEDS_OWN, fields={field: [message]})


def _role_grants(roles) -> list[tuple[str, list[str], str]]:
    return [
        (grant.resource, grant.actions, grant.scope)
        for grant in Grant.objects.filter(role__in=[role.pk for role in roles], role__is_active=True)
    ]


#
# Users
#


def _check_can_assign_roles(actor) -> None:
    """Giving roles is a permission change: it takes the right to change roles, not just users."""
    if actor is not None and not has_action(actor, "org.role", Action.CHANGE):
        raise ApplicationError(gettext("您没有分配角色的权限。"), code="cannot_assign_roles", fields={"roles": []})


def create_user(
    *,
    actor,
    username: str,
    password: str,
    name: str = "",
    email: str = "",
    department: Department | None = None,
    manager: User | None = None,
    position: str = "",
    phone: str = "",
    roles=(),
    is_active: bool = True,
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        _check_may_manage(actor, User(), make_superuser=is_superuser)
        user = User(
            username=username,
            name=name,
            email=email,
            department=department,
            manager=manager,
            position=position,
            phone=phone,
            is_active=is_active,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit.record(actor=actor, obj=user, action=AuditAction.CREATE)
        if roles:
            _check_can_assign_roles(actor)
            _check_within_own_rights(actor, _role_grants(roles), field="roles")
            user.roles.set(roles)
            audit.record(
                actor=actor,
                obj=user,
                action=AuditAction.PERMISSION,
                before={"roles": []},
                after={"roles": sorted(role.name for role in roles)},
                message=gettext("角色变更"),
            )
    return user


def update_user(*, actor, user: User, data: dict) -> User:
    """Roles are permission changes: they are audited as such, beside the field changes."""
    data = dict(data)
    roles = data.pop("roles", None)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_may_manage(actor, user, make_superuser=bool(data.get("is_superuser")))
        before = audit.snapshot(user)
        user, changed = model_update(instance=user, data=data)
        if changed:
            audit.record(actor=actor, obj=user, action=AuditAction.UPDATE, before=before)
        if not user.is_active:
            revoke_user_tokens(user=user)  # a deactivated user's API tokens die with their sign-in
        if roles is not None and set(roles) != set(user.roles.all()):
            _check_can_assign_roles(actor)
            added = set(roles) - set(user.roles.all())
            _check_within_own_rights(actor, _role_grants(added), field="roles")
            before_roles = {"roles": sorted(user.roles.values_list("name", flat=True))}
            user.roles.set(roles)
            audit.record(
                actor=actor,
                obj=user,
                action=AuditAction.PERMISSION,
                before=before_roles,
                after={"roles": sorted(role.name for role in roles)},
                message=gettext("角色变更"),
            )
        user.forget_grants()
    return user


def set_user_password(*, actor, user: User, password: str) -> User:
    """An administrator resets someone's password."""
    with transaction.atomic():
        _check_may_manage(actor, user)
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        revoke_user_tokens(user=user)  # whoever held the old password may hold a token obtained with it
        audit.record_event(actor=actor, obj=user, action=AuditAction.PASSWORD, message=gettext("管理员重置密码"))
    return user


def change_own_password(*, user: User, password: str) -> User:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        revoke_user_tokens(user=user)
        audit.record_event(actor=user, obj=user, action=AuditAction.PASSWORD, message=gettext("本人修改密码"))
    return user


def delete_user(*, actor, user: User) -> None:
    """Users who own records are deactivated rather than deleted (the PROTECT on owner refuses)."""
    with transaction.atomic():
        _check_may_manage(actor, user)
        before = audit.snapshot(user)
        audit.record(actor=actor, obj=user, action=AuditAction.DELETE, before=before)
        user.delete()


#
# Roles and grants
#


def create_role(*, actor, name: str, description: str = "", is_active: bool = True, persona: str = "") -> Role:
    with transaction.atomic():
        role = Role(name=name, description=description, is_active=is_active, persona=persona)
        role.full_clean()
        role.save()
        audit.record(actor=actor, obj=role, action=AuditAction.CREATE)
    return role


def update_role(*, actor, role: Role, data: dict) -> Role:
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        if data.get("is_active") and not role.is_active:
            # Switching a role back on gives its members its grants again.
            _check_within_own_rights(
                actor, [(g.resource, g.actions, g.scope) for g in role.grants.all()], field="is_active"
            )
        before = audit.snapshot(role)
        role, changed = model_update(instance=role, data=data)
        if changed:
            audit.record(actor=actor, obj=role, action=AuditAction.UPDATE, before=before)
    return role


def delete_role(*, actor, role: Role) -> None:
    with transaction.atomic():
        before = {**audit.snapshot(role), "grants": _grants_snapshot(role)}
        audit.record(actor=actor, obj=role, action=AuditAction.DELETE, before=before)
        role.delete()


def _grants_snapshot(role: Role) -> dict:
    return {grant.resource: {"actions": sorted(grant.actions), "scope": grant.scope} for grant in role.grants.all()}


def set_role_grants(*, actor, role: Role, grants: dict[str, tuple[list[str], str]]) -> Role:
    """Replace the role's grants: resource → (actions, scope). Unknown resources or actions are refused."""
    errors = {}
    for label, (actions, _scope) in grants.items():
        resource = get_resource(label)
        if resource is None:
            errors[label] = gettext("未知资源：%(label)s") % {"label": label}
        elif set(actions) - set(resource.actions):
            errors[label] = gettext("%(resource)s 不支持操作：%(actions)s") % {
                "resource": resource.verbose_name,
                "actions": ", ".join(sorted(set(actions) - set(resource.actions))),
            }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        before = _grants_snapshot(role)
        # What is added or widened must be the actor's own; what the role already had may stay or go.
        added = []
        for label, (actions, scope) in grants.items():
            previous = before.get(label)
            for action in set(actions):
                kept = previous and action in previous["actions"]
                if not (kept and Scope.widest(previous["scope"], scope) == previous["scope"]):
                    added.append((label, [action], scope))
        _check_within_own_rights(actor, added, field="grants")
        role.grants.all().delete()
        Grant.objects.bulk_create(
            Grant(role=role, resource=label, actions=sorted(set(actions)), scope=scope)
            for label, (actions, scope) in grants.items()
            if actions
        )
        after = _grants_snapshot(role)
        if before != after:
            audit.record(
                actor=actor,
                obj=role,
                action=AuditAction.PERMISSION,
                before=before,
                after=after,
                message=gettext("授权变更"),
            )
    return role


def ensure_default_roles(*, actor=None) -> list[Role]:
    """Create the seven persona roles, and give them the defaults of resources they have no grant for yet.

    Existing grants are left alone, so an administrator's edits survive upgrades; a module added later
    brings its defaults the next time this runs (on every ``keshang setup``).
    """
    roles = []
    with transaction.atomic():
        for persona in Persona:
            role = Role.objects.filter(persona=persona.value).first()
            if role is None:
                role = create_role(actor=actor, name=str(persona.label), persona=persona.value)
            existing = set(role.grants.values_list("resource", flat=True))
            missing = []
            for resource in resources():
                if persona in resource.defaults and resource.label not in existing:
                    actions, scope = resource.defaults[persona]
                    missing.append(Grant(role=role, resource=resource.label, actions=sorted(actions), scope=scope))
            if missing:
                Grant.objects.bulk_create(missing)
                audit.record(
                    actor=actor,
                    obj=role,
                    action=AuditAction.PERMISSION,
                    after=_grants_snapshot(role),
                    message=gettext("预置授权"),
                )
            roles.append(role)
    return roles
