"""API tokens on the pages (issue 12, finding 2): one's own on the 修改密码 page, a user's on that user's admin page;
each revoked after a confirmation page; another user's token is a 404."""

import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.org.models import ApiToken
from keshang.org.services import create_api_token
from keshang.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_the_own_page_lists_ones_tokens_and_revokes_one_after_asking(client):
    user = UserFactory()
    token, key = create_api_token(user=user, name="办公室电脑")
    client.force_login(user)
    page = client.get(reverse("web:password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "办公室电脑" in html and token.prefix in html and key not in html
    revoke = reverse("web:api_token_revoke", args=[token.pk])
    assert revoke in html
    confirm = client.get(revoke)
    assert confirm.status_code == 200 and 'data-testid="confirm-revoke"' in confirm.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post(revoke).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_another_users_token_is_404_on_the_own_pages(client):
    token, _key = create_api_token(user=UserFactory(), name="别人的")
    client.force_login(UserFactory())
    assert client.get(reverse("web:api_token_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("web:api_token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_an_administrator_sees_and_revokes_a_users_tokens_on_the_users_page(client):
    target = UserFactory()
    token, key = create_api_token(user=target, name="仓库平板")
    admin = UserFactory()
    grant(admin, "org.user", [Action.VIEW, Action.CHANGE], Scope.ALL)
    client.force_login(admin)
    html = client.get(reverse("org:user_detail", args=[target.pk])).content.decode()
    assert "仓库平板" in html and key not in html
    revoke = reverse("org:user_token_revoke", args=[target.pk, token.pk])
    assert revoke in html
    assert client.get(revoke).status_code == 200
    assert client.post(revoke).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_viewer_of_users_sees_no_tokens_and_cannot_revoke_them(client):
    target = UserFactory()
    token, _key = create_api_token(user=target, name="只读看不到")
    viewer = UserFactory()
    grant(viewer, "org.user", [Action.VIEW], Scope.ALL)
    client.force_login(viewer)
    assert "只读看不到" not in client.get(reverse("org:user_detail", args=[target.pk])).content.decode()
    assert client.post(reverse("org:user_token_revoke", args=[target.pk, token.pk])).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_of_another_user_is_404_under_this_users_page(client):
    target = UserFactory()
    token, _key = create_api_token(user=UserFactory(), name="不属于此用户")
    admin = UserFactory()
    grant(admin, "org.user", [Action.VIEW, Action.CHANGE], Scope.ALL)
    client.force_login(admin)
    assert client.post(reverse("org:user_token_revoke", args=[target.pk, token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_own_tokens_table_is_not_squeezed_into_the_password_forms_width(client):
    # In the narrow password card the 撤销 button and the dates broke over two lines (one character each).
    user = UserFactory()
    create_api_token(user=user, name="办公室电脑")
    client.force_login(user)
    html = client.get(reverse("web:password_change")).content.decode()
    section = html[html.index('data-testid="my-api-tokens"') - 60 :]
    assert "ks-narrow" not in section[:80]
    assert '<td class="text-end text-nowrap">' in section
