"""Every list and bulk action the apps register (core.registry), for a user of each persona's default role and one
without any grant: a button shows exactly to those the page behind it serves, and whoever it is hidden from is
refused there (403). Discovered from the registries, so an app's new registration is covered without editing this
file (core/tests/test_page_registries.py proves the machinery on the test-only Memo, scope included)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from keshang.core import registry
from keshang.core.permissions import Persona, resource_for_model
from keshang.core.scope import has_action
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SERVED = (200, 302)


@pytest.fixture
def people():
    """A user per persona, holding that persona's default role, and one holding nothing."""
    ensure_default_roles()
    department = DepartmentFactory()
    users = {"no grant": UserFactory(department=department)}
    for persona in Persona:
        user = UserFactory(department=department)
        user.roles.add(Role.objects.get(persona=persona.value))
        users[persona.value] = user
    return users


def list_page(model_label: str) -> str:
    app_label, model_name = model_label.split(".")
    return reverse(f"{app_label}:{model_name}_list")


def resource_of(model_label: str, item) -> str:
    return item.resource or resource_for_model(apps.get_model(model_label))


def check(client, people, registered: dict, marker: str) -> int:
    """For every registered item and every user: shown on the list ⇔ the grant ⇔ its page serves them."""
    checked = 0
    for model_label, items in registered.items():
        for item in items:
            for who, user in people.items():
                client.force_login(user)
                allowed = has_action(user, resource_of(model_label, item), item.action)
                listed = client.get(list_page(model_label))
                opened = client.get(reverse(item.url_name))
                where = f"{model_label} {item.key} as {who}"
                if listed.status_code == 200:
                    shown = f'{marker}="{item.key}"' in listed.content.decode()
                    assert shown == allowed, f"{where}: shown {shown}, grant {allowed}"
                else:
                    assert listed.status_code == 403, f"{where}: the list answered {listed.status_code}"
                if allowed:
                    assert opened.status_code in SERVED, f"{where}: the page refused a user the button shows to"
                else:
                    assert opened.status_code == 403, f"{where}: the page answered {opened.status_code}"
                checked += 1
    return checked


def test_every_list_action_shows_exactly_to_those_its_page_serves(client, people):
    # the catalog's 导入 on the product list at least
    assert "catalog.product" in registry._list_actions
    assert check(client, people, registry._list_actions, "data-list-action")


def test_every_bulk_action_shows_exactly_to_those_its_page_serves(client, people):
    # None is registered until partners adds 批量转移; then this checks it (without ids: what a page does with the
    # ids it is given, within the scope, is the app's own test).
    check(client, people, registry._bulk_actions, "data-bulk-action")
