"""Look-alike names (issue 12, finding 11): a copy of a partner's name with an invisible character, in
traditional characters or in full-width forms is the same name to duplicate control and to search."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from keshang.core.models import ImportStatus
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import selectors, services, text
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory
from keshang.partners.tests.import_helpers import commit, make_user, messages_of, preview

ORIGINAL = "华成电子有限公司"

# One copy per class of look-alike; each reads as ORIGINAL on screen.
LOOKALIKES = {
    "hangul filler U+3164": "华\u3164成电子有限公司",
    "hangul choseong filler U+115F": "华成\u115f电子有限公司",
    "hangul jungseong filler U+1160": "华成电子\u1160有限公司",
    "halfwidth hangul filler U+FFA0": "华成电子有限\uffa0公司",
    "zero-width space U+200B": "华\u200b成电子有限公司",
    "zero-width joiner U+200D": "华成\u200d电子有限公司",
    "zero-width non-joiner U+200C": "华成电\u200c子有限公司",
    "word joiner U+2060": "华成电子有\u2060限公司",
    "byte order mark U+FEFF": "\ufeff华成电子有限公司",
    "soft hyphen U+00AD": "华成\u00ad电子有限公司",
    "right-to-left mark U+200F": "华成电子有限公司\u200f",
    "traditional characters": "華成電子有限公司",
    "traditional and invisible": "華\u3164成電子有限公司",
    "full-width forms": "华成电子有限公司（深圳）",
    "ideographic spaces": "华成\u3000\u3000电子有限公司",
}

INVISIBLE = "\u3164\u115f\u1160\uffa0\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u180e\u2061"


@pytest.mark.parametrize("name", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_a_lookalike_name_has_the_duplicate_key_of_the_original(name):
    assert text.name_key(name) == text.name_key(ORIGINAL)


def test_every_format_character_of_the_running_unicode_is_deleted():
    format_characters = [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"]
    assert text.canonical_text("华" + "".join(format_characters) + "成") == "华成"


def test_the_traditional_to_simplified_map_is_complete_enough_and_stable():
    traditional = "華為臺灣貿易電腦國際廣東體育機械銀行證券電氣鐵路醫院"
    simplified = "华为台湾贸易电脑国际广东体育机械银行证券电气铁路医院"
    assert text.canonical_text(traditional) == simplified
    assert text.canonical_text(simplified) == simplified


@settings(max_examples=200, deadline=None)
@given(
    name=st.text(alphabet="华成電子有限公司深圳ABCabc（）() 0123", min_size=1, max_size=12),
    invisible=st.lists(st.tuples(st.integers(min_value=0, max_value=12), st.sampled_from(INVISIBLE)), max_size=4),
)
def test_invisible_characters_anywhere_never_change_the_key_or_the_search_text(name, invisible):
    # given: the name with invisible characters slipped in
    chars = list(name)
    for position, char in invisible:
        chars.insert(min(position, len(chars)), char)
    disguised = "".join(chars)
    # then
    assert text.name_key(disguised) == text.name_key(name)
    assert text.search_text(disguised) == text.search_text(name)
    assert text.canonical_text(text.canonical_text(disguised)) == text.canonical_text(disguised)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_a_lookalike_copy_of_someone_elses_partner_is_refused_by_the_service(name):
    # given
    PartnerFactory(name=ORIGINAL, owner=UserFactory())
    rep = UserFactory()
    # when
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": name}, confirm_duplicate=True)
    # then
    assert error.value.code == "duplicate_partner_owned"
    assert Partner.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["华\u3164成电子有限公司", "華成電子有限公司"], ids=["U+3164", "traditional"])
def test_a_lookalike_copy_is_refused_by_the_api(api_client, name):
    # given
    PartnerFactory(name=ORIGINAL, owner=UserFactory(name="韩梅梅"))
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    api_client.force_authenticate(rep)
    # when
    response = api_client.post(
        reverse("partners-api:partner-list"), {"name": name, "confirm_duplicate": True}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_partner_owned"
    assert Partner.objects.count() == 1


@pytest.mark.django_db
def test_a_name_of_only_invisible_characters_is_a_clear_400_not_a_500(api_client):
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    api_client.force_authenticate(rep)
    response = api_client.post(reverse("partners-api:partner-list"), {"name": "\u3164\u200b\ufeff"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_the_import_skips_lookalike_copies_in_the_database_and_in_the_file():
    # given: another rep's partner
    other = make_user()
    PartnerFactory(name=ORIGINAL, owner=other)
    rep = make_user()
    # when
    written = commit(rep, [{"名称": "華成電子有限公司"}, {"名称": "新客户"}])
    disguised = commit(rep, [{"名称": "华\u3164成电子\u200b有限公司"}])
    # then
    assert (written.status, written.created_count, written.skipped_count) == (ImportStatus.DONE, 1, 1)
    assert (disguised.status, disguised.created_count, disguised.skipped_count) == (ImportStatus.DONE, 0, 1)
    assert "名称相同" in written.errors[0]["messages"][0] and "名称相同" in disguised.errors[0]["messages"][0]
    # and a look-alike further down the same file is refused as a copy of the row above
    in_file = preview(rep, [{"名称": "臺灣貿易有限公司"}, {"名称": "台湾\u200b贸易有限公司"}])
    assert messages_of(in_file) == {3: ["与第 2 行重复（名称相同）。"]}


@pytest.mark.django_db
def test_invisible_characters_are_stripped_from_the_stored_name_traditional_ones_are_kept():
    rep = UserFactory()
    partner = services.create_partner(actor=rep, data={"name": "\ufeff華\u3164成\u200b電子有限公司"})
    assert partner.name == "華成電子有限公司"
    assert partner.name_key == text.name_key(ORIGINAL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("華成電子有限公司", "华成电子"),
        ("华成电子有限公司", "華成電子"),
        ("华成电子有限公司", "华\u3164成"),
        ("華成電子", "华成"),
    ],
)
def test_search_finds_a_name_in_either_script_and_ignores_invisible_characters(stored, query):
    # given
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    partner = PartnerFactory(name=stored, owner=rep)
    PartnerFactory(name="别的公司", owner=rep)
    # then
    assert list(selectors.search_partners(user=rep, query=query)) == [partner]


def test_search_text_keeps_the_pinyin_of_a_traditional_character_whose_simplified_form_reads_otherwise():
    # 乾 (qian) becomes 干 (gan) in simplified Chinese: both readings stay searchable
    assert "qian" in text.search_text("乾")


@pytest.mark.django_db(transaction=True)
def test_the_migration_recomputes_stored_keys_search_texts_and_bigrams_of_existing_partners():
    # given: partners and a contact stored with the keys of before the fix
    before = [("partners", "0009_unverified_phones")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_partner, old_contact = old_apps.get_model("partners", "Partner"), old_apps.get_model("partners", "Contact")
    disguised = old_partner.objects.create(
        name="华\u3164成电子有限公司", name_key="华\u3164成电子", search_text="华\u3164成电子有限公司", code="C1"
    )
    traditional = old_partner.objects.create(
        name="華成貿易", name_key="華成貿易", search_text="華成貿易 huachengmaoyi hcmy", code="C2"
    )
    old_contact.objects.create(partner=traditional, name="陳偉", search_text="陳偉 chenwei cw")
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then: stored as the services now derive them
    partner = Partner.objects.get(pk=disguised.pk)
    assert (partner.name, partner.name_key) == ("华成电子有限公司", text.name_key(ORIGINAL))
    assert Partner.objects.get(pk=traditional.pk).name == "華成貿易"
    user = UserFactory(is_superuser=True)
    assert [p.pk for p in selectors.search_partners(user=user, query="华成贸易")] == [traditional.pk]
    assert [p.pk for p in selectors.search_partners(user=user, query="贸易")] == [traditional.pk]  # bigrams
    assert [p.pk for p in selectors.search_partners(user=user, query="陈伟")] == [traditional.pk]  # contact
    # and a new look-alike copy of the (pool) partner is caught against the migrated key
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=user, data={"name": "華成電子有限公司"})
    assert error.value.code == "duplicate_partner"
