"""Issue 12, finding 3: searching users by part of an e-mail confirmed a colleague's masked address."""

import pytest

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague():
    return UserFactory(username="colleague", name="同事甲", email="secret.boss@example.cn")


def found(client, query):
    response = client.get("/api/v1/org/users/", {"q": query})
    assert response.status_code == 200
    return {row["username"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"), [("secret", set()), ("boss@", set()), ("secret.boss@example.cn", {"colleague"})]
)
def test_a_masked_email_is_found_only_whole(api_client, colleague, query, expected):
    user = UserFactory()
    grant(user, "org.user", [Action.VIEW], Scope.ALL)
    api_client.force_authenticate(user)
    assert found(api_client, query) == expected


def test_who_sees_emails_in_clear_finds_by_part(api_client, colleague):
    user = UserFactory()
    grant(user, "org.user", [Action.VIEW, Action.VIEW_SENSITIVE], Scope.ALL)
    api_client.force_authenticate(user)
    assert found(api_client, "secret") == {"colleague"}
