"""Fixtures registered from the root conftest (STYLE.md §11): few, with variants from factory arguments."""

import pytest
from rest_framework.test import APIClient

from keshang.org.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()
