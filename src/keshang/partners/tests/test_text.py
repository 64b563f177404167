"""partners.text: credit codes, name keys, phone keys, pinyin search text and name similarity."""

import unicodedata

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin, pinyin
from stdnum.cn import uscc

from keshang.partners.text import (
    _slots,
    name_key,
    normalize_credit_code,
    normalize_phone,
    phone_digits,
    pinyin_readings,
    search_text,
    similarity,
)

# No example database (failures are reproduced from the printed example); no deadline: a loaded CI box must
# not turn a slow example into a failure.
PROPERTY = settings(deadline=None, database=None)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check_digit(first17: str) -> str:
    """GB 32100-2015 written out independently of stdnum: weights 3^i mod 31, check = (31 - Σ mod 31) mod 31."""
    total = sum(USCC_ALPHABET.index(char) * pow(3, index, 31) for index, char in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def wrong_check_digit(code: str) -> str:
    return code[:-1] + next(char for char in USCC_ALPHABET if char != code[-1])


def fullwidth(text: str) -> str:
    """ASCII → full-width forms, as a Chinese input method types them."""
    return "".join(
        "\u3000" if char == " " else chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text
    )


#
# 统一社会信用代码
#


@pytest.mark.parametrize(
    "first17",
    [
        "91110000600037341",  # stdnum's own example, check digit L
        "91440300708461136",
        "12100000400000624",  # 1 机构编制
        "51110000500000001",  # 5 民政
        "91310115MA1K3YJ2X",  # letters in the organisation code
    ],
)
def test_valid_codes_are_returned_as_typed_in_canonical_form(first17):
    code = with_check_digit(first17)

    assert normalize_credit_code(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "9111 0000 6000 3734 1L",
        "911100-006000-37341L",
        "91110000600037341l",
        "９１１１００００６０００３７３４１Ｌ",
        "  91110000600037341L\u3000",
    ],
)
def test_spaces_hyphens_full_width_and_lower_case_are_normalised(typed):
    assert normalize_credit_code(typed) == "91110000600037341L"


LETTER_AUTHORITY_CODES = ["N2370000MA3C12345", "Y1440300MA5F00001", "A1110000MA0000001", "N1370000123456789"]


@pytest.mark.parametrize("first17", LETTER_AUTHORITY_CODES)
def test_letter_authority_codes_that_stdnum_refuses_are_accepted_with_a_right_check_digit(first17):
    # given a code whose registration authority (N 农业, Y 其他, A) or entity type is a letter
    code = with_check_digit(first17)
    assert not uscc.is_valid(code)  # why the wrapper exists

    # when / then
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(code.lower()) == code


@pytest.mark.parametrize("first17", ["N2370000MA3C12345", "Y1440300MA5F00001"])
def test_letter_authority_codes_with_a_wrong_check_digit_are_refused(first17):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(wrong_check_digit(with_check_digit(first17)))

    assert caught.value.code == "invalid_check_digit"
    assert caught.value.messages == ["统一社会信用代码校验位不正确，请核对。"]


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("91110000600037341", "invalid_length", "统一社会信用代码应为18位。"),
        ("91110000600037341LL", "invalid_length", "统一社会信用代码应为18位。"),
        ("91110000600037341A", "invalid_check_digit", "统一社会信用代码校验位不正确，请核对。"),
        ("9111000060003734IL", "invalid_characters", None),
        ("91110000600O37341L", "invalid_characters", None),
        ("S1110000600037341L", "invalid_characters", None),
        ("9111000060003734*L", "invalid_characters", None),
        ("９１１１０００06000373４中L", "invalid_characters", None),
        ("91AB0000600037341L", "invalid_region", None),
    ],
)
def test_invalid_codes_are_refused_with_a_chinese_message_and_a_code(value, code, message):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(value)

    assert caught.value.code == code
    if message:
        assert caught.value.messages == [message]
    if code == "invalid_characters":
        assert "I、O、S、V、Z" in caught.value.messages[0]


@pytest.mark.parametrize("value", ["", "   ", " - "])
def test_an_empty_credit_code_is_empty(value):
    assert normalize_credit_code(value) == ""


uscc_bodies = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@PROPERTY
@given(uscc_bodies)
def test_every_code_with_the_right_check_digit_is_accepted_and_no_other(first17):
    code = with_check_digit(first17)

    assert normalize_credit_code(code) == code
    with pytest.raises(ValidationError):
        normalize_credit_code(wrong_check_digit(code))


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


#
# Phone numbers
#


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("0755-86001234", "+8675586001234"),
        ("(010) 6552 9988", "+861065529988"),
        ("（０１０）６５５２９９８８", "+861065529988"),
        ("400-810-8888", "+864008108888"),
        ("+1 650 253 0000", "+16502530000"),
        ("010 6552 9988 ext 12", "+861065529988"),  # E.164 has no extension
    ],
)
def test_phone_numbers_are_normalised_to_e164(value, e164):
    assert normalize_phone(value) == e164


def test_numbers_without_a_country_code_are_read_in_the_given_region():
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("value", ["12345", "abc", "95588", "021-1234567", "0755-86001234-8001", "0755-86001234转8001"])
def test_invalid_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(value)

    assert caught.value.code == "invalid_phone"
    assert caught.value.messages == ["请输入有效的电话号码。"]


@PROPERTY
@given(st.from_regex(r"1[0-9]{10}", fullmatch=True) | st.from_regex(r"1[0-9]{6,11}", fullmatch=True))
def test_numbers_that_look_like_mobiles_are_judged_as_phonenumbers_judges_them(value):
    # given phonenumbers' own answer (an 11-digit mobile skips parsing on the fast path)
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        number = None
    expected = (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if number is not None and phonenumbers.is_valid_number(number)
        else None
    )
    # when / then normalize_phone gives the same number or refuses the same way
    if expected is None:
        with pytest.raises(ValidationError):
            normalize_phone(value)
    else:
        assert normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["", "  ", "\u3000"])
def test_an_empty_phone_is_empty(value):
    assert normalize_phone(value) == ""


@pytest.mark.parametrize(
    ("value", "digits"),
    [("+86 138-1234-5678", "8613812345678"), ("（０７５５）８６００-1234", "075586001234"), ("", ""), ("无", "")],
)
def test_phone_digits_keeps_only_digits(value, digits):
    assert phone_digits(value) == digits


#
# Pinyin and search text
#


def test_readings_are_full_pinyin_and_initials_without_spaces():
    assert pinyin_readings("华为技术") == ["huaweijishu", "hwjs"]
    assert pinyin_readings("单县") == ["danxian", "dx", "chanxian", "cx", "shanxian", "sx"]


def test_text_without_chinese_has_no_readings():
    assert pinyin_readings("Apple Inc.") == []
    assert pinyin_readings("") == []


def test_non_chinese_characters_pass_through_lower_cased_without_punctuation():
    assert pinyin_readings("TCL科技")[:2] == ["tclkeji", "tclkj"]
    assert pinyin_readings("３６０·安全")[:2] == ["360anquan", "360aq"]


def test_the_limit_caps_the_combinations_fewest_departures_first():
    # given heteronyms in every position, apart so that pypinyin reads no phrase (单行 would be danxing)
    name = "单 乐 重 长"

    # when
    readings = pinyin_readings(name, limit=4)

    # then 4 combinations (8 readings): the usual reading, then the first character read differently
    assert readings == [
        *("danlezhongzhang", "dlzz"),
        *("chanlezhongzhang", "clzz"),
        *("shanlezhongzhang", "slzz"),
        *("danyuezhongzhang", "dyzz"),
    ]


# Words whose reading depends on the phrase they are in, and characters with several readings.
PHRASE_PARTS = (
    "重庆",
    "银行",
    "行长",
    "长沙",
    "单县",
    "音乐",
    "乐清",
    "朝阳",
    "了解",
    "蚌埠",
    "六安",
    "市",
    "重",
    "行",
    "长",
    "单",
)
HAN_RUNS = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12),
    st.lists(st.sampled_from(PHRASE_PARTS), min_size=1, max_size=6).map("".join),
)


@PROPERTY
@given(HAN_RUNS)
def test_readings_are_pypinyins_toneless_readings_of_every_character(han):
    # given pypinyin's own Style.NORMAL readings with heteronyms, duplicates dropped (shì, shí → shi)
    expected = [
        list(dict.fromkeys(reading for reading in options if reading))
        for options in pinyin(han, style=Style.NORMAL, heteronym=True)
    ]
    # when the search text's readings are derived (from Style.TONE through a cache of toneless syllables)
    slots = _slots(han)
    # then they are the same, character by character, most common first
    assert [[full for full, _initial in slot] for slot in slots] == expected


def test_a_long_name_full_of_heteronyms_stays_small():
    assert len(pinyin_readings("单 乐 重 长 " * 20)) <= 32
    with pytest.raises(ValueError):
        pinyin_readings("华为", limit=0)


def test_search_text_finds_a_name_by_part_full_pinyin_or_initials():
    text = search_text("华为技术有限公司")

    assert text.startswith("华为技术有限公司 huaweijishuyouxiangongsi hwjsyxgs")
    for query in ("华为", "技术", "huawei", "jishu", "hwjs"):
        assert query in text


def test_search_text_has_every_reading_of_a_heteronym():
    text = search_text("单县农机")

    for query in ("shanxian", "danxian", "sx", "dx"):
        assert query in text


def test_search_text_uses_the_phrase_reading_of_a_place():
    assert "chongqing" in search_text("重庆长安汽车")
    assert "yinhang" in search_text("重庆银行")


def test_search_text_joins_parts_lower_cased_without_duplicates():
    assert search_text("华为", "", "华为", "ＡＢＣ  Ltd", "13812345678") == "华为 huawei hw abc ltd 13812345678"
    assert search_text() == ""


@PROPERTY
@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12))
def test_search_text_always_holds_the_text_and_its_usual_reading(name):
    items = search_text(name).split()

    assert items[0] == name
    assert "".join(lazy_pinyin(name)) in items
    assert len(items) == len(set(items))
