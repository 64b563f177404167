"""The organisation as core sees it. Org — users, departments, roles — is above core (``keshang.tests.test_layers``);
core reaches them the way Django's own apps reach the user model: through ``AUTH_USER_MODEL`` and that model's
``department`` and ``roles`` relations, never by importing org. What core needs of a user is that interface: a
``department`` (with a materialised ``path``), a ``manager``, ``roles``, ``grants()``."""

from __future__ import annotations

from django.contrib.auth import get_user_model

__all__ = ["user_model", "department_model", "role_model"]


def user_model():
    return get_user_model()


def department_model():
    return get_user_model()._meta.get_field("department").related_model


def role_model():
    return get_user_model()._meta.get_field("roles").related_model
