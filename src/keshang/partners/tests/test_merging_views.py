"""The 查重与合并 pages: the finder's groups and the merge page (issue 3)."""

import csv
import io

import pytest
from django.urls import reverse

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.registry import menu_for
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.models import Contact, Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.CHANGE, Action.ASSIGN], Scope.DEPARTMENT)
    client.force_login(user)
    return user


@pytest.fixture
def twins(manager):
    colleague = UserFactory(department=manager.department)
    first = PartnerFactory(name="华为技术有限公司", owner=colleague, phone="13800001234")
    second = PartnerFactory(name="深圳市华为技术有限公司", owner=manager, credit_code="914403001922038216")
    ContactFactory(partner=second, name="张经理")
    return first, second


def menu_labels(user) -> list[str]:
    return [str(item.label) for group in menu_for(user) for item, _url, _active in group.items]


def test_the_menu_offers_the_finder_only_to_users_who_may_assign(manager):
    # given
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    # when
    for_manager, for_rep = menu_labels(manager), menu_labels(rep)
    # then
    assert "查重与合并" in for_manager
    assert "查重与合并" not in for_rep


def test_the_finder_lists_each_group_with_masked_phones_and_a_merge_link(client, manager, twins):
    # given
    first, second = twins
    # when
    response = client.get(reverse("partners:partner_duplicates"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="duplicate-group"') == 1
    assert "名称相同" in page and "138****1234" in page and "13800001234" not in page
    assert reverse("partners:partner_merge", args=[first.pk, second.pk]) in page


def test_the_finder_is_403_without_the_assign_grant(client):
    # given
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.CHANGE, Action.EXPORT], Scope.ALL)
    client.force_login(rep)
    # when
    response = client.get(reverse("partners:partner_duplicates"))
    # then
    assert response.status_code == 403


def test_the_finder_explains_a_threshold_out_of_range_and_lists_nothing(client, manager, twins):
    # when
    response = client.get(reverse("partners:partner_duplicates"), {"threshold": "50"})
    page = response.content.decode()
    # then
    assert "相似度阈值应为 70 到 100 之间的整数。" in page
    assert 'data-testid="duplicate-group"' not in page


def test_the_finder_exports_its_groups_masked_and_audited(client, manager, twins):
    # given
    grant(manager, "partners.partner", [Action.EXPORT], Scope.DEPARTMENT)
    # when
    response = client.get(reverse("partners:partner_duplicates"), {"export": "csv"})
    # then
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["组号", "重复原因", "名称"]
    assert [row[2] for row in rows[1:]] == ["华为技术有限公司", "深圳市华为技术有限公司"]
    assert rows[1][6] == "138****1234"
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, user=manager).exists()


def test_exporting_the_groups_needs_the_export_grant(client, manager, twins):
    # when
    response = client.get(reverse("partners:partner_duplicates"), {"export": "csv"})
    # then
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_merge_page_shows_both_records_side_by_side(client, manager, twins):
    # given
    first, second = twins
    # when
    response = client.get(reverse("partners:partner_merge", args=[first.pk, second.pk]))
    page = response.content.decode()
    # then
    assert response.status_code == 200
    assert "华为技术有限公司" in page and "深圳市华为技术有限公司" in page
    assert "914403001922038216" in page and "138****1234" in page
    assert f'name="field_name" value="{first.pk}"' in page


def merge_post(first, second, **overrides):
    data = {
        "survivor": first.pk,
        "field_name": first.pk,
        "field_phone": first.pk,
        "field_credit_code": second.pk,
        "field_code": second.pk,
        "field_owner": first.pk,
        "confirm": "on",
    }
    data.update(overrides)
    return data


def test_merging_without_ticking_the_confirmation_changes_nothing(client, manager, twins):
    # given
    first, second = twins
    data = merge_post(first, second)
    del data["confirm"]
    # when
    response = client.post(reverse("partners:partner_merge", args=[first.pk, second.pk]), data)
    # then
    assert "请勾选确认后再合并。" in response.content.decode()
    assert Partner.objects.filter(pk=second.pk).exists()


def test_merging_keeps_the_chosen_record_and_values_and_opens_it(client, manager, twins):
    # given
    first, second = twins
    # when: keep the second record, with the first one's name
    response = client.post(
        reverse("partners:partner_merge", args=[first.pk, second.pk]),
        merge_post(first, second, survivor=second.pk, field_name=first.pk),
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:partner_detail", args=[second.pk])
    merged = Partner.objects.get()
    assert merged.pk == second.pk and merged.name == "华为技术有限公司" and merged.phone == "13800001234"
    assert Contact.objects.get().partner == merged
    history = client.get(reverse("partners:partner_history", args=[second.pk])).content.decode()
    assert f"合并了“华为技术有限公司”(#{first.pk})" in history


def test_the_merge_page_of_a_partner_outside_the_scope_is_404_and_merges_nothing(client, manager, twins):
    # given
    first, _second = twins
    outside = PartnerFactory(name="华为技术有限公司", owner=UserFactory(department=DepartmentFactory()))
    url = reverse("partners:partner_merge", args=[first.pk, outside.pk])
    # when
    shown = client.get(url)
    posted = client.post(url, merge_post(first, outside))
    # then
    assert shown.status_code == 404 and posted.status_code == 404
    assert Partner.objects.filter(pk=outside.pk).exists()


def test_the_merge_page_refuses_a_partner_with_itself(client, manager, twins):
    # given
    first, _second = twins
    # when
    response = client.get(reverse("partners:partner_merge", args=[first.pk, first.pk]), follow=True)
    # then
    assert "不能将客商与其自身合并。" in response.content.decode()
