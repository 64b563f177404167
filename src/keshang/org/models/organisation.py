"""Departments (a tree), users, roles and the grants that give roles their actions and data scopes, and
``OwnedModel``, the base of every record that has an owner."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keshang.core.permissions import Action, Persona, Scope
from keshang.core.scope import ScopedManager, ScopedQuerySet

__all__ = ["Department", "User", "Role", "Grant", "OwnedModel"]

# Reading a superuser's record is ordinary; every other action on it is a superuser's alone.
READ_ACTIONS = frozenset({Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE})

PHONE_VALIDATOR = RegexValidator(r"^\+?[0-9][0-9\- ]{5,19}$", _("请输入有效的电话号码，如 13812345678。"))


class Department(models.Model):
    """A node of the department tree. ``path`` ("/1/4/9/") lets one query fetch a whole subtree."""

    name = models.CharField(_("部门名称"), max_length=100)
    code = models.CharField(
        _("部门编码"),
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_\-]+$", _("编码只能包含字母、数字、下划线和短横线。"))],
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_department_field = "pk"

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = pgettext_lazy("plural", "部门")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="department_unique_name_per_parent",
                violation_error_message=_("同一上级部门下已有同名部门。"),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("上级部门不能是本部门或其下级部门。")})
                ancestor = ancestor.parent

    def descendant_ids(self):
        return Department.ids_under(self.path)

    @staticmethod
    def ids_under(path: str):
        """The departments at ``path`` and below it, as a subquery of ids."""
        return Department.objects.filter(path__startswith=path).values("pk")


class UserQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = Action.VIEW):
        """Superusers are seen by those who may see users, but changed, reset, deactivated or deleted only by
        another superuser (issue 12, finding 8): for anyone else they are not there to act on."""
        queryset = super().visible_to(user, action)
        if action not in READ_ACTIONS and user and not getattr(user, "is_superuser", False):
            queryset = queryset.exclude(is_superuser=True)
        return queryset


class KeshangUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. ``grant_scope()`` is what the data scope asks of a user."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    position = models.CharField(_("职位"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    roles = models.ManyToManyField("Role", verbose_name=_("角色"), blank=True, related_name="users")

    objects = KeshangUserManager()

    scope_owner_field = "pk"
    scope_department_field = "department"
    sensitive_fields = ("phone", "email")
    # Django's unused name and permission columns say nothing; roles are audited as permission changes.
    audit_exclude = ("password", "last_login", "first_name", "last_name", "groups", "user_permissions", "is_staff")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        if self.manager_id and self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("上级不能是本人。")})

    def get_full_name(self):
        return self.name or self.username

    #
    # The data-scope protocol (keshang.core.scope)
    #

    def grants(self) -> dict[str, dict[str, str]]:
        """resource → action → widest scope over all active roles; cached on this object (one request)."""
        cached = getattr(self, "_grants_cache", None)
        if cached is None:
            cached = {}
            rows = Grant.objects.filter(role__users=self, role__is_active=True).values_list(
                "resource", "actions", "scope"
            )
            for resource, actions, scope in rows:
                by_action = cached.setdefault(resource, {})
                for action in actions:
                    previous = by_action.get(action)
                    by_action[action] = Scope.widest(previous, scope) if previous else scope
            self._grants_cache = cached
        return cached

    def grant_scope(self, resource: str, action: str) -> str | None:
        return self.grants().get(resource, {}).get(action)

    def department_tree_ids(self):
        """The user's department and everything below it, as a subquery; the path is read once per
        user object (one request), however many scoped reads the request makes."""
        if self.department_id is None:
            return Department.objects.none().values("pk")
        path = self.__dict__.get("_department_path")
        if path is None:
            path = self._department_path = Department.objects.values_list("path", flat=True).get(pk=self.department_id)
        return Department.ids_under(path)

    def forget_grants(self):
        self.__dict__.pop("_grants_cache", None)
        self.__dict__.pop("_department_path", None)


class Role(models.Model):
    """A named set of grants. Default roles (``persona`` set) ship for the seven personas."""

    name = models.CharField(_("角色名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    persona = models.CharField(_("预置角色"), max_length=20, choices=Persona.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = pgettext_lazy("plural", "角色")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["persona"],
                condition=~models.Q(persona=""),
                name="role_unique_persona",
                violation_error_message=_("该预置角色已存在。"),
            )
        ]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """Actions on one resource at one scope. Actions are a JSON list so both databases store them."""

    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.CASCADE, related_name="grants")
    resource = models.CharField(_("资源"), max_length=100)
    actions = models.JSONField(_("操作"), default=list)
    scope = models.CharField(_("数据范围"), max_length=20, choices=Scope.choices, default=Scope.OWN)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["role", "resource"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "resource"],
                name="grant_unique_resource",
                violation_error_message=_("该角色已有此资源的授权。"),
            )
        ]

    def __str__(self):
        return f"{self.role}: {self.resource} {','.join(self.actions)} ({self.get_scope_display()})"


class OwnedModel(models.Model):
    """Base of every record that belongs to someone: owner, department, collaborators, timestamps."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    scope_owner_field = "owner"
    scope_department_field = "department"
    scope_collaborators = True

    class Meta:
        abstract = True
