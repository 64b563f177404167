"""Every page renders, in Chinese, for every persona: the menu shows exactly what their grants allow."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.models import AuditEntry
from keshang.core.notifications import notify
from keshang.core.registry import menu_for
from keshang.org.models import Department, Role, User
from keshang.partners.models import Handover, Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PERSONA_USERS = ["boss", "manager", "sales", "sales2", "purchaser", "warehouse", "finance", "itadmin", "admin"]


@pytest.fixture
def company(monkeypatch):
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", "Admin-Pass-2026")
    monkeypatch.setenv("KESHANG_DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("setup", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("username", PERSONA_USERS)
def test_every_menu_page_and_its_records_render_for_each_persona(client, company, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert "通知中心" in home.content.decode()
    for group in menu_for(User.objects.get(pk=user.pk)):
        for _item, url, _active in group.items:
            response = client.get(url)
            assert response.status_code == 200, f"{username}: {url}"
            assert 'lang="zh-hans"' in response.content.decode()


def test_sales_rep_menu_hides_administration(client, company):
    sales = User.objects.get(username="sales")
    labels = {str(item.label) for group in menu_for(sales) for item, _url, _active in group.items}
    assert "审计日志" in labels  # their own actions
    assert "角色与权限" not in labels
    client.force_login(sales)
    assert client.get(reverse("org:role_list")).status_code == 403


def menu_labels(user) -> set[str]:
    return {str(item.label) for group in menu_for(user) for item, _url, _active in group.items}


def test_the_boss_reads_the_pool_from_the_menu_and_cannot_claim(client, company):
    # given a customer in the pool and the boss (管理层: reads everything, changes nothing)
    pooled = PartnerFactory(name="无主的宁波海曙贸易", owner=None)
    boss = User.objects.get(username="boss")
    claim = reverse("partners:pool_claim", args=[pooled.pk])
    client.force_login(boss)
    api = APIClient()
    api.force_authenticate(boss)
    before = (Partner.objects.values().get(pk=pooled.pk), Handover.objects.count(), AuditEntry.objects.count())
    # when
    page = client.get(reverse("partners:pool_list"))
    claim_page, claim_post = client.get(claim), client.post(claim)
    claim_api = api.post(reverse("partners-api:partner-claim", args=[pooled.pk]))
    # then 公海 is in their menu and lists the customer, with no claim button
    assert {"公海", "公海规则"} <= menu_labels(boss)
    assert page.status_code == 200
    html = page.content.decode()
    assert "无主的宁波海曙贸易" in html
    assert claim not in html
    assert "领取数量" not in html and "您现在负责" not in html
    # and claiming is refused in the page and the API, changing nothing
    assert (claim_page.status_code, claim_post.status_code, claim_api.status_code) == (403, 403, 403)
    assert (Partner.objects.values().get(pk=pooled.pk), Handover.objects.count(), AuditEntry.objects.count()) == before


def test_a_rep_still_claims_from_the_pool_page(client, company):
    # given a customer in the pool
    pooled = PartnerFactory(name="无主的温州鹿城五金", owner=None)
    rep = User.objects.get(username="sales")
    claim = reverse("partners:pool_claim", args=[pooled.pk])
    client.force_login(rep)
    # when
    page = client.get(reverse("partners:pool_list"))
    client.post(claim)
    # then the rep saw the claim button and now owns the customer
    assert "公海" in menu_labels(rep)
    assert claim in page.content.decode()
    pooled.refresh_from_db()
    assert pooled.owner == rep


def test_the_it_admin_finds_the_backup_page_under_system_settings_and_a_rep_does_not(client, company):
    itadmin, sales = User.objects.get(username="itadmin"), User.objects.get(username="sales")
    assert "数据备份" in menu_labels(itadmin)
    assert "数据备份" not in menu_labels(sales)
    client.force_login(sales)
    assert client.get(reverse("core:backup_list")).status_code == 403


def test_admin_sees_detail_edit_and_history_pages(client, company):
    client.force_login(User.objects.get(username="admin"))
    department = Department.objects.get(code="SALES")
    role = Role.objects.get(persona="sales")
    user = User.objects.get(username="sales")
    for url in [
        reverse("org:department_detail", args=[department.pk]),
        reverse("org:department_edit", args=[department.pk]),
        reverse("org:department_history", args=[department.pk]),
        reverse("org:department_delete", args=[department.pk]),
        reverse("org:user_detail", args=[user.pk]),
        reverse("org:user_edit", args=[user.pk]),
        reverse("org:user_password", args=[user.pk]),
        reverse("org:user_history", args=[user.pk]),
        reverse("org:role_detail", args=[role.pk]),
        reverse("org:role_edit", args=[role.pk]),
        reverse("org:role_add"),
        reverse("org:user_add"),
        reverse("core:currency_add"),
        reverse("core:exchangerate_add"),
        reverse("web:password_change"),
    ]:
        assert client.get(url).status_code == 200, url


def test_english_switch_translates_the_shell(client, company):
    client.force_login(User.objects.get(username="admin"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("web:home")).content.decode()
    assert 'lang="en"' in content
    assert "Notifications" in content


def test_home_shows_real_notifications_and_activity(client, company):
    sales = User.objects.get(username="sales")
    notify(recipients=[sales], title="客户 华为技术 已分配给您")
    client.force_login(sales)
    content = client.get(reverse("web:home")).content.decode()
    assert "客户 华为技术 已分配给您" in content
    assert 'data-testid="unread-count"' in content


def test_pages_are_chinese_even_for_an_english_browser_until_english_is_chosen(client, company):
    client.force_login(User.objects.get(username="sales"))
    content = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in content
