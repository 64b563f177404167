"""Importing partners: what each column accepts, duplicates against the database and within the file, the
three duplicate policies and the data scope, the bulk path against the services, and the import's pages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from keshang.core import audit, importing
from keshang.core.models import AuditAction, AuditEntry, ImportJob, ImportStatus, Region
from keshang.core.permissions import Action, Scope
from keshang.core.regions import load_regions
from keshang.core.registry import menu_for
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import search, services
from keshang.partners.demo import ensure_partner_classifications
from keshang.partners.models import Partner, PartnerSearchGram
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.import_helpers import (
    CREDIT_CODE,
    PERIOD,
    commit,
    csv_bytes,
    make_user,
    messages_of,
    preview,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_user()


#
# New partners
#


def test_new_partners_get_region_contact_keys_search_text_and_audit(rep):
    # given (the 级别 column needs the credit right: issue 12, finding 7)
    grant(rep, "partners.credit", [Action.CHANGE], Scope.ALL)
    load_regions()
    ensure_partner_classifications()
    rows = [
        {
            "名称*": "深圳市示例科技有限公司",
            "简称": "示例科技",
            "统一社会信用代码": "9144 0300 MA5G 0A1B 29",
            "行业": "电子元器件",
            "级别": "A",
            "状态": "意向",
            "省": "广东省",
            "市": "深圳市",
            "区县": "南山区",
            "详细地址": "科技园南区 1 号",
            "电话": "0755-86001234",
            "联系人": "张三",
            "联系人手机": "138 0013 8000",
            "联系人职务": "采购经理",
        }
    ]
    # when
    job = commit(rep, rows)
    # then
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 1, 0)
    partner = Partner.objects.get()
    assert (partner.owner, partner.department, partner.created_by) == (rep, rep.department, rep)
    assert partner.credit_code == CREDIT_CODE
    assert partner.region.full_name == "广东省 深圳市 南山区"
    assert (partner.industry.name, partner.level.code, partner.status, partner.source) == (
        "电子元器件",
        "A",
        "intent",
        "import",
    )
    assert partner.phone_key == "+8675586001234"
    assert partner.is_customer and not partner.is_supplier
    assert "slkj" in partner.search_text
    contact = partner.contacts.get()
    assert (contact.name, contact.title, contact.is_primary) == ("张三", "采购经理", True)
    assert "zhangsan" in contact.search_text
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, user=rep, content_type__model="partner")
    assert list(created.values_list("object_id", flat=True)) == [str(partner.pk)]
    assert AuditEntry.objects.for_object(partner).count() == 2  # the partner, and its contact as a part of it


def test_the_bulk_path_writes_what_the_services_would(rep):
    # given: one partner imported, one with the same data through the services
    data = {"name": "杭州示例贸易有限公司", "short_name": "示例", "phone": "0571-88001234", "notes": "备注"}
    commit(rep, [{"名称": data["name"], "简称": "示例", "电话": data["phone"], "备注": "备注", "联系人": "李四"}])
    imported = Partner.objects.get()
    # when
    made = services.create_partner(actor=rep, data={**data, "source": "import"}, confirm_duplicate=True)
    services.save_contact(actor=rep, partner=made, data={"name": "李四", "is_primary": True})
    # then: same derived keys, same bigrams, and audit entries exactly as audit.record writes them
    for field in ("name_key", "phone_key", "owner_id", "department_id", "created_by_id"):
        assert getattr(imported, field) == getattr(made, field), field
    # each with the next code of the sequence, which its search text ends with
    assert (imported.code, made.code) == (f"C{PERIOD}-00001", f"C{PERIOD}-00002")
    assert imported.search_text.removesuffix(imported.code.lower()) == made.search_text.removesuffix(made.code.lower())
    assert set(PartnerSearchGram.objects.filter(partner=imported).values_list("gram", flat=True)) == search.grams_of(
        imported.search_text
    )
    entry = AuditEntry.objects.get(object_id=str(imported.pk), action=AuditAction.CREATE, content_type__model="partner")
    service_entry = AuditEntry.objects.get(object_id=str(made.pk), content_type__model="partner")
    assert entry.after == audit.snapshot(imported)
    assert set(entry.after) == set(service_entry.after)
    contact_entry = AuditEntry.objects.get(content_type__model="contact", related_object_id=str(imported.pk))
    assert contact_entry.after == audit.snapshot(imported.contacts.get())
    assert (contact_entry.related_content_type, contact_entry.user) == (entry.content_type, rep)


def test_roles_come_from_the_column_or_the_chosen_default(rep):
    commit(rep, [{"名称": "甲公司"}, {"名称": "乙公司", "客户/供应商": "客户/供应商"}], role="supplier")
    roles = dict(Partner.objects.values_list("name", "is_customer"))
    assert roles == {"甲公司": False, "乙公司": True}
    assert Partner.objects.filter(is_supplier=True).count() == 2


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("名称", "", "名称不能为空"),
        ("统一社会信用代码", "91440300MA5G0A1B20", "校验位不正确"),
        ("统一社会信用代码", "914403001922038000", "设为文本格式"),
        ("电话", "12345", "境外号码请加国家代码"),
        ("邮箱", "not-an-email", "邮箱“not-an-email”格式不正确"),
        ("网址", "#LOCAL.HTM#", "是文件链接"),
        ("类型", "团体", "类型“团体”不是有效的选项"),
        ("客户/供应商", "经销商", "无法识别"),
        ("状态", "睡眠", "状态“睡眠”不是有效的选项"),
        ("行业", "航天", "行业“航天”不存在"),
        ("级别", "Z", "级别“Z”不存在"),
        ("地区", "火星省", "无法识别地区"),
        ("地区", "南山区", "不唯一"),
        ("国家/地区", "Atlantis", "无法识别国家/地区"),
        ("负责人", "nobody", "负责人“nobody”不存在"),
        ("联系人手机", "13800138000", "没有联系人姓名"),
        ("简称", "长" * 51, "简称："),
    ],
)
def test_each_bad_value_is_named_in_the_preview_and_nothing_is_written(rep, column, value, message):
    # given
    load_regions()
    ensure_partner_classifications()
    row = {"名称": "某某有限公司", "备注": "一行", column: value}
    # when
    job = preview(rep, [row])
    # then
    assert job.error_count == 1
    assert any(message in text for text in messages_of(job)[2]), messages_of(job)
    assert not Partner.objects.exists()


def test_a_foreign_partner_keeps_its_phone_in_international_form_and_its_address_abroad(rep):
    # when
    commit(
        rep,
        [
            {
                "CompanyName": "Alfreds Futterkiste",
                "Address": "Obere Str. 57",
                "City": "Berlin",
                "PostalCode": "12209",
                "Country": "Germany",
                "Phone": "030-0074321",
            }
        ],
    )
    # then
    partner = Partner.objects.get()
    assert (partner.phone, partner.phone_key) == ("+49 30 0074321", "+49300074321")
    assert partner.address == "Obere Str. 57, Berlin, 12209, Germany"
    assert partner.region is None
    # and the services read the stored number back to the same key when the partner is edited
    services.update_partner(actor=rep, partner=partner, data={"notes": "改"})
    assert Partner.objects.get().phone_key == "+49300074321"


def test_a_number_with_a_country_code_is_accepted_without_a_country_column(rep):
    commit(rep, [{"名称": "Tokyo Traders", "电话": "+81 3-3555-5011"}])
    assert Partner.objects.get().phone_key == "+81335555011"


#
# Duplicates within the file and against the database
#


def test_rows_repeating_a_name_or_credit_code_further_down_are_rejected(rep):
    job = preview(
        rep,
        [
            {"名称": "深圳华为技术有限公司", "统一社会信用代码": CREDIT_CODE},
            {"名称": "华为技术有限公司（深圳）", "统一社会信用代码": ""},
            {"名称": "另一家公司", "统一社会信用代码": CREDIT_CODE},
        ],
    )
    assert messages_of(job) == {3: ["与第 2 行重复（名称相同）。"], 4: ["与第 2 行重复（统一社会信用代码相同）。"]}


def test_skip_policy_skips_matches_by_name_key_or_credit_code_and_names_their_owner(rep):
    # given: another rep's customer, and one with a credit code
    other = make_user()
    PartnerFactory(name="华为技术有限公司", owner=other)
    PartnerFactory(name="旧名称有限公司", credit_code=CREDIT_CODE, owner=other)
    # when
    job = commit(
        rep,
        [
            {"名称": "深圳华为技术有限公司"},
            {"名称": "新名称有限公司", "统一社会信用代码": CREDIT_CODE},
            {"名称": "新客户"},
        ],
    )
    # then
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 1, 2)
    notices = [entry["messages"][0] for entry in job.errors]
    assert notices[0] == f"已存在，跳过：“华为技术有限公司”（负责人：{other}，名称相同）。"
    assert "统一社会信用代码相同" in notices[1]
    assert Partner.objects.count() == 3


def test_update_policy_updates_own_partners_and_adds_the_contact(rep):
    # given
    partner = PartnerFactory(name="华为技术有限公司", owner=rep, phone="0755-28780808")
    row = {"名称": "华为技术有限公司", "电话": "0755-28780000", "备注": "年度框架协议", "联系人": "王五"}
    # when
    job = commit(rep, [row], policy="update")
    # then
    assert (job.status, job.updated_count) == (ImportStatus.DONE, 1)
    partner.refresh_from_db()
    assert (partner.phone, partner.phone_key, partner.notes) == ("0755-28780000", "+8675528780000", "年度框架协议")
    assert partner.contacts.get().is_primary
    assert AuditEntry.objects.filter(
        object_id=str(partner.pk), content_type__model="partner", action=AuditAction.UPDATE
    ).exists()


def test_the_owner_column_does_not_move_an_existing_partner():
    # given: a manager updating a subordinate's partner, naming another subordinate as owner
    department = DepartmentFactory()
    manager = make_user(scope=Scope.DEPARTMENT, department=department)
    owner = UserFactory(department=department)
    other = UserFactory(department=department, username="hanmeimei")
    partner = PartnerFactory(name="华为技术有限公司", owner=owner)
    # when
    job = commit(manager, [{"名称": "华为技术有限公司", "备注": "改", "负责人": "hanmeimei"}], policy="update")
    # then: updated, but ownership moves through a transfer (with its handover record)
    assert job.updated_count == 1
    assert "负责人不随导入更新，如需更换请使用转移功能。" in job.errors[0]["messages"]
    partner.refresh_from_db()
    assert (partner.owner, partner.notes) == (owner, "改")
    assert other.pk


def test_update_policy_refuses_someone_elses_partner_and_writes_nothing(rep):
    # given: a partner of another rep, and a new row in the same file
    other = make_user()
    theirs = PartnerFactory(name="华为技术有限公司", owner=other, notes="原备注")
    # when
    job = commit(rep, [{"名称": "新客户有限公司"}, {"名称": "华为技术有限公司", "备注": "改"}], policy="update")
    # then
    assert job.status == ImportStatus.FAILED
    assert messages_of(job) == {3: [f"该客商属于他人，无权更新（负责人：{other}）。"]}
    assert Partner.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.notes == "原备注"


def test_update_policy_needs_the_change_grant():
    adder = make_user(actions=(Action.VIEW, Action.ADD))
    with pytest.raises(PermissionDenied, match="您没有导入客商的权限"):
        start(adder, csv_bytes([{"名称": "甲"}]), policy="update")
    assert not ImportJob.objects.exists()


def test_update_policy_refuses_a_name_shared_by_several_partners(rep):
    PartnerFactory(name="华为技术有限公司", owner=rep)
    PartnerFactory(name="华为技术有限公司", owner=rep)
    job = preview(rep, [{"名称": "华为技术有限公司"}], policy="update")
    assert "无法确定更新哪一个" in messages_of(job)[2][0]


def test_create_policy_creates_same_named_partners_but_never_a_second_credit_code(rep):
    PartnerFactory(name="华为技术有限公司", owner=rep, credit_code=CREDIT_CODE)
    job = commit(rep, [{"名称": "华为技术有限公司"}, {"名称": "华为技术有限公司"}], policy="create")
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    assert "仍将新增" in job.errors[0]["messages"][0]
    job = preview(rep, [{"名称": "别的名字", "统一社会信用代码": CREDIT_CODE}], policy="create")
    assert "统一社会信用代码已被使用" in messages_of(job)[2][0]


@override_settings(KESHANG_PARTNER_DUPLICATES="block")
def test_create_policy_respects_the_block_setting(rep):
    PartnerFactory(name="华为技术有限公司", owner=rep)
    job = preview(rep, [{"名称": "深圳华为技术有限公司"}], policy="create")
    assert "系统设置不允许重复" in messages_of(job)[2][0]


#
# Owners and the data scope
#


def test_a_rep_may_only_name_themselves_as_owner(rep):
    colleague = UserFactory(department=rep.department, username="colleague", name="韩梅梅")
    job = preview(rep, [{"名称": "甲公司", "负责人": "韩梅梅"}, {"名称": "乙公司", "负责人": rep.username}])
    assert messages_of(job) == {2: ["负责人“韩梅梅”不在您的数据权限范围内。"]}
    assert colleague.pk  # exists, but outside an own-scope rep's reach


def test_a_manager_assigns_owners_in_their_department_tree_by_username_or_name():
    # given: a manager over a sub-department, and a rep there
    top = DepartmentFactory()
    team = DepartmentFactory(parent=top)
    manager = make_user(scope=Scope.DEPARTMENT_TREE, department=top)
    member = UserFactory(department=team, username="lilei", name="李雷")
    outsider = UserFactory(name="路人")
    # when
    job = commit(manager, [{"名称": "甲公司", "负责人": "李雷"}, {"名称": "乙公司", "负责人": "lilei"}])
    refused = preview(manager, [{"名称": "丙公司", "负责人": outsider.username}])
    # then
    assert job.status == ImportStatus.DONE
    assert set(Partner.objects.values_list("owner", "department")) == {(member.pk, team.pk)}
    assert "不在您的数据权限范围内" in messages_of(refused)[2][0]


def test_the_system_import_puts_partners_without_an_owner_into_the_pool():
    # given: the command line without --as
    job = importing.create_import_job(
        actor=None, kind="partners", upload=File(io.BytesIO(csv_bytes([{"名称": "公海客户"}])), name="a.csv")
    )
    # when
    importing.run_import_job(job_pk=job.pk, commit=True)
    # then
    partner = Partner.objects.get()
    assert partner.owner is None and partner.in_pool
    assert AuditEntry.objects.get(object_id=str(partner.pk), content_type__model="partner").user is None


#
# Scale: no query per row
#


def test_validation_compares_with_the_database_in_a_constant_number_of_queries(rep, django_assert_max_num_queries):
    # given: existing partners and 1,500 rows (two batches)
    for number in range(20):
        PartnerFactory(name=f"已有客户{number}有限公司", owner=rep)
    rows = [{"名称": f"导入客户{number}有限公司", "电话": f"0755-8600{number:04d}"} for number in range(1500)]
    job = start(rep, csv_bytes(rows))
    # when / then
    with django_assert_max_num_queries(25):
        job = importing.run_import_job(job_pk=job.pk, commit=False)
    assert job.created_count == 1500


#
# Pages
#


def test_reps_who_may_add_partners_find_the_import_in_the_menu(client, rep):
    # given
    viewer = make_user(actions=(Action.VIEW,))
    # when
    client.force_login(rep)
    page = client.get(reverse("partners:partner_import"))
    # then
    assert page.status_code == 200
    assert "导入客商" in page.content.decode()
    labels = lambda user: [str(entry[0].label) for group in menu_for(user) for entry in group.items]  # noqa: E731
    assert "导入客商" in labels(rep)
    assert "导入客商" not in labels(viewer)


def test_the_partner_template_downloads_with_every_column(client, rep):
    client.force_login(rep)
    response = client.get(reverse("core:import_template", args=["partners"]))
    headers = [cell.value for cell in load_workbook(io.BytesIO(response.content)).active[1]]
    assert headers[:3] == ["编号", "名称*", "简称"]
    assert {"统一社会信用代码", "联系人手机", "国家/地区"} <= set(headers)


def test_region_codes_are_stored_as_the_region(rep):
    load_regions()
    commit(rep, [{"名称": "甲公司", "地区": "110105"}])
    assert Partner.objects.get().region == Region.objects.get(code="110105")
