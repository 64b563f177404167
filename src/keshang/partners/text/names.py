"""The duplicate key of a company name (:func:`name_key`) and how alike two names are (:func:`similarity`)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz

from .folding import NON_WORD, canonical_text
from .places import Places, custom_places, default_places

__all__ = ["NAME_KEY_LENGTH", "name_key", "similarity"]

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


def _is_bracket_qualifier(content: str, places: Places) -> bool:
    """True when a bracket says only where or which office: （深圳）, (广东深圳), （南山分公司）, （中国）,
    （有限合伙）. ``content`` is already folded and without punctuation."""
    if not content or content in _BRACKET_QUALIFIERS or content.endswith(_BRANCH_MARKERS):
        return True
    while size := places.leading(content):
        content = content[size:]
    return not content


def _strip_brackets(text: str, places: Places) -> str:
    """Drop qualifier brackets wherever they stand; keep the words of any other bracket (its marks go
    with the rest of the punctuation)."""

    def replace(match: re.Match[str]) -> str:
        content = match.group(1)
        return " " if _is_bracket_qualifier(NON_WORD.sub("", content), places) else f" {content} "

    return _BRACKET_GROUP.sub(replace, text.translate(_BRACKETS))


def _strip_branch(key: str, places: Places) -> str:
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
    return stripped if NON_WORD.sub("", stripped) else text


def _strip_company_form(key: str) -> str:
    form = next((form for form in _COMPANY_FORMS if key.endswith(form)), "")
    return key[: -len(form)] if form and len(form) < len(key) else key


def _strip_leading_place(key: str, places: Places) -> str:
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

    1. :func:`~.folding.canonical_text` and case folding: full-width and half-width, upper and lower case,
       traditional and simplified characters are the same, and invisible characters are not there.
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
    return _name_key(name or "", custom_places(tuple(place_names)))[:NAME_KEY_LENGTH]


@functools.lru_cache(maxsize=4096)
def _default_name_key(name: str) -> str:
    """Kept for a while: an import computes each key when validating a row and again when writing its batch."""
    return _name_key(name, default_places())


def _name_key(name: str, places: Places) -> str:
    folded = canonical_text(name).casefold()
    text = _strip_brackets(folded, places)
    key = NON_WORD.sub("", _strip_english_form(text))
    if not key:
        # Only qualifiers or legal forms, e.g. "（深圳）": keep them rather than return an empty key.
        key = NON_WORD.sub("", folded)
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
