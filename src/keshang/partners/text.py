"""Text rules of the partner master: validation, duplicate keys and search text (pure functions).

The same customer is typed many ways: 深圳市华为技术有限公司, 华为技术有限公司（深圳）, ＨＵＡＷＥＩ Co., Ltd.,
a credit code with spaces, a phone number with or without +86 or an area code. Duplicate control
and search only work if every spelling is reduced to one key first, so the services, forms, API and
the importer all derive their keys here. 100,000 partners can be imported through these functions:
the region lists are read once and cached, the regular expressions are compiled once, and nothing
touches the database.

- :func:`normalize_credit_code` checks a 统一社会信用代码 (GB 32100-2015) with python-stdnum, and also
  accepts the letter authority codes (N 农业, Y 其他, …) that stdnum refuses.
- :func:`name_key` is the duplicate key of a company name; :func:`similarity` compares two keys.
- :func:`normalize_phone` gives an E.164 key; :func:`phone_digits` gives digits for substring search.
- :func:`search_text` is the text one search box matches: the name, its full pinyin and its initials.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from rapidfuzz import fuzz

from keshang.core.identifiers import normalize_credit_code

__all__ = [
    "normalize_credit_code",
    "name_key",
    "short_place_name",
    "normalize_phone",
    "phone_digits",
    "pinyin_readings",
    "search_text",
    "similarity",
]

# Runs of anything but letters, digits and CJK characters: whitespace, ASCII and Chinese punctuation
# (·、，。「」…), symbols, and the underscore, which \w would otherwise keep.
_NON_WORD = re.compile(r"[\W_]+")
_WHITESPACE = re.compile(r"\s+")


def _fold(value: str) -> str:
    """NFKC (full-width letters, digits, brackets and spaces → ASCII), then lower case."""
    return unicodedata.normalize("NFKC", value).lower()


#
# 统一社会信用代码
#

#
# Place names
#

# Minority names that sit between a place and 自治区/自治州 in the official names, longest first (蒙古族
# before 蒙古); some are written without 族 (新疆维吾尔自治区, 博尔塔拉蒙古自治州).
_ETHNIC_GROUPS = (
    "蒙古族|朝鲜族|土家族|布依族|哈尼族|景颇族|傈僳族|维吾尔|柯尔克孜|哈萨克|蒙古|"
    "壮族|回族|苗族|藏族|羌族|彝族|侗族|傣族|白族"
)
# The short form keeps at least two characters, so 内蒙古自治区 gives 内蒙古, never 内 + 蒙古.
_ADMINISTRATIVE_SUFFIX = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC_GROUPS})*自治[区州]|特别行政区|省|市)$")
# City rows that are groupings, not places: 市辖区 (a municipality's districts), 县, 省直辖县级行政区划.
_NOT_A_PLACE = re.compile(r"^(?:市辖区|县)$|直辖")


@dataclass(frozen=True)
class _Places:
    """Place names (full and short forms) looked up by prefix or suffix length: a few set look-ups
    instead of a regex alternation over ~700 names."""

    names: frozenset[str]
    lengths: tuple[int, ...]  # longest first, so 深圳市 wins over 深圳

    def leading(self, text: str) -> int:
        """Length of the longest place name that ``text`` starts with, 0 if none.

        A 市 followed by 场 or 政 starts the next word (深圳市场研究 is 深圳 + 市场研究, 北京市政路桥 is 北京 +
        市政路桥), so there the place is matched without it."""
        for size in self.lengths:
            if size > len(text) or text[:size] not in self.names:
                continue
            if not (text[size - 1] == "市" and text[size : size + 1] in ("场", "政")):
                return size
        return 0

    def trailing(self, text: str) -> int:
        """Length of the longest place name that ``text`` ends with, 0 if none."""
        return next((size for size in self.lengths if len(text) >= size and text[-size:] in self.names), 0)


def _place_forms(name: str) -> tuple[str, ...]:
    """The name and its short form: 广东省 → 广东, 新疆维吾尔自治区 → 新疆, 大理白族自治州 → 大理.

    Names in 地区 and 盟 keep only their full form: their bare forms are ordinary words or trade names
    (阿里地区 → 阿里 would turn 阿里巴巴 into 巴巴)."""
    name = _NON_WORD.sub("", _fold(name))
    if not name:
        return ()
    match = _ADMINISTRATIVE_SUFFIX.match(name)
    return (name, match.group(1)) if match else (name,)


def short_place_name(name: str) -> str:
    """A place as people say it: 广东省 → 广东, 新疆维吾尔自治区 → 新疆, 深圳市 → 深圳; 海淀区 as it is."""
    forms = _place_forms(name)
    return forms[-1] if forms else name


def _build_places(names: Iterable[str]) -> _Places:
    forms = frozenset(form for name in names for form in _place_forms(name))
    return _Places(names=forms, lengths=tuple(sorted({len(form) for form in forms}, reverse=True)))


def _read_region_names(filename: str) -> list[str]:
    with resources.files("keshang.core").joinpath("data", "regions", filename).open(encoding="utf-8") as file:
        return [row["name"] for row in csv.DictReader(file)]


@functools.cache
def _default_places() -> _Places:
    """The 31 provinces and the prefecture-level cities of core/data/regions, read once per process.

    Counties (areas.csv) are left out on purpose: 朝阳, 海淀, 东方 or 永安 are far more often part of a trade
    name than a place prefix."""
    cities = [name for name in _read_region_names("cities.csv") if not _NOT_A_PLACE.search(name)]
    return _build_places([*_read_region_names("provinces.csv"), *cities])


@functools.lru_cache(maxsize=16)
def _custom_places(names: tuple[str, ...]) -> _Places:
    return _build_places(names)


#
# Name key
#

# Brackets of every width and shape become ( ); NFKC has already turned （）［］｛｝ into ASCII.
_BRACKETS = str.maketrans("[{【〔〖〘⦅]}】〕〗〙⦆", "(((((((" + ")))))))")
_BRACKET_GROUP = re.compile(r"\(([^()]*)\)")
# A branch of a company or bank; bracketed or trailing, it designates an office of the same partner.
_BRANCH_MARKERS = ("分公司", "分店", "分厂", "分部", "分行", "支行", "办事处", "代表处", "营业部", "总部", "总公司")
# Bracketed qualifiers that are not places from the region list but say just as little about who it is.
_BRACKET_QUALIFIERS = frozenset({"中国", "china", "有限合伙", "普通合伙", "特殊普通合伙"})
# Legal forms at the end of a name, longest first so 集团有限公司 goes as a whole.
_COMPANY_FORMS = tuple(
    sorted(
        (
            "集团股份有限公司",
            "集团有限责任公司",
            "集团有限公司",
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "集团公司",
            "股份公司",
            "合伙企业",
            "集团",
            "公司",
        ),
        key=len,
        reverse=True,
    )
)
# English legal forms, each a whole word (co. but not the co of Costco or the inc of zinc), repeated as
# in "Co., Ltd."; checked before punctuation is removed, while word boundaries can still be seen.
_ENGLISH_FORMS = re.compile(
    r"(?<![a-z0-9])(?:(?:company|co|corporation|corp|incorporated|inc|limited|ltd|llc|llp|plc|gmbh|pte|pty|group)"
    r"(?![a-z0-9])[\W_]*)+$"
)
# What is left after a leading place name that shows the place *is* the name (北京银行, 上海电气, 青岛啤酒):
# stripping it would give 北京银行 and 上海银行 the same key.
_GENERIC_NAMES = frozenset(
    {
        "银行",
        "商业银行",
        "农商银行",
        "农村商业银行",
        "证券",
        "保险",
        "信托",
        "电力",
        "供电",
        "电气",
        "电信",
        "燃气",
        "水务",
        "自来水",
        "地铁",
        "公交",
        "机场",
        "港务",
        "航空",
        "铁路",
        "日报",
        "晚报",
        "广播电视台",
        "电视台",
        "大学",
        "医院",
        "钢铁",
        "汽车",
        "啤酒",
        "烟草",
        "建工",
        "城建",
        "城投",
        "国资",
    }
)


def _is_bracket_qualifier(content: str, places: _Places) -> bool:
    """True when a bracket says only where or which office: （深圳）, (广东深圳), （南山分公司）, （中国）,
    （有限合伙）. ``content`` is already folded and without punctuation."""
    if not content or content in _BRACKET_QUALIFIERS or content.endswith(_BRANCH_MARKERS):
        return True
    while size := places.leading(content):
        content = content[size:]
    return not content


def _strip_brackets(text: str, places: _Places) -> str:
    """Drop qualifier brackets wherever they stand; keep the words of any other bracket (its marks go
    with the rest of the punctuation)."""

    def replace(match: re.Match[str]) -> str:
        content = match.group(1)
        return " " if _is_bracket_qualifier(_NON_WORD.sub("", content), places) else f" {content} "

    return _BRACKET_GROUP.sub(replace, text.translate(_BRACKETS))


def _strip_branch(key: str, places: _Places) -> str:
    """华为技术有限公司南山分公司 → 华为技术有限公司; 招商银行深圳分行 → 招商银行 (a trailing place goes with the
    marker). Without a company form before the marker only place names are taken off."""
    marker = next((marker for marker in _BRANCH_MARKERS if key.endswith(marker)), "")
    if not marker:
        return key
    head = key[: -len(marker)]
    end_of_form = max((head.rfind(form) + len(form) for form in ("公司", "集团") if form in head), default=0)
    if end_of_form:
        head = head[:end_of_form]
    else:
        while (size := places.trailing(head)) and size < len(head):
            head = head[:-size]
    return head or key


def _strip_english_form(text: str) -> str:
    stripped = _ENGLISH_FORMS.sub("", text)
    return stripped if _NON_WORD.sub("", stripped) else text


def _strip_company_form(key: str) -> str:
    form = next((form for form in _COMPANY_FORMS if key.endswith(form)), "")
    return key[: -len(form)] if form and len(form) < len(key) else key


def _strip_leading_place(key: str, places: _Places) -> str:
    """深圳市华为技术 → 华为技术, 广东华为 → 华为; unless one character or a generic name would be left."""
    size = places.leading(key)
    rest = key[size:]
    return rest if size and len(rest) >= 2 and rest not in _GENERIC_NAMES else key


# Partner.name_key's column. NFKC can make a key longer than the name it comes from (ﷺ folds to 18
# characters), and a longer key failed validation on a field nobody typed, or, written by an import on
# PostgreSQL, the whole import (issue 6). Keys that long are cut; two names alike in their first 200
# folded characters are duplicates anyway.
NAME_KEY_LENGTH = 200


def name_key(name: str, *, place_names: Iterable[str] | None = None) -> str:
    """The duplicate key of a company name: two names with the same key are probably the same partner.

    In order:

    1. NFKC and case folding: full-width and half-width, upper and lower case are the same.
    2. Brackets of any shape（）()【】[]〔〕 are the same. A bracket is dropped, wherever it stands, when it
       holds only place names (（深圳）, (广东深圳), （深圳市）), 中国/China, a partnership form (（有限合伙）) or
       ends with a branch marker (（南山分公司）, （办事处）); any other bracket keeps its words:
       金山（珠海）软件 → 金山软件 but 小米（北京科技） → 小米北京科技.
    3. English legal forms at the end go (Co., Ltd., Inc., LLC, Corp., GmbH, …), then all whitespace and
       punctuation, ASCII and Chinese.
    4. Repeated until nothing changes: a trailing branch (…有限公司深圳分公司, …银行深圳分行); a legal form at
       the end (集团股份有限公司, 有限公司, 集团, 公司, …); a leading province or city name, with or without
       省/市/自治区 (深圳市华为, 广东华为 → 华为), unless what is left is one character or a generic name such as
       银行 or 电力 (北京银行 keeps its key).

    No step may leave the key empty: a name that is all place or form (深圳有限公司 → 深圳) keeps what is left
    before that step. Because step 4 runs to a fixed point, ``name_key(name_key(x)) == name_key(x)``.

    ``place_names`` replaces the built-in list (the provinces and prefecture-level cities of
    core/data/regions); short forms are derived from it the same way. An empty iterable strips no places.
    """
    if place_names is None:
        return _default_name_key(name or "")[:NAME_KEY_LENGTH]
    return _name_key(name or "", _custom_places(tuple(place_names)))[:NAME_KEY_LENGTH]


@functools.lru_cache(maxsize=4096)
def _default_name_key(name: str) -> str:
    """Kept for a while: an import computes each key when validating a row and again when writing its batch."""
    return _name_key(name, _default_places())


def _name_key(name: str, places: _Places) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    text = _strip_brackets(folded, places)
    key = _NON_WORD.sub("", _strip_english_form(text))
    if not key:
        # Only qualifiers or legal forms, e.g. "（深圳）": keep them rather than return an empty key.
        key = _NON_WORD.sub("", folded)
    # Removing punctuation can join characters that compose (Hangul jamo), so normalise again to keep
    # name_key(name_key(x)) == name_key(x).
    key = unicodedata.normalize("NFKC", key)
    previous = None
    while key != previous:
        previous = key
        key = _strip_branch(key, places)
        # Again on the joined key: an English form right after Chinese text (华为co) has no space before it.
        key = _strip_company_form(_strip_english_form(key))
        key = _strip_leading_place(key, places)
    return key


def similarity(a: str, b: str) -> float:
    """How alike two company names are, 0–100, compared on their :func:`name_key`; 0 if either is empty.

    ``fuzz.ratio`` (normalised Indel similarity) on the keys: keys contain no spaces, so the token scorers
    would reduce to it, and ``partial_ratio`` is rejected because a short key (华为) would score 100 against
    every name that contains it. A bulk duplicate finder should compare stored keys with
    ``rapidfuzz.process`` and ``fuzz.ratio`` rather than call this per pair.
    """
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    return fuzz.ratio(key_a, key_b)


#
# Phone numbers
#

_NOT_DIGIT = re.compile(r"[^0-9]+")


def normalize_phone(value: str, region: str = "CN") -> str:
    """The number in E.164 (``+8613812345678``); ``""`` for an empty value.

    Numbers without a country code are read as numbers of ``region``: 13812345678, 0755-86001234 and
    (010) 6552 9988 are Chinese mobile and landline numbers. E.164 has no extension, so one written as
    "ext 12" is dropped from the key; "-8001" or "转8001" is not understood and the number is refused.
    Raises :class:`ValidationError` (code ``invalid_phone``) for anything that is not a valid number.
    """
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return ""
    e164 = _e164(text, region)
    if e164 is None:
        raise ValidationError(gettext("请输入有效的电话号码。"), code="invalid_phone")
    return e164


# A mainland mobile written as its 11 digits, by phonenumbers' own pattern: most numbers people type. It is
# valid as it stands (none starts with a carrier prefix that parsing would strip), so it needs no parsing.
_CN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern, re.ASCII)


@functools.lru_cache(maxsize=65536)
def _e164(text: str, region: str) -> str | None:
    """Parsing is the slow part (~45 µs); an import checks each number when validating and again when
    deriving the keys, so the answers are kept."""
    if region == "CN" and _CN_MOBILE.fullmatch(text):
        return "+86" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(value: str) -> str:
    """Only the digits (full-width ones too), so a search for 1234 finds 138-1234-5678."""
    return _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value or ""))


#
# Pinyin and search text
#

# CJK ideographs (basic, extension A–G, compatibility) and 〇: what pypinyin has readings for. Everything
# else passes through as it is, minus punctuation.
_HAN_CLASS = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN = re.compile(rf"[{_HAN_CLASS}]")
_HAN_OR_OTHER = re.compile(rf"([{_HAN_CLASS}]+)|([^{_HAN_CLASS}]+)")

# One character's readings as (full pinyin, initial) pairs, most common first; a non-Chinese run is one
# "reading" that is its own initial, so TCL科技 gives tclkeji and tclkj.
_Slot = tuple[tuple[str, str], ...]


@functools.cache
def _han_readings():
    """pypinyin, loaded on first use: its dictionaries take ~55 MB, which processes that never derive a search
    text (most web requests) need not hold.

    What pypinyin does for a run of Chinese characters, with its work kept: the run is cut into words (longest
    phrase first), and a word's readings depend on the word alone, so each distinct word (市, 贸易, 有限公司) is
    converted once per process. Readings come in the dictionary's form (Style.TONE) and lose their tones through
    a cache of the few thousand syllables; with duplicates dropped (shì, shí → shi) that is Style.NORMAL.
    Together they more than halve the cost of an import's search texts."""
    from pypinyin import Style, pinyin
    from pypinyin.seg.simpleseg import seg
    from pypinyin.style import convert

    toneless = functools.lru_cache(maxsize=None)(functools.partial(convert, style=Style.NORMAL, strict=True))

    @functools.lru_cache(maxsize=65536)
    def word_readings(word: str) -> tuple[tuple[str, ...], ...]:
        # A word that the cut gave back is cut into itself again, so converting it alone reads it as in the run.
        return tuple(
            tuple(toneless(reading) for reading in options)
            for options in pinyin(word, style=Style.TONE, heteronym=True)
        )

    def readings(han: str) -> list[tuple[str, ...]]:
        return [options for word in seg(han) for options in word_readings(word)]

    return readings


def _slots(folded: str) -> list[_Slot]:
    slots: list[_Slot] = []
    for han, other in _HAN_OR_OTHER.findall(folded):
        if han:
            # heteronym=True gives every reading of a character pypinyin cannot place in a phrase (单 → dan,
            # chan, shan) but only the phrase's reading otherwise (重庆 → chong; 银行 → hang).
            for readings in _han_readings()(han):
                slots.append(tuple((reading, reading[:1]) for reading in dict.fromkeys(readings) if reading))
        elif token := _NON_WORD.sub("", other):
            slots.append(((token, token),))
    return slots


def _combinations(slots: Sequence[_Slot], limit: int) -> Iterator[tuple[tuple[str, str], ...]]:
    """Combinations of readings, fewest departures from the most common reading first, at most ``limit``.

    A plain product would vary only the last characters before hitting the limit on a long name; this
    order gives every character's other readings a turn first (单县农机: danxian…, chanxian…, shanxian…,
    …nongwei, then pairs). Lazy, so 30 heteronyms cost no more than ``limit`` combinations.
    """
    defaults = [slot[0] for slot in slots]
    variable = [index for index, slot in enumerate(slots) if len(slot) > 1]
    departures = itertools.chain.from_iterable(
        itertools.combinations(variable, count) for count in range(len(variable) + 1)
    )

    def chosen() -> Iterator[tuple[tuple[str, str], ...]]:
        for positions in departures:
            for alternatives in itertools.product(*(slots[position][1:] for position in positions)):
                choice = list(defaults)
                for position, alternative in zip(positions, alternatives, strict=True):
                    choice[position] = alternative
                yield tuple(choice)

    return itertools.islice(chosen(), limit)


def _readings(folded: str, limit: int) -> list[str]:
    if not _HAN.search(folded):
        return []  # no Chinese: the text itself is its only reading
    slots = _slots(folded)
    readings: dict[str, None] = {}
    for choice in _combinations(slots, limit):
        readings["".join(full for full, _ in choice)] = None
        readings["".join(initial for _, initial in choice)] = None
    return list(readings)


def pinyin_readings(text: str, limit: int = 16) -> list[str]:
    """Full pinyin and initials, without spaces, for up to ``limit`` combinations of readings.

    华为技术 → ``["huaweijishu", "hwjs"]``; 单县 → ``["danxian", "dx", "chanxian", "cx", "shanxian", "sx"]``.
    Non-Chinese characters pass through lower-cased, punctuation is dropped; text without Chinese
    characters has no readings. The limit keeps a long name full of heteronyms from producing thousands
    of combinations (each character has up to 4 readings); initials are the first letters of the same
    combinations rather than a separate FIRST_LETTER pass, so the two always correspond.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return _readings(_fold(text or ""), limit)


def search_text(*parts: str, limit: int = 16) -> str:
    """The text one search box matches (``search_text__contains`` with a normalised query).

    For each non-empty part: the NFKC lower-cased text with its whitespace collapsed, then its
    :func:`pinyin_readings`. One space-separated string, duplicates removed, in that order:
    ``search_text("华为技术")`` is ``"华为技术 huaweijishu hwjs"``.
    """
    items: dict[str, None] = {}
    for part in parts:
        folded = _WHITESPACE.sub(" ", _fold(part or "")).strip()
        if not folded:
            continue
        items[folded] = None
        items.update(dict.fromkeys(_readings(folded, limit)))
    return " ".join(items)


def normalize_bank_account(value: str) -> str:
    """A bank account number without spaces: 8 to 30 digits (Chinese cards are 16–19, company accounts vary)."""
    digits = "".join(unicodedata.normalize("NFKC", value or "").split())
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValidationError(gettext("银行账号应为 8 到 30 位数字。"), code="invalid_bank_account")
    return digits
