"""Issue 12, findings 16 and 14 (third part): a refused request logs one line, and no authenticated answer is
kept by a browser or proxy cache."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def request_records(caplog):
    return [record for record in caplog.records if record.name in ("django.request", "keshang.refused")]


@pytest.mark.parametrize(
    ("channel", "path", "status", "code"),
    [
        ("page", "/partners/", 403, "permission_denied"),
        ("api", "/api/v1/partners/partners/", 403, "permission_denied"),
        ("viewer", "/api/v1/partners/partners/999999999/", 404, "not_found"),
        ("anonymous", "/api/v1/partners/partners/", 403, "not_authenticated"),
    ],
)
def test_a_refused_request_logs_one_line_without_a_traceback(client, caplog, channel, path, status, code):
    # given a user without any grant (one who may view, for the 404; nobody, for "not_authenticated")
    user = UserFactory(username="nogrant")
    api = APIClient()
    if channel == "page":
        client.force_login(user)
    elif channel in ("api", "viewer"):
        api.force_authenticate(user)
    if channel == "viewer":
        grant(user, "partners.partner", [Action.VIEW], Scope.OWN)
    # when
    with caplog.at_level(logging.INFO):
        response = (client if channel == "page" else api).get(path)
    # then one warning names method, path, user and code, and carries no traceback
    assert response.status_code == status
    records = request_records(caplog)
    assert len(records) == 1, [record.getMessage() for record in records]
    (record,) = records
    assert record.exc_info is None and record.levelno == logging.WARNING
    message = record.getMessage()
    assert "\n" not in message
    assert f"GET {path}" in message and f"status={status}" in message and f"code={code}" in message
    assert f"user={'nogrant' if channel != 'anonymous' else '-'}" in message


def test_authenticated_pages_and_api_answers_are_not_stored_by_caches(client):
    # given a signed-in user
    user = UserFactory()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    # when / then: a page, a refused page, an API answer and an API error all say no-store
    for response in (
        client.get(reverse("web:home")),
        client.get("/partners/"),
        api.get("/api/v1/org/me/"),
        api.get("/api/v1/partners/partners/"),
        APIClient().get("/api/v1/partners/partners/"),
    ):
        assert "no-store" in response.get("Cache-Control", ""), response.request["PATH_INFO"]
