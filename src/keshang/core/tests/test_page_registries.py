"""The registries through which a later app adds to another app's list and detail pages (core.registry): list
actions (导入 beside 新建), bulk actions on the ticked rows (批量操作) and panels below a record's fields. Driven
through the test-only Memo: each shows only to the users it applies to, the page behind a button refuses whoever
the button is hidden from, and a bulk action never touches a record outside the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keshang.core import registry
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.registry import DetailPanel, ListAction
from keshang.core.tests.scopeapp.models import Memo
from keshang.core.tests.scopeapp.views import MEMO_BULK_DELETE, MEMO_IMPORT
from keshang.core.views import selected_ids
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant

from . import memo_imports

# The memo importer behind the list's 导入 button (an autouse fixture, from memo_imports).
memo_importer = memo_imports.memo_importer

pytestmark = [pytest.mark.django_db, pytest.mark.urls("keshang.core.tests.scopeapp.urls")]

MEMO = "scopeapp.memo"
LIST = "/memos/"


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The memo list's 导入 and 批量删除, registered for each test (and gone after it)."""
    monkeypatch.setitem(registry._list_actions, MEMO, [MEMO_IMPORT])
    monkeypatch.setitem(registry._bulk_actions, MEMO, [MEMO_BULK_DELETE])


@pytest.fixture
def team():
    department, elsewhere = DepartmentFactory(), DepartmentFactory()
    rep, peer, stranger = (
        UserFactory(department=department),
        UserFactory(department=department),
        UserFactory(department=elsewhere),
    )
    memos = {
        "mine": Memo.objects.create(title="我的备忘", owner=rep, department=department),
        "mine too": Memo.objects.create(title="我的备忘二", owner=rep, department=department),
        "peers": Memo.objects.create(title="同事备忘", owner=peer, department=department),
        "theirs": Memo.objects.create(title="别人的备忘", owner=stranger, department=elsewhere),
    }
    return {"rep": rep, "peer": peer, "stranger": stranger, **memos}


def signed_in(client, user):
    client.force_login(user)
    return client


def page(client, url=LIST, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


#
# List actions
#


def test_a_list_action_shows_only_to_those_holding_its_grant_and_its_page_refuses_the_others(client, team):
    # given a reader (view only) and a rep who may add memos
    reader, rep = team["peer"], team["rep"]
    grant(reader, MEMO, [Action.VIEW], Scope.OWN)
    grant(rep, MEMO, [Action.VIEW, Action.ADD], Scope.OWN)
    for user in (reader, rep):
        grant(user, "core.importjob", [Action.VIEW, Action.ADD], Scope.OWN)
    import_url = reverse("scopeapp:memo_import")
    # when each opens the list and then the page behind 导入
    as_reader = page(signed_in(client, reader))
    reader_opens = client.get(import_url).status_code
    as_rep = page(signed_in(client, rep))
    rep_opens = client.get(import_url).status_code
    # then the reader sees no button and is refused the page; the rep has both
    assert 'data-list-action="import"' not in as_reader and reader_opens == 403
    assert f'href="{import_url}" data-list-action="import"' in as_rep and rep_opens == 200


def test_a_list_action_may_ask_for_a_grant_on_another_resource(client, team, monkeypatch):
    # given an action that needs "view" on import jobs, not anything on memos
    history = ListAction("imports", "导入记录", "core:importjob_list", resource="core.importjob", action=Action.VIEW)
    monkeypatch.setitem(registry._list_actions, MEMO, [history])
    grant(team["rep"], MEMO, [Action.VIEW], Scope.OWN)
    grant(team["peer"], MEMO, [Action.VIEW, Action.ADD], Scope.OWN)
    grant(team["peer"], "core.importjob", [Action.VIEW], Scope.OWN)
    # then only the one holding that grant sees it
    assert 'data-list-action="imports"' not in page(signed_in(client, team["rep"]))
    assert 'data-list-action="imports"' in page(signed_in(client, team["peer"]))


def test_a_key_registered_twice_for_one_list_is_refused():
    with pytest.raises(ValueError):
        registry.register_list_action(MEMO, MEMO_IMPORT)


#
# Bulk actions: the checkbox column and the menu, and the page they open
#


def test_the_checkbox_column_and_the_menu_show_only_when_a_bulk_action_applies(client, team):
    # given a reader and a rep who may delete their own memos
    grant(team["peer"], MEMO, [Action.VIEW], Scope.DEPARTMENT)
    grant(team["rep"], MEMO, [Action.VIEW, Action.DELETE], Scope.DEPARTMENT)
    # when each lists the memos
    as_reader = page(signed_in(client, team["peer"]))
    as_rep = page(signed_in(client, team["rep"]))
    # then the reader sees neither boxes nor menu; the rep a box per row, the menu, and its script
    assert 'name="ids"' not in as_reader and "批量操作" not in as_reader
    assert as_rep.count('name="ids"') == 3  # the rep's two memos and the peer's, all in the department
    assert f'formaction="{reverse("scopeapp:memo_bulk_delete")}"' in as_rep
    assert 'data-bulk-all="ks-bulk"' in as_rep and "core/bulk.js" in as_rep
    # and every box is a labelled, focusable control of the menu's form (no JavaScript needed to send them)
    assert f'value="{team["mine"].pk}" form="ks-bulk" aria-label="选择“我的备忘”"' in as_rep


def test_the_table_alone_keeps_the_boxes_when_htmx_filters_or_pages(client, team):
    grant(team["rep"], MEMO, [Action.VIEW, Action.DELETE], Scope.OWN)
    response = signed_in(client, team["rep"]).get(LIST, {"sort": "title"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().count('form="ks-bulk"') == 2


def test_the_bulk_page_refuses_whoever_the_menu_is_hidden_from(client, team):
    grant(team["rep"], MEMO, [Action.VIEW], Scope.ALL)
    client = signed_in(client, team["rep"])
    url = reverse("scopeapp:memo_bulk_delete")
    ids = f"{team['mine'].pk},{team['theirs'].pk}"
    # when the reader opens the page, or posts to it, with ids of memos they can see
    assert client.get(url, {"ids": ids}).status_code == 403
    assert client.post(url, {"ids": ids}).status_code == 403
    # then nothing is deleted
    assert Memo.objects.count() == 4


def test_the_bulk_page_reads_the_ids_through_the_scope_and_acts_only_on_those(client, team):
    # given a rep who sees the department's memos and may delete their own only
    grant(team["rep"], MEMO, [Action.VIEW], Scope.DEPARTMENT)
    grant(team["rep"], MEMO, [Action.DELETE], Scope.OWN)
    client = signed_in(client, team["rep"])
    url = reverse("scopeapp:memo_bulk_delete")
    chosen = [team["mine"], team["peers"], team["theirs"]]
    ids = [str(memo.pk) for memo in chosen]
    # when they open the page with their memo, a colleague's (visible, not theirs to delete) and a stranger's
    confirm = client.get(url, {"ids": ids})
    # then it offers only their own, says two were left out, and names nothing else
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert list(confirm.context["objects"]) == [team["mine"]] and confirm.context["ignored"] == 2
    assert "同事备忘" not in text and "别人的备忘" not in text
    # when they confirm with the same ids (the form could be edited to carry any)
    response = client.post(url, {"ids": ids})
    # then only their own memo is deleted, audited, and the list says the rest was left alone
    assert response.status_code == 302 and response["Location"] == LIST
    assert set(Memo.objects.values_list("title", flat=True)) == {"我的备忘二", "同事备忘", "别人的备忘"}
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE)
    assert [entry.object_id for entry in deleted] == [str(team["mine"].pk)]
    shown = page(client)
    assert "已对 1 条记录执行“批量删除”。" in shown and "另有 2 条记录不在您的权限范围内，未处理。" in shown


def test_ids_all_outside_the_scope_act_on_nothing(client, team):
    grant(team["rep"], MEMO, [Action.VIEW, Action.DELETE], Scope.OWN)
    client = signed_in(client, team["rep"])
    url = reverse("scopeapp:memo_bulk_delete")
    ids = f"{team['peers'].pk},{team['theirs'].pk},999999"
    confirm = client.get(url, {"ids": ids})
    posted = client.post(url, {"ids": ids})
    assert confirm.status_code == 200 and not confirm.context["objects"] and confirm.context["ignored"] == 3
    assert "没有可以操作的记录" in confirm.content.decode()
    assert posted.status_code == 302 and Memo.objects.count() == 4
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_selected_ids_reads_repeated_and_comma_separated_ids_and_nothing_else():
    from django.http import QueryDict

    query = QueryDict("ids=3,1&ids=2&ids=1&ids=-4&ids=x&ids=0&ids=5%2C%206")
    assert selected_ids(query) == [3, 1, 2, 5, 6]
    assert selected_ids(QueryDict("ids=1,2,3"), limit=2) == [1, 2]
    assert selected_ids(QueryDict("")) == []


#
# Detail panels
#


def similar_memos(memo, user):
    """A panel that shows the memos of the same title's first word the reader may see, or nothing."""
    others = Memo.objects.visible_to(user, Action.VIEW).filter(title__startswith=memo.title[:2]).exclude(pk=memo.pk)
    others = list(others.order_by("title"))
    return {"memos": others} if others else None


@pytest.fixture
def panel(monkeypatch):
    monkeypatch.setitem(
        registry._detail_panels, MEMO, [DetailPanel("similar", "scopeapp/memo_panel.html", similar_memos)]
    )


def test_a_panel_shows_below_the_fields_what_the_reader_may_see(client, team, panel):
    # given a colleague's memo titled like the rep's, and the rep seeing their department's memos
    Memo.objects.create(title="我的同事", owner=team["stranger"], department=team["stranger"].department)
    grant(team["rep"], MEMO, [Action.VIEW], Scope.DEPARTMENT)
    # when the rep opens their memo
    text = page(signed_in(client, team["rep"]), reverse("scopeapp:memo_detail", args=[team["mine"].pk]))
    # then the panel lists the similar memo they may see, after the fields, and not the stranger's
    assert 'data-panel="similar"' in text
    assert text.index("ks-detail") < text.index('data-panel="similar"')
    assert "<li>我的备忘二</li>" in text and "我的同事" not in text


def test_a_panel_with_nothing_to_show_hides_itself(client, team, panel):
    grant(team["peer"], MEMO, [Action.VIEW], Scope.DEPARTMENT)
    text = page(signed_in(client, team["peer"]), reverse("scopeapp:memo_detail", args=[team["peers"].pk]))
    assert 'data-panel="similar"' not in text


def test_panels_show_on_the_record_page_only_not_on_its_tabs(client, team, panel):
    grant(team["rep"], MEMO, [Action.VIEW], Scope.OWN)
    text = page(signed_in(client, team["rep"]), reverse("scopeapp:memo_history", args=[team["mine"].pk]))
    assert 'data-panel="similar"' not in text


def test_panels_come_in_their_order_and_a_key_registered_twice_is_refused(team, panel, monkeypatch):
    first = DetailPanel("first", "scopeapp/memo_panel.html", lambda memo, user: {"memos": []}, order=10)
    registry.register_detail_panel(MEMO, first)
    grant(team["rep"], MEMO, [Action.VIEW], Scope.OWN)
    shown = registry.detail_panels_for(MEMO, team["mine"], team["rep"])
    assert [item.key for item, _context in shown] == ["first", "similar"]
    with pytest.raises(ValueError):
        registry.register_detail_panel(MEMO, first)


def test_a_detail_action_registered_twice_is_refused_like_the_other_registrations(monkeypatch):
    from keshang.core.registry import DetailAction, register_detail_action

    monkeypatch.setitem(registry._detail_actions, MEMO, [])
    register_detail_action(MEMO, DetailAction("email", "邮件发送", "scopeapp:memo_detail"))
    with pytest.raises(ValueError, match="registered twice"):
        register_detail_action(MEMO, DetailAction("email", "邮件发送", "scopeapp:memo_detail"))
    assert len(registry._detail_actions[MEMO]) == 1
