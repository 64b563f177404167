"""Registries through which later apps add themselves to earlier apps' pages (STYLE.md §1).

* the sidebar menu: ``register_menu_item()``; an item shows only when the user's grants allow it;
* home-page widgets: ``register_home_widget()``; each renders a template with its own context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from .permissions import Action
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


def menu_for(user) -> list[MenuGroup]:
    """The groups and items this user may open, in order, with their URLs."""
    groups: dict[str, MenuGroup] = {}
    for item in sorted(_menu, key=lambda entry: (_groups.get(entry.group, (999, ""))[0], entry.order)):
        if item.superuser_only and not user.is_superuser:
            continue
        if item.resource and not has_action(user, item.resource, item.action):
            continue
        label = _groups.get(item.group, (999, item.group))[1]
        groups.setdefault(item.group, MenuGroup(label=label)).items.append((item, reverse(item.url_name)))
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
