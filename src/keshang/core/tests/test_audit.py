from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core import audit
from keshang.core.models import AuditAction, AuditEntry, Currency
from keshang.core.permissions import Action, Scope
from keshang.core.services import save_currency
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_edited_or_deleted_by_any_code_path():
    user = UserFactory()
    entry = audit.record_event(actor=user, action=AuditAction.LOGIN, obj=user)
    entry.message = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(message="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).message == ""


def test_a_service_change_records_who_what_before_and_after():
    # given
    actor = UserFactory()
    currency = save_currency(actor=actor, code="SGD", name="新加坡元")
    # when
    save_currency(actor=actor, currency=currency, code="SGD", name="新元")
    # then
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.user == actor
    assert entry.user_name == actor.username
    assert entry.object_repr == "SGD 新元"
    assert entry.changed_fields() == [("name", "新加坡元", "新元")]


def test_an_unchanged_save_writes_no_entry():
    actor = UserFactory()
    currency = save_currency(actor=actor, code="SGD", name="新加坡元")
    save_currency(actor=actor, currency=currency, code="SGD", name="新加坡元")
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_a_rolled_back_change_leaves_no_entry():
    from django.db import transaction

    actor = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        save_currency(actor=actor, code="SGD", name="新加坡元")
        raise RuntimeError("boom")
    assert not AuditEntry.objects.exists()
    assert not Currency.objects.filter(code="SGD").exists()


def test_decimals_are_stored_as_exact_strings():
    assert audit.serialize_value(Decimal("7.123456")) == "7.123456"


def test_requests_stamp_ip_user_agent_and_request_id(client):
    user = UserFactory(username="lilei")
    client.post(reverse("login"), {"username": "lilei", "password": "Test-Pass-2026"}, HTTP_USER_AGENT="测试浏览器/1.0")
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.user == user
    assert entry.ip_address == "127.0.0.1"
    assert entry.user_agent == "测试浏览器/1.0"
    assert len(entry.request_id) == 32


def test_failed_logins_and_logouts_are_recorded(client):
    UserFactory(username="hanmeimei")
    client.post(reverse("login"), {"username": "hanmeimei", "password": "wrong"})
    client.post(reverse("login"), {"username": "hanmeimei", "password": "Test-Pass-2026"})
    client.post(reverse("logout"))
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "user_name"))
    assert actions == [
        (AuditAction.LOGIN_FAILED, "hanmeimei"),
        (AuditAction.LOGIN, "hanmeimei"),
        (AuditAction.LOGOUT, "hanmeimei"),
    ]


def test_admin_audit_search_filters_by_user_action_and_date(client):
    admin = UserFactory(is_superuser=True)
    someone = UserFactory(username="wangwu")
    audit.record_event(actor=someone, action=AuditAction.EXPORT, message="导出用户")
    audit.record_event(actor=admin, action=AuditAction.LOGIN)
    client.force_login(admin)
    response = client.get(
        reverse("core:auditentry_list"), {"user": someone.pk, "action": "export", "date_from": "2000-01-01"}
    )
    content = response.content.decode()
    assert "导出用户" in content
    assert "共 1 条" in content


def test_the_audit_model_filter_offers_business_records_by_their_chinese_names_only(client):
    # given an administrator on the audit log, with a login lockout attempt and a partner on record
    admin = UserFactory(is_superuser=True)
    PartnerFactory(name="上海恒信")
    client.force_login(admin)
    # when
    response = client.get(reverse("core:auditentry_list"))
    # then the 对象类型 choices are records with a resource (currencies, partners), parts of them (contacts,
    # a flow's steps) and core's business records (approval requests), each by its Chinese name
    labels = [label for value, label in response.context["filterset"].form.fields["content_type"].choices if value]
    assert {"币种", "客商", "联系人", "审批步骤", "审批单", "附件"} <= set(labels)
    assert len(labels) == len(set(labels))
    # and two kinds of record of the same name each say whose they are
    assert {"银行账户（我方公司）", "银行账户（客商）"} <= set(labels)
    assert "银行账户" not in labels
    # and no internal table: login lockout records, search grams, sessions, number sequences, the audit log itself
    for internal in ("access attempt", "partner search gram", "会话", "单据编号序列", "内容类型", "审计日志", "通知"):
        assert not any(internal in label for label in labels), internal
    assert all("|" not in label for label in labels)


def test_the_audit_log_refuses_an_internal_model_as_filter(client):
    # given an administrator, and the login lockout table (not offered) asked for by its id
    admin = UserFactory(is_superuser=True)
    audit.record_event(actor=admin, action=AuditAction.LOGIN, obj=admin)
    client.force_login(admin)
    internal = ContentType.objects.get(app_label="axes", model="accessattempt")
    # when
    response = client.get(reverse("core:auditentry_list"), {"content_type": internal.pk})
    # then
    assert response.status_code == 200
    assert response.context["filterset"].errors["content_type"]
    assert response.context["page"].paginator.count == 0


def test_the_audit_api_masks_a_page_of_entries_with_queries_per_model_not_per_entry(django_assert_max_num_queries):
    # given 30 partners with a phone (sensitive) and their creation entries, and an auditor without view_sensitive
    for index in range(30):
        PartnerFactory(name=f"审计分页{index:02d}有限公司", phone=f"1380000{index:04d}")
    auditor = UserFactory()
    grant(auditor, "core.auditentry", [Action.VIEW], Scope.ALL)
    api = APIClient()
    api.force_authenticate(auditor)
    # when the page is read
    with django_assert_max_num_queries(15):
        response = api.get("/api/v1/core/audit-entries/", {"page_size": 100})
    # then every phone is masked
    assert response.status_code == 200
    phones = [entry["after"]["phone"] for entry in response.json()["results"] if "phone" in (entry["after"] or {})]
    assert len(phones) == 30 and all("1380000" not in phone for phone in phones)
