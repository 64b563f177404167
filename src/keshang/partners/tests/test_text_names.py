"""partners.text: the name key of a company and the similarity of two names."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keshang.partners.text import (
    name_key,
    similarity,
)

# No example database (failures are reproduced from the printed example); no deadline: a loaded CI box must
# not turn a slow example into a failure.
PROPERTY = settings(deadline=None, database=None)


def fullwidth(text: str) -> str:
    """ASCII → full-width forms, as a Chinese input method types them."""
    return "".join(
        "\u3000" if char == " " else chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text
    )


#
# Name key
#


@pytest.mark.parametrize(
    ("name", "same_as"),
    [
        ("深圳市华为技术有限公司", "华为技术有限公司"),
        ("深圳华为技术有限公司", "华为技术有限公司"),
        ("广东华为", "华为"),
        ("广东省深圳市华为技术有限公司", "华为技术"),
        ("华为技术有限公司（深圳）", "华为技术有限公司"),
        ("华为技术有限公司(深圳)", "华为技术有限公司"),
        ("华为技术有限公司【深圳市】", "华为技术有限公司"),
        ("华为技术有限公司[广东深圳]", "华为技术有限公司"),
        ("（深圳）华为技术有限公司", "华为技术有限公司"),
        ("华为技术有限公司（深圳分公司）", "华为技术有限公司"),
        ("华为技术有限公司南山分公司", "华为技术有限公司"),
        ("招商银行深圳分行", "招商银行"),
        ("中国银行股份有限公司深圳市分行", "中国银行"),
        ("西门子（中国）有限公司", "西门子"),
        ("金山（珠海）软件有限公司", "金山软件"),
        ("海尔集团", "海尔"),
        ("海尔集团有限公司", "海尔"),
        ("海尔（集团）股份有限公司", "海尔"),
        ("青岛海尔股份有限公司", "海尔"),
        ("红杉投资合伙企业（有限合伙）", "红杉投资"),
        ("新疆维吾尔自治区天山纺织", "天山纺织"),
        ("新疆天山纺织", "天山纺织"),
        ("广西壮族自治区柳工机械", "柳工机械"),
        ("内蒙古伊利实业集团股份有限公司", "伊利实业"),
        ("大理白族自治州苍山茶业", "苍山茶业"),
        ("华为 技术 · 有限公司", "华为技术"),
        ("华为技术有限公司。", "华为技术"),
        ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES"),
        ("ＨＵＡＷＥＩ　Ｃｏ．，Ｌｔｄ．", "huawei"),
        ("Apple Inc.", "apple"),
        ("Siemens (China) Co Ltd", "siemens"),
        ("华为Co.,Ltd.", "华为"),
    ],
)
def test_spellings_of_one_company_share_a_key(name, same_as):
    assert name_key(name) == name_key(same_as)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("深圳市华为技术有限公司", "华为技术"),
        ("北京银行股份有限公司", "北京银行"),  # the place is the name: 银行 alone is generic
        ("上海汽车集团股份有限公司", "上海汽车"),
        ("天津港", "天津港"),  # one character would be left
        ("小米（北京科技）", "小米北京科技"),  # a bracket that is not only a place keeps its words
        ("深圳市场研究有限公司", "市场研究"),  # 深圳 + 市场, not 深圳市 + 场
        ("北京市政路桥", "市政路桥"),
        ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络技术"),  # 阿里地区 is only stripped whole
        ("县城农机", "县城农机"),  # 县 and 市辖区 rows of cities.csv are not places
        ("Costco", "costco"),  # co only as a whole word
        ("zinc", "zinc"),
    ],
)
def test_key_rules(name, key):
    assert name_key(name) == key


def test_different_companies_named_after_their_city_keep_different_keys():
    assert name_key("北京银行") != name_key("上海银行")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("深圳有限公司", "深圳"),
        ("有限公司", "有限公司"),
        ("（深圳）", "深圳"),
        ("(中国)(深圳)", "中国深圳"),
        ("Co., Ltd.", "coltd"),
        ("广东深圳", "深圳"),
    ],
)
def test_stripping_never_leaves_an_empty_key(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize("name", ["", "   ", "（）", "·、，。"])
def test_a_name_without_letters_or_digits_has_an_empty_key(name):
    assert name_key(name) == ""


def test_callers_can_pass_their_own_place_names():
    # given a custom list, whose short forms are derived the same way (测试城市 → 测试城)
    places = ["测试城市"]

    # when / then
    assert name_key("测试城华为科技", place_names=places) == "华为科技"
    assert name_key("测试城市华为科技（测试城）", place_names=places) == "华为科技"
    assert name_key("深圳华为科技", place_names=places) == "深圳华为科技"
    assert name_key("深圳华为科技", place_names=()) == "深圳华为科技"


# Text as people type company names: Chinese, ASCII, Chinese punctuation, brackets of every kind, and
# the place names and legal forms the key strips.
name_pieces = st.sampled_from(
    ["深圳", "深圳市", "广东", "广东省", "华为", "技术", "银行", "市场", "中国", "有限公司", "集团", "分公司", "分行"]
    + ["(", ")", "（", "）", "【", "】", "·", "、", "，", "。", " ", "co", "ltd", "inc", ".", ",", "&", "a", "Z", "7"]
)
names = st.one_of(st.lists(name_pieces, max_size=12).map("".join), st.text(max_size=30))
chinese_names = st.lists(name_pieces.filter(lambda piece: not piece.isascii() or not piece.isalpha())).map("".join)
ascii_and_chinese_names = st.one_of(
    st.lists(name_pieces, max_size=12).map("".join),
    st.text(st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7E), st.sampled_from("深圳华为（）【】、。"))),
)
whitespace = st.text(" \t\n\u3000\u00a0", min_size=1, max_size=3)


@PROPERTY
@given(names)
def test_a_key_is_its_own_key(name):
    # Holds for any text: every stripping step runs until nothing changes, and the key is NFKC and
    # case-folded already, without punctuation, brackets or whitespace.
    key = name_key(name)

    assert name_key(key) == key


@PROPERTY
@given(names)
def test_a_key_is_empty_only_when_the_name_has_no_letters_or_digits(name):
    assert bool(name_key(name)) == any(char.isalnum() for char in unicodedata.normalize("NFKC", name))


@PROPERTY
@given(ascii_and_chinese_names)
def test_full_width_and_case_do_not_change_the_key(name):
    key = name_key(name)

    assert name_key(fullwidth(name)) == key
    assert name_key(name.upper()) == key
    assert name_key(fullwidth(name.upper())) == key


@PROPERTY
@given(chinese_names, st.data())
def test_whitespace_anywhere_in_a_chinese_name_does_not_change_the_key(name, data):
    # given spaces inserted between any characters (Latin letters are left out: there a space is a word
    # boundary, and "apple inc" loses its legal form where "appleinc" does not)
    spaced = "".join(char + data.draw(st.one_of(st.just(""), whitespace)) for char in name)

    assert name_key(spaced) == name_key(name)


@PROPERTY
@given(st.lists(st.one_of(name_pieces, whitespace), max_size=12), st.data())
def test_the_kind_and_amount_of_whitespace_do_not_change_the_key(pieces, data):
    name = "".join(pieces)
    respaced = "".join(data.draw(whitespace) if piece.isspace() else piece for piece in pieces)

    assert name_key(respaced) == name_key(name)


#
# Similarity
#


def test_similarity_compares_name_keys():
    assert similarity("华为技术有限公司", "深圳华为技术") >= 90
    assert similarity("华为技术", "中兴通讯") < 50
    assert similarity("华为技术有限公司", "华为技术有限公司（深圳）") == 100
    assert 50 < similarity("华为技术有限公司", "华为科技有限公司") < 100


def test_similarity_is_symmetric_and_zero_for_an_empty_name():
    assert similarity("华为技术", "华为终端") == similarity("华为终端", "华为技术")
    assert similarity("", "华为") == 0
    assert similarity("", "") == 0
