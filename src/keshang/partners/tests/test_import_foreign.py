"""Importing real foreign data (Northwind's customers and suppliers): numbers read in their country, refused or
kept as typed and flagged, and partner codes and countries that identify partners on the next import."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from keshang.core.models import ImportStatus
from keshang.partners.models import Contact, Partner
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.import_helpers import (
    PERIOD,
    blank_rejected_cells,
    commit,
    csv_bytes,
    import_path,
    make_user,
    messages_of,
    needs_northwind,
    northwind,
    preview,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_user()


@needs_northwind
def test_northwind_customers_reject_numbers_that_are_not_valid_in_their_country(rep, tmp_path):
    # when: the 91 customers as Microsoft wrote them (many phone numbers are fictional, 555-…)
    job = import_path(rep, northwind(tmp_path, "customers"), commit_=True)
    # then: the columns were recognised from their English names, and all or nothing held
    assert job.mapping["columns"] == {
        "code": 0,
        "name": 1,
        "contact_name": 2,
        "contact_title": 3,
        "address": 4,
        "city": 5,
        "region": 6,
        "postal_code": 7,
        "country": 8,
        "phone": 9,
    }
    assert (job.status, job.total_rows, job.created_count, job.error_count) == (ImportStatus.FAILED, 91, 48, 43)
    assert messages_of(job)[3] == ["电话“(5) 555-4729”不是Mexico的有效号码。"]
    assert all(len(messages) == 1 and messages[0].startswith("电话") for messages in messages_of(job).values())
    assert not Partner.objects.exists()


@needs_northwind
def test_northwind_customers_and_suppliers_import_once_the_rejected_cells_are_fixed(rep, tmp_path):
    # given: both files, each fixed as its error report asks
    customers = northwind(tmp_path, "customers")
    first = import_path(rep, customers, commit_=False)
    suppliers = northwind(tmp_path, "suppliers")
    first_suppliers = import_path(rep, suppliers, commit_=False, options={"role": "supplier"})
    assert (first_suppliers.created_count, first_suppliers.error_count) == (16, 13)
    assert messages_of(first_suppliers)[3] == [
        "电话“(100) 555-4822”不是USA的有效号码。",
        "网址“#CAJUN.HTM#”是文件链接，不是网站地址。",
    ]
    # when
    done = import_path(rep, blank_rejected_cells(customers, first, {"电话": "phone"}), commit_=True)
    done_suppliers = import_path(
        rep,
        blank_rejected_cells(suppliers, first_suppliers, {"电话": "phone", "网址": "homepage"}),
        commit_=True,
        options={"role": "supplier"},
    )
    # then
    assert (done.status, done.created_count) == (ImportStatus.DONE, 91)
    assert (done_suppliers.status, done_suppliers.created_count) == (ImportStatus.DONE, 29)
    assert Partner.objects.filter(is_customer=True, is_supplier=False).count() == 91
    assert Partner.objects.filter(is_supplier=True, is_customer=False).count() == 29
    assert Partner.objects.exclude(phone="").count() == 48 + 17
    assert Contact.objects.filter(is_primary=True).count() == 120
    alfreds = Partner.objects.get(name="Alfreds Futterkiste")
    assert (alfreds.phone, alfreds.address) == ("+49 30 0074321", "Obere Str. 57, Berlin, 12209, Germany")
    assert alfreds.contacts.get().title == "Sales Representative"
    great_lakes = Partner.objects.get(name="Great Lakes Food Market")
    assert great_lakes.address == "2732 Baker Blvd., Eugene, OR, 97403, USA"
    mayumi = Partner.objects.get(name="Mayumi's")
    assert mayumi.website == "http://www.microsoft.com/accessdev/sampleapps/mayumi.htm"
    assert Partner.objects.get(name="Tokyo Traders").phone_key == "+81335555011"
    # and a second run of the same file skips every customer
    again = import_path(rep, customers.with_name("customers-fixed.csv"), commit_=True)
    assert (again.created_count, again.skipped_count) == (0, 91)


@needs_northwind
def test_northwind_customers_import_whole_when_unreadable_numbers_are_kept_as_typed(rep, tmp_path, client):
    # when: the same 91 customers, choosing to keep numbers that cannot be read
    job = import_path(rep, northwind(tmp_path, "customers"), commit_=True, options={"phones": "keep"})
    # then: every row is in, the 43 unreadable numbers stored as typed and flagged, each row saying so
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 91, 0)
    flagged = Partner.objects.filter(phone_unverified=True)
    assert flagged.count() == 43 and not flagged.exclude(phone_key="").exists()
    anatr = Partner.objects.get(code="ANATR")
    assert (anatr.phone, anatr.phone_unverified, anatr.country) == ("(5) 555-4729", True, "MX")
    assert next(entry for entry in job.errors if entry["line"] == 3) == {
        "line": 3,
        "label": "Ana Trujillo Emparedados y helados",
        "level": "notice",
        "messages": ["电话“(5) 555-4729”无法识别，按原样保存并标记为未核实。"],
    }
    alfreds = Partner.objects.get(code="ALFKI")
    assert (alfreds.phone, alfreds.phone_unverified, alfreds.country) == ("+49 30 0074321", False, "DE")
    # and the list says which numbers are unverified (masked for this rep, as every number is)
    client.force_login(rep)
    listed = client.get(reverse("partners:partner_list"), {"q": "ANATR"}).content.decode()
    assert "（未核实）" in listed and "555-4729" not in listed


def test_a_contacts_unreadable_mobile_is_kept_flagged_when_chosen(rep):
    rows = [{"名称": "甲公司", "联系人": "张三", "联系人手机": "138-0000", "电话": "0571-88001234"}]
    refused = preview(rep, rows)
    kept = commit(rep, rows, phones="keep")
    assert messages_of(refused) == {
        2: ["联系人手机“138-0000”不是有效的号码；境外号码请加国家代码（如 +49 30 1234567）或填写“国家/地区”。"]
    }
    assert kept.status == ImportStatus.DONE
    contact = Contact.objects.get()
    assert (contact.mobile, contact.mobile_unverified) == ("138-0000", True)
    assert not Partner.objects.get().phone_unverified


def test_the_mapping_page_offers_keeping_unreadable_numbers(client, rep, django_capture_on_commit_callbacks):
    # given
    job = start(rep, csv_bytes([{"名称": "甲公司", "电话": "(5) 555-4729"}]))
    client.force_login(rep)
    # when
    page = client.get(reverse("core:importjob_mapping", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:importjob_mapping", args=[job.pk]),
            {
                "column_name": "0",
                "column_phone": "1",
                "policy": "skip",
                "option_role": "customer",
                "option_phones": "keep",
            },
        )
    # then: chosen on the page, kept with the job, and the preview accepts the row
    assert "无法识别的电话号码" in page and "按原样保存，标记为未核实" in page
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["options"] == {"role": "customer", "phones": "keep"}
    assert (job.status, job.error_count) == (ImportStatus.VALIDATED, 0)


def test_the_api_takes_the_option_to_keep_unreadable_numbers(rep, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rep)
    upload = io.BytesIO(csv_bytes([{"名称": "甲公司", "电话": "(5) 555-4729"}]))
    upload.name = "partners.csv"
    created = api.post(
        reverse("core-api:importjob-list"),
        {"kind": "partners", "file": upload, "options": '{"phones": "keep"}'},
        format="multipart",
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(reverse("core-api:importjob-validate", args=[created["id"]]), {}, format="json")
    validated = api.get(reverse("core-api:importjob-detail", args=[created["id"]])).json()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(reverse("core-api:importjob-commit", args=[created["id"]]), {}, format="json")
    committed = api.get(reverse("core-api:importjob-detail", args=[created["id"]])).json()
    assert created["options"] == {"role": "customer", "phones": "keep"}
    assert (validated["status"], validated["error_count"]) == ("validated", 0)
    assert committed["status"] == "done"
    assert Partner.objects.get().phone_unverified


def test_codes_and_countries_are_imported_and_identify_partners_on_the_next_import(rep):
    # given
    rows = [{"客户编号": "KH-001", "名称": "Alfreds Futterkiste", "国家": "德国"}, {"名称": "乙公司"}]
    # when
    first = commit(rep, rows)
    # then
    assert first.created_count == 2
    assert dict(Partner.objects.values_list("name", "code")) == {
        "Alfreds Futterkiste": "KH-001",
        "乙公司": f"C{PERIOD}-00001",
    }
    assert Partner.objects.get(code="KH-001").country == "DE"
    # when: the next file names it by its code, under a new name
    again = commit(rep, [{"客户编号": "KH-001", "名称": "Alfreds Futterkiste GmbH", "备注": "改"}], policy="update")
    # then
    assert again.updated_count == 1
    assert Partner.objects.get(code="KH-001").name == "Alfreds Futterkiste GmbH"


def test_a_code_in_use_or_repeated_in_the_file_is_refused(rep):
    PartnerFactory(name="甲公司", owner=rep, code="KH-001")
    created = preview(rep, [{"编号": "KH-001", "名称": "别的公司"}], policy="create")
    repeated = preview(rep, [{"编号": "KH-002", "名称": "乙公司"}, {"编号": "KH-002", "名称": "丙公司"}])
    assert messages_of(created)[2][0].startswith("编号已被使用：“甲公司”")
    assert messages_of(repeated) == {3: ["与第 2 行重复（编号相同）。"]}


def test_a_typed_code_the_sequence_gave_earlier_in_the_same_import_is_refused(rep, settings):
    # given: rows in batches of one, the second typing the code the first was given
    settings.KESHANG_IMPORT_INLINE_ROWS = 10
    from keshang.core.importing import jobs

    rows = [{"名称": "甲公司"}, {"编号": f"C{PERIOD}-00001", "名称": "乙公司"}]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs, "BATCH_SIZE", 1)
        job = commit(rep, rows)
    assert job.status == ImportStatus.FAILED
    assert messages_of(job) == {3: [f"编号“C{PERIOD}-00001”已由本次导入自动分配给前面的行，请换一个编号。"]}
    assert not Partner.objects.exists()


def test_the_create_policy_refuses_a_copy_of_someone_elses_partner(rep):
    other = make_user()
    PartnerFactory(name="华为技术有限公司", owner=other)
    job = preview(rep, [{"名称": "深圳华为技术有限公司"}], policy="create")
    assert messages_of(job)[2] == [
        f"已有他人负责的相同客商：“华为技术有限公司”（负责人：{other}，名称相同）。请向负责人申请共享或转移。"
    ]
