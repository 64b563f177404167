"""Resources, actions and scopes: the vocabulary of roles and grants (DESIGN.md rule 2).

Every model a role can grant rights on is registered here as a *resource* with the actions that
make sense for it. Apps register their resources in ``AppConfig.ready()``; the role editor, the
menu and the default persona roles are built from this registry, so a later app extends them
without an import upward.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Action",
    "Scope",
    "Resource",
    "register_resource",
    "resources",
    "get_resource",
    "resource_for_model",
    "Persona",
]


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    APPROVE = "approve", _("审批")
    ASSIGN = "assign", _("分配")
    VIEW_SENSITIVE = "view_sensitive", _("查看敏感字段")


class Scope(models.TextChoices):
    """Ordered from narrowest to widest: the union of grants keeps the widest."""

    OWN = "own", _("本人")
    DEPARTMENT = "department", _("本部门")
    DEPARTMENT_TREE = "department_tree", _("本部门及下级部门")
    ALL = "all", _("全部")

    @classmethod
    def widest(cls, *scopes: str) -> str:
        order = list(cls.values)
        return max(scopes, key=order.index)


class Persona(models.TextChoices):
    """The seven personas of DESIGN.md; each ships as a default role."""

    SALES = "sales", _("销售")
    SALES_MANAGER = "sales_manager", _("销售经理")
    PURCHASER = "purchaser", _("采购")
    WAREHOUSE = "warehouse", _("仓管")
    FINANCE = "finance", _("财务")
    MANAGEMENT = "management", _("管理层")
    ADMIN = "admin", _("管理员")


CRUD = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)


@dataclass(frozen=True)
class Resource:
    """A grantable thing, usually a model: ``label`` is ``app_label.model_name``.

    ``scoped`` resources carry owner/department and honour the grant's scope; for the others a
    grant is all-or-nothing. ``defaults`` maps a persona to the actions and scope its default role
    gets. ``on_records`` is False for a right that is no model's own (claiming the pool's customers, changing a
    partner's credit fields, back-dating a document): the services of its model's routes check it, so the
    permission matrix does not look for routes of its own.
    """

    label: str
    verbose_name: str
    actions: tuple[str, ...] = CRUD
    scoped: bool = False
    defaults: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    on_records: bool = True

    def action_choices(self) -> list[tuple[str, str]]:
        labels = dict(Action.choices)
        return [(action, labels[action]) for action in self.actions]


_registry: dict[str, Resource] = {}


def register_resource(resource: Resource) -> Resource:
    unknown = set(resource.actions) - set(Action.values)
    if unknown:
        raise ValueError(f"{resource.label}: unknown actions {sorted(unknown)}")
    _registry[resource.label] = resource
    return resource


def resources() -> list[Resource]:
    return list(_registry.values())


def get_resource(label: str) -> Resource | None:
    return _registry.get(label)


def resource_for_model(model: type[models.Model]) -> str:
    """The resource whose grants govern ``model``: its own, or its parent's for parts of a record
    (a partner's contacts are governed by the partner's grants, see ``scope_parent``)."""
    parent = getattr(model, "scope_parent", None)
    if parent:
        return resource_for_model(model._meta.get_field(parent).related_model)
    return model._meta.label_lower
