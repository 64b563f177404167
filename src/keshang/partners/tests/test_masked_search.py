"""Issue 12, finding 3: a reader who sees a partner's phone and e-mail (and its contacts' mobile and e-mail)
masked cannot recover them through the search box, digit by digit or letter by letter. A whole value still
finds the record: typing the full number reveals nothing the reader did not know."""

import pytest

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
EMAIL = "zhangwei@huacheng.cn"


@pytest.fixture
def masked():
    user = UserFactory()
    grant(user, "partners.partner", [Action.VIEW, Action.ADD], Scope.ALL)
    return user


@pytest.fixture
def clear():
    user = UserFactory()
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.VIEW_SENSITIVE], Scope.ALL)
    return user


@pytest.fixture
def partner():
    partner = PartnerFactory(name="华成贸易有限公司", phone=PHONE, email=EMAIL)
    ContactFactory(partner=partner, name="李娜", mobile="13987654321", email="wangfang88@example.cn")
    return partner


def api_ids(client, url, query):
    response = client.get(url, {"q": query})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("query", ["1381234", "138123", "5678", "wangf", "fang88", "wangfang88", "1398765"])
@pytest.mark.parametrize("url", ["/api/v1/partners/partners/", "/api/v1/partners/pool/", "/api/v1/partners/contacts/"])
def test_a_masked_reader_cannot_find_a_record_by_part_of_a_masked_value(api_client, masked, partner, url, query):
    if "pool" in url:
        from keshang.partners.models import Partner

        Partner.objects.filter(pk=partner.pk).update(owner=None, department=None)
    api_client.force_authenticate(masked)
    assert api_ids(api_client, url, query) == set()


@pytest.mark.parametrize("query", [PHONE, "138-1234-5678", "13987654321", "华成", "hcmy", "李娜", "lina"])
def test_a_whole_value_or_the_name_still_finds_the_partner(api_client, masked, partner, query):
    api_client.force_authenticate(masked)
    assert api_ids(api_client, "/api/v1/partners/partners/", query) == {partner.pk}


@pytest.mark.parametrize("query", ["5678", "wangf", "1398765"])
def test_a_reader_who_sees_the_values_in_clear_still_finds_by_part(api_client, clear, partner, query):
    api_client.force_authenticate(clear)
    assert api_ids(api_client, "/api/v1/partners/partners/", query) == {partner.pk}


@pytest.mark.parametrize("url", ["/partners/", "/partners/contacts/", "/search/"])
def test_the_pages_search_by_part_of_a_masked_value_finds_nothing(client, masked, partner, url):
    client.force_login(masked)
    response = client.get(url, {"q": "wangf"})
    assert response.status_code == 200
    assert "华成贸易有限公司" not in response.content.decode()
    assert "华成贸易有限公司" in client.get(url, {"q": "13987654321"}).content.decode()
