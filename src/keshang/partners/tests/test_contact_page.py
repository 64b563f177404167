"""A contact's own page (partners:contact_detail): its fields, masked as elsewhere, its 历史 and 动态 tabs, read
through its partner's scope; and the links that lead to it (the contact list, the partner's 联系人 tab, the global
search)."""

import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.core.timeline import timeline_url_name
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

TIMELINE = timeline_url_name("partners.contact")


def rep(*extra, department=None):
    user = UserFactory(department=department or DepartmentFactory())
    grant(user, "partners.partner", (Action.VIEW, Action.ADD, Action.CHANGE, *extra), Scope.OWN)
    return user


@pytest.fixture
def owner():
    return rep()


@pytest.fixture
def contact(owner):
    partner = PartnerFactory(name="嘉兴联系人测试有限公司", owner=owner)
    return ContactFactory(partner=partner, name="钱采购", title="采购经理", mobile="13912345678", notes="周二拜访")


def test_the_owner_sees_the_contacts_fields_with_the_mobile_masked_and_its_tabs(client, owner, contact):
    # given the rep owning the contact's customer, without view_sensitive
    client.force_login(owner)
    # when
    response = client.get(reverse("partners:contact_detail", args=[contact.pk]))
    # then the page shows the contact's fields, the mobile masked, and links its 动态 and 历史 tabs and its partner
    assert response.status_code == 200
    page = response.content.decode()
    assert "钱采购" in page and "采购经理" in page and "周二拜访" in page and "嘉兴联系人测试有限公司" in page
    assert "139****5678" in page and "13912345678" not in page
    assert reverse(TIMELINE, args=[contact.pk]) in page and "动态" in page
    assert reverse("partners:contact_history", args=[contact.pk]) in page
    assert contact.partner.get_absolute_url() in page
    assert reverse("partners:contact_edit", args=[contact.pk]) in page


def test_view_sensitive_shows_the_mobile_in_clear(client, contact):
    reader = UserFactory()
    grant(reader, "partners.partner", (Action.VIEW, Action.VIEW_SENSITIVE), Scope.ALL)
    client.force_login(reader)
    page = client.get(reverse("partners:contact_detail", args=[contact.pk])).content.decode()
    assert "13912345678" in page
    # a reader who may not change the partner is offered no edit button
    assert reverse("partners:contact_edit", args=[contact.pk]) not in page


def test_a_rep_of_another_department_gets_a_404_on_the_page_history_and_timeline(client, contact):
    # given a rep of another department, holding the same grants on their own customers
    stranger = rep()
    client.force_login(stranger)
    # when they open the contact's pages, then none of them exists for them
    for name in ("partners:contact_detail", "partners:contact_history", TIMELINE):
        assert client.get(reverse(name, args=[contact.pk])).status_code == 404, name


def test_someone_without_a_grant_on_partners_is_refused(client, contact):
    client.force_login(UserFactory())
    for name in ("partners:contact_detail", TIMELINE):
        assert client.get(reverse(name, args=[contact.pk])).status_code == 403, name


def test_the_contact_list_the_partners_tab_and_the_search_link_to_the_contacts_page(client, owner, contact):
    client.force_login(owner)
    url = reverse("partners:contact_detail", args=[contact.pk])
    listed = client.get(reverse("partners:contact_list")).content.decode()
    tab = client.get(reverse("partners:partner_contacts", args=[contact.partner_id])).content.decode()
    found = client.get(reverse("web:search"), {"q": "钱采购"}).content.decode()
    assert f'href="{url}"' in listed
    assert f'href="{url}"' in tab
    assert f'href="{url}"' in found


def test_the_timeline_lists_the_contacts_own_changes(client, owner, contact):
    # given the contact's mobile changed after it was created
    services.save_contact(actor=owner, partner=contact.partner, contact=contact, data={"name": "钱采购", "mobile": ""})
    client.force_login(owner)
    # when
    page = client.get(reverse(TIMELINE, args=[contact.pk])).content.decode()
    # then both are there, naming the changed field but no number
    assert "新建 钱采购" in page and "修改 钱采购" in page and "手机" in page
    assert "13912345678" not in page and "139****5678" not in page
