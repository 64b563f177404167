import pytest
from django.db import connection

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import services
from keshang.partners.checks import ctype_warnings, trigram_ctype
from keshang.partners.models import PartnerSearchGram
from keshang.partners.search import grams_of
from keshang.partners.selectors import search_partners
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    user = UserFactory()
    # Sees phones in clear: searching by part of a number is theirs only (test_masked_search).
    grant(user, "partners.partner", [Action.VIEW, Action.VIEW_SENSITIVE], Scope.ALL)
    return user


def names(user, query):
    return sorted(search_partners(user=user, query=query).values_list("name", flat=True))


@pytest.fixture
def partners():
    return [
        PartnerFactory(name="华为技术有限公司", short_name="华为", phone="0755-28780808"),
        PartnerFactory(name="上海华谊集团"),
        PartnerFactory(name="单县农机销售有限公司"),
        PartnerFactory(name="中兴通讯股份有限公司", credit_code=None),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("华为", ["华为技术有限公司"]),  # two Chinese characters: the bigram index
        ("上海", ["上海华谊集团"]),
        ("华为技术", ["华为技术有限公司"]),  # three and more: the trigram index
        ("hwjs", ["华为技术有限公司"]),  # pinyin initials
        ("huaweijishu", ["华为技术有限公司"]),  # full pinyin
        ("shanxian", ["单县农机销售有限公司"]),  # every reading of a heteronym
        ("danxian", ["单县农机销售有限公司"]),
        ("28780808", ["华为技术有限公司"]),  # phone digits
        ("华为 技术", ["华为技术有限公司"]),  # every word must match
        ("ＨＷＪＳ", ["华为技术有限公司"]),  # full-width, upper case
        ("有限公司", ["中兴通讯股份有限公司", "华为技术有限公司", "单县农机销售有限公司"]),
        ('"华为', ["华为技术有限公司"]),  # FTS syntax in the query is just text
        ("不存在的公司", []),
    ],
)
def test_one_search_box_finds_partners_every_way(viewer, partners, query, expected):
    assert names(viewer, query) == sorted(expected)


@pytest.mark.parametrize("query", ["欧阳", "ouyang", "oy", "欧阳娜娜"])
def test_a_contact_finds_its_partner_by_each_index(viewer, partners, query):
    # given a contact of 中兴 (found through one set of ids: the word's index and the contacts together)
    ContactFactory(partner=partners[3], name="欧阳娜娜")
    # when / then
    assert names(viewer, query) == ["中兴通讯股份有限公司"]


def test_a_contact_name_finds_its_partner(viewer, partners):
    ContactFactory(partner=partners[3], name="欧阳娜娜")
    assert names(viewer, "欧阳") == ["中兴通讯股份有限公司"]


def test_search_respects_the_data_scope(partners):
    rep = UserFactory()
    mine = PartnerFactory(name="华为终端有限公司", owner=rep)
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    assert names(rep, "华为") == [mine.name]


def test_renaming_reindexes_both_indexes(viewer, partners):
    services.update_partner(actor=None, partner=partners[0], data={"name": "鸿蒙软件有限公司", "short_name": ""})
    assert names(viewer, "华为") == []
    assert names(viewer, "鸿蒙") == ["鸿蒙软件有限公司"]
    assert names(viewer, "鸿蒙软件") == ["鸿蒙软件有限公司"]


def test_deleting_removes_the_partner_from_the_indexes(viewer, partners):
    services.delete_partner(actor=None, partner=partners[0])
    assert names(viewer, "华为技术") == []
    assert not PartnerSearchGram.objects.filter(gram="华为").exists()


def test_bigrams_cover_chinese_and_initials_but_not_long_pinyin():
    grams = grams_of("华为技术 huaweijishu hwjs")
    assert {"华为", "为技", "技术", "hw", "wj", "js"} <= grams
    assert "ua" not in grams


def test_the_initials_of_a_long_name_get_bigrams_and_its_full_pinyin_does_not():
    grams = grams_of("诚宏嘉易电子有限公司 chenghongjiayidianziyouxiangongsi chjydzyxgs")
    assert {"ch", "hj", "gs"} <= grams
    assert "en" not in grams and "ng" not in grams


def test_numbers_get_no_bigrams_and_two_digits_still_find_the_phone(viewer, partners):
    # given 华为 (phone 0755-28780808), whose digits are in its search text but not among its bigrams
    assert not PartnerSearchGram.objects.filter(partner=partners[0], gram="87").exists()
    # when two of its digits are searched
    found = names(viewer, "87")
    # then the scan of the search text finds it
    assert "华为技术有限公司" in found


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 triggers exist on SQLite only")
def test_the_fts_triggers_survive_every_migration():
    """A later migration that rebuilds partners_partner would drop them silently: this fails then."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'partners_partner'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert triggers == {"partners_partner_fts_insert", "partners_partner_fts_delete", "partners_partner_fts_update"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm on PostgreSQL only")
def test_the_trigram_index_exists_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'partner_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition


@pytest.mark.parametrize(
    ("ctype", "warned"), [("C", True), ("POSIX", True), ("C.UTF-8", False), ("zh_CN.UTF-8", False)]
)
def test_a_postgresql_database_that_classifies_characters_as_c_is_warned_about(ctype, warned):
    # when / then: pg_trgm finds no trigrams in Chinese text under a C character type
    assert [message.id for message in ctype_warnings(ctype, name="keshang")] == (["partners.W001"] if warned else [])


def test_the_test_database_passes_the_trigram_check():
    # given the database the suite runs on (on PostgreSQL, a cluster made with a UTF-8 character type)
    # when / then
    assert trigram_ctype(databases=["default"]) == []
