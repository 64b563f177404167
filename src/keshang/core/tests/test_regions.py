"""China's administrative regions: loading the code list, full names, the cascading picker and the API."""

from __future__ import annotations

from html.parser import HTMLParser
from io import StringIO

import pytest
from django import forms
from django.core.management import call_command
from django.http import HttpResponse, QueryDict
from django.template import engines
from django.urls import path, reverse
from django.views import View

from keshang.core.forms import RegionField, ScopedFormMixin
from keshang.core.models import Region, RegionLevel
from keshang.core.permissions import Action, Persona, Scope
from keshang.core.regions import get_region, load_regions, region_choices
from keshang.core.views import ScopedViewMixin
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import DEFAULT_PASSWORD, UserFactory, grant
from keshang.urls import urlpatterns as project_urlpatterns
from keshang.web.tests import conftest as browser

# The browser fixtures (headless Chromium, a watcher for console errors and CSP violations) of web/tests.
chromium_browser, page, watcher = browser.chromium_browser, browser.page, browser.watcher


@pytest.fixture
def regions(db):
    load_regions()


@pytest.fixture
def viewer(db):
    """A user whose role grants viewing regions, as every default persona role does."""
    user = UserFactory()
    grant(user, "core.region", [Action.VIEW], Scope.ALL)
    return user


class AddressForm(ScopedFormMixin, forms.Form):
    region = RegionField(label="地区")


class Selects(HTMLParser):
    """The <select>s of a page: their attributes, options (value, code, text) and selected option codes."""

    def __init__(self, html: str):
        super().__init__()
        self.selects: list[dict] = []
        self._option: dict | None = None
        self._option_selected = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.selects.append({"attrs": attrs, "options": [], "selected": None})
        elif tag == "option":
            self._option = {"value": attrs.get("value"), "code": attrs.get("data-code"), "text": ""}
            self._option_selected = "selected" in attrs

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            target = self.selects[-1] if self.selects else {"options": []}
            target["options"].append(self._option)
            if self._option_selected:
                target["selected"] = self._option["code"]
            self._option = None


def options_of(html: str) -> list[dict]:
    """The <option>s of a fragment that has no <select> around them."""
    parser = Selects(f"<select>{html}</select>")
    return parser.selects[0]["options"]


#
# Loading the code list
#


@pytest.mark.django_db
def test_loading_creates_31_provinces_342_cities_and_2978_districts_and_a_second_load_creates_none():
    # given an empty table
    assert not Region.objects.exists()
    # when
    first = load_regions()
    second = load_regions()
    # then
    assert (first.provinces, first.cities, first.districts) == (31, 342, 2978)
    assert second.total == 0
    counts = {level: Region.objects.filter(level=level).count() for level in RegionLevel.values}
    assert counts == {RegionLevel.PROVINCE: 31, RegionLevel.CITY: 342, RegionLevel.DISTRICT: 2978}


@pytest.mark.django_db
def test_loading_again_creates_only_what_is_missing_under_the_existing_parents(regions):
    # given one city's counties are gone
    shenzhen = Region.objects.get(code="4403")
    district_count = shenzhen.children.count()
    shenzhen.children.all().delete()
    # when
    counts = load_regions()
    # then exactly those come back, under the same city row
    assert (counts.provinces, counts.cities, counts.districts) == (0, 0, district_count)
    assert Region.objects.get(code="440305").parent == shenzhen


@pytest.mark.django_db
def test_every_city_and_district_sits_under_the_region_its_code_starts_with(regions):
    mismatched = [
        region.code
        for region in Region.objects.exclude(level=RegionLevel.PROVINCE).select_related("parent")
        if not region.code.startswith(region.parent.code) or len(region.code) != len(region.parent.code) + 2
    ]
    assert mismatched == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("44", "广东省"),
        ("4403", "广东省 深圳市"),
        ("440305", "广东省 深圳市 南山区"),
        # Municipalities: the list's "市辖区" and "县" city levels are left out of their counties' names…
        ("110101", "北京市 东城区"),
        ("310115", "上海市 浦东新区"),
        ("500229", "重庆市 城口县"),
        # …and so are the county-level cities governed by the province directly.
        ("419001", "河南省 济源市"),
        # The placeholder city itself keeps its name, so it does not read as the province.
        ("1101", "北京市 市辖区"),
    ],
)
def test_full_name_reads_as_an_address(regions, code, full_name):
    assert Region.objects.get(code=code).full_name == full_name


@pytest.mark.django_db
def test_region_choices_lists_a_parents_children_in_code_order_and_get_region_finds_by_code(regions):
    provinces = region_choices()
    cities = region_choices("44")
    assert provinces.count() == 31
    assert provinces.first().name == "北京市"
    assert list(cities.values_list("code", flat=True)) == sorted(cities.values_list("code", flat=True))
    assert "深圳市" in {city.name for city in cities}
    assert get_region("440305").parent.parent.name == "广东省"
    assert get_region("999999") is None


@pytest.mark.django_db
def test_every_default_persona_role_may_view_regions():
    # when
    ensure_default_roles()
    # then
    for role in Role.objects.exclude(persona=""):
        grant_row = role.grants.get(resource="core.region")
        assert (grant_row.actions, grant_row.scope) == ([Action.VIEW], Scope.ALL), role.persona
    assert set(Role.objects.exclude(persona="").values_list("persona", flat=True)) == set(Persona.values)


@pytest.mark.django_db(transaction=True)
def test_setup_loads_the_regions_and_says_so_only_the_first_time(monkeypatch):
    # given
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", "Harbour-Lantern-2026")
    first, second = StringIO(), StringIO()
    # when
    call_command("setup", "--no-demo", stdout=first)
    call_command("setup", "--no-demo", stdout=second)
    # then
    assert Region.objects.count() == 31 + 342 + 2978
    assert "Regions loaded: 3351" in first.getvalue()
    assert "Regions loaded" not in second.getvalue()


#
# The options view behind the picker
#


@pytest.mark.django_db
def test_options_view_returns_a_placeholder_and_the_children_of_the_parent(client, regions, viewer):
    # given
    client.force_login(viewer)
    # when
    response = client.get(reverse("core:region_options"), {"parent": "4403"})
    # then
    assert response.status_code == 200
    options = options_of(response.content.decode())
    assert options[0] == {"value": "", "code": None, "text": "请选择区县"}
    expected = list(Region.objects.filter(parent__code="4403").order_by("code").values_list("pk", "code", "name"))
    assert [(int(option["value"]), option["code"], option["text"]) for option in options[1:]] == expected
    assert ("440305", "南山区") in {(option["code"], option["text"]) for option in options}


@pytest.mark.django_db
def test_options_view_without_a_parent_lists_the_provinces(client, regions, viewer):
    client.force_login(viewer)
    options = options_of(client.get(reverse("core:region_options")).content.decode())
    assert options[0]["text"] == "请选择省份"
    assert len(options) == 1 + 31


@pytest.mark.django_db
@pytest.mark.parametrize("parent", ["999999", "440305"], ids=["unknown", "a county has no children"])
def test_options_view_answers_404_for_a_parent_without_children(client, regions, viewer, parent):
    client.force_login(viewer)
    assert client.get(reverse("core:region_options"), {"parent": parent}).status_code == 404


@pytest.mark.django_db
def test_options_view_without_the_grant_is_403(client, regions):
    client.force_login(UserFactory())
    assert client.get(reverse("core:region_options"), {"parent": "44"}).status_code == 403


#
# RegionField and its widget
#


@pytest.mark.django_db
def test_widget_renders_three_selects_named_after_the_field_with_the_current_region_chosen(regions, viewer):
    # given an edit form whose region is 南山区
    nanshan = Region.objects.get(code="440305")
    form = AddressForm(initial={"region": nanshan}, user=viewer)
    # when
    selects = Selects(str(form["region"])).selects
    # then: 省 / 市 / 区县, each posting under the field's name, the chain to 南山区 chosen
    assert [select["attrs"]["name"] for select in selects] == ["region"] * 3
    assert [select["attrs"]["data-region-level"] for select in selects] == ["province", "city", "district"]
    assert [select["attrs"]["id"] for select in selects] == ["id_region", "id_region_city", "id_region_district"]
    assert [select["selected"] for select in selects] == ["44", "4403", "440305"]
    # and each level lists the children of the one above
    assert len(selects[0]["options"]) == 1 + 31
    assert {option["code"] for option in selects[1]["options"][1:]} == set(
        Region.objects.filter(parent__code="44").values_list("code", flat=True)
    )
    # and the province and city ask for the next level; the county is the last
    options_url = reverse("core:region_options")
    assert [select["attrs"].get("hx-get") for select in selects] == [options_url, options_url, None]
    assert selects[0]["attrs"]["hx-target"] == "next select"
    assert [select["attrs"].get("aria-label") for select in selects] == [None, "市", "区县"]


@pytest.mark.django_db
def test_widget_without_a_value_lists_only_the_provinces(regions, viewer):
    selects = Selects(str(AddressForm(user=viewer)["region"])).selects
    assert [len(select["options"]) for select in selects] == [1 + 31, 1, 1]
    assert [select["selected"] for select in selects] == [None, None, None]


@pytest.mark.django_db
def test_posting_the_three_levels_cleans_to_the_deepest_chosen_region(regions, viewer):
    # given what a browser posts: one value per select, in order
    chain = [Region.objects.get(code=code).pk for code in ("44", "4403", "440305")]
    data = QueryDict(mutable=True)
    data.setlist("region", [str(pk) for pk in chain])
    # when
    form = AddressForm(data, user=viewer)
    # then
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "440305"


@pytest.mark.django_db
def test_a_region_chosen_down_to_the_city_only_cleans_to_the_city(regions, viewer):
    data = QueryDict(mutable=True)
    data.setlist("region", [str(Region.objects.get(code="44").pk), str(Region.objects.get(code="4403").pk), ""])
    form = AddressForm(data, user=viewer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].full_name == "广东省 深圳市"


@pytest.mark.django_db
def test_a_bound_form_round_trips_a_district_and_renders_it_chosen_again(regions, viewer):
    # given a plain dict, as an API client or a test would send, with one id
    nanshan = Region.objects.get(code="440305")
    form = AddressForm({"region": str(nanshan.pk)}, user=viewer)
    # when
    valid = form.is_valid()
    # then
    assert valid
    assert form.cleaned_data["region"] == nanshan
    assert [select["selected"] for select in Selects(str(form["region"])).selects] == ["44", "4403", "440305"]


@pytest.mark.django_db
def test_a_required_region_left_empty_is_an_error(regions, viewer):
    data = QueryDict(mutable=True)
    data.setlist("region", ["", "", ""])
    form = AddressForm(data, user=viewer)
    assert not form.is_valid()
    assert "region" in form.errors


@pytest.mark.django_db
def test_a_user_without_the_region_grant_is_offered_no_regions_and_cannot_post_one(regions):
    # given
    user = UserFactory()
    nanshan = Region.objects.get(code="440305")
    # when
    form = AddressForm({"region": str(nanshan.pk)}, user=user)
    # then
    assert [len(select["options"]) for select in Selects(str(form["region"])).selects] == [1, 1, 1]
    assert not form.is_valid()


#
# API
#


class TestRegionAPI(APIResourceTests):
    resource = "core.region"
    basename = "core-api:region"
    scoped = False
    supports_write = False

    def make_object(self, *, ctx, inside):
        province, _ = Region.objects.get_or_create(
            code="44", defaults={"name": "广东省", "level": RegionLevel.PROVINCE, "full_name": "广东省"}
        )
        return province


@pytest.mark.django_db
def test_regions_api_filters_by_parent_code_and_level_and_searches_names(api_client, regions, viewer):
    # given
    api_client.force_authenticate(viewer)
    url = reverse("core-api:region-list")
    # when
    shenzhen = api_client.get(url, {"parent": "4403", "page_size": 500}).json()
    provinces = api_client.get(url, {"level": "province", "page_size": 500}).json()
    nanshan = api_client.get(url, {"q": "南山"}).json()
    # then
    assert shenzhen["count"] == Region.objects.filter(parent__code="4403").count()
    assert {row["parent"] for row in shenzhen["results"]} == {"4403"}
    assert provinces["count"] == 31
    assert {row["parent"] for row in provinces["results"]} == {None}
    row = next(row for row in nanshan["results"] if row["code"] == "440305")
    assert row == {
        "id": Region.objects.get(code="440305").pk,
        "code": "440305",
        "name": "南山区",
        "level": "district",
        "parent": "4403",
        "full_name": "广东省 深圳市 南山区",
    }


@pytest.mark.django_db
def test_regions_api_is_read_only(api_client, regions, viewer):
    api_client.force_authenticate(viewer)
    response = api_client.post(reverse("core-api:region-list"), {"code": "99", "name": "x"}, format="json")
    assert response.status_code in (403, 405)
    assert not Region.objects.filter(code="99").exists()


#
# In a browser: keyboard only, under the CSP
#


class RegionPickerPage(ScopedViewMixin, View):
    """A page with one RegionField, as an address form uses it; a post shows the region it cleaned to."""

    model = Region
    template = engines["django"].from_string(
        """{% extends "base.html" %}{% block content %}
<form method="post" novalidate>{% csrf_token %}{% include "components/form_fields.html" %}
<button type="submit" class="btn btn-primary">保存</button></form>
{% if chosen %}<p data-testid="chosen">{{ chosen.code }} {{ chosen.full_name }}</p>{% endif %}
{% endblock %}"""
    )

    def get(self, request):
        form = AddressForm(initial={"region": request.GET.get("region")}, user=request.user)
        return HttpResponse(self.template.render({"form": form}, request))

    def post(self, request):
        form = AddressForm(request.POST, user=request.user)
        chosen = form.cleaned_data["region"] if form.is_valid() else None
        return HttpResponse(self.template.render({"form": form, "chosen": chosen}, request))


urlpatterns = [*project_urlpatterns, path("region-picker/", RegionPickerPage.as_view())]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_picker_preselects_the_current_region_and_cascades_by_keyboard_alone(page, watcher, live_server):
    expect = pytest.importorskip("playwright.sync_api").expect

    # given a user who may view regions, on an edit form whose region is 南山区
    load_regions()
    user = UserFactory(username="picker")
    grant(user, "core.region", [Action.VIEW], Scope.ALL)
    page.goto("/login/")
    page.get_by_label("用户名").fill("picker")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    pks = dict(Region.objects.values_list("code", "pk"))
    page.goto(f"/region-picker/?region={pks['440305']}")
    province, city, district = (
        page.locator("#id_region"),
        page.locator("#id_region_city"),
        page.locator("#id_region_district"),
    )
    expect(province).to_have_value(str(pks["44"]))
    expect(city).to_have_value(str(pks["4403"]))
    expect(district).to_have_value(str(pks["440305"]))
    expect(page.get_by_label("地区")).to_have_value(str(pks["44"]))

    # when the user picks 北京市 / 市辖区 / 东城区 with the arrow keys, tabbing from level to level
    province.focus()
    page.keyboard.press("Home")  # back to the placeholder: the levels below empty
    expect(city.locator("option")).to_have_count(1)
    expect(district.locator("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(city.locator("option")).to_have_count(2)  # placeholder + 市辖区
    page.keyboard.press("Tab")
    expect(city).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(district.locator("option")).to_have_count(1 + Region.objects.filter(parent__code="1101").count())
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(district).to_have_value(str(pks["110101"]))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    # then the form cleans to the county, and shows it chosen again
    expect(page.get_by_test_id("chosen")).to_have_text("110101 北京市 东城区")
    expect(district).to_have_value(str(pks["110101"]))

    # when the province changes, the county chosen under the old one is gone before anything is posted
    province.focus()
    page.keyboard.press("ArrowDown")  # 天津市
    expect(district.locator("option")).to_have_count(1)
    expect(city.locator("option").nth(1)).to_have_attribute("data-code", "1201")
    page.get_by_role("button", name="保存").press("Enter")
    expect(page.get_by_test_id("chosen")).to_have_text("12 天津市")
    watcher.assert_clean()
