"""Issue 12, finding 3: searches are rate-limited per user, so a masked value cannot be guessed by thousands of
searches; over the limit, pages and API answer 429 with a Chinese message and a code."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def searcher():
    cache.clear()
    user = UserFactory()
    grant(user, "partners.partner", [Action.VIEW], Scope.ALL)
    yield user
    cache.clear()


@override_settings(KESHANG_SEARCH_RATE=3)
def test_the_api_answers_429_with_a_code_past_the_limit(api_client, searcher):
    api_client.force_authenticate(searcher)
    answers = [api_client.get("/api/v1/partners/partners/", {"q": f"华{n}"}).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    response = api_client.get("/api/v1/partners/partners/", {"q": "华"})
    assert response.json()["code"] == "search_rate_limited"
    assert "搜索过于频繁" in response.json()["message"]
    # a list without a search is not counted
    assert api_client.get("/api/v1/partners/partners/").status_code == 200


@override_settings(KESHANG_SEARCH_RATE=2)
def test_pages_answer_429_past_the_limit_and_other_users_are_not_affected(client, searcher):
    client.force_login(searcher)
    assert [client.get("/partners/", {"q": "华"}).status_code for _ in range(3)] == [200, 200, 429]
    assert "搜索过于频繁" in client.get("/search/", {"q": "华"}).content.decode()
    other = UserFactory()
    grant(other, "partners.partner", [Action.VIEW], Scope.ALL)
    client.force_login(other)
    assert client.get("/partners/", {"q": "华"}).status_code == 200
