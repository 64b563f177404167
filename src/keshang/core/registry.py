"""Registries through which later apps add themselves to earlier apps' pages (STYLE.md §1).

* the sidebar menu: ``register_menu_item()``; an item shows only when the user's grants allow it;
* home-page widgets: ``register_home_widget()``; each renders a template with its own context;
* a record's page: tabs (``register_detail_tab()``), buttons (``register_detail_action()``) and panels below its
  fields (``register_detail_panel()``);
* a list page: buttons in its header (``register_list_action()``: 导入 beside 新建) and actions on the ticked rows
  (``register_bulk_action()``: the 批量操作 menu);
* setup steps and demo loaders, which ``keshang setup`` and ``keshang demo`` run in order.

A button and the view behind it ask the same permission: the declaration names it, the view reads it from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse

from .permissions import Action, resource_for_model
from .scope import has_action

__all__ = [
    "MenuItem",
    "MenuGroup",
    "register_menu_group",
    "register_menu_item",
    "menu_for",
    "HomeWidget",
    "register_home_widget",
    "home_widgets",
    "register_demo_loader",
    "demo_loaders",
    "DetailTab",
    "register_detail_tab",
    "detail_tabs_for",
    "register_setup_step",
    "setup_steps",
    "DetailAction",
    "register_detail_action",
    "detail_actions_for",
    "DetailPanel",
    "register_detail_panel",
    "detail_panels_for",
    "ListAction",
    "register_list_action",
    "list_actions_for",
    "BulkAction",
    "register_bulk_action",
    "bulk_actions_for",
]


@dataclass(frozen=True)
class MenuItem:
    group: str
    label: str
    url_name: str
    resource: str | None = None  # None: every signed-in user
    action: str = Action.VIEW
    order: int = 100
    superuser_only: bool = False


@dataclass
class MenuGroup:
    label: str
    items: list[tuple[MenuItem, str]] = field(default_factory=list)


_menu: list[MenuItem] = []
_groups: dict[str, tuple[int, str]] = {}


def register_menu_group(key: str, label: str, order: int) -> None:
    _groups[key] = (order, label)


def register_menu_item(item: MenuItem) -> None:
    _menu.append(item)


def menu_for(user, path: str = "") -> list[MenuGroup]:
    """The groups and items this user may open, in order, as (item, url, active). The active item is
    the one whose URL is the longest prefix of ``path`` (客商 /partners/ and 公海 /partners/pool/)."""
    groups: dict[str, MenuGroup] = {}
    entries = []
    for item in sorted(_menu, key=lambda entry: (_groups.get(entry.group, (999, ""))[0], entry.order)):
        if item.superuser_only and not user.is_superuser:
            continue
        if item.resource and not has_action(user, item.resource, item.action):
            continue
        entries.append((item, reverse(item.url_name)))
    matches = [url for _item, url in entries if (path == url if url == "/" else path.startswith(url))]
    active = max(matches, key=len, default=None)
    for item, url in entries:
        label = _groups.get(item.group, (999, item.group))[1]
        groups.setdefault(item.group, MenuGroup(label=label)).items.append((item, url, url == active))
    return list(groups.values())


@dataclass(frozen=True)
class HomeWidget:
    key: str
    template: str
    context: Callable  # (request) -> dict, or None to hide the widget for this user
    order: int = 100


_widgets: list[HomeWidget] = []


def register_home_widget(widget: HomeWidget) -> None:
    _widgets.append(widget)


def home_widgets(request) -> list[tuple[HomeWidget, dict]]:
    rendered = []
    for widget in sorted(_widgets, key=lambda item: item.order):
        context = widget.context(request)
        if context is not None:
            rendered.append((widget, context))
    return rendered


#
# Demo data: each app adds its part; `keshang demo` runs them in order
#

_demo_loaders: list[tuple[int, Callable]] = []


def register_demo_loader(loader: Callable, order: int = 100) -> None:
    """``loader(*, actor, password_for, stdout)`` creates this app's demo records."""
    _demo_loaders.append((order, loader))


def demo_loaders() -> list[Callable]:
    return [loader for _order, loader in sorted(_demo_loaders, key=lambda item: item[0])]


#
# Detail-page tabs: a later app adds a tab to an earlier app's record (e.g. orders on a partner)
#


@dataclass(frozen=True)
class DetailTab:
    key: str
    label: str
    url_name: str  # reversed with the record's pk
    order: int = 100
    resource: str | None = None  # shown only to users granted "view" on it
    action: str = Action.VIEW


_detail_tabs: dict[str, list[DetailTab]] = {}


def register_detail_tab(model_label: str, tab: DetailTab) -> None:
    _detail_tabs.setdefault(model_label, []).append(tab)


def detail_tabs_for(model_label: str, user, pk) -> list[tuple[DetailTab, str]]:
    return [
        (tab, reverse(tab.url_name, args=[pk]))
        for tab in sorted(_detail_tabs.get(model_label, []), key=lambda item: item.order)
        if tab.resource is None or has_action(user, tab.resource, tab.action)
    ]


#
# Setup steps: reference data every installation needs, created by `keshang setup` on every run
#

_setup_steps: list[tuple[int, Callable]] = []


def register_setup_step(step: Callable, order: int = 100) -> None:
    """``step()`` creates what is missing and must be idempotent (it runs on every `keshang setup`)."""
    _setup_steps.append((order, step))


def setup_steps() -> list[Callable]:
    return [step for _order, step in sorted(_setup_steps, key=lambda item: item[0])]


#
# Detail-page actions: buttons a later app adds to a record's page (print, e-mail, 发起合同 …). The view behind an
# action asks the permission declared here (``DetailAction.action``), so the button and its endpoint agree.
#


@dataclass(frozen=True)
class DetailAction:
    key: str
    label: str
    url_name: str  # reversed with the record's pk
    action: str = Action.VIEW  # what the user needs on the record (within scope); the view asks the same
    states: tuple[str, ...] | None = None  # shown only while the record's ``status`` is one of these
    resource: str | None = None  # a further resource the user needs ``resource_action`` on (what it creates)
    resource_action: str = Action.ADD
    order: int = 100
    style: str = "btn-outline-secondary"

    def applies(self, obj) -> bool:
        return self.states is None or getattr(obj, "status", None) in self.states


_detail_actions: dict[str, list[DetailAction]] = {}


def register_detail_action(model_label: str, action: DetailAction) -> DetailAction:
    return _register(_detail_actions, model_label, action, "detail action")


def detail_actions_for(
    model_label: str, user, obj, *, visible: Callable[[str], bool]
) -> list[tuple[DetailAction, str]]:
    """The actions this user may take on ``obj`` now: its state allows them, the user holds the grants and
    ``visible(action)`` says the record is in the user's scope for that action."""
    shown = []
    for item in sorted(_detail_actions.get(model_label, []), key=lambda entry: entry.order):
        if not item.applies(obj):
            continue
        if item.resource is not None and not has_action(user, item.resource, item.resource_action):
            continue
        if visible(item.action):
            shown.append((item, reverse(item.url_name, args=[obj.pk])))
    return shown


def _register(registry: dict, model_label: str, item, kind: str):
    if any(existing.key == item.key for existing in registry.get(model_label, [])):
        raise ValueError(f"{kind} {item.key!r} registered twice for {model_label}")
    registry.setdefault(model_label, []).append(item)
    return item


def _resource_of(model_label: str) -> str:
    """The resource whose grants govern ``model_label``'s records (a part's record's, see ``scope_parent``)."""
    return resource_for_model(apps.get_model(model_label))


#
# Detail-page panels: what a later app shows inside another app's record page, below its fields (the orders of a
# customer, a product's stock). Each panel decides for itself whether it shows, reading through the user's scope.
#


@dataclass(frozen=True)
class DetailPanel:
    key: str
    template: str  # rendered with the context's dict and ``object``
    context: Callable  # (obj, user) -> dict, or None to hide the panel; reads through ``visible_to(user, …)``
    order: int = 100


_detail_panels: dict[str, list[DetailPanel]] = {}


def register_detail_panel(model_label: str, panel: DetailPanel) -> DetailPanel:
    return _register(_detail_panels, model_label, panel, "detail panel")


def detail_panels_for(model_label: str, obj, user) -> list[tuple[DetailPanel, dict]]:
    """The panels that show on ``obj``'s page for ``user``, in order, each with its context."""
    shown = []
    for panel in sorted(_detail_panels.get(model_label, []), key=lambda item: item.order):
        context = panel.context(obj, user)
        if context is not None:
            shown.append((panel, context))
    return shown


#
# List actions: buttons in a list page's header (导入 beside 新建), shown to those holding the grant. The view behind
# one asks the same permission (its ``action``/resource read from the declaration).
#


@dataclass(frozen=True)
class ListAction:
    key: str
    label: str
    url_name: str  # reversed without arguments
    resource: str | None = None  # what the user needs ``action`` on; None: the listed records' own resource
    action: str = Action.ADD
    order: int = 100
    style: str = "btn-outline-secondary"


_list_actions: dict[str, list[ListAction]] = {}


def register_list_action(model_label: str, action: ListAction) -> ListAction:
    return _register(_list_actions, model_label, action, "list action")


def list_actions_for(model_label: str, user) -> list[tuple[ListAction, str]]:
    return [
        (item, reverse(item.url_name))
        for item in sorted(_list_actions.get(model_label, []), key=lambda entry: entry.order)
        if has_action(user, item.resource or _resource_of(model_label), item.action)
    ]


#
# Bulk actions: what can be done to the rows ticked on a list page (the 批量操作 menu). The ticked ids go to the
# action's page as ``ids`` in a GET (``?ids=1&ids=2``; ``?ids=1,2`` is read the same), which reads them through
# ``visible_to(user, action)`` — ids outside the user's scope are left out, never acted on — and asks before it
# acts (``core.views.ObjectBulkView`` is such a page).
#


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: str
    url_name: str  # reversed without arguments
    action: str  # what the user needs on each record (within scope); the view asks the same
    resource: str | None = None  # None: the listed records' own resource
    order: int = 100


_bulk_actions: dict[str, list[BulkAction]] = {}


def register_bulk_action(model_label: str, action: BulkAction) -> BulkAction:
    return _register(_bulk_actions, model_label, action, "bulk action")


def bulk_actions_for(model_label: str, user) -> list[tuple[BulkAction, str]]:
    """The bulk actions ``user`` holds the grant for on ``model_label``'s list: when there is any, the list shows
    a checkbox per row and the 批量操作 menu."""
    return [
        (item, reverse(item.url_name))
        for item in sorted(_bulk_actions.get(model_label, []), key=lambda entry: entry.order)
        if has_action(user, item.resource or _resource_of(model_label), item.action)
    ]
