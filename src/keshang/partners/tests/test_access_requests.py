"""撞单 (issue 11): a rep refused a copy of someone else's customer asks its owner to share it or hand it over,
from the partner form and through the API; the owner is notified with a link that grants it, and the request
is on the partner's audit trail. The requester learns only the partner's name and its owner."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry, Notification
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

REP_ACTIONS = (Action.VIEW, Action.ADD, Action.CHANGE)


def make_rep(name: str, department=None, **extra):
    user = UserFactory(name=name, department=department or DepartmentFactory(), **extra)
    grant(user, "partners.partner", REP_ACTIONS, Scope.OWN)
    grant(user, "org.user", [Action.VIEW], Scope.ALL)
    return user


@pytest.fixture
def owner():
    return make_rep("李雷")


@pytest.fixture
def rep():
    return make_rep("韩梅梅")


@pytest.fixture
def theirs(owner):
    return PartnerFactory(name="华为技术有限公司", owner=owner, phone="13800001234", email="sales@huawei.example")


#
# The service
#


def test_a_share_request_notifies_the_owner_with_a_link_that_preselects_the_requester(rep, owner, theirs):
    # when the rep asks for the partner they were refused (by its phone, as the refused save named it)
    requested = services.request_partner_access(
        actor=rep, kind="share", phone="138 0000 1234", note="客户来电说由我跟进"
    )
    # then they are told only its name and owner
    assert requested == [services.AccessRequest(name="华为技术有限公司", owner_name=str(owner))]
    notification = Notification.objects.get(recipient=owner)
    assert notification.title == f"{rep} 申请共享客商“华为技术有限公司”"
    assert "客户来电说由我跟进" in notification.body
    assert notification.url == reverse("partners:partner_collaborators", args=[theirs.pk]) + f"?user={rep.pk}"
    entry = AuditEntry.objects.for_object(theirs).get(action=AuditAction.PERMISSION)
    assert entry.user == rep and entry.message == notification.title


def test_the_owner_grants_the_share_through_the_linked_page(client, rep, owner, theirs):
    # given
    services.request_partner_access(actor=rep, kind="share", name="深圳华为技术有限公司")
    url = Notification.objects.get(recipient=owner).url
    # when the owner opens the link, the form has the requester chosen, and the owner shares
    client.force_login(owner)
    page = client.get(url)
    assert page.context["share_form"]["user"].value() == str(rep.pk)
    client.post(reverse("partners:partner_share", args=[theirs.pk]), {"user": rep.pk})
    # then the rep sees the partner
    assert Partner.objects.visible_to(rep, Action.VIEW).filter(pk=theirs.pk).exists()


def test_a_transfer_request_the_owner_cannot_grant_also_asks_the_owners_manager(rep):
    # given: the owner may not transfer; their manager may, within the department
    department = DepartmentFactory()
    manager = UserFactory(name="王经理", department=department)
    grant(manager, "partners.partner", (*REP_ACTIONS, Action.ASSIGN), Scope.DEPARTMENT)
    owner = make_rep("李雷", department=department, manager=manager)
    theirs = PartnerFactory(name="华为技术有限公司", owner=owner)
    # when
    services.request_partner_access(actor=rep, kind="transfer", name="华为技术有限公司")
    # then: the owner is asked on the 协作人 tab; the manager on the transfer page, with the rep chosen
    owner_link = Notification.objects.get(recipient=owner).url
    manager_link = Notification.objects.get(recipient=manager).url
    assert owner_link == reverse("partners:partner_collaborators", args=[theirs.pk]) + f"?user={rep.pk}"
    assert manager_link == reverse("partners:partner_transfer", args=[theirs.pk]) + f"?owner={rep.pk}"
    assert Notification.objects.get(recipient=manager).title == f"{rep} 申请接手客商“华为技术有限公司”"


def test_asking_again_before_the_owner_has_read_it_sends_nothing_new(rep, owner, theirs):
    services.request_partner_access(actor=rep, kind="share", name="华为技术有限公司")
    services.request_partner_access(actor=rep, kind="share", name="华为技术有限公司")
    assert Notification.objects.filter(recipient=owner).count() == 1
    assert AuditEntry.objects.for_object(theirs).filter(action=AuditAction.PERMISSION).count() == 2


@pytest.mark.parametrize(
    ("details", "mine"), [({"name": "完全不同的公司"}, False), ({"name": "华为技术有限公司"}, True), ({}, False)]
)
def test_nothing_is_asked_where_no_one_elses_partner_matches(rep, owner, details, mine):
    # given: their partner, or the rep's own
    PartnerFactory(name="华为技术有限公司", owner=rep if mine else owner)
    # when / then
    with pytest.raises(ApplicationError) as error:
        services.request_partner_access(actor=rep, kind="share", **details)
    assert error.value.code == "no_owned_duplicate"
    assert not Notification.objects.exists()


def test_only_someone_who_may_add_partners_may_ask(owner, theirs):
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.OWN)
    with pytest.raises(ApplicationError) as error:
        services.request_partner_access(actor=viewer, kind="share", name="华为技术有限公司")
    assert error.value.code == "scope_violation"
    assert not Notification.objects.exists()


#
# The partner form
#


def test_the_form_refuses_the_copy_and_offers_the_requests_instead_of_save_anyway(client, rep, owner, theirs):
    client.force_login(rep)
    data = {"kind": "company", "is_customer": "on", "name": "深圳华为技术有限公司", "status": "potential"}
    # when
    response = client.post(reverse("partners:partner_add"), {**data, "owner": rep.pk, "confirm_duplicate": "on"})
    # then
    content = response.content.decode()
    assert response.status_code == 200 and Partner.objects.count() == 1
    assert "华为技术有限公司" in content and str(owner) in content and "不能重复建立" in content
    assert "仍然保存" not in content and "13800001234" not in content and f"/{theirs.pk}/" not in content
    assert 'data-testid="access-request"' in content
    assert f'formaction="{reverse("partners:partner_request_access")}"' in content
    # when the rep presses 申请共享: the same form, posted to the request view
    response = client.post(
        reverse("partners:partner_request_access"),
        {**data, "owner": rep.pk, "access": "share", "access_note": "老客户转介绍"},
        follow=True,
    )
    # then
    assert f"已向{owner}发出申请" in response.content.decode()
    assert "老客户转介绍" in Notification.objects.get(recipient=owner).body


#
# The API
#


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_the_api_refuses_the_copy_with_its_code_and_the_field_that_matched(api, owner, theirs):
    # when: another name, the same phone; "confirm" does not help
    response = api.post(
        reverse("partners-api:partner-list"),
        {"name": "深圳华为终端", "phone": "13800001234", "confirm_duplicate": True},
        format="json",
    )
    # then
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "duplicate_partner_owned"
    assert list(body["fields"]) == ["phone"]
    assert "电话相同" in body["message"] and "名称相同" not in body["message"] and str(owner) in body["message"]
    assert f'"id": {theirs.pk}' not in response.content.decode() and "sales@huawei" not in response.content.decode()


def test_the_api_asks_the_owner_with_the_refused_details(api, owner, theirs):
    # when
    response = api.post(
        reverse("partners-api:partner-request-access"),
        {"access": "transfer", "name": "深圳华为终端", "phone": "13800001234"},
        format="json",
    )
    # then
    assert response.status_code == 200
    assert response.json() == [{"name": "华为技术有限公司", "owner_name": str(owner)}]
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_the_api_says_when_there_is_no_one_to_ask(api, owner, theirs):
    response = api.post(
        reverse("partners-api:partner-request-access"), {"access": "share", "name": "别的公司"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "no_owned_duplicate"
    invalid = api.post(reverse("partners-api:partner-request-access"), {"access": "steal"}, format="json")
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid" and "access" in invalid.json()["fields"]
