"""Place names: the provinces and prefecture-level cities a company name may start with or carry in brackets."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from .folding import NON_WORD, fold

__all__ = ["Places", "short_place_name", "default_places", "custom_places"]

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
class Places:
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
    name = NON_WORD.sub("", fold(name))
    if not name:
        return ()
    match = _ADMINISTRATIVE_SUFFIX.match(name)
    return (name, match.group(1)) if match else (name,)


def short_place_name(name: str) -> str:
    """A place as people say it: 广东省 → 广东, 新疆维吾尔自治区 → 新疆, 深圳市 → 深圳; 海淀区 as it is."""
    forms = _place_forms(name)
    return forms[-1] if forms else name


def _build_places(names: Iterable[str]) -> Places:
    forms = frozenset(form for name in names for form in _place_forms(name))
    return Places(names=forms, lengths=tuple(sorted({len(form) for form in forms}, reverse=True)))


def _read_region_names(filename: str) -> list[str]:
    with resources.files("keshang.core").joinpath("data", "regions", filename).open(encoding="utf-8") as file:
        return [row["name"] for row in csv.DictReader(file)]


@functools.cache
def default_places() -> Places:
    """The 31 provinces and the prefecture-level cities of core/data/regions, read once per process.

    Counties (areas.csv) are left out on purpose: 朝阳, 海淀, 东方 or 永安 are far more often part of a trade
    name than a place prefix."""
    cities = [name for name in _read_region_names("cities.csv") if not _NOT_A_PLACE.search(name)]
    return _build_places([*_read_region_names("provinces.csv"), *cities])


@functools.lru_cache(maxsize=16)
def custom_places(names: tuple[str, ...]) -> Places:
    return _build_places(names)
