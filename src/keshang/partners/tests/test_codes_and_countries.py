"""Partner codes (客户编号 / 供应商编号) and countries (issue 11): given from a sequence or typed, unique, found
by the search and shown in the list, detail page, export and API; the country an ISO code from a fixed list,
China unless chosen; and the migration that gives existing partners their codes."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from keshang.core.models import NumberSequence, Region
from keshang.core.permissions import Action, Scope
from keshang.core.regions import load_regions
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Partner
from keshang.partners.selectors import search_partners

PERIOD = timezone.localdate().strftime("%Y%m")


@pytest.fixture
def rep(db):
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT], Scope.OWN)
    grant(user, "org.user", [Action.VIEW], Scope.OWN)  # to name themselves as owner on the form
    return user


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


#
# Codes
#


def test_a_new_customer_gets_the_next_customer_code_and_a_supplier_only_partner_a_supplier_code(rep):
    first = services.create_partner(actor=rep, data={"name": "甲公司"})
    second = services.create_partner(actor=rep, data={"name": "乙公司", "is_supplier": True})
    supplier = services.create_partner(actor=rep, data={"name": "丙公司", "is_customer": False, "is_supplier": True})
    assert (first.code, second.code, supplier.code) == (f"C{PERIOD}-00001", f"C{PERIOD}-00002", f"S{PERIOD}-00001")


def test_a_typed_code_is_kept_and_the_sequence_passes_over_it(rep):
    typed = services.create_partner(actor=rep, data={"name": "甲公司", "code": f" C{PERIOD}-00001 "})
    given = services.create_partner(actor=rep, data={"name": "乙公司"})
    assert (typed.code, given.code) == (f"C{PERIOD}-00001", f"C{PERIOD}-00002")


def test_many_partners_take_a_block_of_numbers_and_the_sequence_continues_after_it(rep):
    # given: someone typed the second number of this month as a code
    services.create_partner(actor=rep, data={"name": "甲公司", "code": f"C{PERIOD}-00002"})
    partners = [Partner(name=name, is_customer=True) for name in ("乙公司", "丙公司", "丁公司")]
    # when
    services.assign_partner_codes(partners)
    # then: the typed number is passed over, and the next partner continues after the block
    assert [partner.code for partner in partners] == [f"C{PERIOD}-00001", f"C{PERIOD}-00004", f"C{PERIOD}-00003"]
    assert services.create_partner(actor=rep, data={"name": "戊公司"}).code == f"C{PERIOD}-00005"


def test_a_code_in_use_is_refused_on_its_field(rep, api):
    services.create_partner(actor=rep, data={"name": "甲公司", "code": "KH-001"})
    with pytest.raises(ValidationError) as error:
        services.create_partner(actor=rep, data={"name": "乙公司", "code": "KH-001"})
    assert error.value.message_dict == {"code": ["该编号已被其他客商使用。"]}
    response = api.post(reverse("partners-api:partner-list"), {"name": "丙公司", "code": "KH-001"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["fields"] == {"code": ["该编号已被其他客商使用。"]}


def test_an_edit_may_change_or_clear_the_code_and_a_cleared_one_stays_empty(rep):
    partner = services.create_partner(actor=rep, data={"name": "甲公司"})
    partner = services.update_partner(actor=rep, partner=partner, data={"code": "KH-9"})
    assert partner.code == "KH-9"
    partner = services.update_partner(actor=rep, partner=partner, data={"code": ""})
    assert Partner.objects.get(pk=partner.pk).code is None


def test_the_code_is_found_by_the_search_box(rep):
    partner = services.create_partner(actor=rep, data={"name": "甲公司", "code": "ALFKI"})
    services.create_partner(actor=rep, data={"name": "乙公司"})
    assert list(search_partners(user=rep, query="alfki")) == [partner]
    assert list(search_partners(user=rep, query=partner.code)) == [partner]
    given = Partner.objects.get(name="乙公司")
    assert list(search_partners(user=rep, query=given.code)) == [given]


def test_the_code_and_country_show_in_the_list_the_detail_page_and_the_export(client, rep):
    # given
    partner = services.create_partner(actor=rep, data={"name": "Alfreds Futterkiste", "country": "DE"})
    client.force_login(rep)
    # when
    listed = client.get(reverse("partners:partner_list")).content.decode()
    detail = client.get(reverse("partners:partner_detail", args=[partner.pk])).content.decode()
    exported = client.get(reverse("partners:partner_list"), {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    # then
    assert partner.code in listed and "德国" in listed  # 地区 names the country of a foreign partner
    assert partner.code in detail and "国家/地区" in detail and "德国" in detail
    assert (rows[0]["编号"], rows[0]["国家/地区"], rows[0]["电话未核实"]) == (partner.code, "德国", "否")


def test_the_list_answers_htmx_with_the_table_alone(client, rep):
    services.create_partner(actor=rep, data={"name": "甲公司"})
    client.force_login(rep)
    response = client.get(reverse("partners:partner_list"), {"q": "甲"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and "ks-table" in content and "<html" not in content


def test_the_api_gives_reads_and_writes_code_and_country(api):
    created = api.post(reverse("partners-api:partner-list"), {"name": "甲公司"}, format="json").json()
    typed = api.post(
        reverse("partners-api:partner-list"), {"name": "Alfreds", "code": "ALFKI", "country": "DE"}, format="json"
    ).json()
    assert (created["code"], created["country"]) == (f"C{PERIOD}-00001", "CN")
    assert (typed["code"], typed["country"]) == ("ALFKI", "DE")
    assert api.get(reverse("partners-api:partner-list"), {"q": "alfki"}).json()["results"][0]["id"] == typed["id"]


#
# Countries
#


def test_a_country_outside_the_list_is_refused(api):
    response = api.post(reverse("partners-api:partner-list"), {"name": "甲公司", "country": "XK"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == ["country"]


def test_a_foreign_partners_phone_is_read_in_its_country(api, client, rep):
    # when: a Berlin number, written as it is written in Germany
    response = api.post(
        reverse("partners-api:partner-list"),
        {"name": "Alfreds Futterkiste", "country": "DE", "phone": "030-0074321"},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert Partner.objects.get().phone_key == "+49300074321"
    client.force_login(rep)
    form = client.post(
        reverse("partners:partner_add"),
        {
            "kind": "company",
            "is_customer": "on",
            "name": "Blauer See",
            "status": "potential",
            "owner": rep.pk,
            "country": "DE",
            "phone": "0621-08460",
        },
    )
    assert form.status_code == 302 and Partner.objects.get(name="Blauer See").phone_key == "+4962108460"


#
# The migration
#

BEFORE = [("partners", "0007_owner_index_covers_department")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_partners_by_creation_and_the_sequence_continues():
    # given: partners from before codes existed, created in two months
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("partners", "Partner")
    march = timezone.make_aware(datetime.datetime(2026, 3, 31, 23, 30))  # still March in Shanghai
    rows = [
        ("甲公司", True, march),
        ("乙公司", False, march),
        ("丙公司", True, march),
        ("丁公司", True, timezone.now()),
    ]
    for name, is_customer, created_at in rows:
        partner = old.objects.create(name=name, is_customer=is_customer, is_supplier=not is_customer, search_text=name)
        old.objects.filter(pk=partner.pk).update(created_at=created_at)
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then: numbered per month and kind, in creation order, and the code is in the search text
    codes = dict(Partner.objects.values_list("name", "code"))
    assert codes == {
        "甲公司": "C202603-00001",
        "乙公司": "S202603-00001",
        "丙公司": "C202603-00002",
        "丁公司": f"C{PERIOD}-00001",
    }
    user = UserFactory(is_superuser=True)
    assert [partner.name for partner in search_partners(user=user, query="C202603-00002")] == ["丙公司"]
    assert NumberSequence.objects.get(doc_type="C", period="202603").last_value == 2
    # and the next customer follows on
    assert services.create_partner(actor=user, data={"name": "戊公司"}).code == f"C{PERIOD}-00002"


#
# Regions shown briefly
#


def test_the_list_shows_province_and_city_in_short_and_the_export_the_full_region(client, rep):
    load_regions()
    services.create_partner(actor=rep, data={"name": "甲公司", "region": Region.objects.get(code="653023")})
    client.force_login(rep)
    listed = client.get(reverse("partners:partner_list")).content.decode()
    exported = b"".join(client.get(reverse("partners:partner_list"), {"export": "csv"}).streaming_content)
    assert "新疆 克孜勒苏" in listed
    assert "新疆维吾尔自治区 克孜勒苏柯尔克孜自治州 阿合奇县" in exported.decode("utf-8-sig")
