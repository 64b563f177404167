"""The classification lists (客户级别, 行业, 标签): admin pages and API. Everyone may read them;
administrators maintain them; one that partners still use cannot be deleted."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Persona
from keshang.core.registry import menu_for
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory
from keshang.partners import services
from keshang.partners.models import Industry, PartnerLevel, Tag
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def with_persona(persona: str):
    ensure_default_roles()
    user = UserFactory()
    user.roles.add(Role.objects.get(persona=persona))
    return user


@pytest.fixture
def admin():
    return with_persona(Persona.ADMIN)


@pytest.fixture
def rep():
    return with_persona(Persona.SALES)


@pytest.fixture
def level():
    return PartnerLevel.objects.create(code="S", name="S 类（战略）", order=5)


#
# Pages
#


def test_an_admin_adds_edits_and_deletes_a_level_with_an_audit_trail(client, admin):
    # given
    client.force_login(admin)
    # when
    added = client.post(reverse("partners:partnerlevel_add"), {"code": "S", "name": "S 类（战略）", "order": "5"})
    level = PartnerLevel.objects.get(code="S")
    edited = client.post(
        reverse("partners:partnerlevel_edit", args=[level.pk]), {"code": "S", "name": "S 类", "order": "5"}
    )
    listed = client.get(reverse("partners:partnerlevel_list")).content.decode()
    deleted = client.post(reverse("partners:partnerlevel_delete", args=[level.pk]))
    # then
    assert added.status_code == 302 and edited.status_code == 302 and deleted.status_code == 302
    assert "S 类" in listed
    assert not PartnerLevel.objects.filter(pk=level.pk).exists()
    actions = AuditEntry.objects.filter(object_repr__startswith="S 类").values_list("action", flat=True)
    assert sorted(actions) == sorted([AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE])


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("partners:industry_add", {"name": "半导体", "order": "1"}),
        ("partners:tag_add", {"name": "战略供应商"}),
    ],
)
def test_an_admin_adds_industries_and_tags(client, admin, url_name, data):
    # given
    client.force_login(admin)
    # when
    response = client.post(reverse(url_name), data)
    # then
    assert response.status_code == 302
    assert Industry.objects.filter(name=data["name"]).exists() or Tag.objects.filter(name=data["name"]).exists()


def test_a_duplicate_level_code_gets_a_field_message(client, admin, level):
    # given
    client.force_login(admin)
    # when
    response = client.post(reverse("partners:partnerlevel_add"), {"code": "S", "name": "重复", "order": "1"})
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert PartnerLevel.objects.filter(code="S").count() == 1


@pytest.mark.parametrize("prefix", ["partnerlevel", "industry", "tag"])
def test_a_sales_rep_gets_403_on_the_admin_pages_and_changes_nothing(client, rep, prefix):
    # given
    obj = {
        "partnerlevel": lambda: PartnerLevel.objects.create(code="Z", name="Z 类"),
        "industry": lambda: Industry.objects.create(name="测试行业"),
        "tag": lambda: Tag.objects.create(name="测试标签"),
    }[prefix]()
    client.force_login(rep)
    # when
    responses = [
        client.get(reverse(f"partners:{prefix}_add")),
        client.post(reverse(f"partners:{prefix}_add"), {"code": "X", "name": "新增", "order": "1"}),
        client.get(reverse(f"partners:{prefix}_edit", args=[obj.pk])),
        client.post(reverse(f"partners:{prefix}_edit", args=[obj.pk]), {"code": "Z", "name": "改名", "order": "1"}),
        client.get(reverse(f"partners:{prefix}_delete", args=[obj.pk])),
        client.post(reverse(f"partners:{prefix}_delete", args=[obj.pk])),
    ]
    # then
    assert [response.status_code for response in responses] == [403] * 6
    assert type(obj).objects.get(pk=obj.pk).name == obj.name
    assert not type(obj).objects.filter(name="新增").exists()
    assert not AuditEntry.objects.filter(action__in=["create", "update", "delete"], user=rep).exists()


def test_the_settings_menu_shows_the_lists_to_admins_but_not_to_sales_reps(rep, admin):
    # given
    urls = {reverse(name) for name in ("partners:partnerlevel_list", "partners:industry_list", "partners:tag_list")}

    def menu_urls(user):
        return {url for group in menu_for(user) for _item, url, _active in group.items}

    # then
    assert urls <= menu_urls(admin)
    assert not urls & menu_urls(rep)


def test_a_sales_rep_may_read_the_list_which_has_no_add_button(client, rep, level):
    # given
    client.force_login(rep)
    # when
    response = client.get(reverse("partners:partnerlevel_list"))
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "S 类（战略）" in content and reverse("partners:partnerlevel_add") not in content


def test_deleting_a_level_that_partners_use_is_refused_with_the_count(client, admin, level):
    # given
    partner = PartnerFactory(level=level)
    client.force_login(admin)
    # when
    confirm = client.get(reverse("partners:partnerlevel_delete", args=[level.pk])).content.decode()
    response = client.post(reverse("partners:partnerlevel_delete", args=[level.pk]), follow=True)
    # then
    assert 'data-testid="in-use"' in confirm and 'data-testid="confirm-delete"' not in confirm
    assert "仍有 1 个客商在使用，不能删除" in response.content.decode()
    partner.refresh_from_db()
    assert partner.level == level
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_deleting_a_tag_that_partners_carry_is_refused(admin):
    # given
    tag = Tag.objects.create(name="重点")
    partner = PartnerFactory(tags=[tag])
    # when
    with pytest.raises(ApplicationError) as refused:
        services.delete_classification(actor=admin, instance=tag)
    # then
    assert refused.value.code == "in_use"
    assert list(partner.tags.all()) == [tag]


def test_the_detail_page_links_to_the_partners_using_it(client, admin, level):
    # given
    PartnerFactory(level=level)
    client.force_login(admin)
    # when
    content = client.get(reverse("partners:partnerlevel_detail", args=[level.pk])).content.decode()
    # then
    assert "有 1 个客商使用此项" in content
    assert f"{reverse('partners:partner_list')}?level={level.pk}" in content


#
# API
#


class ClassificationAPITests(APIResourceTests):
    scoped = False


class TestPartnerLevelAPI(ClassificationAPITests):
    resource = "partners.partnerlevel"
    basename = "partners-api:partnerlevel"

    def make_object(self, *, ctx, inside):
        return PartnerLevel.objects.create(code=f"T{PartnerLevel.objects.count()}", name="测试级别")

    def create_data(self, *, ctx):
        return {"code": "N", "name": "新级别", "order": 50}

    def update_data(self, *, ctx, obj):
        return {"name": "改过的级别"}


class TestIndustryAPI(ClassificationAPITests):
    resource = "partners.industry"
    basename = "partners-api:industry"

    def make_object(self, *, ctx, inside):
        return Industry.objects.create(name=f"测试行业{Industry.objects.count()}")

    def create_data(self, *, ctx):
        return {"name": "新行业", "order": 1}

    def update_data(self, *, ctx, obj):
        return {"order": 2}


class TestTagAPI(ClassificationAPITests):
    resource = "partners.tag"
    basename = "partners-api:tag"

    def make_object(self, *, ctx, inside):
        return Tag.objects.create(name=f"测试标签{Tag.objects.count()}")

    def create_data(self, *, ctx):
        return {"name": "新标签"}

    def update_data(self, *, ctx, obj):
        return {"name": "改过的标签"}


def test_the_api_refuses_to_delete_an_industry_in_use_and_lets_reps_read(admin, rep):
    # given
    industry = Industry.objects.create(name="新能源")
    PartnerFactory(industry=industry)
    admin_client, rep_client = APIClient(), APIClient()
    admin_client.force_authenticate(admin)
    rep_client.force_authenticate(rep)
    # when
    deleted = admin_client.delete(reverse("partners-api:industry-detail", args=[industry.pk]))
    read = rep_client.get(reverse("partners-api:industry-list"), {"q": "新能"})
    written = rep_client.post(reverse("partners-api:industry-list"), {"name": "偷偷加"}, format="json")
    # then
    assert deleted.status_code == 400 and deleted.json()["code"] == "in_use"
    assert Industry.objects.filter(pk=industry.pk).exists()
    assert [row["name"] for row in read.json()["results"]] == ["新能源"]
    assert written.status_code == 403
