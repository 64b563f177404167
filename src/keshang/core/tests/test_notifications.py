import pytest
from django.core import mail
from django.urls import reverse

from keshang.core.notifications import count_unread, mark_notification_read, notify
from keshang.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_one_unread_notification_per_active_recipient():
    active, inactive = UserFactory(), UserFactory(is_active=False)
    created = notify(recipients=[active, active, inactive], title="报价单待审批")
    assert len(created) == 1
    assert count_unread(user=active) == 1


def test_email_is_sent_only_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[user], title="合同即将到期", body="请续签", email=True)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "合同即将到期"
    assert mail.outbox[0].to == ["wang@example.com"]


def test_a_user_cannot_mark_someone_elses_notification(client):
    me, other = UserFactory(), UserFactory()
    (theirs,) = notify(recipients=[other], title="别人的")
    assert mark_notification_read(user=me, pk=theirs.pk) is False
    client.force_login(me)
    assert client.post(reverse("core:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_only_local_links(client):
    user = UserFactory()
    (local,) = notify(recipients=[user], title="本地", url="/org/users/")
    (foreign,) = notify(recipients=[user], title="外链", url="https://evil.example.com/")
    client.force_login(user)
    assert client.post(reverse("core:notification_read", args=[local.pk]))["Location"] == "/org/users/"
    assert client.post(reverse("core:notification_read", args=[foreign.pk]))["Location"] == reverse(
        "core:notification_list"
    )
    assert count_unread(user=user) == 0


def test_badge_fragment_shows_the_unread_count(client):
    user = UserFactory()
    notify(recipients=[user], title="一")
    notify(recipients=[user], title="二")
    client.force_login(user)
    content = client.get(reverse("core:notification_badge")).content.decode()
    assert ">2<" in content
