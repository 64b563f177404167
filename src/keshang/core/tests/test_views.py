"""The generic views, driven through an owned model: scope, re-check, export, masking, history, htmx."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

pytestmark = [pytest.mark.django_db, pytest.mark.urls("keshang.core.tests.scopeapp.urls")]


@pytest.fixture
def team():
    department = DepartmentFactory()
    elsewhere = DepartmentFactory()
    rep = UserFactory(department=department)
    peer = UserFactory(department=department)
    stranger = UserFactory(department=elsewhere)
    mine = Memo.objects.create(title="我的备忘", phone="13912345678", owner=rep, department=department)
    peers = Memo.objects.create(title="同事备忘", phone="13700001111", owner=peer, department=department)
    theirs = Memo.objects.create(title="别人的备忘", phone="13600002222", owner=stranger, department=elsewhere)
    return {"rep": rep, "peer": peer, "stranger": stranger, "mine": mine, "peers": peers, "theirs": theirs}


def test_list_without_grant_is_forbidden(client, team):
    client.force_login(team["rep"])
    assert client.get(reverse("scopeapp:memo_list")).status_code == 403


def test_list_shows_only_rows_in_scope(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    content = client.get(reverse("scopeapp:memo_list")).content.decode()
    assert "我的备忘" in content
    assert "同事备忘" in content
    assert "别人的备忘" not in content


def test_detail_outside_scope_is_404(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    assert client.get(reverse("scopeapp:memo_detail", args=[team["theirs"].pk])).status_code == 404
    assert client.get(reverse("scopeapp:memo_detail", args=[team["peers"].pk])).status_code == 200


def test_sensitive_fields_are_masked_in_pages_without_view_sensitive(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    page = client.get(reverse("scopeapp:memo_detail", args=[team["peers"].pk])).content.decode()
    assert "137****1111" in page
    assert "13700001111" not in page


def test_view_sensitive_scope_decides_per_row(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    grant(team["rep"], "scopeapp.memo", [Action.VIEW_SENSITIVE], Scope.OWN)
    client.force_login(team["rep"])
    content = client.get(reverse("scopeapp:memo_list")).content.decode()
    assert "13912345678" in content
    assert "137****1111" in content


def test_list_filters_sorts_and_renders_an_htmx_fragment(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    response = client.get(reverse("scopeapp:memo_list"), {"sort": "-title"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert content.index("我的备忘") < content.index("同事备忘")
    assert "HX-Request" in response["Vary"]


def test_unknown_sort_and_bad_page_fall_back_instead_of_failing(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    response = client.get(reverse("scopeapp:memo_list"), {"sort": "password", "page": "abc", "per_page": "9999"})
    assert response.status_code == 200


def test_export_needs_the_export_grant(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    assert client.get(reverse("scopeapp:memo_list"), {"export": "csv"}).status_code == 403


def test_csv_export_is_scoped_masked_neutralised_and_audited(client, team):
    # given
    team["peers"].title = '=HYPERLINK("http://evil")'
    team["peers"].save()
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.EXPORT], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    # when
    response = client.get(reverse("scopeapp:memo_list"), {"export": "csv"})
    # then
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["标题", "电话", "负责人"]
    titles = {row[0] for row in rows[1:]}
    assert titles == {"我的备忘", '\'=HYPERLINK("http://evil")'}
    assert "137****1111" in body
    assert AuditEntry.objects.filter(user=team["rep"], action=AuditAction.EXPORT).count() == 1


def test_excel_export_opens_with_the_same_rows(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.EXPORT], Scope.OWN)
    client.force_login(team["rep"])
    response = client.get(reverse("scopeapp:memo_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["我的备忘", "139****5678"]
    assert sheet.max_row == 2


def test_unknown_export_format_is_404(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.EXPORT], Scope.OWN)
    client.force_login(team["rep"])
    assert client.get(reverse("scopeapp:memo_list"), {"export": "pdf"}).status_code == 404


def test_create_inside_scope_is_saved_and_audited(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.OWN)
    grant(team["rep"], "org.user", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    response = client.post(reverse("scopeapp:memo_add"), {"title": "新备忘", "owner": team["rep"].pk})
    memo = Memo.objects.get(title="新备忘")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(object_id=str(memo.pk), action=AuditAction.CREATE).exists()


def test_create_outside_scope_is_rolled_back_with_a_message(client, team):
    # given: own scope, but the form offers a colleague as owner (visible through org.user)
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.OWN)
    grant(team["rep"], "org.user", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    # when
    response = client.post(reverse("scopeapp:memo_add"), {"title": "塞给同事", "owner": team["peer"].pk})
    # then
    assert response.status_code == 200
    assert "超出了您的数据权限范围" in response.content.decode()
    assert not Memo.objects.filter(title="塞给同事").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE, object_repr="塞给同事").exists()


def test_owner_choices_are_narrowed_to_visible_users(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.ALL)
    grant(team["rep"], "org.user", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["rep"])
    response = client.post(reverse("scopeapp:memo_add"), {"title": "越权", "owner": team["stranger"].pk})
    assert "owner" in response.context["form"].errors
    assert not Memo.objects.filter(title="越权").exists()


def test_invalid_input_keeps_what_was_typed_and_explains_in_chinese(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.ADD], Scope.OWN)
    client.force_login(team["rep"])
    response = client.post(reverse("scopeapp:memo_add"), {"title": "", "phone": "13912345678"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "该字段是必填项" in content
    assert 'value="13912345678"' in content


def test_update_outside_scope_is_404(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.CHANGE], Scope.OWN)
    client.force_login(team["rep"])
    response = client.post(reverse("scopeapp:memo_edit", args=[team["peers"].pk]), {"title": "改"})
    assert response.status_code == 404
    team["peers"].refresh_from_db()
    assert team["peers"].title == "同事备忘"


def test_delete_asks_for_confirmation_then_deletes_and_audits(client, team):
    grant(team["rep"], "scopeapp.memo", [Action.VIEW, Action.DELETE], Scope.OWN)
    client.force_login(team["rep"])
    url = reverse("scopeapp:memo_delete", args=[team["mine"].pk])
    assert "确认删除" in client.get(url).content.decode()
    assert Memo.objects.filter(pk=team["mine"].pk).exists()
    client.post(url)
    assert not Memo.objects.filter(pk=team["mine"].pk).exists()
    assert AuditEntry.objects.filter(object_id=str(team["mine"].pk), action=AuditAction.DELETE).exists()


def test_history_tab_lists_changes_and_masks_sensitive_values(client, team):
    # given: the peer changes their memo's phone; the rep may view but not see sensitive fields
    grant(team["peer"], "scopeapp.memo", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(team["peer"], "org.user", [Action.VIEW], Scope.OWN)
    grant(team["peer"], "org.department", [Action.VIEW], Scope.DEPARTMENT)
    grant(team["rep"], "scopeapp.memo", [Action.VIEW], Scope.DEPARTMENT)
    client.force_login(team["peer"])
    response = client.post(
        reverse("scopeapp:memo_edit", args=[team["peers"].pk]),
        {
            "title": "同事备忘",
            "phone": "13700009999",
            "owner": team["peer"].pk,
            "department": team["peer"].department_id,
        },
    )
    assert response.status_code == 302
    # when
    client.force_login(team["rep"])
    page = client.get(reverse("scopeapp:memo_history", args=[team["peers"].pk])).content.decode()
    # then
    assert "修改" in page
    assert "137****9999" in page
    assert "13700009999" not in page


@pytest.mark.parametrize("amount", [Decimal("1234.560000"), Decimal("60.000000"), 1234, Decimal("0.5")])
def test_a_masked_amount_hides_every_digit(amount):
    from keshang.core.masking import MASK, mask_value

    assert mask_value(amount) == MASK
