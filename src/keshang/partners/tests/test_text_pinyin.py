"""partners.text: pinyin readings and the search text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin, pinyin

from keshang.partners.text import (
    canonical_text,
    pinyin_readings,
    search_text,
)
from keshang.partners.text.pinyin import _slots

# No example database (failures are reproduced from the printed example); no deadline: a loaded CI box must
# not turn a slow example into a failure.
PROPERTY = settings(deadline=None, database=None)


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

    # the text as the search box compares it: traditional characters simplified (issue 12, finding 11)
    assert items[0] == canonical_text(name)
    assert "".join(lazy_pinyin(name)) in items
    assert len(items) == len(set(items))
