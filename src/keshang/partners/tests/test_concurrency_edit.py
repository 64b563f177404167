"""Two people editing the same partner: the second save is refused with a conflict, never a silent
overwrite — in the service, on the form (input kept), in the API (409, ``ETag``/``If-Match``) and
between 8 workers saving at the same moment."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.testing.concurrency import WORKERS, run_together
from keshang.core.versioning import VersionConflict
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Contact, Partner, Tag
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """Two reps of one department who may both change the department's partners."""
    department = DepartmentFactory()
    reps = [UserFactory(department=department) for _ in range(2)]
    for rep in reps:
        grant(rep, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.DEPARTMENT)
        grant(rep, "org.user", [Action.VIEW], Scope.DEPARTMENT)
        grant(rep, "core.region", [Action.VIEW], Scope.ALL)
    partner = PartnerFactory(name="苏州版本精密机械有限公司", owner=reps[0], notes="原备注")
    return reps, partner


def updates(partner) -> int:
    return AuditEntry.objects.filter(object_id=str(partner.pk), action=AuditAction.UPDATE).count()


#
# Service
#


def test_a_save_from_the_current_version_changes_the_partner_and_raises_its_version(team):
    (rep, _colleague), partner = team
    # when
    saved = services.update_partner(actor=rep, partner=partner, data={"notes": "新备注"}, expected_version=1)
    # then
    saved.refresh_from_db()
    assert (saved.notes, saved.version) == ("新备注", 2)
    assert updates(partner) == 1


def test_a_save_from_a_stale_version_is_a_conflict_and_changes_nothing(team):
    (rep, colleague), partner = team
    services.update_partner(actor=colleague, partner=partner, data={"notes": "同事的修改"}, expected_version=1)
    # when the rep saves what they opened at version 1
    with pytest.raises(VersionConflict) as error:
        services.update_partner(actor=rep, partner=partner, data={"notes": "我的修改"}, expected_version=1)
    # then the colleague's change stands and the rep is told in Chinese
    assert error.value.code == "conflict" and "已被他人修改" in error.value.message
    partner.refresh_from_db()
    assert (partner.notes, partner.version) == ("同事的修改", 2)
    assert updates(partner) == 1


def test_a_change_of_tags_alone_is_a_new_version_and_an_unchanged_save_is_not(team):
    (rep, _colleague), partner = team
    tag = Tag.objects.create(name="重点")
    # when
    tagged = services.update_partner(actor=rep, partner=partner, data={}, tags=[tag], expected_version=1)
    unchanged = services.update_partner(actor=rep, partner=partner, data={"notes": "原备注"}, expected_version=2)
    # then
    assert (tagged.version, unchanged.version) == (2, 2)
    assert updates(partner) == 1


def test_a_version_is_not_checked_when_the_caller_names_none(team):
    (rep, colleague), partner = team
    services.update_partner(actor=colleague, partner=partner, data={"notes": "同事的修改"})
    # when
    saved = services.update_partner(actor=rep, partner=partner, data={"notes": "脚本的修改"})
    # then
    assert (saved.notes, saved.version) == ("脚本的修改", 3)


#
# Form
#


def form_post(partner, **overrides) -> dict:
    data = {"kind": partner.kind, "is_customer": "on", "name": partner.name, "status": partner.status}
    data.update(overrides)
    return data


def test_the_second_of_two_form_saves_is_refused_with_the_input_kept(client, team):
    (rep, colleague), partner = team
    url = reverse("partners:partner_edit", args=[partner.pk])
    # given both open the form at version 1
    client.force_login(rep)
    opened = client.get(url).content.decode()
    assert 'name="version" value="1"' in opened
    other = type(client)()
    other.force_login(colleague)
    # when the colleague saves first, then the rep
    assert other.post(url, form_post(partner, notes="同事的修改", version="1")).status_code == 302
    response = client.post(url, form_post(partner, notes="我的长篇修改", version="1"))
    # then the rep sees the conflict above their own input, and the colleague's change stands
    content = response.content.decode()
    assert response.status_code == 200
    assert "该记录已被他人修改" in content and "我的长篇修改" in content
    partner.refresh_from_db()
    assert (partner.notes, partner.version) == ("同事的修改", 2)


def test_saving_the_refused_form_again_is_still_refused(client, team):
    (rep, colleague), partner = team
    url = reverse("partners:partner_edit", args=[partner.pk])
    services.update_partner(actor=colleague, partner=partner, data={"notes": "同事的修改"}, expected_version=1)
    client.force_login(rep)
    refused = client.post(url, form_post(partner, notes="我的修改", version="1"))
    # when the rep submits the re-shown form unchanged
    again = client.post(url, form_post(partner, notes="我的修改", version=refused.context["form"]["version"].value()))
    # then it is refused again: only reloading the page picks up the new version
    assert "该记录已被他人修改" in again.content.decode()
    partner.refresh_from_db()
    assert partner.notes == "同事的修改"


#
# API
#


@pytest.fixture
def api_team(team):
    (rep, colleague), partner = team
    clients = []
    for user in (rep, colleague):
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append(client)
    return clients, partner


def detail(partner) -> str:
    return reverse("partners-api:partner-detail", args=[partner.pk])


def test_the_api_answers_409_for_a_stale_version_and_changes_nothing(api_team):
    (mine, theirs), partner = api_team
    assert theirs.patch(detail(partner), {"notes": "同事的修改", "version": 1}, format="json").status_code == 200
    # when
    response = mine.patch(detail(partner), {"notes": "我的修改", "version": 1}, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and "已被他人修改" in response.json()["message"]
    partner.refresh_from_db()
    assert (partner.notes, partner.version) == ("同事的修改", 2)


def test_the_api_takes_the_version_from_if_match_and_answers_with_the_new_etag(api_team):
    (mine, theirs), partner = api_team
    read = mine.get(detail(partner))
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    # when the colleague saves with the ETag, then the rep with the same (now stale) one
    saved = theirs.patch(detail(partner), {"notes": "同事的修改"}, format="json", headers={"If-Match": read["ETag"]})
    stale = mine.patch(detail(partner), {"notes": "我的修改"}, format="json", headers={"If-Match": read["ETag"]})
    # then
    assert saved.status_code == 200 and saved["ETag"] == '"2"' and saved.json()["version"] == 2
    assert stale.status_code == 409
    partner.refresh_from_db()
    assert partner.notes == "同事的修改"


def test_if_match_wins_over_the_body_and_must_be_an_etag(api_team):
    (mine, _theirs), partner = api_team
    # when the body names the current version but the header a stale one, and then the header is garbage
    stale = mine.patch(detail(partner), {"notes": "x", "version": 1}, format="json", headers={"If-Match": '"0"'})
    garbage = mine.patch(detail(partner), {"notes": "x"}, format="json", headers={"If-Match": "最新"})
    # then
    assert stale.status_code == 409
    assert garbage.status_code == 400 and "If-Match" in garbage.json()["fields"]
    partner.refresh_from_db()
    assert (partner.notes, partner.version) == ("原备注", 1)


#
# Parts: contacts, addresses, bank accounts
#


def test_a_stale_save_of_a_contact_is_a_conflict_and_keeps_the_other_change(team):
    (rep, colleague), partner = team
    contact = ContactFactory(partner=partner, name="张三", title="采购")
    services.save_contact(
        actor=colleague, partner=partner, contact=contact, data={"title": "采购经理"}, expected_version=1
    )
    # when the rep saves the contact they opened at version 1
    with pytest.raises(VersionConflict) as refused:
        services.save_contact(actor=rep, partner=partner, contact=contact, data={"title": "总监"}, expected_version=1)
    assert refused.value.code == "conflict"
    # then
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("采购经理", 2)


def test_taking_the_primary_flag_gives_the_former_primary_contact_a_new_version(team):
    (rep, colleague), partner = team
    former = ContactFactory(partner=partner, name="张三", is_primary=True)
    newcomer = ContactFactory(partner=partner, name="李四")
    # when the colleague makes 李四 primary, then the rep saves 张三 from a form opened before
    services.save_contact(
        actor=colleague, partner=partner, contact=newcomer, data={"is_primary": True}, expected_version=1
    )
    with pytest.raises(VersionConflict) as refused:
        services.save_contact(
            actor=rep, partner=partner, contact=former, data={"is_primary": True, "title": "总监"}, expected_version=1
        )
    assert refused.value.code == "conflict"
    # then 李四 stays the primary contact
    assert Contact.objects.get(is_primary=True) == newcomer


def test_the_second_of_two_contact_form_saves_is_refused_with_the_input_kept(client, team):
    (rep, colleague), partner = team
    contact = ContactFactory(partner=partner, name="张三")
    url = reverse("partners:contact_edit", args=[contact.pk])
    client.force_login(rep)
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.save_contact(actor=colleague, partner=partner, contact=contact, data={"title": "经理"}, expected_version=1)
    # when
    response = client.post(url, {"name": "张三", "title": "我填的职务", "mobile": "13900001111", "version": "1"})
    # then
    content = response.content.decode()
    assert response.status_code == 200 and "该记录已被他人修改" in content and "我填的职务" in content
    contact.refresh_from_db()
    assert contact.title == "经理"


def test_an_api_save_of_a_stale_address_answers_409_and_a_fresh_one_raises_the_version(api_team):
    (mine, theirs), partner = api_team
    address = services.save_address(actor=None, partner=partner, data={"detail": "人民路 1 号"})
    url = reverse("partners-api:address-detail", args=[address.pk])
    etag = mine.get(url)["ETag"]
    # when
    fresh = theirs.patch(url, {"detail": "人民路 2 号"}, format="json", headers={"If-Match": etag})
    stale = mine.patch(url, {"detail": "人民路 3 号", "version": 1}, format="json")
    # then
    assert fresh.status_code == 200 and fresh.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    address.refresh_from_db()
    assert address.detail == "人民路 2 号"


#
# Eight workers saving the same partner at the same moment
#


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_saves_from_one_version_let_exactly_one_through(team):
    # given 8 workers, each with its own connection, all having read the partner at version 1
    (rep, _colleague), partner = team

    def save(index):
        services.update_partner(actor=rep, partner=partner, data={"notes": f"第{index}位的修改"}, expected_version=1)
        return index

    # when they save at the same moment
    saved, refused = run_together([lambda index=index: save(index) for index in range(WORKERS)])
    # then one save went through, the other 7 were told, and the stored notes are the winner's
    assert len(saved) == 1 and refused == ["conflict"] * (WORKERS - 1)
    partner = Partner.objects.get(pk=partner.pk)
    assert (partner.notes, partner.version) == (f"第{saved[0]}位的修改", 2)
    assert updates(partner) == 1


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_api_saves_with_one_etag_answer_one_200_and_seven_409(team):
    # given 8 API clients of the rep that all read the partner's ETag "1"
    (rep, _colleague), partner = team

    def save(index):
        client = APIClient()
        client.force_authenticate(user=rep)
        notes = {"notes": f"第{index}位的修改"}
        return client.patch(detail(partner), notes, format="json", headers={"If-Match": '"1"'}).status_code

    # when they all save at the same moment
    answers, _refused = run_together([lambda index=index: save(index) for index in range(WORKERS)])
    # then no server error ("database is locked" would be a 500): one save, seven conflicts
    assert sorted(answers) == [200] + [409] * (WORKERS - 1)
    assert Partner.objects.get(pk=partner.pk).version == 2


def test_a_tampered_version_is_refused_with_a_message_above_the_form(client, team):
    (rep, _colleague), partner = team
    client.force_login(rep)
    # when
    response = client.post(reverse("partners:partner_edit", args=[partner.pk]), form_post(partner, version="最新"))
    # then
    assert "页面已过期" in response.content.decode()
    partner.refresh_from_db()
    assert partner.version == 1
